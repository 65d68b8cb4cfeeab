"""One behaviour, four engines: the same command line gives the same output shape (JSON
field names) and exit code on the local engine, a `flext serve`, FlexCore and Airflow 3.

Where an engine honestly cannot do a verb, the suite asserts the one clear error: exit 8
and a message naming the backend (`error: the flexcore backend cannot ...`), never an
answer made up from this machine's files. Expectations are tables keyed by backend.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.backends.conftest import Target
from tests.conftest import Run

pytestmark = [pytest.mark.conformance, pytest.mark.timeout(900)]

KINDS = [pytest.param("local", id="local"), pytest.param("http", id="http"),
         pytest.param("flexcore", id="flexcore"), pytest.param("airflow", id="airflow", marks=pytest.mark.airflow)]
REMOTE = [k for k in KINDS if k.values[0] != "local"]

PIPELINE_ROW = {"name", "tap", "target", "transform", "schedule", "status", "last_run", "last_started", "records"}
RUN_RECORD = {"id", "pipeline", "status", "started_at", "ended_at", "duration_s", "records", "exit_codes", "error",
              "full_refresh", "attempt", "trigger"}
STATUS_ROW = {"pipeline", "status", "run", "started_at", "duration_s", "records", "error"}
LOG_LINE = {"ts", "level", "source", "message"}
SCHEDULE_ROW = {"name", "schedule", "paused", "next_run"}
CONNECTIVITY = {"profile", "backend", "url", "workspace", "reachable", "version", "latency_ms", "user", "role", "detail"}


@pytest.fixture(params=KINDS)
def backend(request: pytest.FixtureRequest) -> Target:
    target: Target = request.getfixturevalue(f"{request.param}_target")
    return target


def refused(got: Run, kind: str, what: str) -> None:
    """The one clear error of a verb this engine cannot do."""
    assert got.code == 8, got
    assert got.out == ""
    assert got.err.startswith(f"error: the {kind} backend cannot {what}\nhint: "), got


def jsonl(text: str) -> list[dict[str, Any]]:
    import json

    return [json.loads(line) for line in text.splitlines() if line.strip()]


# -- pipelines ---------------------------------------------------------------------------------
def test_pipeline_start_gives_a_run_record(backend: Target) -> None:
    done = backend.done_run()
    assert set(done["start"]) >= RUN_RECORD, done["start"]
    assert (done["start"]["pipeline"], done["start"]["status"]) in (("orders", "queued"), ("orders", "running"))
    assert done["final"]["status"] == "succeeded", done


RECORDS = {"local": 3, "http": 3, "flexcore": None, "airflow": 3}  # FlexCore reports no record counts


def test_pipeline_list(backend: Target) -> None:
    backend.done_run()
    rows = backend.json("pipeline", "list")
    assert rows and all(set(r) == PIPELINE_ROW for r in rows), rows
    orders = next(r for r in rows if r["name"] == "orders")
    assert (orders["status"], orders["records"]) == ("succeeded", RECORDS[backend.kind])
    if backend.kind != "flexcore":  # FlexCore knows a pipeline by its runs only
        assert (orders["tap"], orders["target"]) == ("tap-jsonl", "target-jsonl")


def latest(backend: Target, name: str) -> dict[str, Any]:
    """The newest run of `name` as `pipeline runs` shows it (other tests may have run it since)."""
    rows = backend.json("pipeline", "runs", name, "--limit", "1")
    assert len(rows) == 1, rows
    return dict(rows[0])


def test_pipeline_show(backend: Target) -> None:
    backend.done_run()
    run = latest(backend, "orders")
    doc = backend.json("pipeline", "show", "orders")
    assert {"name", "status", "last_run"} <= set(doc), doc
    assert (doc["name"], doc["status"], doc["last_run"]) == ("orders", "succeeded", run["id"])
    missing = backend("pipeline", "show", "no-such-pipeline")
    assert (missing.code, missing.out) == (6, ""), missing
    assert missing.err.startswith("error: "), missing


def test_pipeline_status(backend: Target) -> None:
    backend.done_run()
    run = latest(backend, "orders")
    rows = backend.json("pipeline", "status", "orders")
    assert [set(r) for r in rows] == [STATUS_ROW], rows
    assert (rows[0]["pipeline"], rows[0]["status"], rows[0]["run"]) == ("orders", "succeeded", run["id"])
    assert rows[0]["records"] == RECORDS[backend.kind]


def test_pipeline_runs(backend: Target) -> None:
    run = backend.done_run()["final"]
    rows = backend.json("pipeline", "runs", "orders")
    assert rows and all(set(r) >= RUN_RECORD for r in rows), rows
    assert run["id"] in [r["id"] for r in rows]


def test_pipeline_logs(backend: Target) -> None:
    run = backend.done_run()["final"]
    got = backend("pipeline", "logs", "orders", "--run", run["id"], "-o", "jsonl")
    assert got.code == 0, got
    lines = jsonl(got.out)
    assert lines and all(set(line) >= LOG_LINE for line in lines), lines
    if backend.kind == "flexcore":  # FlexCore's orchestration log
        assert [line["message"] for line in lines][-1] == "run succeeded"
    else:  # the runner's own lines, from the workspace the run happened in
        assert any(line["source"] == "runner" and line["message"] == "run succeeded" for line in lines), lines


def test_pipeline_stop(backend: Target) -> None:
    run_id = backend.running("waits")
    got = backend("pipeline", "stop", "waits", "-o", "json")
    assert got.code == 0, got
    assert got.json() == {"pipeline": "waits", "run": run_id, "status": "cancelled", "error": None}
    assert got.err == f"✓ stopped waits: run {run_id} cancelled\n"
    last = backend.json("pipeline", "runs", "waits", "--limit", "1")[0]
    assert (last["id"], last["status"]) == (run_id, "cancelled")
    again = backend("pipeline", "stop", "waits")
    assert again.code == 6, again


STATE = {"local": 0, "http": 0, "flexcore": 8, "airflow": 0}


def test_pipeline_state(backend: Target) -> None:
    backend.done_run()
    got = backend("pipeline", "state", "orders", "-o", "json")
    assert got.code == STATE[backend.kind], got
    if got.code == 8:
        refused(got, backend.kind, "show a pipeline's Singer state")
        return
    state = got.json()
    assert isinstance(state, dict) and "bookmarks" in state and "orders" in state["bookmarks"], state


def test_pipeline_create(backend: Target) -> None:
    got = backend("pipeline", "create", "conformance-new", "--tap", "tap-jsonl", "--target", "target-jsonl",
                  "-o", "json")
    if backend.kind in ("flexcore", "airflow"):
        refused(got, backend.kind, "store pipeline definitions")
        return
    assert got.code == 0, got
    assert {"name", "tap", "target"} <= set(got.json())  # type: ignore[arg-type]
    assert backend("pipeline", "delete", "conformance-new", "--yes").code == 0


def test_pipeline_edit(backend: Target) -> None:
    """One key changes on the engine's own definition; the settings kept there stay."""
    got = backend("pipeline", "edit", "orders", "--retries", "3", "-o", "json")
    if backend.kind in ("flexcore", "airflow"):
        refused(got, backend.kind, "change pipeline definitions")
        return
    assert got.code == 0, got
    edited = got.json()
    assert {"name", "tap", "target", "next_run"} <= set(edited), edited  # type: ignore[arg-type]
    shown = backend.json("pipeline", "show", "orders")
    assert (shown["retries"], shown["tap_config"]["path"]) == (3, "data/orders.jsonl"), shown
    assert backend("pipeline", "edit", "orders", "--unset", "retries").code == 0
    assert "retries" not in backend.json("pipeline", "show", "orders")
    missing = backend("pipeline", "edit", "ordres", "--retries", "1")
    assert (missing.code, missing.err.splitlines()[1]) == (6, "hint: did you mean 'orders'?"), missing


