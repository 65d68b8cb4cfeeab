"""Service, alert, log and monitoring routes: the server's own engine answers.

Each handler turns the request into one verb of the server's `LocalBackend` (the code
`flext service ...` runs on the server machine), so a remote profile sees exactly what a
local one would see there.
"""

from __future__ import annotations

from flext.server import params as p
from flext.server.wire import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.contract import LogQuery
    from flext.server.app import App
    from flext.server.wire import Request, Response

_SERVICE_FIELDS = ("url", "health_path", "metrics_path", "command", "cwd", "env", "log_file", "description",
                   "timeout", "enabled", "degraded_latency", "start_timeout", "stop_timeout", "log_max_bytes",
                   "log_backups")


def list_(app: App, req: Request) -> Any:
    return app.backend().list_services(all_=p.q_bool(req, "all"))


def add(app: App, req: Request) -> Any:
    data = p.body(req)
    p.known(data, _SERVICE_FIELDS)
    return app.backend().add_service(req.params["name"], data, replace=req.method == "PUT")


def remove(app: App, req: Request) -> Any:
    return app.backend().remove_service(req.params["name"])


def discover(app: App, req: Request) -> Any:
    data = p.body(req)
    p.known(data, ("host", "ports", "timeout"))
    ports = data.get("ports") or []
    if not isinstance(ports, list) or not all(isinstance(x, int) and not isinstance(x, bool) and 0 < x < 65536
                                                for x in ports):
        raise ApiError(400, "ports must be a list of port numbers", type="usage_error")
    host = p.text(data, "host", limit=255) or "127.0.0.1"
    return app.backend().discover_services(host, ports, p.number(data, "timeout", low=0.05, high=30.0) or 2.0)


def health(app: App, req: Request) -> Any:
    timeout = p.q_float(req, "timeout", low=0.01, high=120.0)
    return app.backend().service_health(p.q_names(req, "name"), timeout)


def system_status(app: App, req: Request) -> Any:
    return app.backend().system_status(p.q_float(req, "timeout", low=0.01, high=60.0) or 2.0,
                                       names=p.q_names(req, "name") or None)


def _action(app: App, req: Request, action: str) -> Any:
    data = p.body(req)
    p.known(data, ("timeout", "force") if action == "stop" else ("timeout",))
    low = 0.0 if action == "stop" else 0.1
    return app.backend().service_action(req.params["name"], action,
                                        timeout=p.number(data, "timeout", low=low, high=3600.0),
                                        force=p.flag(data, "force"))


def start(app: App, req: Request) -> Any:
    return _action(app, req, "start")


def stop(app: App, req: Request) -> Any:
    return _action(app, req, "stop")


def restart(app: App, req: Request) -> Any:
    return _action(app, req, "restart")


def logs(app: App, req: Request) -> Response:
    follow = p.q_bool(req, "follow")
    rows = app.backend().service_logs(req.params["name"], tail=p.q_int(req, "tail", low=0, high=100000),
                                      since=_since(req.arg("since")), follow=follow)
    return app.stream(rows, follow=follow)


def metrics(app: App, req: Request) -> Any:
    return app.backend().metrics(req.params["name"], timeout=p.q_float(req, "timeout", low=0.01, high=60.0))


def _since(value: str | None) -> str | None:
    if not value:
        return None
    from flext.core.clock import bound

    try:
        return bound(value)
    except ValueError:
        raise ApiError(400, f"since expects a duration or a timestamp, got {value!r}", type="usage_error") from None


# -- alerts ---------------------------------------------------------------------------------


def alerts(app: App, req: Request) -> Any:
    return app.backend().list_alerts(evaluate=not p.q_bool(req, "no_eval"),
                                     timeout=p.q_float(req, "timeout", low=0.01, high=60.0))


def _urls(data: dict[str, Any], field: str) -> list[str]:
    value = data.get(field) or []
    if not isinstance(value, list) or not all(isinstance(u, str) and 0 < len(u) <= 4096 for u in value) \
            or len(value) > 50:
        raise ApiError(400, f"{field} must be a list of notification URLs", type="usage_error")
    return list(value)


def alert_add(app: App, req: Request) -> Any:
    data = p.body(req)
    p.known(data, ("when", "description", "notify"))
    when = p.text(data, "when", required=True, limit=4096)
    assert when is not None
    out = app.backend().add_alert(req.params["name"], when, description=p.text(data, "description", limit=4096),
                                  notify=_urls(data, "notify"), replace=req.method == "PUT")
    app.poke_alerts()
    return out


def alert_remove(app: App, req: Request) -> Any:
    out = app.backend().remove_alert(req.params["name"])
    app.poke_alerts()
    return out


def alert_notify(app: App, req: Request) -> Any:
    data = p.body(req)
    p.known(data, ("add", "remove"))
    return app.backend().alert_notify(req.params["name"], add=_urls(data, "add"), remove=_urls(data, "remove"))


def alert_test(app: App, req: Request) -> Any:
    """Sent by the server (its network, its secrets), recorded in its alert history."""
    return app.backend().test_alert(req.params["name"])


def alert_history(app: App, req: Request) -> Any:
    name = req.arg("name") or None
    if name is not None:
        from flext.server.routes import valid_name

        if not valid_name(name):
            raise ApiError(400, f"invalid alert name {name!r}", type="usage_error")
    return app.backend().alert_history(name, limit=p.q_int(req, "limit", low=1, high=10000) or 50)


# -- logs, performance, schedules -------------------------------------------------------------


def _log_query(req: Request) -> LogQuery:
    level = p.q_choice(req, "level", ("trace", "debug", "info", "warning", "error", "critical"))
    query: LogQuery = {
        "text": req.arg("text") or None, "regex": p.q_bool(req, "regex"), "ignore_case": p.q_bool(req, "ignore_case"),
        "since": _since(req.arg("since")), "until": _since(req.arg("until")), "level": level,
        "sources": req.args("source"), "streams": req.args("stream"),
        "tail": p.q_int(req, "tail", low=0, high=1000000), "follow": p.q_bool(req, "follow"),
        "limit": p.q_int(req, "limit", low=0, high=100000000),
    }
    return query


def log_sources(app: App, req: Request) -> Any:
    return app.backend().log_sources()


def read_logs(app: App, req: Request) -> Response:
    query = _log_query(req)
    return app.stream(app.backend().read_logs(query), follow=bool(query.get("follow")))


def count_logs(app: App, req: Request) -> Any:
    return {"count": app.backend().count_logs(_log_query(req))}


def performance(app: App, req: Request) -> Any:
    return app.backend().run_performance(since=p.q_float(req, "since", low=0.0, high=1e10),
                                         limit=p.q_int(req, "limit", low=1, high=1000) or 20)


def schedules(app: App, req: Request) -> Any:
    return app.backend().schedules()


def pause(app: App, req: Request) -> Any:
    return app.backend().pause(req.params["name"])


def resume(app: App, req: Request) -> Any:
    return app.backend().resume(req.params["name"])


__all__ = ["add", "alert_add", "alert_history", "alert_notify", "alert_remove", "alert_test", "alerts", "count_logs", "discover", "health", "list_", "log_sources",
           "logs", "metrics", "pause", "performance", "read_logs", "remove", "restart", "resume", "schedules", "start",
           "stop", "system_status"]
