"""`flext deploy airflow` and the DAG files it writes, without an Airflow: names, the
rendered file, idempotence (byte-identical, only its own files removed), the Kubernetes
variant, how the task calls flext; and the airflow backend's mapping of Airflow's
answers (errors, log lines, the task's result line). The same DAGs run for real in
test_airflow.py."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flext.backend import airflow_dags as dags
from tests.conftest import Run

PIPELINES = """
[pipelines.orders]
tap = "tap-jsonl"
target = "target-jsonl"

[pipelines."sales.eu"]
tap = "tap-csv-folder"
target = "target-duckdb"
transform = "shop"
schedule = "*/15 6-20 * * mon-fri"
"""


@pytest.mark.parametrize(("name", "dag_id"), [
    ("orders", "orders"),
    ("sales.eu-2", "sales.eu-2"),
    ("with space/and:colon", "with_space_and_colon"),
    ("é", "_"),
    ("x" * 300, "x" * 250),
])
def test_dag_id(name: str, dag_id: str) -> None:
    assert dags.dag_id(name) == dag_id


@pytest.mark.parametrize(("spec", "text", "back"), [
    ({"tap": "tap-a", "target": "target-b"}, "flext pipeline p: tap-a -> target-b",
     {"name": "p", "tap": "tap-a", "target": "target-b", "transform": None}),
    ({"tap": "tap-a", "target": "target-b", "transform": "shop"}, "flext pipeline p: tap-a -> target-b then dbt shop",
     {"name": "p", "tap": "tap-a", "target": "target-b", "transform": "shop"}),
])
def test_description_round_trip(spec: dict[str, Any], text: str, back: dict[str, Any]) -> None:
    assert dags.description("p", spec) == text
    assert dags.parse_description(text) == back
    assert dags.parse_description("a DAG someone else wrote") == dict.fromkeys(back)


@pytest.fixture
def ws(tmp_path: Path, env: dict[str, str]) -> Path:
    from flext.engine.workspace import init_workspace

    root = tmp_path / "work"
    init_workspace(str(root), name="deploy")
    with (root / "flext.toml").open("a") as fh:
        fh.write(PIPELINES)
    return root


def deploy(flext: Callable[..., Run], ws: Path, folder: Path, *extra: str) -> Run:
    return flext("-C", str(ws), "deploy", "airflow", "--dags-folder", str(folder), "--timezone", "Europe/Paris",
                 "--flext-command", "/opt/flext/bin/flext", *extra, "-o", "json")


def actions(got: Run) -> dict[str, str]:
    assert got.code == 0, got
    return {r["pipeline"]: r["action"] for r in got.json()}  # type: ignore[union-attr]


def test_deploy_writes_one_dag_per_pipeline(flext: Callable[..., Run], ws: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dags"
    got = deploy(flext, ws, folder)
    assert got.json() == [
        {"pipeline": "orders", "dag_id": "orders", "action": "written", "file": str(folder / "flext_orders.py")},
        {"pipeline": "sales.eu", "dag_id": "sales.eu", "action": "written", "file": str(folder / "flext_sales.eu.py")},
    ]
    assert got.err == f"✓ 2 written, 0 kept, 0 removed in {folder}\n"
    text = (folder / "flext_sales.eu.py").read_text()
    compile(text, "flext_sales.eu.py", "exec")  # valid Python
    for line in ("    dag_id='sales.eu',", "    dag_display_name='sales.eu',",
                 "    description='flext pipeline sales.eu: tap-csv-folder -> target-duckdb then dbt shop',",
                 "    schedule=CronTriggerTimetable('*/15 6-20 * * mon-fri', timezone='Europe/Paris'),",
                 "    catchup=False,", "    max_active_runs=1,", "    is_paused_upon_creation=False,",
                 "    tags=['flext'],", "        task_id='run',", "        bash_command=SCRIPT,",
                 f"        cwd={str(ws)!r},", f"# workspace: {ws}", "# pipeline: sales.eu",
                 'flx() { /opt/flext/bin/flext -C ' + str(ws) + ' --no-input "$@"; }',
                 "run_json=$(flx pipeline run sales.eu -o jsonl{{ ' --full-refresh' if dag_run.conf.get("
                 "'full_refresh') else '' }})"):
        assert line in text.splitlines(), line
    assert text.startswith(dags.MARKER + "\n")
    assert "    schedule=None," in (folder / "flext_orders.py").read_text().splitlines()
    assert "start_date" not in text  # the first run is the next one from now, never a catch-up


def test_deploy_is_idempotent_and_removes_only_its_own(flext: Callable[..., Run], ws: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dags"
    assert actions(deploy(flext, ws, folder)) == {"orders": "written", "sales.eu": "written"}
    first = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    again = deploy(flext, ws, folder)
    assert actions(again) == {"orders": "kept", "sales.eu": "kept"}
    assert again.err == f"✓ 0 written, 2 kept, 0 removed in {folder}\n"
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == first  # untouched
    (folder / "mine.py").write_text("# a DAG someone wrote by hand\n")
    (folder / "flext_other.py").write_text(first["flext_orders.py"][0].decode().replace(
        f"# workspace: {ws}", "# workspace: /elsewhere"))  # another workspace's DAG in the same folder
    toml = ws / "flext.toml"
    toml.write_text(toml.read_text().replace('[pipelines."sales.eu"]', '[pipelines."sales.eu"]\npaused = true'))
    changed = deploy(flext, ws, folder)
    assert actions(changed) == {"orders": "kept", "sales.eu": "written"}
    assert "    is_paused_upon_creation=True," in (folder / "flext_sales.eu.py").read_text().splitlines()
    toml.write_text(toml.read_text().split('[pipelines."sales.eu"]')[0])
    removed = deploy(flext, ws, folder)
    assert actions(removed) == {"orders": "kept", "sales.eu": "removed"}
    assert sorted(p.name for p in folder.iterdir()) == ["flext_orders.py", "flext_other.py", "mine.py"]


def test_deploy_never_overwrites_a_file_it_did_not_write(flext: Callable[..., Run], ws: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dags"
    folder.mkdir()
    (folder / "flext_orders.py").write_text("# hand-written\n")
    got = deploy(flext, ws, folder)
    assert (got.code, got.out) == (7, ""), got
    assert got.err.startswith(f"error: {folder / 'flext_orders.py'} exists and flext did not write it\n")
    assert (folder / "flext_orders.py").read_text() == "# hand-written\n"
    assert not (folder / "flext_sales.eu.py").exists()  # all or nothing


def test_kubernetes_operator(flext: Callable[..., Run], ws: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dags"
    no_image = deploy(flext, ws, folder, "--operator", "kubernetes")
    assert (no_image.code, no_image.err.splitlines()[0]) == (
        2, "error: --operator kubernetes needs --image IMAGE (an image with flext, the plugins and the workspace)")
    got = deploy(flext, ws, folder, "--operator", "kubernetes", "--image", "registry.example/etl:1.0")
    assert actions(got) == {"orders": "written", "sales.eu": "written"}
    text = (folder / "flext_orders.py").read_text()
    compile(text, "flext_orders.py", "exec")
    lines = text.splitlines()
    for line in ("from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator",
                 "        image='registry.example/etl:1.0',", "        name='flext-orders',",
                 "        arguments=[SCRIPT],", "        do_xcom_push=True,",
                 'flx() { flext -C /workspace --no-input "$@"; }'):
        assert line in lines, line


def test_how_the_task_calls_flext(flext: Callable[..., Run], ws: Path, tmp_path: Path) -> None:
    import flext as package

    root = str(Path(package.__file__).resolve().parent.parent)
    assert dags.default_command({}) == f"PYTHONPATH={root} {sys.executable} -m flext"
    assert dags.default_command({dags.ENV_COMMAND: "/usr/local/bin/flext"}) == "/usr/local/bin/flext"
    folder = tmp_path / "dags"
    got = flext("-C", str(ws), "deploy", "airflow", "--dags-folder", str(folder),
                extra_env={dags.ENV_COMMAND: "/srv/flext.pyz"})
    assert got.code == 0, got
    assert 'flx() { /srv/flext.pyz -C ' + str(ws) + ' --no-input "$@"; }' in (folder / "flext_orders.py").read_text()


@pytest.mark.parametrize(("argv", "code", "first"), [
    (("deploy", "airflow"), 2, "error: --dags-folder DIR is required: Airflow's dags folder ([core] dags_folder)"),
    (("deploy", "airflow", "--dags-folder", "d", "--timezone", "Mars/Base"), 2, "error: unknown time zone 'Mars/Base'"),
    (("deploy", "airflow", "--dags-folder", "d", "--operator", "docker"), 2, None),
])
def test_deploy_usage_errors(flext: Callable[..., Run], ws: Path, argv: tuple[str, ...], code: int,
                             first: str | None) -> None:
    got = flext("-C", str(ws), *argv)
    assert (got.code, got.out) == (code, ""), got
    if first:
        assert got.err.splitlines()[0] == first


@pytest.mark.parametrize(("value", "doc"), [
    ('flext-result {"run": {"records": 3}, "state": {"bookmarks": {}}}', {"run": {"records": 3}, "state": {"bookmarks": {}}}),
    ('flext-result {"run": null, "state": null}', {"run": None, "state": None}),
    ({"run": None, "state": {"a": 1}}, {"run": None, "state": {"a": 1}}),  # KubernetesPodOperator's return.json
    ("some other last line", None),
    ("flext-result {not json", None),
    (None, None),
])
def test_result_of(value: Any, doc: dict[str, Any] | None) -> None:
    assert dags.result_of(value) == doc


def _response(status: int, body: Any, path: str = "/api/v2/dags/x") -> Any:
    import httpx

    return httpx.Response(status, json=body, request=httpx.Request("GET", "http://af:8080" + path))


_LOGIN = ("log in with `flext auth login` (Airflow's simple auth manager), "
          "or set FLEXT_TOKEN to a token from POST /auth/token")


@pytest.mark.parametrize(("status", "body", "kind", "code", "message", "hint"), [
    (401, {"detail": "Not authenticated"}, "AuthError", 4, "Airflow: Not authenticated", _LOGIN),
    (403, {"detail": "Invalid JWT token"}, "AuthError", 4, "Airflow: Invalid JWT token",
     "the token was refused or its role may not do this; log in again with `flext auth login`"),
    (404, {"detail": "The Dag with ID: `x` was not found"}, "NotFound", 6,
     "Airflow: The Dag with ID: `x` was not found", None),
    (409, {"detail": {"reason": "Unique constraint violation", "statement": "hidden"}}, "Conflict", 7,
     "Airflow: Unique constraint violation", None),
    (422, {"detail": [{"loc": ["body", "state"], "msg": "Input should be 'queued'"}]}, "UsageError", 2,
     "Airflow: Input should be 'queued'", None),
    (500, {"detail": "boom"}, "OperationFailed", 1, "Airflow: boom", "see the Airflow api-server's log"),
    (429, {"detail": "slow down"}, "OperationFailed", 1, "Airflow: slow down", "see the Airflow api-server's log"),
    (404, "not json", "NotFound", 6, "HTTP 404 from http://af:8080/api/v2/dags/x",
     "is http://af:8080 an Airflow 3 API server? check the profile's api_url"),
])
def test_airflow_error(status: int, body: Any, kind: str, code: int, message: str, hint: str | None) -> None:
    from flext.backend.airflow import airflow_error

    error = airflow_error(_response(status, body), "http://af:8080")
    assert (type(error).__name__, error.exit_code, error.message, error.hint) == (kind, code, message, hint)


def test_an_html_error_page_is_no_answer_to_parse() -> None:
    import httpx

    from flext.backend.airflow import airflow_error

    page = httpx.Response(502, text="<html>Bad Gateway</html>", request=httpx.Request("GET", "http://af:8080/api/v2/dags"))
    error = airflow_error(page, "http://af:8080")
    assert (type(error).__name__, error.message) == ("OperationFailed", "HTTP 502 from http://af:8080/api/v2/dags")


def test_log_lines_keep_the_runs_own_sources() -> None:
    from flext.backend.airflow import _log_line

    inner = {"ts": "2026-12-03T10:08:24.825Z", "level": "info", "source": "runner", "message": "run succeeded"}
    rows = [
        _log_line({"timestamp": "2026-12-03T10:08:25.247811Z", "event": json.dumps(inner), "level": "info",
                   "logger": "airflow.task.hooks.airflow.providers.standard.hooks.subprocess.SubprocessHook"}, "o", "r"),
        _log_line({"timestamp": "2026-12-03T10:08:25.25Z", "event": "Command exited with return code 0", "level": "info",
                   "logger": "airflow.task.hooks.airflow.providers.standard.hooks.subprocess.SubprocessHook"}, "o", "r"),
        _log_line({"timestamp": "2026-12-03T10:08:25.3Z", "event": "Task failed with exception", "level": "error",
                   "logger": "task"}, "o", "r"),
    ]
    assert rows == [
        {"ts": "2026-12-03T10:08:24.825Z", "level": "info", "source": "runner", "run_id": "r", "pipeline": "o",
         "message": "run succeeded"},
        {"ts": "2026-12-03T10:08:25.250Z", "level": "info", "source": "task", "run_id": "r", "pipeline": "o",
         "message": "Command exited with return code 0"},
        {"ts": "2026-12-03T10:08:25.300Z", "level": "error", "source": "airflow", "run_id": "r", "pipeline": "o",
         "message": "Task failed with exception"},
    ]


@pytest.mark.parametrize(("dag_run", "status", "error"), [
    ({"dag_run_id": "r1", "state": "queued"}, "queued", None),
    ({"dag_run_id": "r1", "state": "running"}, "running", None),
    ({"dag_run_id": "r1", "state": "success", "duration": 2.5}, "succeeded", None),
    ({"dag_run_id": "r1", "state": "failed"}, "failed",
     "the Airflow task 'run' failed; see `flext pipeline logs p --run r1`"),
    ({"dag_run_id": "r1", "state": "failed", "note": "stopped by flext"}, "cancelled", "stopped by request"),
])
def test_dag_runs_as_run_records(dag_run: dict[str, Any], status: str, error: str | None) -> None:
    from flext.backend.airflow import to_run

    record = to_run("p", {"dag_id": "p", "run_type": "manual", "conf": {"trigger": "cli"}, **dag_run})
    assert (record["id"], record["status"], record["error"], record["trigger"]) == ("r1", status, error, "cli")
