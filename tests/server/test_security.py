"""Issue 11, server side: no arbitrary programs, no server environment or keyring for
API-supplied config, no way out of the workspace, no absolute paths or secrets for viewers.

A real `flext serve` subprocess; a marker script on the server's PATH proves a program
never ran (the file it would create does not exist).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import add_pipeline
from tests.server.conftest import Server, http

pytestmark = pytest.mark.slow  # a real server
V1 = "/api/v1"
CANARY = "canary-env-value-7f3c"


def _marker(root: Path, name: str) -> tuple[Path, Path]:
    """An executable `name` that leaves `<name>.ran` behind if anyone runs it."""
    bin_dir = root.parent / "server-path"
    bin_dir.mkdir(exist_ok=True)
    ran = root.parent / f"{name}.ran"
    script = bin_dir / name
    script.write_text(f"#!/bin/sh\necho ran > {ran}\necho '{{\"streams\": []}}'\n")
    script.chmod(0o755)
    return script, ran


@pytest.fixture
def guarded(workspace: Path, env: dict[str, str]) -> Iterator[Server]:
    """A server whose PATH holds marker scripts and whose environment holds a canary."""
    _marker(workspace, "tap-evil")
    _marker(workspace, "target-evil")
    bin_dir = workspace.parent / "server-path"
    outside = workspace.parent / "outside"
    (outside / "models").mkdir(parents=True, exist_ok=True)
    (outside / "dbt_project.yml").write_text('name: outside\nversion: "1.0.0"\nconfig-version: 2\nprofile: x\n')
    (workspace / "escape").symlink_to(outside, target_is_directory=True)
    add_pipeline(workspace, "orders", 'tap = "tap-jsonl"\ntarget = "target-jsonl"\n')
    server = Server(workspace, dict(env, PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", SERVER_ONLY_VAR=CANARY))
    yield server
    try:
        server.stop(timeout=30)
    except Exception:
        server.kill()


def _operator(server: Server) -> str:
    status, body, _ = http("POST", server.url + V1 + "/auth/tokens", token=server.token, body={"role": "operator"})
    assert status == 201, body
    return str(body["token"])


def _viewer(server: Server) -> str:
    status, body, _ = http("POST", server.url + V1 + "/auth/tokens", token=server.token, body={"role": "viewer"})
    assert status == 201, body
    return str(body["token"])


# -- item 3: only installed or declared plugins run ------------------------------------------------
@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/taps/tap-evil/discover", {}),
    ("POST", "/taps/tap-evil/discover", {"config": {"x": 1}}),
    ("POST", "/taps/orders/discover", {"config": {"x": 1}}),  # a pipeline's name is no tap name
])
def test_discover_runs_no_program_that_is_not_a_plugin(guarded: Server, method: str, path: str,
                                                        body: dict[str, Any]) -> None:
    ran = guarded.root.parent / "tap-evil.ran"
    status, doc, _ = http(method, guarded.url + V1 + path, token=_operator(guarded), body=body)
    assert status == 404, doc
    name = path.split("/")[2]
    assert doc["error"]["message"] == (f"tap {name!r} is not a plugin of this workspace "
                                       "(neither installed nor declared in flext.toml)")
    assert not ran.exists()


@pytest.mark.parametrize("spec", [
    {"tap": "tap-evil", "target": "target-jsonl"},
    {"tap": "tap-jsonl", "target": "target-evil"},
    {"tap": "PATH_TO_EVIL", "target": "target-jsonl"},
])
def test_pipelines_from_the_api_name_only_plugins(guarded: Server, spec: dict[str, str]) -> None:
    evil = str(guarded.root.parent / "server-path" / "tap-evil")
    spec = {k: (evil if v == "PATH_TO_EVIL" else v) for k, v in spec.items()}
    for method, path, body in (("POST", "/pipelines", {"name": "p1", **spec}), ("PUT", "/pipelines/p2", spec)):
        status, doc, _ = http(method, guarded.url + V1 + path, token=guarded.token, body=body)
        assert status == 404, doc
        assert "is not a plugin of this workspace" in doc["error"]["message"]
    text = (guarded.root / "flext.toml").read_text()
    assert "p1" not in text and "p2" not in text
    assert not (guarded.root.parent / "tap-evil.ran").exists()
    assert not (guarded.root.parent / "target-evil.ran").exists()


# -- item 3: API-supplied config is never expanded from the server ---------------------------------
@pytest.mark.parametrize(("path", "body", "key"), [
    ("/taps/tap-jsonl/discover", {"config": {"path": "${SERVER_ONLY_VAR}"}}, "config.path"),
    ("/taps/tap-jsonl/discover", {"config": {"deep": [{"x": "a-${SERVER_ONLY_VAR:-d}"}]}}, "config.deep[0].x"),
    ("/taps/tap-jsonl/discover", {"config": {"password": "secret:db-pass"}}, "config.password"),
    ("/pipelines", {"name": "p3", "tap": "tap-jsonl", "target": "target-jsonl",
                    "tap_config": {"path": "${SERVER_ONLY_VAR}"}}, "tap_config.path"),
    ("/pipelines", {"name": "p4", "tap": "tap-jsonl", "target": "target-jsonl",
                    "target_config": {"token": "secret:api"}}, "target_config.token"),
])
def test_api_config_never_reads_the_servers_environment_or_keyring(guarded: Server, path: str,
                                                                   body: dict[str, Any], key: str) -> None:
    status, doc, _ = http("POST", guarded.url + V1 + path, token=guarded.token, body=body)
    assert status == 400, doc
    assert doc["error"]["type"] == "usage_error"
    assert doc["error"]["message"].startswith(f"{key}: ")
    assert "only the workspace's own files may" in doc["error"]["message"]
    assert CANARY not in json.dumps(doc)


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"set": {"tap": "tap-evil"}}, 404,
     "tap 'tap-evil' is not a plugin of this workspace (neither installed nor declared in flext.toml)"),
    ({"set": {"tap_config": {"path": "${SERVER_ONLY_VAR}"}}}, 400, None),
    ({"set": {"transform": "~/x"}}, 400, "transform '~/x' is not a path inside the workspace"),
    ({"set": {"target_config_file": "/etc/hostname"}}, 400, "target_config_file '/etc/hostname' is not a path inside the workspace"),
    ({"set": {"name": "renamed"}}, 400, "a pipeline cannot be renamed"),
    ({"set": {"retries": 2}, "unset": "retries"}, 400, "unset must be a list of key names"),
    ({"set": [], "unset": []}, 400, "set must be a JSON object, got list"),
    ({"change": {}}, 400, "unknown field 'change'"),
    ({"unset": ["tap"]}, 400, "cannot change 'tap' of a pipeline"),
    ({}, 400, "nothing to change in pipeline 'orders'"),
])
def test_an_edit_from_the_api_is_held_to_the_same_rules(guarded: Server, body: dict[str, Any], status: int,
                                                       message: str | None) -> None:
    """PATCH names only the workspace's plugins, takes settings literally, keeps paths inside."""
    before = (guarded.root / "flext.toml").read_text()
    got, doc, _ = http("PATCH", guarded.url + V1 + "/pipelines/orders", token=guarded.token, body=body)
    assert got == status, doc
    if message is None:
        assert doc["error"]["message"].startswith("tap_config.path: ")
        assert CANARY not in json.dumps(doc)
    else:
        assert doc["error"]["message"] == message
    assert (guarded.root / "flext.toml").read_text() == before
    assert not (guarded.root.parent / "tap-evil.ran").exists()


