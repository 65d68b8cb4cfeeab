"""Audit log: who (OS user) did what (command path) to which target, with what result.

One JSONL record per mutating command, written by the runner whether the command succeeded
or not (a refused or failed change is worth auditing too). Same store format as the
history (`flext.core.jsonl`); never disabled by FLEXT_NO_HISTORY. The correlation id
ties an entry to the error line and logs of the same invocation.
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

FIELDS = ["ts", "user", "action", "target", "result", "exit", "profile", "source", "session", "correlation_id"]


def os_user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def result_of(exit_code: int) -> str:
    if exit_code == 0:
        return "ok"
    if exit_code == 130:
        return "interrupted"
    return "failed"


def record(ctx: Context, action: str, target: str | None, exit_code: int, *, max_bytes: int | None = None) -> None:
    """Append one entry (the runner calls it for every mutating command: `action` is the
    command path, `target` its first argument)."""
    from flext.core.history import redact_words

    try:
        profile: str | None = ctx.profile
    except Exception:
        profile = None
    entry = {
        "ts": round(time.time(), 3),
        "user": os_user(),
        "action": action,
        "target": ctx.redact(redact_words([target])[0]) if target is not None else None,
        "result": result_of(exit_code),
        "exit": exit_code,
        "profile": profile,
        "source": ctx.source,
        "session": ctx.session,
        "correlation_id": ctx.correlation_id,
    }
    jsonl.append(ctx.paths.audit_file, entry, max_bytes=jsonl.MAX_BYTES if max_bytes is None else max_bytes)


def entries(ctx: Context) -> Iterator[dict[str, Any]]:
    return jsonl.read(ctx.paths.audit_file)


def action_matches(action: str, wanted: str) -> bool:
    """`pipeline` matches `pipeline start`; `pipe` does not (whole words only)."""
    have = action.split()
    want = wanted.split()
    return bool(want) and have[: len(want)] == want


__all__ = ["FIELDS", "action_matches", "entries", "os_user", "record", "result_of"]
