"""ISO-8601 UTC timestamps as the engine writes them (`2026-11-27T10:00:00.123Z`).

Log lines are compared as strings, which is exact for this one format; anything else
(offsets, missing milliseconds) is normalised first.
"""

from __future__ import annotations

import time
from datetime import UTC

from flext.router.values import parse_duration


def iso(epoch: float | None = None) -> str:
    """`epoch` (default now) as `YYYY-MM-DDTHH:MM:SS.mmmZ`."""
    t = time.time() if epoch is None else epoch
    whole = int(t)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((t - whole) * 1000):03d}Z"


def normalise(ts: str) -> str:
    """Any ISO-8601 timestamp as the canonical UTC form; unparseable text is returned as is."""
    if len(ts) == 24 and ts.endswith("Z") and ts[10] == "T" and ts[19] == ".":
        return ts
    epoch = to_epoch(ts)
    return iso(epoch) if epoch is not None else ts


def to_epoch(ts: str) -> float | None:
    from datetime import datetime

    text = ts.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def bound(text: str, *, now: float | None = None) -> str:
    """`--since 10m` / `--until 2026-11-27T10:00` -> canonical timestamp; ValueError if neither."""
    raw = text.strip()
    if raw and (raw[0].isdigit() and ("-" in raw[:5] or "T" in raw)):
        epoch = to_epoch(raw)
        if epoch is None:
            raise ValueError(f"bad timestamp {text!r}")
        return iso(epoch)
    seconds = parse_duration(raw)
    return iso((time.time() if now is None else now) - seconds)


__all__ = ["bound", "iso", "normalise", "to_epoch"]