# -- item 11: dbt projects stay inside the workspace --------------------------------------------------
@pytest.mark.parametrize("project", ["~/x", "~", "..", "../outside", "/tmp", "transform/../../outside", "escape",
                                     "escape/models"])
def test_dbt_projects_cannot_escape_the_workspace(guarded: Server, project: str) -> None:
    status, doc, _ = http("POST", guarded.url + V1 + "/dbt/run", token=_operator(guarded), body={"project": project})
    assert status == 400, doc
    assert doc["error"]["message"] == f"project {project!r} is not a path inside the workspace"


@pytest.mark.parametrize(("field", "value"), [("transform", "~/x"), ("transform", "escape"),
                                              ("tap_config_file", "../outside/dbt_project.yml"),
                                              ("target_config_file", "/etc/hostname")])
def test_pipeline_paths_from_the_api_stay_inside_the_workspace(guarded: Server, field: str, value: str) -> None:
    spec = {"name": "p5", "tap": "tap-jsonl", "target": "target-jsonl", field: value}
    status, doc, _ = http("POST", guarded.url + V1 + "/pipelines", token=guarded.token, body=spec)
    assert status == 400, doc
    assert doc["error"]["message"] == f"{field} {value!r} is not a path inside the workspace"


def test_dbt_arguments_cannot_be_options(guarded: Server) -> None:
    for field in ("select", "target"):
        body = {"project": "transform", field: "--profiles-dir=/etc"}
        status, doc, _ = http("POST", guarded.url + V1 + "/dbt/run", token=_operator(guarded), body=body)
        assert (status, doc["error"]["message"]) == (400, f"{field} must not start with '-'")


