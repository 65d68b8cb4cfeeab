"""`backend = "flexcore"`: pipeline commands mapped onto FlexCore's orchestration routes.

Run against `FakeFlexCore` (tests/backend/fake_flexcore.py), a server answering with
FlexCore's documented shapes, since FlexCore itself cannot be built here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from flext.backend.flexcore import _iso, to_run
from tests.backend.fake_flexcore import FakeFlexCore
from tests.conftest import Run

TOKEN = "flexcore-test-token"
Flext = Callable[..., Run]


@pytest.fixture
def fake(env: dict[str, str]) -> Iterator[FakeFlexCore]:
    server = FakeFlexCore(token=TOKEN)
    config = Path(env["FLEXT_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(
        f'current_profile = "fc"\n[profiles.fc]\nbackend = "flexcore"\napi_url = "{server.url}"\nretries = 0\n')
    yield server
    server.close()


@pytest.fixture
def fc(flext: Flext, fake: FakeFlexCore) -> Flext:
    def run(*argv: str) -> Run:
        return flext(*argv, extra_env={"FLEXT_TOKEN": TOKEN})

    return run


def test_start_sends_the_documented_request(fc: Flext, fake: FakeFlexCore) -> None:
    started = fc("pipeline", "start", "orders", "--full-refresh")
    assert started.code == 0, started
    orch_id = started.out.strip()
    assert orch_id.startswith("orch_") and started.err == f"started orders: run {orch_id}\n"
    execute = [r for r in fake.requests if r["path"] == "/api/v1/orchestration/execute"]
    body = json.loads(execute[0]["body"])
    assert set(body) == {"name", "runtime_type", "command", "args", "config", "timeout", "priority", "metadata"}
    assert {k: body[k] for k in ("name", "runtime_type", "command", "args", "config", "timeout", "priority")} == {
        "name": "orders", "runtime_type": "meltano", "command": "run", "args": ["orders", "--full-refresh"],
        "config": {}, "timeout": 3600 * 10**9, "priority": "normal"}
    assert body["metadata"]["full_refresh"] is True and body["metadata"]["source"] == "flext"
    assert execute[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"


def test_run_lifecycle(fc: Flext, fake: FakeFlexCore) -> None:
    orch_id = fc("pipeline", "start", "orders").out.strip()
    status = fc("pipeline", "status", "-o", "json")
    assert status.code == 0
    assert [(r["pipeline"], r["status"], r["run"]) for r in status.json()] == [("orders", "queued", orch_id)]
    fake.advance(orch_id, "running", "meltano run orders", "tap-oracle-wms: 120 records")
    logs = fc("pipeline", "logs", "orders", "-o", "jsonl")
    assert [json.loads(x)["message"] for x in logs.out.splitlines()] == [
        "Orchestration created", "meltano run orders", "tap-oracle-wms: 120 records"]
    tail = fc("pipeline", "logs", "orders", "--tail", "1", "-o", "plain")
    assert tail.out.endswith("\tinfo\tflexcore\ttap-oracle-wms: 120 records\n")
    stopped = fc("pipeline", "stop", "orders")
    assert (stopped.code, stopped.err) == (0, f"✓ stopped orders: run {orch_id} cancelled\n")
    cancel = [r for r in fake.requests if r["path"].endswith("/cancel")]
    assert [r["path"] for r in cancel] == [f"/api/v1/orchestration/{orch_id}/cancel"]
    again = fc("pipeline", "stop", "orders")
    assert (again.code, again.err) == (6, "error: pipeline 'orders' is not running on FlexCore\n")

    second = fc("pipeline", "start", "orders").out.strip()
    fake.advance(second, "completed", "done")
    listed = fc("pipeline", "list", "-o", "json").json()
    assert [(r["name"], r["status"], r["last_run"]) for r in listed] == [("orders", "succeeded", second)]
    runs = fc("pipeline", "runs", "orders", "-o", "json").json()
    assert [(r["id"], r["status"]) for r in runs] == [(second, "succeeded"), (orch_id, "cancelled")]
    assert runs[0]["duration_s"] is not None and runs[0]["ended_at"].endswith("Z")
    failed = fc("pipeline", "start", "orders").out.strip()
    fake.advance(failed, "timeout", error="Orchestration timeout exceeded")
    row = fc("pipeline", "status", "orders", "-o", "json").json()[0]
    assert (row["status"], row["error"]) == ("failed", "Orchestration timeout exceeded")


def test_wait_follows_until_the_end(fc: Flext, fake: FakeFlexCore) -> None:
    import threading

    def finish_when_started() -> None:
        for _ in range(600):
            for orch_id, orch in list(fake.orchestrations.items()):
                if orch["status"] == "submitted":
                    fake.advance(orch_id, "completed", "loaded 3 records")
                    return
            threading.Event().wait(0.05)

    helper = threading.Thread(target=finish_when_started)
    helper.start()
    waited = fc("pipeline", "start", "orders", "--wait")
    helper.join()
    assert waited.code == 0, waited
    assert "loaded 3 records" in waited.err


def test_plugins_map_from_the_plugin_list(fc: Flext) -> None:
    taps = fc("data", "taps", "list", "-o", "json")
    assert taps.code == 0, taps
    assert [(r["name"], r["kind"], r["installed"], r["source"]) for r in taps.json()] == [
        ("tap-oracle-wms", "tap", "1.2.0", "flexcore")]
    targets = fc("data", "targets", "list", "-o", "json").json()
    assert [r["name"] for r in targets] == ["target-oracle"]


@pytest.mark.parametrize(("argv", "what"), [
    (("pipeline", "create", "p", "--tap", "a", "--target", "b"), "store pipeline definitions"),
    (("pipeline", "state", "orders"), "show a pipeline's Singer state"),
    (("data", "taps", "install", "tap-x"), "install taps or targets"),
    (("data", "taps", "discover", "tap-x"), "run Singer discovery"),
    (("service", "list"), "list services"),
    (("logs", "search", "x"), "search or tail logs"),
])
def test_what_cannot_map_is_exit_8_naming_backend_and_verb(fc: Flext, argv: tuple[str, ...], what: str) -> None:
    got = fc(*argv)
    assert (got.code, got.out) == (8, ""), got
    assert got.err == (f"error: the flexcore backend cannot {what}\n"
                       'hint: use a `flext serve` profile (backend = "http") or the local engine for this\n')


def test_flexcore_errors_are_shown_with_their_details(fc: Flext, fake: FakeFlexCore) -> None:
    got = fc("pipeline", "logs", "orders", "--run", "orch_nope")
    assert (got.code, got.err) == (6, "error: FlexCore: Orchestration not found: orchestration orch_nope not found\n")
    shown = fc("pipeline", "show", "orders")
    assert shown.code == 6
    assert shown.err == ("error: pipeline 'orders' has no runs on FlexCore\n"
                         "hint: FlexCore knows pipelines by their runs: start one with `flext pipeline start orders`\n")


def test_without_the_token_flexcore_says_401(flext: Flext, fake: FakeFlexCore) -> None:
    got = flext("pipeline", "list")
    assert got.code == 4
    assert got.err.startswith("error: FlexCore: Unauthorized: missing or invalid bearer token\n")


@pytest.mark.parametrize(("go", "flext_ts"), [
    ("2026-11-27T10:00:00.123456789Z", "2026-11-27T10:00:00.123Z"),
    ("2026-11-27T11:00:00.5+01:00", "2026-11-27T10:00:00.500Z"),
    ("2026-11-27T10:00:00Z", "2026-11-27T10:00:00.000Z"),
    ("0001-01-01T00:00:00Z", None),
    (None, None),
])
def test_go_times_become_flext_times(go: str | None, flext_ts: str | None) -> None:
    assert _iso(go) == flext_ts


@pytest.mark.parametrize(("status", "mapped"), [
    ("pending", "queued"), ("submitted", "queued"), ("running", "running"), ("completed", "succeeded"),
    ("failed", "failed"), ("timeout", "failed"), ("cancelled", "cancelled"),
])
def test_statuses_map(status: str, mapped: str) -> None:
    assert to_run({"id": "o", "name": "n", "status": status})["status"] == mapped


@pytest.mark.parametrize(("status", "body", "kind", "message", "hint"), [
    (401, {"error": "Unauthorized"}, "AuthError", "FlexCore: Unauthorized",
     "log in with `flext auth login`, or set FLEXT_TOKEN"),
    (403, {"error": "Forbidden", "details": "role viewer"}, "AuthError", "FlexCore: Forbidden: role viewer",
     "log in with `flext auth login`, or set FLEXT_TOKEN"),
    (404, {"error": "Pipeline not found"}, "NotFound", "FlexCore: Pipeline not found", None),
    (409, {"error": "already running"}, "Conflict", "FlexCore: already running", None),
    (400, {"error": "bad request"}, "UsageError", "FlexCore: bad request", None),
    (503, "<html>down</html>", "OperationFailed", "HTTP 503 from http://fc:8080/api/v1/pipelines",
     "see FlexCore's log"),
])
def test_flexcore_error_mapping(status: int, body: Any, kind: str, message: str, hint: str | None) -> None:
    import httpx

    from flext.backend.flexcore import flexcore_error

    request = httpx.Request("GET", "http://fc:8080/api/v1/pipelines")
    response = (httpx.Response(status, json=body, request=request) if isinstance(body, dict)
                else httpx.Response(status, text=body, request=request))
    error = flexcore_error(response, "http://fc:8080")
    assert (type(error).__name__, error.message, error.hint) == (kind, message, hint)
