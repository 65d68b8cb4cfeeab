"""`flext logs search/tail/export`: the logs of pipeline runs and supervised services."""

from __future__ import annotations

import os

from flext.core.errors import UsageError
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.context import Args, Context
    from flext.services.logs import Filter, Source


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


def _filter(args: Args, query: str | None = None) -> Filter:
    from flext.services.logs import Filter

    try:
        return Filter(query, regex=bool(args.get("regex")), ignore_case=bool(args.get("ignore_case")),
                      since=since_bound(args.get("since"), "--since"), until=since_bound(args.get("until"), "--until"),
                      level=args.get("level"), streams=None)
    except Exception as exc:
        import re

        if isinstance(exc, re.error):
            raise UsageError(f"invalid --regex pattern: {exc}", hint="quote the pattern; it is a Python regular expression") from None
        raise


def _pick_sources(ctx: Context, names: list[str] | None, flt: Filter) -> list[Source]:
    """`--source S`: a pipeline or service name selects that source; any other word filters
    by the line's own source field (tap, target, runner, dbt, stdout, stderr, supervisor)."""
    from flext.services import logs as logsvc

    available = logsvc.sources(ctx)
    if not names:
        return available
    chosen: list[Source] = []
    streams: list[str] = []
    for name in names:
        bare = name.partition(":")[2] if name.startswith(("service:", "pipeline:")) else name
        if any(s.name == bare for s in available):
            chosen.extend(logsvc.resolve(ctx, [name], known=available))
        else:
            streams.append(name)
    flt.streams = set(streams)
    return chosen or available


def run_view(ctx: Context, sources: list[Source], flt: Filter, *, tail: int | None, follow: bool) -> Result:
    """Print (stream) the lines of `sources`: a tail or everything, then follow if asked."""
    from flext.services import logs as logsvc
    from flext.services.stream import LinePrinter

    printer = LinePrinter(ctx)
    followers = [logsvc.SourceFollower(s) for s in sources] if follow else []
    ends: dict[str, int] = {}
    for f in followers:  # positions first: the tail stops where following starts
        ends.update(f.ends())
    try:
        if tail is not None or follow:
            for row in logsvc.tail(sources, 10 if tail is None else tail, flt, ends):
                printer.emit(row)
        else:
            for row in logsvc.search(sources, flt):
                printer.emit(row)
        if follow:
            printer.flush()
            for row in logsvc.follow(sources, flt, followers=followers):
                printer.emit(row)
    except KeyboardInterrupt:
        printer.close()
        raise
    printer.close()
    if printer.count == 0 and ctx.output in ("table", "plain"):
        return Result(message="(no log lines)")
    return Result()


def search(ctx: Context, args: Args) -> Result:
    from flext.services import logs as logsvc

    flt = _filter(args, args.query)
    sources = _pick_sources(ctx, args.source, flt)
    if args.count:
        n = logsvc.count(sources, flt)
        return Result({"query": args.query, "count": n}, text=str(n))
    if args.limit is not None:
        from itertools import islice

        from flext.services.stream import LinePrinter

        printer = LinePrinter(ctx)
        for row in islice(logsvc.search(sources, flt), args.limit):
            printer.emit(row)
        printer.close()
        return Result(message="(no matching lines)" if printer.count == 0 and ctx.output in ("table", "plain") else None)
    result = run_view(ctx, sources, flt, tail=None, follow=False)
    if result.message:
        result.message = "(no matching lines)"
    return result


def tail(ctx: Context, args: Args) -> Result:
    from flext.services import logs as logsvc

    flt = _filter(args)
    sources = logsvc.resolve(ctx, list(args.sources))
    return run_view(ctx, sources, flt, tail=args.tail if args.tail is not None else 10, follow=bool(args.follow))


def export(ctx: Context, args: Args) -> Result:
    from flext.services import logs as logsvc
    from flext.services.stream import LinePrinter

    flt = _filter(args)
    sources = _pick_sources(ctx, args.source, flt)
    fmt = args.format or "jsonl"
    if not args.out:
        printer = LinePrinter(ctx, fmt)
        for row in logsvc.search(sources, flt):
            printer.emit(row)
        printer.close()
        return Result()
    out = os.path.abspath(args.out)
    tmp = f"{out}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            printer = LinePrinter(ctx, fmt, stream=fh)
            for row in logsvc.search(sources, flt):
                printer.emit(row)
            printer.close()
        os.replace(tmp, out)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        from flext.core.errors import OperationFailed

        raise OperationFailed(f"cannot write {out}: {exc.strerror or exc}") from None
    return Result({"out": out, "lines": printer.count, "format": fmt},
                  message=f"✓ wrote {printer.count} log line{'s' if printer.count != 1 else ''} to {out}")


__all__ = ["export", "run_view", "search", "since_bound", "tail"]
