"""Append-only JSONL stores (history, audit): crash-safe appends and tolerant reads.

Each record is written with a single `write` on an `O_APPEND` descriptor while holding
an exclusive `flock`, so concurrent processes never interleave. Readers skip a torn
last line (a writer killed mid-write) and any line that does not parse. Above
`max_bytes` the file is rotated in place, keeping the newest half: the kept tail is
written to a temp file and renamed over the original under the same lock.
"""

from __future__ import annotations

import fcntl
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

MAX_BYTES = 10 * 1024 * 1024


def append(path: str, record: dict[str, Any], *, max_bytes: int = MAX_BYTES) -> None:
    import json

    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8")
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    while True:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # the file may have been rotated (renamed over) while we waited for the lock
            try:
                same = os.fstat(fd).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                continue
            size = os.fstat(fd).st_size
            if size + len(line) > max_bytes:
                _rotate(path, max_bytes)
                continue  # reopen the new file and append there
            written = os.write(fd, line)
            if written != len(line):  # disk full mid-record: cut the torn tail back off
                os.ftruncate(fd, size)
                raise OSError(28, "No space left on device")
            return
        finally:
            os.close(fd)


def _rotate(path: str, max_bytes: int) -> None:
    """Keep the newest half (whole lines). Caller holds the lock on the old file."""
    keep = max_bytes // 2
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        fh.seek(max(0, size - keep))
        tail = fh.read()
    if size > keep:
        cut = tail.find(b"\n")
        tail = tail[cut + 1 :] if cut >= 0 else b""
    tmp = f"{path}.{os.getpid()}.rotate"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, tail)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def read(path: str) -> Iterator[dict[str, Any]]:
    """Every record that parses, oldest first; torn or corrupt lines are skipped."""
    import json

    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return
    with fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break  # torn last line
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record


def clear(path: str) -> int:
    """Empty the store under its lock; returns how many records were dropped."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return 0
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        count = sum(1 for _ in read(path))
        os.ftruncate(fd, 0)
        return count
    finally:
        os.close(fd)


__all__ = ["MAX_BYTES", "append", "clear", "read"]
