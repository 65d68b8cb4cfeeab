"""Append-only JSONL stores (history, audit): crash-safe appends and tolerant reads.

Why each rule exists:
- One record = one `write` on an `O_APPEND` descriptor while holding an exclusive
  `flock`, so concurrent processes never interleave bytes.
- A writer killed mid-`write` leaves a torn last line. The next writer sees (under the
  lock) that the file does not end with a newline and prefixes its own record with one,
  in the same write, so the torn bytes become a line of their own that readers skip
  instead of gluing the new record onto them.
- A short write (full disk) is cut back off with `ftruncate` to the size before the
  write, so the file is exactly as it was; the caller gets `OSError(ENOSPC)`.
- Above `max_bytes` the file is rotated in place, keeping the newest half (whole
  lines): the tail is copied to a temp file, fsynced and renamed over the original
  while the old file's lock is held. Writers that were waiting on the old file notice
  (inode changed) and reopen the path.
- Readers take no lock: they skip a last line without a newline (torn or still being
  written) and any line that does not parse.
"""

from __future__ import annotations

import fcntl
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

MAX_BYTES = 10 * 1024 * 1024
_ENOSPC = 28


def encode(record: dict[str, Any]) -> bytes:
    """One compact JSON line; non-ASCII kept readable unless it cannot be UTF-8 encoded."""
    import json

    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from undecodable argv bytes
        return (json.dumps(record, separators=(",", ":"), default=str) + "\n").encode("ascii")


def _open_locked(path: str, flags: int) -> int:
    """A descriptor on the file currently at `path`, holding its exclusive lock.

    The file may be renamed over (rotation) while we wait for the lock; then the lock
    we got is on a file nobody reads any more, so open the path again.
    """
    while True:
        fd = os.open(path, flags, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            mine = os.fstat(fd)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            if current is not None and (current.st_ino, current.st_dev) == (mine.st_ino, mine.st_dev):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def append(path: str, record: dict[str, Any], *, max_bytes: int = MAX_BYTES) -> None:
    """Append one record; raise OSError (file unchanged) when it cannot be written whole."""
    data = encode(record)
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, mode=0o700, exist_ok=True)
    rotated = False
    while True:
        fd = _open_locked(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
        try:
            st = os.fstat(fd)
            if st.st_mode & 0o077:
                os.fchmod(fd, 0o600)  # a store holds command lines: owner only
            size = st.st_size
            # rotate at most once per append, so one huge record cannot loop forever
            if size and size + len(data) > max_bytes and not rotated:
                _rotate(fd, path, size, max_bytes)
                rotated = True
                continue  # the lock was on the old file; append to the new one
            payload = data
            if size and os.pread(fd, 1, size - 1) != b"\n":
                payload = b"\n" + data  # isolate a torn last line
            _write_whole(fd, payload, size, path)
            return
        finally:
            os.close(fd)


def _write_whole(fd: int, payload: bytes, size: int, path: str) -> None:
    """One write; anything less than all of it is cut back off."""
    try:
        written = os.write(fd, payload)
    except BaseException:
        _truncate(fd, size)
        raise
    if written != len(payload):
        _truncate(fd, size)
        raise OSError(_ENOSPC, os.strerror(_ENOSPC), path)


def _truncate(fd: int, size: int) -> None:
    try:
        os.ftruncate(fd, size)
    except OSError:
        pass


def _rotate(fd: int, path: str, size: int, max_bytes: int) -> None:
    """Replace the file by its newest half (whole lines). Caller holds the lock on `fd`."""
    start = max(0, size - max_bytes // 2)
    tail = os.pread(fd, size - start, start)
    if start and os.pread(fd, 1, start - 1) != b"\n":
        cut = tail.find(b"\n")  # drop the partial first line
        tail = tail[cut + 1 :] if cut >= 0 else b""
    tmp = f"{path}.rotate"
    out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(tail)
        while view:
            written = os.write(out, view)
            if written <= 0:
                raise OSError(_ENOSPC, os.strerror(_ENOSPC), tmp)
            view = view[written:]
        os.fsync(out)
    except BaseException:
        os.close(out)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    os.close(out)
    os.replace(tmp, path)


def read(path: str) -> Iterator[dict[str, Any]]:
    """Every record that parses, oldest first; torn or corrupt lines are skipped."""
    import json

    try:
        fh = open(path, "rb")  # noqa: SIM115 - a missing store reads as empty
    except FileNotFoundError:
        return
    with fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break  # torn last line, or one still being written
            try:
                record = json.loads(raw)
            except ValueError:  # also UnicodeDecodeError
                continue
            if isinstance(record, dict):
                yield record


def clear(path: str) -> int:
    """Empty the store under its lock; returns how many records were dropped."""
    try:
        fd = _open_locked(path, os.O_RDWR)
    except FileNotFoundError:
        return 0
    try:
        count = sum(1 for _ in read(path))
        os.ftruncate(fd, 0)
        return count
    finally:
        os.close(fd)


__all__ = ["MAX_BYTES", "append", "clear", "encode", "read"]