# -- item 15: names must be strings ----------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "kind", "message"), [
    (b'{"name": NaN, "tap": "tap-jsonl", "target": "target-jsonl"}', "bad_json",
     "the request body is not valid JSON (NaN and Infinity are not JSON)"),
    (b'{"name": 12, "tap": "tap-jsonl", "target": "target-jsonl"}', "usage_error", "name must be a string, got int"),
    (b'{"name": null, "tap": "tap-jsonl", "target": "target-jsonl"}', "usage_error", "name is required"),
    (b'{"name": "ok", "tap": ["tap-jsonl"], "target": "target-jsonl"}', "usage_error", "tap must be a string, got list"),
    (b'{"pipelines": [{"name": 1.5, "tap": "tap-jsonl", "target": "target-jsonl"}]}', "usage_error",
     "pipelines[0].name must be a string, got float"),
])
def test_pipeline_names_must_be_strings(guarded: Server, raw: bytes, kind: str, message: str) -> None:
    status, doc, _ = http("POST", guarded.url + V1 + "/pipelines", token=guarded.token, raw=raw)
    assert (status, doc["error"]["type"], doc["error"]["message"]) == (400, kind, message)
    listed = http("GET", guarded.url + V1 + "/pipelines", token=guarded.token)[1]
    assert [p["name"] for p in listed] == ["orders"]


# -- item 15: viewers see no absolute server path ---------------------------------------------------------
def _fake_run(root: Path, pipeline: str, run_id: str, error: str, log_lines: list[str]) -> None:
    runs = root / ".flext" / "runs" / pipeline
    runs.mkdir(parents=True, exist_ok=True)
    log = runs / f"{run_id}.log"
    log.write_text("".join(json.dumps({"ts": "2026-01-01T00:00:00.000Z", "level": "error", "source": "tap",
                                       "run_id": run_id, "pipeline": pipeline, "message": m}) + "\n"
                           for m in log_lines))
    record = {"id": run_id, "pipeline": pipeline, "status": "failed", "started_at": "2026-01-01T00:00:00.000Z",
              "ended_at": "2026-01-01T00:00:01.000Z", "duration_s": 1.0, "records": 0,
              "exit_codes": {"tap": 1, "target": 0}, "log": str(log), "pid": None, "pgid": None,
              "error": error, "full_refresh": False, "attempt": 0, "trigger": "cli"}
    (runs / f"{run_id}.json").write_text(json.dumps(record))


def test_viewers_see_no_absolute_server_paths(guarded: Server) -> None:
    root = guarded.root
    run_id = "20260101T000000Z-aaaa"
    _fake_run(root, "orders", run_id, f"tap exited 1: cannot open {root}/data/x.jsonl", [f"reading {root}/data"])
    viewer = _viewer(guarded)
    paths = ["/pipelines/orders", "/pipelines/orders/runs", f"/pipelines/orders/runs/{run_id}",
             "/pipelines/orders/status", "/status", "/pipelines", "/plugins?installed=1", "/system/status",
             f"/pipelines/orders/logs?run={run_id}", "/pipelines/nope", "/pipelines/orders/runs/nope"]
    for path in paths:
        status, doc, _ = http("GET", guarded.url + V1 + path, token=viewer)
        assert status < 500, (path, doc)
        text = doc if isinstance(doc, str) else json.dumps(doc)
        assert str(root) not in text and str(root.parent) not in text, (path, text)
        assert os.path.realpath(root) not in text, (path, text)
    record = http("GET", guarded.url + V1 + f"/pipelines/orders/runs/{run_id}", token=viewer)[1]
    assert record["log"] == f".flext/runs/orders/{run_id}.log"
    assert record["error"] == "tap exited 1: cannot open data/x.jsonl"
    assert http("GET", guarded.url + V1 + "/pipelines/orders", token=viewer)[1]["workspace"] == "."
    admin = http("GET", guarded.url + V1 + f"/pipelines/orders/runs/{run_id}", token=guarded.token)[1]
    assert admin["log"] == str(root / ".flext" / "runs" / "orders" / f"{run_id}.log")  # operators and admins: as is
