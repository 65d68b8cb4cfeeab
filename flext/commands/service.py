"""`flext service list/add/remove/discover/health/status/start/stop/restart/logs`."""

from __future__ import annotations

from flext.core.errors import ConfigError, Conflict, NotFound, OperationFailed, UsageError
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Args, Context
    from flext.services.registry import Service


def _on_server(ctx: Context, command: str, args: Args) -> Result | None:
    """On a remote profile (api_url) the server's services answer, with the same output."""
    from flext.backend.remote_services import dispatch

    return dispatch(ctx, command, args)


def list_(ctx: Context, args: Args) -> Result:
    if (done := _on_server(ctx, "list_", args)) is not None:
        return done
    from flext.services import registry, supervisor

    rows = []
    for service in registry.load(ctx, include_disabled=bool(args.all)).values():
        process = supervisor.process(ctx, service)[0] if service.supervised else None
        rows.append({"name": service.name, "url": service.url or None, "enabled": service.enabled,
                     "supervised": service.supervised, "process": process, "origin": service.origin,
                     "description": service.description or None})
    columns = ["name", "url", "enabled", "process", "origin", "description"] if args.all else \
        ["name", "url", "process", "origin", "description"]
    return Result(rows, columns=columns, styles={"process": {"running": "green", "stale": "yellow"}})


def add(ctx: Context, args: Args) -> Result:
    from flext.services import registry

    if not args.url:  # a guided set-up on a terminal, else a usage error naming --url
        from flext.prompts.wizards import service_add

        args.update(service_add(ctx, dict(args)))
    name: str = args.name
    registry.check_name(name)
    fields: dict[str, Any] = {"url": args.url or ctx.ask("URL of the service (http://host:port)", flag="--url")}
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
    for key, value in fields.items():
        try:
            registry.validate(name, {key: value}, "arguments")
        except ConfigError as exc:  # "arguments: services.NAME.key: what is wrong"
            raise UsageError(f"--{key.replace('_', '-')}: {exc.message.split(': ', 2)[-1]}",
                             hint="see `flext service add --help`") from None
    existing = registry.load(ctx, include_disabled=True).get(name)
    cfg = ctx.config
    own = (cfg.data.get("services") or {}).get(name)
    if existing is not None and not args.replace:
        where = "a built-in service" if existing.origin == "built-in" else f"already registered ({existing.origin})"
        raise Conflict(f"service {name!r} is {where}", hint="pass --replace to overwrite it")
    if own is not None:
        cfg.remove_table(["services", name])
    for key, value in fields.items():
        cfg.write_value(["services", name], key, value)
    service = registry.get(ctx, name)
    return Result(service.as_dict(), message=f"✓ registered service {name!r} ({service.url})")


def remove(ctx: Context, args: Args) -> Result:
    from flext.services import registry, supervisor, workspace
    from flext.services.builtin import BUILTIN

    name: str = args.name
    service = registry.get(ctx, name, include_disabled=True)
    if service.supervised and supervisor.process(ctx, service)[0] == "running":
        raise Conflict(f"service {name!r} is running", hint=f"stop it first: flext service stop {name}")
    if not ctx.confirm(f"Remove service {name!r}?"):
        raise OperationFailed("cancelled; nothing was removed")
    cfg = ctx.config
    changed = []
    if name in (cfg.data.get("services") or {}):
        cfg.remove_table(["services", name])
        changed.append(cfg.path)
    path, doc = workspace.manifest(workspace.find(ctx))
    if name in (doc.get("services") or {}):
        from flext.core import toml_edit
        from flext.core.fsutil import atomic_write

        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        atomic_write(path, toml_edit.remove_table(text, ["services", name]), 0o644)
        changed.append(path)
    if name in BUILTIN:
        cfg.write_value(["services", name], "enabled", False)
        message = f"✓ disabled built-in service {name!r}"
    else:
        message = f"✓ removed service {name!r}"
    from flext.services import breaker

    if service.url:
        try:
            breaker.for_url(ctx.paths.state_dir, service.health_url).reset()
        except OSError:
            pass
    return Result({"name": name, "removed": True, "builtin_disabled": name in BUILTIN}, message=message)


