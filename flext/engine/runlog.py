"""Reading a run's JSONL log: all of it, the last N lines (`logfile.tail_lines`, the one
tail reader), or following it live.

Following polls the file (no inotify dependency) and stops once the run record is
final and every line written before that has been read.
"""

from __future__ import annotations

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
        from flext.engine.logfile import complete_end, tail_lines

        position = complete_end(path)
        for raw in tail_lines(path, tail, position):
            line = _parse(raw)
            if line is not None:
                yield line
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


__all__ = ["read"]
