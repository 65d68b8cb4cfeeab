"""Pipeline routes: definitions, runs, logs, state. Each delegates to LocalBackend."""

from __future__ import annotations

from flext.server import params as p
from flext.server.wire import ApiError, Response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.server.app import App
    from flext.server.wire import Request

SPEC_FIELDS = ("name", "tap", "target", "transform", "schedule", "select", "retries", "retry_backoff", "timeout",
               "tap_config", "target_config", "tap_config_file", "target_config_file", "description")


def list_(app: App, req: Request) -> Any:
    from flext.backend.base import LIST_STATUSES

    status = p.q_choice(req, "status", LIST_STATUSES)
    return app.backend().list_pipelines(status=status)


def get(app: App, req: Request) -> Any:
    return app.backend().get_pipeline(req.params["name"])


def _spec(app: App, data: Any, where: str, prefix: str = "") -> dict[str, Any]:
    """A spec from the API, checked before the engine sees it: names are strings, the tap
    and target are plugins of the workspace, settings are literal, paths stay inside."""
    from flext.server import guard

    if not isinstance(data, dict):
        raise ApiError(400, f"{where} must be a JSON object", type="usage_error")
    for field in ("name", "tap", "target"):
        value = data.get(field)
        if value is None and field == "name":
            raise ApiError(400, f"{prefix}name is required", type="usage_error")
        if value is not None and not isinstance(value, str):
            raise ApiError(400, f"{prefix}{field} must be a string, got {type(value).__name__}", type="usage_error")
    ws = app.workspace()
    for role in ("tap", "target"):
        if isinstance(data.get(role), str) and data[role]:
            guard.check_plugin(ws, data[role], role)
        guard.check_config(data.get(f"{role}_config"), f"{prefix}{role}_config")
    for field in ("transform", "tap_config_file", "target_config_file"):
        value = data.get(field)
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            raise ApiError(400, f"{prefix}{field} must be a string, got {type(value).__name__}", type="usage_error")
        guard.inside(ws, value, field)
    return data


def create(app: App, req: Request) -> Response:
    """One spec (`{"name": ..., "tap": ...}`) or many (`{"pipelines": [...], "replace": bool}`)."""
    data = p.body(req)
    if "pipelines" in data:
        p.known(data, ("pipelines", "replace"))
        specs = data["pipelines"]
        if not isinstance(specs, list) or not specs:
            raise ApiError(400, "pipelines must be a non-empty list of objects", type="usage_error")
        if len(specs) > 1000:
            raise ApiError(400, "at most 1000 pipelines at once", type="usage_error")
        chosen = [_spec(app, s, f"pipelines[{i}]", f"pipelines[{i}].") for i, s in enumerate(specs)]
        created = app.backend().create_pipelines(chosen, replace=p.flag(data, "replace"))
        return Response(201, created)
    replace = p.q_bool(req, "replace")
    created_one = app.backend().create_pipeline(_spec(app, data, "the body"), replace=replace)
    return Response(201, created_one)


def replace(app: App, req: Request) -> Any:
    data = dict(p.body(req))
    name = req.params["name"]
    if data.get("name", name) != name:
        raise ApiError(400, f"the body names pipeline {data.get('name')!r} but the path says {name!r}",
                       type="usage_error")
    data["name"] = name
    return app.backend().create_pipeline(_spec(app, data, "the body"), replace=True)


def edit(app: App, req: Request) -> Any:
    """`{"set": {key: value}, "unset": [key]}`: change some keys, keep the rest of the definition."""
    data = p.body(req)
    p.known(data, ("set", "unset"))
    name = req.params["name"]
    changes = data.get("set", {})
    if not isinstance(changes, dict):
        raise ApiError(400, f"set must be a JSON object, got {type(changes).__name__}", type="usage_error")
    if "name" in changes:
        raise ApiError(400, "a pipeline cannot be renamed", type="usage_error",
                       hint="create it under the new name, then delete the old one")
    unset = data.get("unset", [])
    if not isinstance(unset, list) or not all(isinstance(k, str) for k in unset):
        raise ApiError(400, "unset must be a list of key names", type="usage_error")
    _spec(app, {**changes, "name": name}, "set")
    return app.backend().edit_pipeline(name, changes, unset=tuple(unset))


def delete(app: App, req: Request) -> Any:
    return app.backend().delete_pipeline(req.params["name"])


def start(app: App, req: Request) -> Response:
    """Start a run in the background; an Idempotency-Key replays the first answer."""
    from flext.server.idempotency import valid_key

    data = p.body(req)
    p.known(data, ("full_refresh",))
    full_refresh = p.flag(data, "full_refresh")
    name = req.params["name"]
    key = req.headers.get("Idempotency-Key")
    if key is None:
        return _start(app, name, full_refresh, None)
    if not valid_key(key):
        raise ApiError(400, "invalid Idempotency-Key", type="usage_error",
                       hint="8 to 128 letters, digits, '-', '_', '.' or ':'")
    user = req.principal.user if req.principal else ""
    fingerprint = f"start:{user}:{name}:{int(full_refresh)}"
    with app.idempotency.hold(key):
        seen = app.idempotency.get(key)
        if seen is not None:
            if seen.get("fingerprint") != fingerprint:
                raise ApiError(422, "this Idempotency-Key was used for a different request", type="usage_error",
                               hint="use a new key for a new request")
            return Response(int(seen["status"]), seen["body"], headers={"Idempotent-Replayed": "true"})
        response = _start(app, name, full_refresh, key)
        app.idempotency.put(key, fingerprint, response.status, _json_body(response))
        return response


def _json_body(response: Response) -> Any:
    import json

    return json.loads(response.body)


def _start(app: App, name: str, full_refresh: bool, key: str | None) -> Response:
    backend = app.backend()
    try:
        record = backend.start(name, full_refresh=full_refresh, trigger="serve", idempotency_key=key)
    finally:
        app.adopt(backend)
    return Response(202, record)


def stop(app: App, req: Request) -> Any:
    data = p.body(req)
    p.known(data, ("force",))
    return app.backend().stop(req.params["name"], force=p.flag(data, "force"))


def status_one(app: App, req: Request) -> Any:
    backend = app.backend()
    backend.get_pipeline(req.params["name"])
    return backend.status([req.params["name"]])[0]


def status_many(app: App, req: Request) -> Any:
    names = p.q_names(req, "name")
    return app.backend().status(names or None)


def runs(app: App, req: Request) -> Any:
    limit = p.q_int(req, "limit", low=1, high=1000) or 20
    return app.backend().runs(req.params["name"], limit=limit)


def run(app: App, req: Request) -> Any:
    return app.backend().get_run(req.params["name"], req.params["run_id"])


def logs(app: App, req: Request) -> Response:
    from flext.server.routes import valid_name

    run_id = req.arg("run") or None
    if run_id is not None and not valid_name(run_id):
        raise ApiError(400, f"invalid run {run_id!r}", type="usage_error")
    tail = p.q_int(req, "tail", low=0, high=100000)
    follow = p.q_bool(req, "follow")
    lines = app.backend().logs(req.params["name"], run_id, tail=tail, follow=follow)
    return app.stream(iter(lines), follow=follow)


def state(app: App, req: Request) -> Any:
    return {"pipeline": req.params["name"], "state": app.backend().state(req.params["name"])}


def clear_state(app: App, req: Request) -> Any:
    return app.backend().clear_state(req.params["name"])


__all__ = ["SPEC_FIELDS", "clear_state", "create", "delete", "get", "list_", "logs", "replace", "run", "runs",
           "start", "state", "status_many", "status_one", "stop"]
