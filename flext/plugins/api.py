"""Small helpers for plugin code: argv as flext hands it over, settings, the scheduler.

The loader passes declared arguments first, then options as `--name=value` or `--flag`,
so `split` reads them back without knowing the spec.
"""

from __future__ import annotations

import time

from flext.core.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context


def split(argv: list[str]) -> tuple[list[str], dict[str, Any]]:
    """(positionals, options): `--a=b` -> {"a": "b"}, `--flag` -> {"flag": True}; `--` ends options."""
    positionals: list[str] = []
    options: dict[str, Any] = {}
    rest = False
    for token in argv:
        if not rest and token == "--":
            rest = True
        elif not rest and token.startswith("--") and len(token) > 2:
            name, eq, value = token[2:].partition("=")
            options[name.replace("-", "_")] = value if eq else True
        else:
            positionals.append(token)
    return positionals, options


def settings(ctx: Context, table: str) -> dict[str, Any]:
    """The free-form `[defaults.<table>]` / `[profiles.X.<table>]` settings of a plugin."""
    value = ctx.settings.get(table)
    return dict(value) if isinstance(value, dict) else {}


def iso(ts: float | None = None) -> str:
    """ISO-8601 UTC with milliseconds, as in run records (`2026-11-27T10:00:00.123Z`)."""
    ts = time.time() if ts is None else ts
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts % 1 * 1000):03d}Z"


def run_id(ts: float | None = None) -> str:
    from flext.core.clock import new_run_id

    return new_run_id(ts)


def need(value: Any, what: str, hint: str) -> Any:
    if value in (None, ""):
        raise UsageError(f"missing {what}", hint=hint)
    return value


__all__ = ["iso", "need", "run_id", "settings", "split"]
