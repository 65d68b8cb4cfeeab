"""flext on a real Airflow 3: DAGs deployed by `flext deploy airflow`, operated through
a profile with `backend = "airflow"` over the REST API v2 (one Airflow per session, see
conftest.py). A real pipeline (tap-jsonl -> target-jsonl) runs end to end; its records
land in the workspace, its logs and state are read back through Airflow; a long run is
stopped (its tap really ends); schedules pause and resume; verbs Airflow cannot do exit 8.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.backends import airflow_cache
from tests.backends.conftest import ORDERS, Airflow, Target, flext_run
from tests.engine.conftest import poll
from tests.keyring.service import clean_keyring, secret_service  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.airflow, pytest.mark.timeout(900)]

Setup = tuple[Airflow, Path, dict[str, str]]


def local(setup: Setup, *argv: str) -> Any:
    """The same workspace read by the local engine, for comparison."""
    _, workspace, env = setup
    got = flext_run(env, "-C", str(workspace), *argv, "-o", "json", cwd=workspace.parent)
    assert got.code == 0, got
    return got.json()


def test_deployed_dags_as_airflow_sees_them(airflow_setup: Setup) -> None:
    airflow, workspace, _ = airflow_setup
    status, errors = airflow.request("GET", "/api/v2/importErrors")
    assert (status, errors["total_entries"]) == (200, 0), errors
    expected = {"orders": (None, False), "waits": (None, False), "hourly": ("0 3 * * *", True)}
    for dag_id, (schedule, paused) in expected.items():
        status, dag = airflow.request("GET", f"/api/v2/dags/{dag_id}")
        assert status == 200, dag
        assert [t["name"] for t in dag["tags"]] == ["flext"]
        assert (dag["dag_display_name"], dag["max_active_runs"], dag["timetable_summary"]) == (dag_id, 1, schedule)
        assert dag["fileloc"] == str(airflow.dags / f"flext_{dag_id}.py")
        if dag_id == "hourly":
            assert dag["is_paused"] is paused  # `paused = true` in flext.toml: created paused
    text = (airflow.dags / "flext_orders.py").read_text()
    assert f"# workspace: {workspace}\n" in text and "catchup=False," in text


def test_run_end_to_end(airflow_target: Target, airflow_setup: Setup) -> None:
    _, workspace, _ = airflow_setup
    got = airflow_target("pipeline", "run", "orders", "-o", "json")
    assert got.code == 0, got
    record = got.json()
    assert isinstance(record, dict)
    assert (record["pipeline"], record["status"], record["records"], record["exit_codes"]) == (
        "orders", "succeeded", 3, {"tap": 0, "target": 0})
    assert got.err == f"✓ orders: run {record['id']} succeeded, 3 records in {record['duration_s']:.1f}s\n"
    here = local(airflow_setup, "pipeline", "runs", "orders")
    mine = next(r for r in here if r["id"] == record["workspace_run"])  # the run happened in the workspace
    assert (mine["status"], mine["records"]) == ("succeeded", 3)
    landed = [json.loads(line) for path in sorted((workspace / "output").glob("orders*.jsonl"))
              for line in path.read_text().splitlines()]
    assert [r["id"] for r in landed][-3:] == [1, 2, 3] and landed[-1]["amount"] == ORDERS[-1]["amount"]


def test_logs_of_a_run(airflow_target: Target) -> None:
    run = airflow_target.done_run()["final"]
    got = airflow_target("pipeline", "logs", "orders", "--run", run["id"], "-o", "jsonl")
    assert got.code == 0, got
    lines = [json.loads(line) for line in got.out.splitlines()]
    sources = {line["source"] for line in lines}
    assert {"airflow", "task", "tap", "runner"} <= sources, sources
    assert [m for m in (line["message"] for line in lines if line["source"] == "runner")][-2:] == [
        "tap exited 0, target exited 0, 3 records", "run succeeded"]
    tail = airflow_target("pipeline", "logs", "orders", "--run", run["id"], "--tail", "2", "-o", "jsonl")
    assert [json.loads(line) for line in tail.out.splitlines()] == lines[-2:]
    missing = airflow_target("pipeline", "logs", "orders", "--run", "no-such-run")
    assert (missing.code, missing.err.splitlines()[0]) == (
        6, "error: pipeline 'orders' has no run 'no-such-run' on Airflow"), missing


def test_logs_follow_until_the_run_ends(airflow_target: Target) -> None:
    started = airflow_target("pipeline", "start", "orders", "-o", "json")
    assert started.code == 0, started
    run_id = started.json()["id"]  # type: ignore[index]
    got = airflow_target("pipeline", "logs", "orders", "--run", run_id, "-f", "-o", "jsonl")
    assert got.code == 0, got  # returned on its own once the task had ended
    lines = [json.loads(line) for line in got.out.splitlines()]
    keys = [(line["ts"], line["source"], line["message"]) for line in lines]
    assert len(keys) == len(set(keys)), "the continuation token repeated lines"
    assert any(line["source"] == "runner" and line["message"] == "run succeeded" for line in lines)
    assert airflow_target.json("pipeline", "status", "orders")[0]["status"] == "succeeded"


def test_state_is_the_workspace_state(airflow_target: Target, airflow_setup: Setup) -> None:
    airflow_target.done_run()
    state = airflow_target.json("pipeline", "state", "orders")
    assert state == local(airflow_setup, "pipeline", "state", "orders")
    assert state["bookmarks"]["orders"]["partitions"][0]["context"]["_sdc_stream"] == "orders"


def test_full_refresh_reaches_the_run(airflow_target: Target, airflow_setup: Setup) -> None:
    started = airflow_target("pipeline", "start", "orders", "--full-refresh", "-o", "json")
    assert started.code == 0, started
    record = started.json()
    assert isinstance(record, dict) and record["full_refresh"] is True
    final = airflow_target.finish("orders", str(record["id"]))
    assert final["status"] == "succeeded", final
    shown = airflow_target.json("pipeline", "runs", "orders", "--limit", "1")[0]
    assert (shown["id"], shown["full_refresh"]) == (record["id"], True)
    here = local(airflow_setup, "pipeline", "runs", "orders", "--limit", "1")[0]
    assert here["full_refresh"] is True  # the DAG passed --full-refresh to `flext pipeline run`


def test_stop_kills_the_task_and_its_tap(airflow_target: Target, airflow_setup: Setup) -> None:
    airflow, workspace, _ = airflow_setup
    run_id = airflow_target.running("waits")
    here = local(airflow_setup, "pipeline", "runs", "waits", "--limit", "1")[0]
    assert here["status"] == "running" and here["pgid"]
    got = airflow_target("pipeline", "stop", "waits", "-o", "json")
    assert got.code == 0, got
    assert got.json() == {"pipeline": "waits", "run": run_id, "status": "cancelled", "error": None}
    status, dag_run = airflow.request("GET", f"/api/v2/dags/waits/dagRuns/{quote(run_id, safe='')}")
    assert (status, dag_run["state"], dag_run["note"]) == (200, "failed", "stopped by flext")
    ended = poll(lambda: (lambda r: r if r["status"] != "running" else None)(
        local(airflow_setup, "pipeline", "runs", "waits", "--limit", "1")[0]), timeout=60, what="the workspace run")
    assert (ended["id"], ended["status"], ended["error"]) == (here["id"], "cancelled", "stopped by request")
    with pytest.raises(ProcessLookupError):
        os.killpg(int(here["pgid"]), 0)  # the tap's process group is gone
    assert workspace.exists()


def test_pause_and_resume_the_dag(airflow_target: Target, airflow_setup: Setup) -> None:
    airflow = airflow_setup[0]
    resumed = airflow_target.json("pipeline", "resume", "hourly")
    assert resumed["paused"] is False and resumed["next_run"]
    assert airflow.request("GET", "/api/v2/dags/hourly")[1]["is_paused"] is False
    paused = airflow_target.json("pipeline", "pause", "hourly")
    assert paused == {"name": "hourly", "schedule": "0 3 * * *", "paused": True}
    assert airflow.request("GET", "/api/v2/dags/hourly")[1]["is_paused"] is True
    listed = airflow_target.json("pipeline", "schedules")
    assert listed == [{"name": "hourly", "schedule": "0 3 * * *", "paused": True, "next_run": None}]


REFUSED = [
    (("pipeline", "create", "x", "--tap", "tap-jsonl", "--target", "target-jsonl"), "store pipeline definitions",
     "pipeline definitions live in DAG files on Airflow: change flext.toml, then "
     "`flext deploy airflow --dags-folder DIR`"),
    (("pipeline", "delete", "orders", "--yes"), "delete pipeline definitions",
     "remove it from flext.toml, then `flext deploy airflow --dags-folder DIR` removes its DAG file"),
    (("pipeline", "state", "orders", "--clear", "--yes"), "clear a pipeline's Singer state",
     "the state lives in the workspace the DAG runs in: there, `flext pipeline state orders --clear`"),
    (("data", "taps", "install", "tap-jsonl"), "install taps or targets",
     "install taps and targets in the workspace the DAGs run in (there: `flext plugin install NAME`), "
     "or into the task's image"),
    (("service", "list"), "list services",
     "Airflow runs deployed DAGs only; use the workspace's own engine (a local profile) for this"),
    (("logs", "search", "orders"), "search or tail logs",
     "Airflow runs deployed DAGs only; use the workspace's own engine (a local profile) for this"),
]


@pytest.mark.parametrize(("argv", "what", "hint"), REFUSED, ids=[" ".join(r[0][:2]) for r in REFUSED])
def test_refused_verbs_exit_8_naming_airflow(airflow_target: Target, argv: tuple[str, ...], what: str,
                                             hint: str) -> None:
    got = airflow_target(*argv)
    assert (got.code, got.out) == (8, ""), got
    assert got.err == f"error: the airflow backend cannot {what}\nhint: {hint}\n"


def test_deploy_adds_and_removes_dags_live(airflow_target: Target, airflow_setup: Setup) -> None:
    airflow, workspace, env = airflow_setup
    toml = workspace / "flext.toml"
    before = toml.read_text()
    toml.write_text(before + '\n[pipelines."extra.orders"]\ntap = "tap-jsonl"\ntarget = "target-jsonl"\n'
                    'tap_config = { path = "data/orders.jsonl", stream_name = "orders" }\n'
                    'target_config = { destination_path = "output-extra" }\n')
    deploy = ("-C", str(workspace), "deploy", "airflow", "--dags-folder", str(airflow.dags), "-o", "json")
    try:
        got = flext_run(env, *deploy, cwd=workspace.parent)
        assert got.code == 0, got
        assert {r["pipeline"]: r["action"] for r in got.json()} == {  # type: ignore[union-attr]
            "extra.orders": "written", "hourly": "kept", "orders": "kept", "waits": "kept"}
        airflow.wait_dags({"extra.orders"})
        shown = airflow_target.json("pipeline", "show", "extra.orders")
        assert (shown["name"], shown["tap"], shown["status"], shown["dag_id"]) == (
            "extra.orders", "tap-jsonl", "never", "extra.orders")
    finally:
        toml.write_text(before)
    got = flext_run(env, *deploy, cwd=workspace.parent)
    assert [r for r in got.json() if r["action"] != "kept"] == [  # type: ignore[union-attr]
        {"pipeline": "extra.orders", "dag_id": "extra.orders", "action": "removed",
         "file": str(airflow.dags / "flext_extra.orders.py")}]
    airflow.wait_dags({"extra.orders"}, present=False)
    gone = airflow_target("pipeline", "show", "extra.orders")
    assert gone.code == 6, gone


@pytest.mark.keyring
def test_login_whoami_logout(airflow_target: Target, airflow_setup: Setup, request: pytest.FixtureRequest) -> None:
    service = request.getfixturevalue("clean_keyring")
    import keyring

    airflow = airflow_setup[0]
    keys = {"DBUS_SESSION_BUS_ADDRESS": service.address, "PYTHON_KEYRING_BACKEND": None}
    password = json.loads((airflow.base / "passwords.json").read_text())["admin"]
    login = airflow_target("auth", "login", "-u", "admin", "--password-stdin", stdin=password, token=None,
                           env_update=keys)
    assert (login.code, login.out) == (0, ""), login
    assert login.err == f"✓ logged in to {airflow.url} as admin (admin); token kept in the keyring\n"
    token = keyring.get_password("flext", "airflow/api-token.airflow")
    assert token and token not in login.err and password not in login.err
    me = airflow_target("auth", "whoami", "-o", "json", token=None, env_update=keys)
    assert me.code == 0, me
    assert {k: v for k, v in me.json().items() if k != "expires_at"} == {  # type: ignore[union-attr]
        "user": "admin", "role": "admin", "backend": "airflow", "server": airflow.url}
    out = airflow_target("auth", "logout", "-o", "json", token=None, env_update=keys)
    assert out.code == 0, out
    assert out.json() == {"profile": "airflow", "revoked": True, "forgotten": True}
    assert airflow.request("GET", "/api/v2/dags", token=token)[0] in (401, 403)  # revoked on Airflow
    after = airflow_target("auth", "whoami", token=None, env_update=keys)
    assert after.code == 4, after


def test_connectivity_names_airflow_and_its_version(airflow_target: Target) -> None:
    doc = airflow_target.json("debug", "connectivity")
    assert (doc["backend"], doc["version"], doc["user"], doc["role"]) == (
        "airflow", airflow_cache.VERSION, "admin", "admin")
    assert doc["detail"] == (f"Airflow {airflow_cache.VERSION} (metadatabase healthy, scheduler healthy, "
                             "triggerer healthy, dag_processor healthy)")
