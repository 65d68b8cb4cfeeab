"""Routes about the server itself and the workspace: health, metrics, OpenAPI, audit,
plugins, discovery and dbt."""

from __future__ import annotations

import time

from flext.server import params as p
from flext.server.wire import ApiError, Response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.server.app import App
    from flext.server.wire import Request


def health(app: App, req: Request) -> Any:
    """Liveness for load balancers and `flext service health` (public: says nothing secret)."""
    from flext import __version__

    scheduler = app.scheduler
    return {"status": "ok", "service": "flext", "version": __version__,
            "uptime_s": round(time.time() - app.started, 1),
            "scheduler": "active" if scheduler is not None and scheduler.active else "standby",
            "scheduler_ticks": scheduler.ticks if scheduler is not None else 0}


def metrics(app: App, req: Request) -> Response:
    scheduler = app.scheduler
    text = app.metrics.render(app.runs_root, scheduler_active=bool(scheduler and scheduler.active),
                              workers=app.limits.workers)
    return Response(200, raw=text.encode("utf-8"), content_type="text/plain; version=0.0.4; charset=utf-8")


def openapi(app: App, req: Request) -> Any:
    from flext.server.openapi import document

    return document(app.table.routes)


def audit(app: App, req: Request) -> Any:
    """Entries oldest first, filtered like `flext audit list` (the client limits)."""
    from flext.core.audit import action_matches

    since = p.q_float(req, "since", low=0.0, high=1e10)
    user = req.arg("user")
    action = req.arg("action")
    limit = p.q_int(req, "limit", low=0, high=1000000)
    rows = []
    for entry in app.audit.entries():
        if since is not None and float(entry.get("ts") or 0) < since:
            continue
        if user and entry.get("user") != user:
            continue
        if action and not action_matches(str(entry.get("action") or ""), action):
            continue
        rows.append(entry)
    return rows[-limit:] if limit else rows


def plugins(app: App, req: Request) -> Any:
    kind = p.q_choice(req, "kind", ("tap", "target", "transform", "utility"))
    return app.backend().list_plugins(kind=kind, installed_only=p.q_bool(req, "installed"))


def install(app: App, req: Request) -> Response:
    data = p.body(req)
    p.known(data, ("name", "kind", "pip_url", "installer"))
    name = p.text(data, "name", required=True, limit=128)
    kind = p.text(data, "kind", required=True, limit=16)
    if kind not in ("tap", "target"):
        raise ApiError(400, f"kind must be tap or target, got {kind!r}", type="usage_error")
    from flext.server.routes import valid_name

    assert name is not None
    if not valid_name(name):
        raise ApiError(400, f"invalid plugin name {name!r}", type="usage_error")
    installer = p.text(data, "installer", limit=8)
    if installer not in (None, "uv", "pip"):
        raise ApiError(400, f"installer must be uv or pip, got {installer!r}", type="usage_error")
    return Response(201, app.backend().install_plugin(name, kind, pip_url=p.text(data, "pip_url", limit=2048),
                                                      installer=installer))


def discover(app: App, req: Request) -> Any:
    """Streams of a tap: the path names a pipeline (its tap and settings) or a tap plus `config`."""
    import os
    import shutil
    import tempfile

    data = p.body(req)
    p.known(data, ("config",))
    config = data.get("config")
    if config is None:
        return app.backend().discover(req.params["name"])
    if not isinstance(config, dict):
        raise ApiError(400, "config must be a JSON object", type="usage_error")
    import json

    folder = tempfile.mkdtemp(prefix="flext-discover-")
    try:
        path = os.path.join(folder, "config.json")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(config, fh)
        return app.backend().discover(req.params["name"], config_file=path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def dbt(app: App, req: Request) -> Any:
    data = p.body(req)
    p.known(data, ("project", "select", "target"))
    project = p.text(data, "project", required=True, limit=1024)
    assert project is not None
    if project.startswith("/") or ".." in project.replace("\\", "/").split("/"):
        raise ApiError(400, "project must be a path inside the workspace", type="usage_error")
    return app.backend().dbt(project, req.params["command"], select=p.text(data, "select", limit=1024),
                             target=p.text(data, "target", limit=128))


__all__ = ["audit", "dbt", "discover", "health", "install", "metrics", "openapi", "plugins"]
