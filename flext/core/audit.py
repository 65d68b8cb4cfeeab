"""Audit log: who (OS user), what, target, result, correlation id — for every mutating command."""

from __future__ import annotations

import os
import time

from flext.core import jsonl

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from flext.core.context import Context
    from flext.router.parse import Invocation


def os_user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"


def _target(inv: Invocation) -> str | None:
    for arg in inv.node.args:
        value = inv.values.get(arg.dest)
        if value:
            return ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return None


def record(ctx: Context, inv: Invocation, exit_code: int) -> None:
    try:
        profile = ctx.profile
    except Exception:
        profile = None
    target = _target(inv)
    entry = {
        "ts": round(time.time(), 3),
        "user": os_user(),
        "action": inv.node.command,
        "target": ctx.redact(target) if target else None,
        "result": "ok" if exit_code == 0 else f"exit {exit_code}",
        "exit": exit_code,
        "profile": profile,
        "source": ctx.source,
        "correlation_id": ctx.correlation_id,
    }
    jsonl.append(ctx.paths.audit_file, entry)


def entries(ctx: Context) -> Iterator[dict[str, Any]]:
    return jsonl.read(ctx.paths.audit_file)


__all__ = ["entries", "os_user", "record"]
