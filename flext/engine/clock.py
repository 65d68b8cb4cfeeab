"""Timestamps and run ids in the one format every record uses (ISO-8601 UTC, ms)."""

from __future__ import annotations

import os
import time


def iso(ts: float) -> str:
    """`2026-11-27T10:00:00.123Z`."""
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))
    return f"{whole}.{int((ts % 1) * 1000):03d}Z"


def iso_now() -> str:
    return iso(time.time())


def parse_iso(text: str) -> float:
    """Inverse of `iso` (also accepts no fraction and +00:00)."""
    import calendar

    text = text.replace("+00:00", "Z").rstrip("Z")
    whole, _, frac = text.partition(".")
    base = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
    return base + (float("0." + frac) if frac else 0.0)


def new_run_id(ts: float | None = None) -> str:
    """Sortable by time: `20261127T100000Z-ab12cd`."""
    ts = time.time() if ts is None else ts
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(ts)) + "-" + os.urandom(3).hex()


__all__ = ["iso", "iso_now", "new_run_id", "parse_iso"]
