"""Reading a run's JSONL log: all of it, the last N lines, or following it live.

Following polls the file (no inotify dependency) and stops once the run record is
final and every line written before that has been read.
"""

from __future__ import annotations

import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from flext.engine.workspace import Workspace


def _parse(raw: bytes) -> dict[str, Any] | None:
    import json

    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def read(ws: Workspace, record: dict[str, Any], *, tail: int | None = None, follow: bool = False) -> Iterator[dict[str, Any]]:
    path = str(record["log"])
    position = 0
    if tail is not None:
        lines, position = _tail(path, tail)
        yield from lines
    else:
        try:
            with open(path, "rb") as fh:
                for raw in fh:
                    if not raw.endswith(b"\n"):
                        break
                    position += len(raw)
                    line = _parse(raw)
                    if line is not None:
                        yield line
        except FileNotFoundError:
            pass
    if not follow:
        return
    from flext.engine import runs

    partial = b""
    delay = 0.05
    while True:
        current = runs.read(ws, record["pipeline"], record["id"]) or record
        current = runs.settle(ws, current)
        done = current.get("status") in runs.FINAL
        got = False
        try:
            with open(path, "rb") as fh:
                fh.seek(position)
                chunk = fh.read()
        except FileNotFoundError:
            chunk = b""
        if chunk:
            got = True
            position += len(chunk)
            data = partial + chunk
            *complete, partial = data.split(b"\n")
            for raw in complete:
                line = _parse(raw)
                if line is not None:
                    yield line
        if done and not chunk:
            return
        delay = 0.05 if got else min(0.5, delay * 1.5)
        time.sleep(delay)


def _tail(path: str, count: int) -> tuple[list[dict[str, Any]], int]:
    """The last `count` parsed lines, and the byte offset of the end of the last one."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except FileNotFoundError:
        return [], 0
    with fh:
        size = os.fstat(fh.fileno()).st_size
        block = 65536
        data = b""
        offset = size
        while offset > 0 and data.count(b"\n") <= count:
            step = min(block, offset)
            offset -= step
            fh.seek(offset)
            data = fh.read(step) + data
        end = data.rfind(b"\n") + 1
        complete = data[:end].split(b"\n")[:-1]
        if offset > 0:
            complete = complete[1:]  # first piece may be a partial line
        parsed = [p for p in (_parse(raw) for raw in complete) if p is not None]
        return (parsed[-count:] if count > 0 else []), offset + end


__all__ = ["read"]