def discover(ctx: Context, args: Args) -> Result:
    from flext.services import registry
    from flext.services.builtin import BUILTIN, port_of
    from flext.services.health import classify
    from flext.services.http import get_many
    from flext.services.registry import Service

    host: str = args.host or "127.0.0.1"
    if "/" in host or " " in host:
        raise UsageError(f"--host expects a host name or address, got {host!r}")
    url_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    timeout = float(args.timeout or 2.0)
    by_port: dict[int, tuple[str, dict[str, str]]] = {}
    for name, fields in BUILTIN.items():
        port = port_of(fields["url"])
        if port is not None:
            by_port.setdefault(port, (name, fields))
    ports = list(args.port or []) or list(by_port)
    candidates: list[Service] = []
    for port in ports:
        name, fields = by_port.get(port, (f"service-{port}", {}))
        candidates.append(Service(name, {**fields, "url": f"http://{url_host}:{port}"}, "discovered"))
    replies = get_many([(s.health_url, timeout) for s in candidates])
    known = registry.load(ctx, include_disabled=True)
    found: list[dict[str, Any]] = []
    for service, reply in zip(candidates, replies, strict=True):
        if reply.error is not None:
            continue  # nothing answers there
        row = classify(service, reply, timeout)
        current = known.get(service.name)
        if current is not None and current.url == service.url and current.enabled:
            state = "registered"
        elif current is not None and current.origin != "built-in" and current.url != service.url:
            service.name = f"{service.name}-{host.replace(':', '-').replace('.', '-')}"
            state = "registered" if service.name in known and known[service.name].url == service.url else "new"
        else:
            state = "new"
        found.append({"name": service.name, "url": service.url, "status": row["status"], "version": row["version"],
                      "latency_ms": row["latency_ms"], "registered": state == "registered",
                      "health_path": service.health_path})
    new = [f for f in found if not f["registered"]]
    chosen: list[dict[str, Any]] = []
    if new and ctx.yes:
        chosen = new
    elif new and ctx.can_prompt:
        chosen = _choose(ctx, new)
    added = []
    for item in chosen:
        table = ["services", item["name"]]
        ctx.config.write_value(table, "url", item["url"])
        if item["health_path"] != "/health":
            ctx.config.write_value(table, "health_path", item["health_path"])
        if item["name"] in BUILTIN:
            ctx.config.write_value(table, "enabled", True)
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
    if (done := _on_server(ctx, "health", args)) is not None:
        return done
    from flext.services import registry
    from flext.services.health import COLUMNS, STYLES, check

    services = registry.select(ctx, list(args.names or []))
    if not services:
        return Result([], columns=COLUMNS, message="no services registered; see `flext service add`")
    rows = check(ctx, services, args.timeout, force=bool(args.force))
    down = [r["name"] for r in rows if r["status"] == "down"]
    message = f"{len(down)} of {len(rows)} down: {', '.join(down)}" if down else None
    return Result(rows, columns=COLUMNS, styles=STYLES, exit_code=1 if down else 0, message=message)


def status(ctx: Context, args: Args) -> Result:
    if (done := _on_server(ctx, "status", args)) is not None:
        return done
    from flext.services.status import render_text, snapshot

    doc = snapshot(ctx, timeout=float(args.timeout or 2.0))
    return Result(doc, text=render_text(doc, ctx.io.width if ctx.io.stdout_tty else None))


def _supervised(ctx: Context, name: str) -> Service:
    from flext.services import registry

    return registry.get(ctx, name, include_disabled=True)


def start(ctx: Context, args: Args) -> Result:
    if (done := _on_server(ctx, "start", args)) is not None:
        return done
    from flext.services import supervisor

    info = supervisor.start(ctx, _supervised(ctx, args.name), wait=args.timeout)
    health = f", {info['health']}" if info["health"] else ""
    return Result(info, message=f"✓ {info['name']} running (pid {info['pid']}{health}) in {info['seconds']}s")


def stop(ctx: Context, args: Args) -> Result:
    if (done := _on_server(ctx, "stop", args)) is not None:
        return done
    from flext.services import supervisor

    service = _supervised(ctx, args.name)
    if not service.supervised:
        raise ConfigError(f"service {service.name!r} has no command; flext did not start it and cannot stop it")
    info = supervisor.stop(ctx, service, grace=args.timeout, force=bool(args.force))
    if not info["was_running"]:
        return Result(info, message=f"{service.name} is not running")
    return Result(info, message=f"✓ stopped {service.name} ({info['signal']}, {info['seconds']}s)")


def restart(ctx: Context, args: Args) -> Result:
    if (done := _on_server(ctx, "restart", args)) is not None:
        return done
    from flext.services import supervisor

    service = _supervised(ctx, args.name)
    stopped = supervisor.stop(ctx, service, grace=None)
    info = supervisor.start(ctx, service, wait=args.timeout)
    info["restarted"] = bool(stopped["was_running"])
    verb = "restarted" if stopped["was_running"] else "started"
    return Result(info, message=f"✓ {verb} {service.name} (pid {info['pid']}) in {info['seconds']}s")


def logs(ctx: Context, args: Args) -> Result:
    if (done := _on_server(ctx, "logs", args)) is not None:
        return done
    from flext.services import logs as logsvc
    from flext.services import supervisor

    service = _supervised(ctx, args.name)
    if not service.supervised and not service.log_file:
        raise NotFound(f"service {service.name!r} has no log file",
                       hint=f"set one: flext service add {service.name} --url {service.url or 'URL'} --log-file FILE --replace")
    source = logsvc.Source(service.name, "service", path=supervisor.log_path(ctx, service))
    if not source.files() and not args.follow:
        raise NotFound(f"no logs for {service.name!r} yet",
                       hint=f"start it with `flext service start {service.name}`" if service.supervised else None)
    from flext.commands.logs import run_view, since_bound

    flt = logsvc.Filter(since=since_bound(args.since, "--since"))
    return run_view(ctx, [source], flt, tail=args.tail, follow=bool(args.follow))


__all__ = ["add", "discover", "health", "list_", "logs", "remove", "restart", "start", "status", "stop"]
