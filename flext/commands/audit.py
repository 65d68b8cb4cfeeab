"""`flext audit list [--since] [--user] [--action] [--limit]`, `audit export [--format]`.

`--action pipeline` matches `pipeline start` (whole leading words), so a group can be
audited at once without matching an unrelated `pipelines-x`.
"""

from __future__ import annotations

from flext.commands.history import check_limit, export_result, last, newer_than, when
from flext.core import audit
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from flext.core.context import Args, Context


def _filter(args: Args) -> Callable[[dict[str, Any]], bool]:
    recent = newer_than(args.since)
    user = args.user
    action = args.action

    def keep(entry: dict[str, Any]) -> bool:
        if user is not None and entry.get("user") != user:
            return False
        if action is not None and not audit.action_matches(str(entry.get("action") or ""), action):
            return False
        return recent(entry)

    return keep


def _entries(ctx: Context) -> Iterable[dict[str, Any]]:
    """The engine's audit: this machine's on a local profile, the server's on a remote one."""
    return ctx.backend.audit()


def _normal(entry: dict[str, Any]) -> dict[str, Any]:
    return {field: entry.get(field) for field in audit.FIELDS}


def list_(ctx: Context, args: Args) -> Result:
    limit = check_limit(args.limit)
    rows = [_normal(e) for e in last(_entries(ctx), _filter(args), limit)]
    table = [
        {
            "when": when(r["ts"]), "user": r["user"], "action": r["action"], "target": r["target"],
            "result": r["result"], "profile": r["profile"],
        }
        for r in rows
    ]
    return Result(rows, columns=audit.FIELDS, view=(table, ["when", "user", "action", "target", "result", "profile"]),
                  styles={"result": {"ok": "green", "failed": "red", "interrupted": "yellow"}},
                  empty="no audit entries match")


def export(ctx: Context, args: Args) -> Result:
    rows = [_normal(e) for e in last(_entries(ctx), _filter(args), None)]
    return export_result(ctx, rows, audit.FIELDS, args.format, "audit entries")


__all__ = ["export", "list_"]
