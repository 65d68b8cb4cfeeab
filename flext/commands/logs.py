"""`flext logs search/tail/export`: the logs of pipeline runs and supervised services.

The engine that owns the logs answers (`ctx.backend.read_logs`): this machine's on a
local profile, the server's on a remote one. Rows stream through the output layer, so
`-f` and million-line exports keep every format.
"""

from __future__ import annotations

import os

from flext.core.errors import OperationFailed, UsageError
from flext.core.output import LOG_FIELDS, Result, log_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.context import Args, Context
    from flext.core.contract import LogQuery


def since_bound(value: str | None, flag: str) -> str | None:
    """A `--since`/`--until` value (10m, 2h, or an ISO timestamp) as a canonical timestamp."""
    if not value:
        return None
    from flext.core.clock import bound

    try:
        return bound(value)
    except ValueError:
        raise UsageError(f"{flag} expects a duration or a timestamp, got {value!r}",
                         hint="e.g. 10m, 2h, 1d, or 2026-11-27T10:00:00Z") from None


def _query(args: Args, text: str | None = None) -> LogQuery:
    return {
        "text": text, "regex": bool(args.get("regex")), "ignore_case": bool(args.get("ignore_case")),
        "since": since_bound(args.get("since"), "--since"), "until": since_bound(args.get("until"), "--until"),
        "level": args.get("level"), "sources": list(args.get("source") or []),
    }


def search(ctx: Context, args: Args) -> Result:
    query = _query(args, args.query)
    if args.count:
        n = ctx.backend.count_logs(query)
        return Result({"query": args.query, "count": n}, text=str(n))
    query["limit"] = args.limit
    return Result(stream=ctx.backend.read_logs(query), columns=LOG_FIELDS, line=log_line, empty="(no matching lines)")


def tail(ctx: Context, args: Args) -> Result:
    query = _query(args)
    query["sources"] = list(args.sources)
    query["tail"] = args.tail if args.tail is not None else 10
    query["follow"] = bool(args.follow)
    return Result(stream=ctx.backend.read_logs(query), columns=LOG_FIELDS, line=log_line, empty="(no log lines)")


def export(ctx: Context, args: Args) -> Result:
    from flext.core.output import write_stream

    fmt = args.format or "jsonl"
    rows = ctx.backend.read_logs(_query(args))
    if not args.out:
        ctx.options["output"] = fmt  # the one renderer writes the chosen format
        return Result(stream=rows, columns=LOG_FIELDS, line=log_line)
    out = os.path.abspath(args.out)
    tmp = f"{out}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            count = write_stream(fh, rows, fmt, columns=LOG_FIELDS, redact=ctx.redact)
        os.replace(tmp, out)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OperationFailed(f"cannot write {out}: {exc.strerror or exc}") from None
    return Result({"out": out, "lines": count, "format": fmt},
                  message=f"✓ wrote {count} log line{'s' if count != 1 else ''} to {out}")


__all__ = ["export", "search", "since_bound", "tail"]