# -- schedules -------------------------------------------------------------------------------
def test_pipeline_schedules(backend: Target) -> None:
    got = backend("pipeline", "schedules", "-o", "json")
    if backend.kind == "flexcore":
        refused(got, "flexcore", "list schedules")
        return
    assert got.code == 0, got
    rows = got.json()
    assert isinstance(rows, list) and all(set(r) == SCHEDULE_ROW for r in rows), rows
    hourly = next(r for r in rows if r["name"] == "hourly")
    assert (hourly["schedule"], hourly["paused"], hourly["next_run"]) == ("0 3 * * *", True, None)


def test_pipeline_pause_resume(backend: Target) -> None:
    if backend.kind == "flexcore":
        refused(backend("pipeline", "pause", "hourly"), "flexcore", "pause schedules")
        refused(backend("pipeline", "resume", "hourly"), "flexcore", "resume schedules")
        return
    resumed = backend.json("pipeline", "resume", "hourly")
    assert set(resumed) == {"name", "schedule", "paused", "next_run"}, resumed
    assert (resumed["name"], resumed["schedule"], resumed["paused"]) == ("hourly", "0 3 * * *", False)
    when = datetime.fromisoformat(str(resumed["next_run"])).astimezone()
    assert (when.hour, when.minute) == (3, 0)  # the cron is read in local time everywhere
    listed = {r["name"]: r for r in backend.json("pipeline", "schedules")}
    assert listed["hourly"]["paused"] is False and listed["hourly"]["next_run"]
    paused = backend.json("pipeline", "pause", "hourly")
    assert paused == {"name": "hourly", "schedule": "0 3 * * *", "paused": True}
    no_schedule = backend("pipeline", "pause", "orders")
    assert (no_schedule.code, no_schedule.err.splitlines()[0]) == (
        5, "error: pipeline 'orders' has no schedule to pause"), no_schedule


