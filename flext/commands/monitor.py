"""`flext monitor metrics/alerts/performance/dashboard`."""

from __future__ import annotations

from flext.core.errors import OperationFailed
from flext.core.output import Result, plain_table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.context import Args, Context


def metrics(ctx: Context, args: Args) -> Result:
    """A service's metrics; none named on a remote profile: the server's own /metrics."""
    from flext.services.metrics import COLUMNS, matching

    doc = ctx.backend.metrics(args.service, timeout=args.timeout)
    rows = matching(doc["samples"], args.match)
    return Result(rows, columns=COLUMNS,
                  message=f"{len(rows)} sample{'s' if len(rows) != 1 else ''} from {doc['source']}" if ctx.verbose else None)


def alerts_list(ctx: Context, args: Args) -> Result:
    rows = ctx.backend.list_alerts(evaluate=not args.no_eval, timeout=args.timeout)
    firing = sum(1 for r in rows if r["state"] == "firing")
    return Result(rows, columns=["name", "state", "when", "value", "detail"],
                  styles={"state": {"firing": "bold red", "ok": "green", "unknown": "yellow"}},
                  message=f"{firing} firing" if firing else None,
                  empty="no alert rules (add one: flext monitor alerts add NAME --when 'pipeline_failed(NAME)')")


def alerts_add(ctx: Context, args: Args) -> Result:
    when: str = args.when or ctx.ask("Rule (e.g. service_down(flexcore))", flag="--when")
    info = ctx.backend.add_alert(args.name, when, description=args.description, notify=list(args.notify or []),
                                 replace=bool(args.replace))
    for name in info.pop("unknown_services", None) or []:
        ctx.warn(f"service {name!r} is not registered (yet); the rule stays unknown until it is")
    sent = len(info.get("notify") or [])
    return Result(info, message=f"✓ added alert {args.name!r}"
                                + (f" (notifies {sent} destination{'s' if sent != 1 else ''})" if sent else ""))


def alerts_notify(ctx: Context, args: Args) -> Result:
    info = ctx.backend.alert_notify(args.name, add=list(args.add or []), remove=list(args.remove or []))
    urls = info.get("notify") or []
    return Result(info, message=f"✓ alert {args.name!r} notifies "
                                + (", ".join(urls) if urls else "no one"))


def alerts_test(ctx: Context, args: Args) -> Result:
    rows = ctx.backend.test_alert(args.name)
    failed = [r for r in rows if not r["ok"]]
    message = (f"✗ {len(failed)} of {len(rows)} deliveries failed" if failed
               else f"✓ test notification sent to {len(rows)} destination{'s' if len(rows) != 1 else ''}")
    return Result(rows, columns=["url", "ok", "error", "correlation_id"], message=message,
                  styles={"ok": {"yes": "green", "no": "bold red"}}, exit_code=1 if failed else 0)


def alerts_history(ctx: Context, args: Args) -> Result:
    from flext.services.alertlog import FIELDS

    limit = args.limit if args.limit is not None else 50
    if limit < 1:
        from flext.core.errors import UsageError

        raise UsageError("--limit must be at least 1")
    rows = ctx.backend.alert_history(args.name, limit=limit)
    return Result(rows, columns=[c for c in FIELDS if c not in ("correlation_id", "value")] + ["correlation_id"],
                  styles={"ok": {"yes": "green", "no": "bold red"}},
                  empty="no alert history yet (`flext serve` records it as it evaluates)")


def alerts_remove(ctx: Context, args: Args) -> Result:
    if not ctx.confirm(f"Remove alert {args.name!r}?"):
        raise OperationFailed("cancelled; nothing was removed")
    info = ctx.backend.remove_alert(args.name)
    return Result(info, message=f"✓ removed alert {args.name!r}")


def performance(ctx: Context, args: Args) -> Result:
    from flext.core import history
    from flext.router.scan import command_path
    from flext.services.perf import commands

    limit = int(args.limit or 20)
    timed = commands(history.entries(ctx), _ago(args.since), command_path)  # this user's commands, on this machine
    doc = {"commands": timed[:limit], "runs": ctx.backend.run_performance(since=_ago(args.since), limit=limit)}
    text = ["COMMAND LATENCY (from the history)"]
    if doc["commands"]:
        text.append(plain_table(doc["commands"], ["command", "count", "failed", "p50_ms", "p90_ms", "p99_ms", "max_ms"]))
    else:
        text.append("  (no history yet)\n")
    text.append("PIPELINE RUNS (records per second, CPU seconds and peak memory in MiB of tap, target and dbt)")
    if doc["runs"]:
        text.append(plain_table(doc["runs"], ["pipeline", "run_id", "status", "records", "duration_s", "records_per_s",
                                              "cpu_s", "peak_rss_mb"]))
    else:
        text.append("  (no runs yet)\n")
    return Result(doc, text="\n".join(text))


def _ago(seconds: float | None) -> float | None:
    import time

    return time.time() - seconds if seconds is not None else None


def dashboard(ctx: Context, args: Args) -> Result:
    interval = float(args.interval or 2.0)
    if interval <= 0:
        from flext.core.errors import UsageError

        raise UsageError("--interval must be more than 0 seconds")
    if not (ctx.io.stdout_tty and ctx.io.stdin_tty) or ctx.output != "table":
        from flext.services.status import render_text

        doc = ctx.backend.system_status(min(interval, 3.0))
        return Result(doc, text=render_text(doc))
    from flext.services.dashboard import run

    backend = ctx.backend
    return Result(exit_code=run(ctx, interval, fetch=lambda: backend.system_status(max(0.5, min(interval, 3.0)))))


__all__ = ["alerts_add", "alerts_history", "alerts_list", "alerts_notify", "alerts_remove", "alerts_test", "dashboard",
           "metrics", "performance"]
