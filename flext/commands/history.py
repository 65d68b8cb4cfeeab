"""`flext history [--search Q] [--failed] [--since D] [--limit N] [--profile-only]`, `clear`, `export`.

The table shows when/exit/duration/line for people; every other format gives the
stored records with their fixed fields (DESIGN.md section 2), newest last like a shell.
"""

from __future__ import annotations

import time

from flext.core import history
from flext.core.errors import OperationFailed, UsageError
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from flext.core.context import Args, Context

_FAILED_STYLES = {str(code): "red" for code in (1, 2, 3, 4, 5, 6, 7, 130)}


def when(ts: Any) -> str:
    """A record's timestamp as local time for tables."""
    if not isinstance(ts, (int, float)) or isinstance(ts, bool):
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def check_limit(limit: int | None) -> int | None:
    """`--limit 0` means no limit; negative is a usage error."""
    if limit is not None and limit < 0:
        raise UsageError(f"--limit must be 0 or more, got {limit}", hint="--limit 0 shows every entry")
    return limit or None


def newer_than(since: float | None) -> Callable[[dict[str, Any]], bool]:
    if since is None:
        return lambda entry: True
    cutoff = time.time() - since
    return lambda entry: isinstance(entry.get("ts"), (int, float)) and entry["ts"] >= cutoff


def last(entries: Iterable[dict[str, Any]], keep: Callable[[dict[str, Any]], bool], limit: int | None) -> list[dict[str, Any]]:
    """The newest `limit` entries that `keep` accepts, oldest first."""
    from collections import deque

    window: deque[dict[str, Any]] = deque(maxlen=limit)
    for entry in entries:
        if keep(entry):
            window.append(entry)
    return list(window)


def export_result(ctx: Context, rows: list[dict[str, Any]], fields: list[str], fmt: str, what: str) -> Result:
    """The store as JSONL or CSV text for stdout, in `--format` whatever `-o`/config say.

    An export is a file format, not a view: the text is printed as is (the output
    layer prints `text` verbatim only for table/plain, so this invocation uses plain).
    """
    ctx.options["output"] = "plain"
    if fmt == "csv":
        from flext.core.output import to_csv

        return Result(text=to_csv(rows, fields))
    from flext.core.jsonl import encode

    text = b"".join(encode(row) for row in rows).decode("utf-8")
    return Result(text=text or None, message=None if text else f"(no {what})")


def _normal(entry: dict[str, Any]) -> dict[str, Any]:
    return {field: entry.get(field) for field in history.FIELDS}


def _profile_filter(ctx: Context, asked: bool) -> str | None:
    import os

    if asked:
        return ctx.profile
    if os.path.exists(ctx.paths.config_file):
        scope = (ctx.settings.get("history") or {}).get("scope")
        if scope == "profile":
            return ctx.profile
    return None


def list_(ctx: Context, args: Args) -> Result:
    limit = check_limit(args.limit)
    recent = newer_than(args.since)
    query = (args.search or "").lower()
    profile = _profile_filter(ctx, bool(args.profile_only))

    def keep(entry: dict[str, Any]) -> bool:
        if args.failed and entry.get("exit", 0) == 0:
            return False
        if query and query not in str(entry.get("line", "")).lower():
            return False
        if profile is not None and entry.get("profile") != profile:
            return False
        return recent(entry)

    rows = [_normal(e) for e in last(history.entries(ctx), keep, limit)]
    from flext.core.durations import format_duration

    table = [
        {
            "when": when(r["ts"]),
            "exit": r["exit"],
            "duration": format_duration(r["duration_ms"] / 1000) if isinstance(r["duration_ms"], (int, float)) else None,
            "line": r["line"],
        }
        for r in rows
    ]
    filtered = args.failed or query or args.since or profile is not None
    return Result(rows, columns=history.FIELDS, view=(table, ["when", "exit", "duration", "line"]),
                  empty="no commands match" if filtered else "no history yet",
                  styles={"exit": _FAILED_STYLES})


def clear(ctx: Context, args: Args) -> Result:
    count = sum(1 for _ in history.entries(ctx))
    if not ctx.confirm(f"Delete the whole history ({count} entr{'y' if count == 1 else 'ies'})?"):
        raise OperationFailed("cancelled; the history was kept")
    dropped = history.clear(ctx)
    return Result(
        {"cleared": dropped, "path": ctx.paths.history_file},
        message=f"✓ deleted {dropped} history entr{'y' if dropped == 1 else 'ies'}",
    )


def export(ctx: Context, args: Args) -> Result:
    rows = [_normal(e) for e in history.entries(ctx)]
    return export_result(ctx, rows, history.FIELDS, args.format, "history")


__all__ = ["check_limit", "clear", "export", "export_result", "last", "list_", "newer_than", "when"]
