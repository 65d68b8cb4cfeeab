"""Service and alert routes: the server's own registry, health, supervision, logs, alerts.

They call `flext.services` with the server's context, so a remote `flext service
health` answers exactly what `flext service health` says on the server machine.
"""

from __future__ import annotations

from flext.server import params as p
from flext.server.wire import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.server.app import App
    from flext.server.wire import Request, Response


def list_(app: App, req: Request) -> Any:
    from flext.services import registry, supervisor

    rows = []
    for service in registry.load(app.ctx, include_disabled=p.q_bool(req, "all")).values():
        process = supervisor.process(app.ctx, service)[0] if service.supervised else None
        rows.append({"name": service.name, "url": service.url or None, "enabled": service.enabled,
                     "supervised": service.supervised, "process": process, "origin": service.origin,
                     "description": service.description or None})
    return rows


def health(app: App, req: Request) -> Any:
    from flext.services import registry
    from flext.services.health import check

    names = p.q_names(req, "name")
    timeout = p.q_float(req, "timeout", low=0.01, high=120.0)
    services = registry.select(app.ctx, names)
    if not services:
        return []
    return check(app.ctx, services, timeout, use_breaker=not p.q_bool(req, "force"))


def system_status(app: App, req: Request) -> Any:
    from flext.services.status import snapshot

    timeout = p.q_float(req, "timeout", low=0.01, high=60.0) or 2.0
    return snapshot(app.ctx, timeout=timeout)


def _service(app: App, req: Request) -> Any:
    from flext.services import registry

    return registry.get(app.ctx, req.params["name"], include_disabled=True)


def start(app: App, req: Request) -> Any:
    from flext.services import supervisor

    data = p.body(req)
    p.known(data, ("timeout",))
    return supervisor.start(app.ctx, _service(app, req), wait=p.number(data, "timeout", low=0.1, high=3600.0))


def stop(app: App, req: Request) -> Any:
    from flext.core.errors import ConfigError
    from flext.services import supervisor

    data = p.body(req)
    p.known(data, ("timeout", "force"))
    service = _service(app, req)
    if not service.supervised:
        raise ConfigError(f"service {service.name!r} has no command; flext did not start it and cannot stop it")
    return supervisor.stop(app.ctx, service, grace=p.number(data, "timeout", low=0.0, high=3600.0),
                           force=p.flag(data, "force"))


def restart(app: App, req: Request) -> Any:
    from flext.services import supervisor

    data = p.body(req)
    p.known(data, ("timeout",))
    service = _service(app, req)
    stopped = supervisor.stop(app.ctx, service, grace=None)
    info = supervisor.start(app.ctx, service, wait=p.number(data, "timeout", low=0.1, high=3600.0))
    info["restarted"] = bool(stopped["was_running"])
    return info


def logs(app: App, req: Request) -> Response:
    from flext.core.errors import NotFound
    from flext.services import logs as logsvc
    from flext.services import supervisor

    service = _service(app, req)
    tail = p.q_int(req, "tail", low=0, high=100000)
    follow = p.q_bool(req, "follow")
    since = req.arg("since") or None
    if not service.supervised and not service.log_file:
        raise NotFound(f"service {service.name!r} has no log file",
                       hint=f"set one: flext service add {service.name} --url {service.url or 'URL'} --log-file FILE --replace")
    source = logsvc.Source(service.name, "service", path=supervisor.log_path(app.ctx, service))
    if not source.files() and not follow:
        raise NotFound(f"no logs for {service.name!r} yet",
                       hint=f"start it with `flext service start {service.name}`" if service.supervised else None)
    flt = logsvc.Filter(since=_since(since))
    rows = _service_rows(app, source, flt, tail, follow)
    return app.stream(rows, follow=follow)


def _since(value: str | None) -> str | None:
    if not value:
        return None
    from flext.core.clock import bound

    try:
        return bound(value)
    except ValueError:
        raise ApiError(400, f"since expects a duration or a timestamp, got {value!r}", type="usage_error") from None


def _service_rows(app: App, source: Any, flt: Any, tail: int | None, follow: bool) -> Any:
    from flext.services import logs as logsvc

    followers = [logsvc.SourceFollower(source)] if follow else []
    ends: dict[str, int] = {}
    for f in followers:
        ends.update(f.ends())
    if tail is not None or follow:
        yield from logsvc.tail([source], 10 if tail is None else tail, flt, ends)
    else:
        yield from logsvc.search([source], flt)
    if follow:
        yield from logsvc.follow([source], flt, followers=followers, stop=app.stopping.is_set)


def alerts(app: App, req: Request) -> Any:
    from flext.services.evaluate import evaluate, rules

    if p.q_bool(req, "no_eval"):
        return [{"name": n, "state": "disabled" if b.get("enabled") is False else "-", "when": b["when"],
                 "detail": None, "description": b.get("description")} for n, b in rules(app.ctx).items()]
    return evaluate(app.ctx, timeout=p.q_float(req, "timeout", low=0.01, high=60.0) or 3.0)


__all__ = ["alerts", "health", "list_", "logs", "restart", "start", "stop", "system_status"]
