"""Durations as people type them (`30s`, `10m`, `1h30m`, `2d`, `500ms`) and as flext prints them.

Below the router: the parser converts `--timeout 5m` with it, and the engine and the
services read durations from flext.toml and config.toml with it.
"""

from __future__ import annotations

__all__ = ["format_duration", "parse_duration"]

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def parse_duration(text: str) -> float:
    """`30s`, `10m`, `1h30m`, `2d`, `500ms`, or plain seconds -> seconds."""
    s = text.strip().lower()
    if not s:
        raise ValueError("empty duration")
    try:
        value = float(s)
    except ValueError:
        pass
    else:
        if value < 0:
            raise ValueError("negative duration")
        return value
    total = 0.0
    i = 0
    n = len(s)
    while i < n:
        j = i
        while j < n and (s[j].isdigit() or s[j] == "."):
            j += 1
        if j == i:
            raise ValueError(f"bad duration {text!r}")
        number = float(s[i:j])
        k = j
        while k < n and s[k].isalpha():
            k += 1
        unit = s[j:k]
        if unit not in _UNITS:
            raise ValueError(f"bad duration unit {unit!r}")
        total += number * _UNITS[unit]
        i = k
    return total


def format_duration(seconds: float) -> str:
    if seconds < 1:
        return f"{int(seconds * 1000)}ms"
    if seconds < 60:
        return f"{seconds:.1f}s".replace(".0s", "s")
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{sec:02d}s" if sec else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours}h" if hours else f"{days}d"
