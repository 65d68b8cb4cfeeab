"""`flext service ...` and `monitor alerts list` on a remote profile: ask the server.

The service commands read the registry and processes of *this* machine; on a profile
with `api_url` the services that matter are the server's. Each function here fetches
the same data from the server (which computes it with `flext.services`, exactly like
the local command) and returns the same Result the local command builds, so the
output is identical. `tests/server/test_scenarios.py` runs both and compares.
"""

from __future__ import annotations

from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.backend.http import HttpBackend
    from flext.core.context import Args, Context


def remote(ctx: Context) -> HttpBackend | None:
    """The HTTP backend when the profile is remote (without building a local one)."""
    if not ctx.has_config:
        return None
    settings = ctx.settings
    kind = str(settings.get("backend") or "local")
    if kind == "flexcore" or (kind == "local" and not settings.get("api_url")):
        return None
    from flext.backend.http import HttpBackend

    backend = ctx.backend
    return backend if isinstance(backend, HttpBackend) else None


def dispatch(ctx: Context, command: str, args: Args) -> Result | None:
    """The server's answer to `command` (a function name here) on a remote profile, else None."""
    backend = remote(ctx)
    if backend is None:
        return None
    handler = globals()[command]
    result: Result = handler(ctx, backend, args)
    return result


def list_(ctx: Context, backend: HttpBackend, args: Args) -> Result:
    rows = backend.services(all_=bool(args.get("all")))
    columns = ["name", "url", "enabled", "process", "origin", "description"] if args.get("all") else \
        ["name", "url", "process", "origin", "description"]
    return Result(rows, columns=columns, styles={"process": {"running": "green", "stale": "yellow"}})


def health(ctx: Context, backend: HttpBackend, args: Args) -> Result:
    from flext.services.health import COLUMNS, STYLES

    rows = backend.service_health(list(args.get("names") or []), args.get("timeout"), force=bool(args.get("force")))
    if not rows:
        return Result([], columns=COLUMNS, message="no services registered; see `flext service add`")
    down = [r["name"] for r in rows if r["status"] == "down"]
    message = f"{len(down)} of {len(rows)} down: {', '.join(down)}" if down else None
    return Result(rows, columns=COLUMNS, styles=STYLES, exit_code=1 if down else 0, message=message)


def status(ctx: Context, backend: HttpBackend, args: Args) -> Result:
    from flext.services.status import render_text

    doc = backend.system_status(float(args.get("timeout") or 2.0))
    return Result(doc, text=render_text(doc, ctx.io.width if ctx.io.stdout_tty else None))


def start(ctx: Context, backend: HttpBackend, args: Args) -> Result:
    info = backend.service_action(args.name, "start", timeout=args.get("timeout"))
    health = f", {info['health']}" if info.get("health") else ""
    return Result(info, message=f"✓ {info['name']} running (pid {info['pid']}{health}) in {info['seconds']}s")


def stop(ctx: Context, backend: HttpBackend, args: Args) -> Result:
    info = backend.service_action(args.name, "stop", timeout=args.get("timeout"), force=bool(args.get("force")))
    if not info["was_running"]:
        return Result(info, message=f"{info['name']} is not running")
    return Result(info, message=f"✓ stopped {info['name']} ({info['signal']}, {info['seconds']}s)")


def restart(ctx: Context, backend: HttpBackend, args: Args) -> Result:
    info = backend.service_action(args.name, "restart", timeout=args.get("timeout"))
    verb = "restarted" if info.get("restarted") else "started"
    return Result(info, message=f"✓ {verb} {info['name']} (pid {info['pid']}) in {info['seconds']}s")


def logs(ctx: Context, backend: HttpBackend, args: Args) -> Result:
    from flext.services.stream import LinePrinter

    rows = backend.service_logs(args.name, tail=args.get("tail"), since=args.get("since"),
                                follow=bool(args.get("follow")))
    printer = LinePrinter(ctx)
    try:
        for row in rows:
            printer.emit(row)
    except KeyboardInterrupt:
        printer.close()
        raise
    printer.close()
    if printer.count == 0 and ctx.output in ("table", "plain"):
        return Result(message="(no log lines)")
    return Result()


def alerts(ctx: Context, backend: HttpBackend, args: Args) -> Result:
    rows: list[dict[str, Any]] = backend.alerts(no_eval=bool(args.get("no_eval")), timeout=args.get("timeout"))
    firing = sum(1 for r in rows if r["state"] == "firing")
    return Result(rows, columns=["name", "state", "when", "detail"],
                  styles={"state": {"firing": "bold red", "ok": "green", "unknown": "yellow"}},
                  message=f"{firing} firing" if firing else None)


__all__ = ["alerts", "dispatch", "health", "list_", "logs", "remote", "restart", "start", "status", "stop"]
