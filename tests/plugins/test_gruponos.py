"""The bundled gruponos plugin on a project shaped like gruponos-meltano-native, with the real
meltano and real tap-jsonl/target-jsonl (executable-only plugins, offline)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run
from tests.plugins.tools import gruponos_project, meltano_exe, singer_tools  # noqa: F401  (fixtures)

Flext = Callable[..., Run]
pytestmark = pytest.mark.slow
ISO = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"


@pytest.fixture
def project(flext: Flext, tmp_path: Path, meltano_exe: Path, singer_tools: tuple[Path, Path]) -> Path:  # noqa: F811
    work = Path.cwd()
    (work / "flext.toml").write_text('[workspace]\nname = "gruponos"\n')
    root = gruponos_project(tmp_path / "gruponos-meltano-native", *singer_tools, broken_incremental=True)
    assert flext("config", "set", "meltano.executable", str(meltano_exe)).code == 0
    assert flext("config", "set", "gruponos.project_dir", str(root)).code == 0
    return root


def _status(flext: Flext) -> dict[str, dict[str, object]]:
    run = flext("gruponos", "status", "-o", "json")
    assert run.code == 0, run
    return {row["job"]: row for row in run.json()}  # type: ignore[index,union-attr]


def test_status_deploy_run_logs(flext: Flext, project: Path) -> None:
    rows = _status(flext)
    assert rows == {
        "full-sync-job": {"job": "full-sync-job", "tasks": ["tap-oracle-wms-full target-oracle-full"],
                          "schedule": "@weekly", "deployed": None, "last_status": "never", "last_run": None,
                          "duration_s": None, "records": None},
        "incremental-sync-job": {"job": "incremental-sync-job",
                                 "tasks": ["tap-oracle-wms-incremental target-oracle-incremental"],
                                 "schedule": "0 */2 * * *", "deployed": None, "last_status": "never",
                                 "last_run": None, "duration_s": None, "records": None},
    }
    # deploy: the job must exist; its meltano schedule goes to the flext scheduler
    missing = flext("gruponos", "pipeline", "deploy", "full-sync")
    assert (missing.code, missing.err) == (6, f"error: no job 'full-sync' in {project}/meltano.yml\n"
                                              "hint: did you mean 'full-sync-job'?\n")
    deployed = flext("gruponos", "pipeline", "deploy", "full-sync-job", "-o", "json")
    assert deployed.code == 0, deployed
    data = deployed.json()
    assert {k: data[k] for k in ("job", "schedule", "scheduler", "command", "project")} == {
        "job": "full-sync-job", "schedule": "@weekly", "scheduler": "gruponos.full-sync-job",
        "command": "flext gruponos run full-sync-job", "project": str(project)}
    assert deployed.err == "✓ deployed full-sync-job: `flext gruponos run full-sync-job` runs on '@weekly'\n"
    work = Path.cwd()
    stored = json.loads((work / ".flext" / "schedules.json").read_text())
    entry = stored["schedules"]["gruponos.full-sync-job"]
    assert {k: entry[k] for k in ("cron", "command", "plugin", "enabled")} == {
        "cron": "@weekly", "command": ["gruponos", "run", "full-sync-job"], "plugin": "gruponos", "enabled": True}
    history = [json.loads(line) for line in (work / ".flext" / "gruponos" / "deployments.jsonl").read_text().splitlines()]
    assert [(h["job"], h["schedule"]) for h in history] == [("full-sync-job", "@weekly")]
    custom = flext("gruponos", "pipeline", "deploy", "incremental-sync-job", "--schedule", "*/30 * * * *")
    assert custom.code == 0, custom
    bad = flext("gruponos", "pipeline", "deploy", "incremental-sync-job", "--schedule", "every hour")
    assert bad.code == 2 and bad.err.startswith("error: invalid schedule 'every hour'")
    # a real run: records counted from the tap's METRIC lines, rows written by the target
    ran = flext("gruponos", "run", "full-sync-job")
    assert ran.code == 0, ran
    assert ran.err.endswith("✓ full-sync-job succeeded: 5 record(s) (run " + ran.err.rsplit("(run ", 1)[1])
    written = (project / "output" / "full" / "order_hdr.jsonl").read_text().splitlines()
    assert [json.loads(line)["order_nbr"] for line in written] == [f"ORD-{i:04d}" for i in range(1, 6)]
    # a failing run: meltano's exit code passed through and recorded
    failed = flext("gruponos", "run", "incremental-sync-job")
    assert failed.code == 1, failed
    assert "cannot reach Oracle" in failed.err
    rows = _status(flext)
    full, inc = rows["full-sync-job"], rows["incremental-sync-job"]
    assert (full["deployed"], full["last_status"], full["records"]) == ("@weekly", "succeeded", 5)
    assert (inc["deployed"], inc["last_status"]) == ("*/30 * * * *", "failed")
    import re

    assert re.match(ISO, str(full["last_run"]))
    # logs: the latest run of any job, or of one job; json lines in the run-log shape
    latest = flext("gruponos", "logs", "full-sync-job", "-o", "json")
    assert latest.code == 0, latest
    lines = latest.json()
    assert {line["source"] for line in lines} == {"meltano"}
    assert any("Block run completed" in line["message"] for line in lines)
    assert all(line["pipeline"] == "gruponos.full-sync-job" for line in lines)
    text = flext("gruponos", "logs", "--tail", "3")
    assert text.code == 0 and len(text.out.splitlines()) == 3
    assert "Run completed" in text.out or "error" in text.out.lower()
    assert flext("gruponos", "logs", "--run", "nope").code == 6


def test_logs_follow_a_running_job(flext: Flext, project: Path, env: dict[str, str]) -> None:
    proc_env = dict(env, PYTHONPATH=str(ROOT))
    runner = subprocess.Popen([sys.executable, "-m", "flext", "gruponos", "run", "full-sync-job"], env=proc_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = Path.cwd() / ".flext" / "gruponos" / "runs" / "full-sync-job"
    deadline = time.monotonic() + 60
    while not list(runs.glob("*.json")):
        assert time.monotonic() < deadline, "the run record never appeared"
        assert runner.poll() is None or list(runs.glob("*.json"))
        time.sleep(0.05)
    follow = subprocess.run([sys.executable, "-m", "flext", "gruponos", "logs", "-f"], env=proc_env,
                            capture_output=True, text=True, timeout=120)
    assert runner.wait(timeout=120) == 0
    assert follow.returncode == 0, follow.stderr
    assert "Run completed" in follow.stdout
    assert follow.stderr.strip().endswith("succeeded")


def test_a_second_run_of_a_running_job_is_refused(flext: Flext, project: Path) -> None:
    directory = Path.cwd() / ".flext" / "gruponos" / "runs" / "full-sync-job"
    directory.mkdir(parents=True)
    record = {"id": "20990101T000000Z-aaaaaa", "status": "running", "pid": os.getpid(), "log": str(directory / "x.log")}
    (directory / f"{record['id']}.json").write_text(json.dumps(record))
    run = flext("gruponos", "run", "full-sync-job")
    assert (run.code, run.err) == (7, f"error: job 'full-sync-job' is already running (run {record['id']}, pid "
                                      f"{os.getpid()})\nhint: follow it with `flext gruponos logs full-sync-job -f`\n")
