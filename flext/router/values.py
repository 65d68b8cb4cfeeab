"""Typed option and argument values: int, float, choice, path, duration."""

from __future__ import annotations

import os

from flext.core.errors import UsageError
from flext.router.spec import BOOL, CHOICE, DURATION, FLOAT, INT, PATH

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.spec import Arg, Opt

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
        from flext.core.durations import parse_duration

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
        from flext.core.suggest import closest

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


__all__ = ["convert"]
