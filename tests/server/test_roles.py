"""The role matrix: every mutating route x (no token, viewer, operator, admin).

Without a token: 401. With too little role: 403 (and nothing changes). With enough:
2xx, each request built to succeed (a pipeline to start, a running one to stop, a
service to start...). The list of cases must cover every mutating route of the table,
so a new route without a matrix entry fails here. Refusals are in the server's audit.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flext.server.api import ROUTES, V1
from flext.server.auth import rank
from tests.engine.conftest import add_pipeline, write_jsonl
from tests.server.conftest import Server, http, wait_until

pytestmark = pytest.mark.slow  # real taps and targets, a real server

WHO = ("none", "viewer", "operator", "admin")
WAIT_TAP = "#!/bin/sh\necho '{\"type\": \"SCHEMA\", \"stream\": \"t\", \"schema\": {}, \"key_properties\": []}'\nexec sleep 600\n"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Matrix:
    def __init__(self, server: Server, root: Path) -> None:
        self.server = server
        self.root = root
        self.admin = server.token
        self.tokens: dict[str, str | None] = {"none": None, "admin": server.token}
        for role in ("viewer", "operator"):
            status, body, _ = self.call("POST", "/auth/tokens", self.admin, {"role": role, "name": f"matrix-{role}"})
            assert status == 201, body
            self.tokens[role] = body["token"]
        self.serial = 0

    def url(self, path: str) -> str:
        return self.server.url + (path if path.startswith("/health") or path.startswith("/metrics") else V1 + path)

    def call(self, method: str, path: str, token: str | None, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
        return http(method, self.url(path), token=token, body=body, headers=headers, timeout=60)

    def unique(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial}"

    # -- state helpers (as admin) -------------------------------------------------------------
    def pipeline(self, tap: str = "tap-jsonl") -> str:
        name = self.unique("p")
        spec = {"name": name, "tap": tap, "target": "target-jsonl",
                "tap_config": {"path": "data/orders.jsonl", "stream_name": "orders", "primary_keys": ["id"]},
                "target_config": {"destination_path": "output"}}
        status, body, _ = self.call("POST", "/pipelines", self.admin, spec)
        assert status == 201, body
        return name

    def running(self) -> str:
        name = self.pipeline(tap="tap-wait")  # declared in flext.toml by _prepare: the API runs only plugins
        status, body, _ = self.call("POST", f"/pipelines/{name}/run", self.admin, {})
        assert status == 202, body

        def is_running() -> bool:
            got = self.call("GET", f"/pipelines/{name}/status", self.admin)[1]
            return bool(got["status"] == "running")

        wait_until(is_running, what=f"{name} to run")
        return name

    def service(self, state: str) -> None:
        action = "start" if state == "running" else "stop"
        status, body, _ = self.call("POST", f"/services/echo/{action}", self.admin, {"timeout": 30} if action == "start" else {})
        assert status in (200, 409), body

    def scheduled(self, paused: bool = False) -> str:
        name = self.unique("sched")
        spec = {"name": name, "tap": "tap-jsonl", "target": "target-jsonl", "schedule": "@daily"}
        status, body, _ = self.call("POST", "/pipelines", self.admin, spec)
        assert status == 201, body
        if paused:
            assert self.call("POST", f"/pipelines/{name}/pause", self.admin)[0] == 200
        return name

    def registered(self) -> str:
        name = self.unique("svc")
        status, body, _ = self.call("POST", f"/services/{name}", self.admin, {"url": "http://127.0.0.1:9"})
        assert status in (200, 201), body
        return name

    def alert(self) -> str:
        name = self.unique("alert")
        status, body, _ = self.call("POST", f"/alerts/{name}", self.admin, {"when": "service_down(echo)"})
        assert status in (200, 201), body
        return name

    def user(self) -> str:
        name = self.unique("user")
        status, body, _ = self.call("POST", "/auth/users", self.admin, {"name": name, "role": "viewer"})
        assert status == 201, body
        return name

    def token_id(self) -> str:
        status, body, _ = self.call("POST", "/auth/tokens", self.admin, {"role": "viewer"})
        assert status == 201, body
        return str(body["id"])


def _alert_test(m: Matrix, token: str | None, allowed: bool) -> tuple[int, Any, dict[str, str]]:
    """A rule that notifies a port nothing listens on: the test is sent (and fails), the request succeeds."""
    name = m.unique("alert")
    status, body, _ = m.call("POST", f"/alerts/{name}", m.admin,
                             {"when": "service_down(echo)", "notify": ["json://127.0.0.1:9/hook"]})
    assert status in (200, 201), body
    return m.call("POST", f"/alerts/{name}/test", token)


def _logout(m: Matrix, token: str | None, allowed: bool) -> tuple[int, Any, dict[str, str]]:
    if token is not None and allowed:  # log out a fresh token of the same role, keep the matrix's own
        role = next(r for r, t in m.tokens.items() if t == token)
        if role != "admin":
            fresh = m.call("POST", "/auth/tokens", m.admin, {"role": role})[1]["token"]
        else:
            fresh = m.call("POST", "/auth/tokens", m.admin, {"role": "admin"})[1]["token"]
        return m.call("POST", "/auth/logout", fresh)
    return m.call("POST", "/auth/logout", token)


def _stop(m: Matrix, token: str | None, allowed: bool) -> tuple[int, Any, dict[str, str]]:
    name = m.running()
    try:
        return m.call("POST", f"/pipelines/{name}/stop", token, {})
    finally:
        if not allowed:
            m.call("POST", f"/pipelines/{name}/stop", m.admin, {"force": True})


def _service(action: str) -> Callable[[Matrix, str | None, bool], tuple[int, Any, dict[str, str]]]:
    def call(m: Matrix, token: str | None, allowed: bool) -> tuple[int, Any, dict[str, str]]:
        m.service("stopped" if action == "start" else "running")
        try:
            return m.call("POST", f"/services/echo/{action}", token, {"timeout": 30} if action != "stop" else {})
        finally:
            m.service("stopped")

    return call


# (method, pattern) -> how to make a request that succeeds when the role allows it
CASES: dict[tuple[str, str], Callable[[Matrix, str | None, bool], tuple[int, Any, dict[str, str]]]] = {
    ("POST", f"{V1}/auth/logout"): _logout,
    ("POST", f"{V1}/auth/tokens"): lambda m, t, a: m.call("POST", "/auth/tokens", t, {"role": "viewer"}),
    ("DELETE", f"{V1}/auth/tokens/{{token_id}}"): lambda m, t, a: m.call("DELETE", f"/auth/tokens/{m.token_id()}", t),
    ("POST", f"{V1}/auth/users"): lambda m, t, a: m.call("POST", "/auth/users", t,
                                                          {"name": m.unique("new"), "role": "viewer"}),
    ("DELETE", f"{V1}/auth/users/{{user}}"): lambda m, t, a: m.call("DELETE", f"/auth/users/{m.user()}", t),
    ("POST", f"{V1}/pipelines"): lambda m, t, a: m.call("POST", "/pipelines", t, {
        "name": m.unique("made"), "tap": "tap-jsonl", "target": "target-jsonl"}),
    ("PUT", f"{V1}/pipelines/{{name}}"): lambda m, t, a: m.call("PUT", f"/pipelines/{m.pipeline()}", t, {
        "tap": "tap-jsonl", "target": "target-jsonl", "description": "replaced"}),
    ("PATCH", f"{V1}/pipelines/{{name}}"): lambda m, t, a: m.call("PATCH", f"/pipelines/{m.pipeline()}", t, {
        "set": {"retries": 1}}),
    ("DELETE", f"{V1}/pipelines/{{name}}"): lambda m, t, a: m.call("DELETE", f"/pipelines/{m.pipeline()}", t),
    ("POST", f"{V1}/pipelines/{{name}}/run"): lambda m, t, a: m.call("POST", f"/pipelines/{m.pipeline()}/run", t, {}),
    ("POST", f"{V1}/pipelines/{{name}}/stop"): _stop,
    ("DELETE", f"{V1}/pipelines/{{name}}/state"): lambda m, t, a: m.call("DELETE", "/pipelines/orders/state", t),
    ("POST", f"{V1}/plugins"): lambda m, t, a: m.call("POST", "/plugins", t, {"name": "tap-jsonl", "kind": "tap"}),
    ("POST", f"{V1}/dbt/{{command}}"): lambda m, t, a: m.call("POST", "/dbt/run", t, {"project": "transform"}),
    ("POST", f"{V1}/services/{{name}}/start"): _service("start"),
    ("POST", f"{V1}/services/{{name}}/stop"): _service("stop"),
    ("POST", f"{V1}/services/{{name}}/restart"): _service("restart"),
    ("POST", f"{V1}/services/{{name}}"): lambda m, t, a: m.call("POST", f"/services/{m.unique('svc')}", t,
                                                               {"url": "http://127.0.0.1:9"}),
    ("PUT", f"{V1}/services/{{name}}"): lambda m, t, a: m.call("PUT", f"/services/{m.registered()}", t,
                                                              {"url": "http://127.0.0.1:10"}),
    ("DELETE", f"{V1}/services/{{name}}"): lambda m, t, a: m.call("DELETE", f"/services/{m.registered()}", t),
    ("POST", f"{V1}/alerts/{{name}}"): lambda m, t, a: m.call("POST", f"/alerts/{m.unique('alert')}", t,
                                                             {"when": "service_down(echo)"}),
    ("PUT", f"{V1}/alerts/{{name}}"): lambda m, t, a: m.call("PUT", f"/alerts/{m.alert()}", t,
                                                            {"when": "service_up(echo)"}),
    ("DELETE", f"{V1}/alerts/{{name}}"): lambda m, t, a: m.call("DELETE", f"/alerts/{m.alert()}", t),
    ("POST", f"{V1}/alerts/{{name}}/notify"): lambda m, t, a: m.call("POST", f"/alerts/{m.alert()}/notify", t,
                                                                    {"add": ["json://127.0.0.1:9/hook"]}),
    ("POST", f"{V1}/alerts/{{name}}/test"): _alert_test,
    ("POST", f"{V1}/pipelines/{{name}}/pause"): lambda m, t, a: m.call("POST", f"/pipelines/{m.scheduled()}/pause", t),
    ("POST", f"{V1}/pipelines/{{name}}/resume"): lambda m, t, a: m.call(
        "POST", f"/pipelines/{m.scheduled(paused=True)}/resume", t),
}

DBT_PROJECT = {
    "dbt_project.yml": 'name: matrix\nversion: "1.0.0"\nconfig-version: 2\nprofile: matrix\nmodel-paths: ["models"]\n',
    "profiles.yml": "matrix:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: matrix.duckdb\n",
    "models/one.sql": "select 1 as one\n",
}


def _prepare(root: Path, config_dir: Path) -> None:
    write_jsonl(root / "data" / "orders.jsonl", 1, 3)
    add_pipeline(root, "orders", """
