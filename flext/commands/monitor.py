"""`flext monitor metrics/alerts/performance/dashboard`."""

from __future__ import annotations

from flext.core.errors import Conflict, NotFound, OperationFailed
from flext.core.output import Result, plain_table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.context import Args, Context


def metrics(ctx: Context, args: Args) -> Result:
    from flext.services import metrics as m
    from flext.services import registry

    target: str = args.service
    if target.startswith(("http://", "https://")):
        url = target
        timeout = float(args.timeout or 5.0)
    else:
        service = registry.get(ctx, target, include_disabled=True)
        url = service.metrics_url
        timeout = float(args.timeout or service.timeout or 5.0)
    families = m.fetch(url, timeout)
    rows = m.rows(families, args.match)
    return Result(rows, columns=m.COLUMNS,
                  message=f"{len(rows)} sample{'s' if len(rows) != 1 else ''} from {url}" if ctx.verbose else None)


def alerts_list(ctx: Context, args: Args) -> Result:
    from flext.backend.remote_services import dispatch

    if (done := dispatch(ctx, "alerts", args)) is not None:  # a remote profile: the server's rules
        return done
    from flext.services.evaluate import evaluate, rules

    if args.no_eval:
        rows = [{"name": n, "state": "disabled" if b.get("enabled") is False else "-", "when": b["when"],
                 "detail": None, "description": b.get("description")} for n, b in rules(ctx).items()]
    else:
        rows = evaluate(ctx, timeout=float(args.timeout or 3.0))
    firing = sum(1 for r in rows if r["state"] == "firing")
    return Result(rows, columns=["name", "state", "when", "detail"],
                  styles={"state": {"firing": "bold red", "ok": "green", "unknown": "yellow"}},
                  message=f"{firing} firing" if firing else None)


def alerts_add(ctx: Context, args: Args) -> Result:
    from flext.services import alerts, registry
    from flext.services.registry import check_name

    name: str = args.name
    check_name(name)
    when: str = args.when or ctx.ask("Rule (e.g. service_down(flexcore))", flag="--when")
    args["when"] = when
    node = alerts.check(name, when)
    existing = ctx.config.data.get("alerts") or {}
    if name in existing and not args.replace:
        raise Conflict(f"alert {name!r} already exists", hint="pass --replace to overwrite it")
    known = registry.load(ctx, include_disabled=True)
    for fn, fargs in alerts.references(node):
        if alerts.FUNCTIONS[fn][0][0] == "service" and fargs[0] not in known:
            ctx.warn(f"service {fargs[0]!r} is not registered (yet); the rule stays unknown until it is")
    if name in existing:
        ctx.config.remove_table(["alerts", name])
    ctx.config.write_value(["alerts", name], "when", args.when)
    if args.description:
        ctx.config.write_value(["alerts", name], "description", args.description)
    return Result({"name": name, "when": args.when, "description": args.description},
                  message=f"✓ added alert {name!r}")


def alerts_remove(ctx: Context, args: Args) -> Result:
    name: str = args.name
    if name not in (ctx.config.data.get("alerts") or {}):
        from flext.core.suggest import closest

        guess = closest(name, list(ctx.config.data.get("alerts") or {}))
        raise NotFound(f"alert {name!r} does not exist", hint=f"did you mean {guess!r}?" if guess else "see `flext monitor alerts list`")
    if not ctx.confirm(f"Remove alert {name!r}?"):
        raise OperationFailed("cancelled; nothing was removed")
    ctx.config.remove_table(["alerts", name])
    return Result({"name": name, "removed": True}, message=f"✓ removed alert {name!r}")


def performance(ctx: Context, args: Args) -> Result:
    from flext.router.scan import command_path
    from flext.services.perf import report

    doc = report(ctx, since=args.since, limit=int(args.limit or 20), command_of=command_path)
    text = ["COMMAND LATENCY (from the history)"]
    if doc["commands"]:
        text.append(plain_table(doc["commands"], ["command", "count", "failed", "p50_ms", "p90_ms", "p99_ms", "max_ms"]))
    else:
        text.append("  (no history yet)\n")
    text.append("PIPELINE RUNS (records per second)")
    if doc["runs"]:
        text.append(plain_table(doc["runs"], ["pipeline", "run_id", "status", "records", "duration_s", "records_per_s"]))
    else:
        text.append("  (no runs yet)\n")
    return Result(doc, text="\n".join(text))


def dashboard(ctx: Context, args: Args) -> Result:
    interval = float(args.interval or 2.0)
    if interval <= 0:
        from flext.core.errors import UsageError

        raise UsageError("--interval must be more than 0 seconds")
    if not (ctx.io.stdout_tty and ctx.io.stdin_tty) or ctx.output != "table":
        from flext.services.status import render_text, snapshot

        doc = snapshot(ctx, timeout=min(interval, 3.0))
        return Result(doc, text=render_text(doc))
    from flext.services.dashboard import run

    return Result(exit_code=run(ctx, interval))


__all__ = ["alerts_add", "alerts_list", "alerts_remove", "dashboard", "metrics", "performance"]
