"""Command history: one JSONL record per executed command line (DESIGN.md section 2).

`ts, session, source: cli|repl, cwd, profile, line, exit, duration_ms`. Secret values
are redacted before writing. Off with FLEXT_NO_HISTORY=1 or `history.enabled = false`.
"""

from __future__ import annotations

import os
import time

from flext.core import jsonl

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from flext.core.context import Context


def enabled(ctx: Context) -> bool:
    if ctx.env.get("FLEXT_NO_HISTORY", "") not in ("", "0"):
        return False
    if os.path.exists(ctx.paths.config_file):
        try:
            return bool(ctx.settings.get("history", {}).get("enabled", True))
        except Exception:
            return True
    return True


def join_line(argv: list[str]) -> str:
    import shlex

    return " ".join(shlex.quote(a) for a in argv)


def record(ctx: Context, argv: list[str], exit_code: int, duration_ms: int) -> None:
    if not enabled(ctx):
        return
    try:
        profile = ctx.profile
    except Exception:
        profile = None
    entry = {
        "ts": round(time.time(), 3),
        "session": ctx.session,
        "source": ctx.source,
        "cwd": os.getcwd(),
        "profile": profile,
        "line": ctx.redact(join_line(argv)),
        "exit": exit_code,
        "duration_ms": duration_ms,
    }
    jsonl.append(ctx.paths.history_file, entry)


def entries(ctx: Context) -> Iterator[dict[str, Any]]:
    return jsonl.read(ctx.paths.history_file)


__all__ = ["enabled", "entries", "join_line", "record"]