tap = "tap-jsonl"
target = "target-jsonl"
tap_config = { path = "data/orders.jsonl", stream_name = "orders", primary_keys = ["id"] }
target_config = { destination_path = "output" }
""")
    tap = root / "bin" / "tap-wait"
    tap.parent.mkdir(exist_ok=True)
    tap.write_text(WAIT_TAP)
    tap.chmod(0o755)
    for rel, text in DBT_PROJECT.items():
        path = root / "transform" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    port = _port()
    with (root / "flext.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[plugins.tap-wait]\nkind = "tap"\nexecutable = "bin/tap-wait"\n')
        fh.write(f'\n[services.echo]\nurl = "http://127.0.0.1:{port}"\nhealth_path = "/"\n'
                 f'command = "{sys.executable} -m http.server {port} --bind 127.0.0.1"\n')


def test_every_mutating_route_has_a_case() -> None:
    mutating = {(r.method, r.pattern) for r in ROUTES if r.mutating and r.role is not None}
    assert mutating == set(CASES)


def test_role_matrix(workspace: Path, env: dict[str, str], start_server: Callable[..., Server]) -> None:
    _prepare(workspace, Path(env["FLEXT_CONFIG_DIR"]))
    server = start_server(workspace)
    m = Matrix(server, workspace)
    routes = {(r.method, r.pattern): r for r in ROUTES}
    seen: list[tuple[str, str, str, int]] = []
    for key, make in CASES.items():
        route = routes[key]
        for who in WHO:
            token = m.tokens[who]
            allowed = who != "none" and rank(who) >= rank(route.role)
            status, body, headers = make(m, token, allowed)
            seen.append((key[0], key[1], who, status))
            if who == "none":
                assert (status, body["error"]["type"]) == (401, "unauthenticated"), (key, who, body)
                assert headers.get("www-authenticate") == 'Bearer realm="flext"'
            elif not allowed:
                assert (status, body["error"]["type"]) == (403, "forbidden"), (key, who, body)
                assert body["error"]["message"] == f"this needs the {route.role} role; your token has {who}"
            else:
                assert 200 <= status < 300, (key, who, status, body)
    # every refusal is on record, with the route's action and the caller (when known)
    status, audit, _ = m.call("GET", "/audit", m.admin)
    assert status == 200
    denied = [(e["action"], e["user"], e["result"], e["status"]) for e in audit if e["result"] == "denied"]
    expected = sum(1 for _, _, who, code in seen if code in (401, 403))
    assert len(denied) == expected
    assert {d[1] for d in denied} == {"anonymous", "admin"}  # tokens made by the admin act as the admin user
    # a viewer can still read everything
    for path in ("/pipelines", "/pipelines/orders", "/status", "/services", "/auth/user", "/alerts"):
        assert m.call("GET", path, m.tokens["viewer"])[0] == 200, path
    assert http("GET", server.url + "/metrics", token=m.tokens["viewer"])[0] == 200
    assert http("GET", server.url + "/metrics")[0] == 401
    assert m.call("GET", "/audit", m.tokens["operator"])[0] == 403
    assert http("GET", server.url + "/health")[0] == 200
    assert http("GET", server.url + "/api/v1/openapi.json")[0] == 200
