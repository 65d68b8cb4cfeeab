"""Typed option and argument values: int, float, choice, path, duration."""

from __future__ import annotations

import os

from flext.core.errors import UsageError
from flext.router.spec import BOOL, CHOICE, DURATION, FLOAT, INT, PATH
from flext.router.suggest import closest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.spec import Arg, Opt

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


def convert(spec: Opt | Arg, raw: str, where: str) -> object:
    """Convert one raw string for an option or argument, or raise a usage error."""
    kind = spec.type
    if kind == INT:
        try:
            return int(raw)
        except ValueError:
            raise UsageError(f"{where} expects a whole number, got {raw!r}") from None
    if kind == FLOAT:
        try:
            return float(raw)
        except ValueError:
            raise UsageError(f"{where} expects a number, got {raw!r}") from None
    if kind == DURATION:
        try:
            return parse_duration(raw)
        except ValueError:
            raise UsageError(
                f"{where} expects a duration, got {raw!r}",
                hint="durations look like 30s, 10m, 1h, 2d or 1h30m",
            ) from None
    if kind == CHOICE and spec.choices:
        if raw in spec.choices:
            return raw
        guess = closest(raw, spec.choices)
        hint = f"did you mean {guess!r}?" if guess else None
        raise UsageError(
            f"{where} must be one of {', '.join(spec.choices)}; got {raw!r}", hint=hint
        )
    if kind == PATH:
        return os.path.expanduser(raw)
    if kind == BOOL:
        low = raw.lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise UsageError(f"{where} expects true or false, got {raw!r}")
    return raw


__all__ = ["convert", "format_duration", "parse_duration"]