# -- services, logs, metrics ----------------------------------------------------------------------
def test_service_list(backend: Target) -> None:
    got = backend("service", "list", "-o", "json")
    if backend.kind in ("flexcore", "airflow"):
        refused(got, backend.kind, "list services")
        return
    assert got.code == 0, got
    rows = got.json()
    assert isinstance(rows, list) and all({"name", "url", "enabled"} <= set(r) for r in rows), rows


def test_logs_search(backend: Target) -> None:
    backend.done_run()
    got = backend("logs", "search", "run succeeded", "-o", "jsonl")
    if backend.kind in ("flexcore", "airflow"):
        refused(got, backend.kind, "search or tail logs")
        return
    assert got.code == 0, got
    lines = jsonl(got.out)
    assert lines and all("run succeeded" in line["message"] for line in lines), lines


METRICS = {"local": 2, "http": 0, "flexcore": 8, "airflow": 8}


def test_monitor_metrics_without_a_service(backend: Target) -> None:
    got = backend("monitor", "metrics", "-o", "json")
    assert got.code == METRICS[backend.kind], got
    if got.code == 8:
        refused(got, backend.kind, "show metrics")
    elif got.code == 2:  # the embedded engine has no metrics endpoint of its own
        assert got.err.startswith("error: the local engine serves no metrics of its own: name a service\n"), got
    else:  # flext serve's own /metrics, read with the profile's token
        rows = got.json()
        assert isinstance(rows, list) and rows, rows


# -- connectivity, identity -------------------------------------------------------------------------
VERSION = {"local": None, "http": None, "flexcore": "2.0.0", "airflow": "3."}


def test_debug_connectivity(backend: Target) -> None:
    doc = backend.json("debug", "connectivity")
    assert set(doc) == CONNECTIVITY, doc
    assert (doc["backend"], doc["reachable"], doc["profile"]) == (backend.kind, True, backend.kind)
    assert isinstance(doc["latency_ms"], float) and doc["version"]
    if VERSION[backend.kind]:
        assert str(doc["version"]).startswith(str(VERSION[backend.kind])), doc
    if backend.kind == "local":
        assert doc["url"] is None and doc["workspace"]
    else:
        assert doc["url"].startswith("http://127.0.0.1:") and doc["workspace"] is None
    if backend.kind in ("http", "airflow"):
        assert (doc["user"], doc["role"]) == ("admin", "admin"), doc


@pytest.mark.parametrize("kind", REMOTE)
def test_debug_connectivity_dead_url(kind: str, request: pytest.FixtureRequest) -> None:
    target: Target = request.getfixturevalue(f"{kind}_target")
    got = target("debug", "connectivity", profile=f"{kind}-dead")
    assert (got.code, got.out) == (3, ""), got
    assert got.err.startswith("error: cannot reach http://127.0.0.1:"), got


@pytest.mark.parametrize("kind", REMOTE)
def test_debug_connectivity_refused_token(kind: str, request: pytest.FixtureRequest) -> None:
    target: Target = request.getfixturevalue(f"{kind}_target")
    got = target("debug", "connectivity", token="not-a-token-0000")
    assert (got.code, got.out) == (4, ""), got
    assert got.err.startswith("error: "), got


WHOAMI = {"local": 0, "http": 0, "flexcore": 8, "airflow": 0}


def test_auth_whoami(backend: Target) -> None:
    got = backend("auth", "whoami", "-o", "json")
    assert got.code == WHOAMI[backend.kind], got
    if got.code == 8:
        refused(got, backend.kind, "tell who is logged in")
        return
    doc = got.json()
    assert {"user", "role"} <= set(doc), doc  # type: ignore[arg-type]
    if backend.kind != "local":
        assert (doc["user"], doc["role"]) == ("admin", "admin"), doc  # type: ignore[index]
