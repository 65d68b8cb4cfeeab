"""`flext service list/add/remove/discover/health/status/start/stop/restart/logs`.

Every verb goes through `ctx.backend`: the embedded engine's registry and supervisor on a
local profile, the server's on a remote one, refused by name on a backend without
services. Handlers only turn arguments into a call and the answer into a Result.
"""

from __future__ import annotations

from flext.core.errors import OperationFailed, UsageError
from flext.core.output import LOG_FIELDS, Result, log_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Args, Context

def list_(ctx: Context, args: Args) -> Result:
    rows = ctx.backend.list_services(all_=bool(args.all))
    columns = ["name", "url", "enabled", "process", "origin", "description"] if args.all else \
        ["name", "url", "process", "origin", "description"]
    return Result(rows, columns=columns, styles={"process": {"running": "green", "stale": "yellow"}})


def _fields(args: Args) -> dict[str, Any]:
    fields: dict[str, Any] = {"url": args.url}
    for key in ("health_path", "metrics_path", "cwd", "log_file", "description"):
        if args.get(key) is not None:
            fields[key] = args[key]
    if args.command:
        fields["command"] = args.command
    if args.env:
        env: dict[str, str] = {}
        for item in args.env:
            key, eq, value = item.partition("=")
            if not eq or not key:
                raise UsageError(f"--env expects NAME=VALUE, got {item!r}")
            env[key] = value
        fields["env"] = env
    if args.timeout is not None:
        fields["timeout"] = float(args.timeout)
    if args.get("restart"):
        if not args.command:
            raise UsageError("--restart needs --command: flext restarts only what it runs",
                             hint="add --command CMD, or leave --restart out")
        fields["restart"] = args.restart
    return fields


def add(ctx: Context, args: Args) -> Result:
    if not args.url:  # a guided set-up on a terminal, else a usage error naming --url
        from flext.prompts.wizards import service_add

        args.update(service_add(ctx, dict(args)))
    if not args.url:
        args["url"] = ctx.ask("URL of the service (http://host:port)", flag="--url")
    info = ctx.backend.add_service(args.name, _fields(args), replace=bool(args.replace))
    return Result(info, message=f"✓ registered service {args.name!r} ({info.get('url')})")


def remove(ctx: Context, args: Args) -> Result:
    name: str = args.name
    if not ctx.confirm(f"Remove service {name!r}?"):
        raise OperationFailed("cancelled; nothing was removed")
    info = ctx.backend.remove_service(name)
    verb = "disabled built-in service" if info.get("builtin_disabled") else "removed service"
    return Result(info, message=f"✓ {verb} {name!r}")


def discover(ctx: Context, args: Args) -> Result:
    host: str = args.host or "127.0.0.1"
    found = ctx.backend.discover_services(host, list(args.port or []), float(args.timeout or 2.0))
    new = [f for f in found if not f["registered"]]
    chosen: list[dict[str, Any]] = []
    if new and ctx.yes:
        chosen = new
    elif new and ctx.can_prompt:
        chosen = _choose(ctx, new)
    added = []
    for item in chosen:
        fields = {"url": item["url"], **({"health_path": item["health_path"]} if item["health_path"] != "/health" else {})}
        ctx.backend.add_service(item["name"], fields, replace=True)
        item["registered"] = True
        added.append(item["name"])
    message = f"found {len(found)} service{'s' if len(found) != 1 else ''} on {host}"
    if added:
        message += f"; registered {', '.join(added)}"
    elif new and not ctx.can_prompt:
        message += f"; {len(new)} not registered yet (pass --yes to register them)"
    columns = ["name", "url", "status", "version", "latency_ms", "registered"]
    return Result([{k: f[k] for k in columns} for f in found], columns=columns, message=message)


def _choose(ctx: Context, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    io = ctx.io
    io.err("Services that answered and are not registered:")
    for index, item in enumerate(new, 1):
        io.err(f"  {index}. {item['name']:<22} {item['url']:<28} {item['status']}")
    io.stderr.write("Register which? [all / none / numbers like 1,3] (all): ")
    io.stderr.flush()
    answer = io.stdin.readline().strip().lower()
    if answer in ("", "all", "a", "y", "yes"):
        return new
    if answer in ("none", "n", "no", "q"):
        return []
    picked = []
    for part in answer.replace(" ", ",").split(","):
        if part.isdigit() and 1 <= int(part) <= len(new):
            picked.append(new[int(part) - 1])
        elif part:
            raise UsageError(f"not a choice: {part!r}", hint=f"answer with numbers between 1 and {len(new)}")
    return picked


def health(ctx: Context, args: Args) -> Result:
    from flext.services.health import COLUMNS, STYLES

    rows = ctx.backend.service_health(list(args.names or []), args.timeout, force=bool(args.force))
    if not rows:
        return Result([], columns=COLUMNS, message="no services registered; see `flext service add`")
    down = [r["name"] for r in rows if r["status"] == "down"]
    message = f"{len(down)} of {len(rows)} down: {', '.join(down)}" if down else None
    return Result(rows, columns=COLUMNS, styles=STYLES, exit_code=1 if down else 0, message=message)


def status(ctx: Context, args: Args) -> Result:
    from flext.services.status import render_service, render_text

    if args.get("name"):
        found = ctx.backend.system_status(float(args.timeout or 2.0), names=[args.name])["services"]
        row = found[0] if found else {"name": args.name}
        return Result(row, text=render_service(row))
    doc = ctx.backend.system_status(float(args.timeout or 2.0))
    return Result(doc, text=render_text(doc, ctx.io.width if ctx.io.stdout_tty else None))


def start(ctx: Context, args: Args) -> Result:
    info = ctx.backend.service_action(args.name, "start", timeout=args.timeout)
    health = f", {info['health']}" if info.get("health") else ""
    return Result(info, message=f"✓ {info['name']} running (pid {info['pid']}{health}) in {info['seconds']}s")


def stop(ctx: Context, args: Args) -> Result:
    info = ctx.backend.service_action(args.name, "stop", timeout=args.timeout, force=bool(args.force))
    if not info["was_running"]:
        return Result(info, message=f"{info['name']} is not running")
    return Result(info, message=f"✓ stopped {info['name']} ({info['signal']}, {info['seconds']}s)")


def restart(ctx: Context, args: Args) -> Result:
    info = ctx.backend.service_action(args.name, "restart", timeout=args.timeout)
    verb = "restarted" if info.get("restarted") else "started"
    return Result(info, message=f"✓ {verb} {info['name']} (pid {info['pid']}) in {info['seconds']}s")


def logs(ctx: Context, args: Args) -> Result:
    from flext.commands.logs import since_bound

    rows = ctx.backend.service_logs(args.name, tail=args.tail, since=since_bound(args.since, "--since"),
                                    follow=bool(args.follow))
    return Result(stream=rows, columns=LOG_FIELDS, line=log_line, empty="(no log lines)")


__all__ = ["add", "discover", "health", "list_", "logs", "remove", "restart", "start", "status", "stop"]
