"""Time as every record writes it: ISO-8601 UTC with milliseconds, and run ids.

`2026-11-27T10:00:00.123Z` in run records, logs and history; log lines are compared as
strings, which is exact for this one format, so anything else (offsets, missing
milliseconds) is normalised first. Run ids (`20261127T100000Z-123abc`) sort by time to
the millisecond. One module for the engine, the services and plugins.
"""

from __future__ import annotations

import os
import time

from flext.core.durations import parse_duration

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime


def iso(epoch: float | None = None) -> str:
    """`epoch` (default now) as `YYYY-MM-DDTHH:MM:SS.mmmZ`."""
    t = time.time() if epoch is None else epoch
    whole = int(t)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((t - whole) * 1000):03d}Z"


def iso_now() -> str:
    return iso(time.time())


def parse_iso(text: str) -> float:
    """Inverse of `iso` (any ISO-8601 form); ValueError when it is none."""
    epoch = to_epoch(text)
    if epoch is None:
        raise ValueError(f"bad timestamp {text!r}")
    return epoch


def new_run_id(ts: float | None = None) -> str:
    """`20261127T100000Z-123abc`: the second, then its milliseconds and three random hex
    digits, so ids sort by start time even within one second."""
    ts = time.time() if ts is None else ts
    whole = int(ts)
    ms = int((ts - whole) * 1000)
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(whole)) + f"-{ms:03d}" + os.urandom(2).hex()[:3]


def normalise(ts: str) -> str:
    """Any ISO-8601 timestamp (a zone, `Z` or none for UTC; up to 9 fraction digits, as Go
    prints) as the canonical UTC form, exactly (no float on the way); unparseable text is
    returned as is."""
    if len(ts) == 24 and ts.endswith("Z") and ts[10] == "T" and ts[19] == ".":
        return ts
    moment = _moment(ts)
    if moment is None:
        return ts
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def to_epoch(ts: str) -> float | None:
    moment = _moment(ts)
    return None if moment is None else moment.timestamp()


def _moment(ts: str) -> datetime | None:
    from datetime import UTC, datetime

    text = ts.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


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


__all__ = ["bound", "iso", "iso_now", "new_run_id", "normalise", "parse_iso", "to_epoch"]
