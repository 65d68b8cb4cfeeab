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
            "scheduler_ticks": scheduler.ticks if scheduler is not None else 0,
            "alert_evaluations": app.alerts.evaluations if app.alerts is not None else 0}


def metrics(app: App, req: Request) -> Response:
    scheduler = app.scheduler
    from flext.server.metrics import resource_lines

    text = app.metrics.render(app.runs_root, scheduler_active=bool(scheduler and scheduler.active),
                              workers=app.limits.workers)
    text += "\n".join(resource_lines(app.ctx, app.root)) + "\n"
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
    rows = app.backend().list_plugins(kind=kind, installed_only=p.q_bool(req, "installed"))
    if not app.privileged(req):  # viewers: where a plugin lives only when it is inside the workspace
        import os

        root = os.path.realpath(app.root)
        for row in rows:
            where = row.get("where")
            if isinstance(where, str) and os.path.isabs(where):
                real = os.path.realpath(where)
                row["where"] = os.path.relpath(real, root) if real.startswith(root + os.sep) else None
    return rows


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
    """Streams of a tap: the path names a pipeline (its tap and settings) or a tap plus `config`.

    Only a plugin of the workspace runs (guard.check_plugin), and `config` is taken
    literally (no `${VAR}`, no `secret:NAME`: the server's environment and keyring are
    not the caller's).
    """
    import os
    import shutil
    import tempfile

    from flext.server import guard

    data = p.body(req)
    p.known(data, ("config",))
    config = data.get("config")
    name = req.params["name"]
    ws = app.workspace()
    if config is None:
        if name not in (ws.pipelines if ws.exists else {}):
            guard.check_plugin(ws, name, "tap")
        return app.backend().discover(name)
    if not isinstance(config, dict):
        raise ApiError(400, "config must be a JSON object", type="usage_error")
    guard.check_plugin(ws, name, "tap")
    guard.check_config(config, "config")
    import json

    folder = tempfile.mkdtemp(prefix="flext-discover-")
    try:
        path = os.path.join(folder, "config.json")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(config, fh)
        return app.backend().discover(name, config_file=path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def dbt(app: App, req: Request) -> Any:
    from flext.server import guard

    data = p.body(req)
    p.known(data, ("project", "select", "target"))
    project = p.text(data, "project", required=True, limit=1024)
    assert project is not None
    relative = guard.inside(app.workspace(), project, "project")
    select = p.text(data, "select", limit=1024)
    target = p.text(data, "target", limit=128)
    guard.check_argument(select, "select")
    guard.check_argument(target, "target")
    return app.backend().dbt(relative, req.params["command"], select=select, target=target)


__all__ = ["audit", "dbt", "discover", "health", "install", "metrics", "openapi", "plugins"]
