"""A real Meltano project's own schedule (meltano.yml) run by a real `flext serve`, with meltano
installed by `flext meltano install` (nothing on PATH) and tap-jsonl/target-jsonl standing in
for the project's tap and target: the run is recorded like any run (`pipeline runs/logs
meltano.NAME`), once per slot, and the slots an outage skipped are on record as `skipped`."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.engine.conftest import poll
from tests.plugins.tools import MELTANO, singer_tools  # noqa: F401  (fixtures)
from tests.server.conftest import Server

NO_MELTANO = {"PATH": "/usr/bin:/bin"}  # neither meltano nor the taps on PATH
SCHEDULE = "incremental-sync-schedule"


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_meltano_projects_schedule_runs_under_flext_serve(
        flext: Callable[..., Run], env: dict[str, str], singer_tools: tuple[Path, Path]) -> None:  # noqa: F811
    work = Path.cwd()
    (work / "flext.toml").write_text('[workspace]\nname = "meltano-schedules"\n')
    spec = f"meltano=={MELTANO[1]}"
    installed = flext("meltano", "install", "--pip-url", spec, extra_env=NO_MELTANO)
    assert installed.code == 0, installed
    exe = work / ".flext" / "plugins" / "meltano" / "venv" / "bin" / "meltano"
    tap, target = singer_tools
    made = flext("gruponos", "init", "project", "--executable", f"flext-tap-oracle-wms={tap}",
                 "--executable", f"flext-target-oracle={target}", extra_env=NO_MELTANO)
    assert made.code == 0, made
    project = work / "project"
    data = work / "wms-export"
    data.mkdir()
    (data / "order_hdr.jsonl").write_text("".join(f'{{"id": {i}, "mod_ts": "2026-01-0{i}"}}\n' for i in range(1, 6)))
    for plugin, setting, value in (
            ("tap-oracle-wms-incremental", "path", f"{data}/*.jsonl"),
            ("tap-oracle-wms-incremental", "stream_name", "order_hdr"),
            ("target-oracle-incremental", "destination_path", str(work / "out"))):
        done = subprocess.run([str(exe), "config", "set", plugin, setting, value], cwd=project, capture_output=True,
                              text=True, env={**os.environ, **NO_MELTANO}, check=False)
        assert done.returncode == 0, done.stderr
    assert flext("config", "set", "meltano.project_dir", "project").code == 0
    # the slot before start-up was missed: it runs once now (never waiting for a cron minute)
    state = work / ".flext" / "server" / "schedule.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    long_ago = 1_700_000_000.0 - 1_700_000_000.0 % 60
    state.write_text(json.dumps({f"meltano:{SCHEDULE}": {"expr": "0 */2 * * *", "checked": long_ago,
                                                         "fired": None}}))
    server = Server(work, {**env, **NO_MELTANO}, bootstrap=False)
    runs = work / ".flext" / "runs" / f"meltano.{SCHEDULE}"
    try:
        def finished() -> dict[str, Any] | None:
            for path in runs.glob("*.json") if runs.exists() else []:
                record = json.loads(path.read_text())
                if record.get("status") in ("succeeded", "failed", "cancelled"):
                    return dict(record)
            return None

        record = poll(finished, timeout=600, what="the scheduled meltano run")
        fired = [e for e in server.events("schedule") if "meltano" in e]
        assert [(e["meltano"], e["missed"]) for e in fired] == [(SCHEDULE, True)]
    finally:
        assert server.stop() == 0
    assert (record["status"], record["records"], record["exit_codes"], record["trigger"]) == (
        "succeeded", 5, {"meltano": 0}, "schedule"), record
    assert (record["kind"], record["command"], record["project"]) == ("meltano", "meltano run incremental-sync-job",
                                                                      str(project))
    assert record["resources"]["meltano"]["peak_rss_mb"] > 10 and record["cpu_s"] > 0
    written = list((work / "out").glob("order_hdr*.jsonl"))
    assert len(written) == 1 and len(written[0].read_text().splitlines()) == 5
    # recorded like any run: listed, with its log, and the outage's skipped slots beside it
    listed = flext("pipeline", "runs", f"meltano.{SCHEDULE}", "-o", "json", extra_env=NO_MELTANO)
    assert listed.code == 0, listed
    rows = listed.json()
    assert isinstance(rows, list) and [r["status"] for r in rows] == ["succeeded", "skipped"]
    assert rows[1]["slots"] >= 1 and str(rows[1]["error"]).startswith("the server was down: ")
    logs = flext("pipeline", "logs", f"meltano.{SCHEDULE}", extra_env=NO_MELTANO)
    assert logs.code == 0, logs
    assert "incremental-sync-job" in logs.out and "run succeeded" in logs.out
    # the weekly schedule was new to the scheduler: it waits for its next slot
    assert not (work / ".flext" / "runs" / "meltano.full-sync-schedule").exists()
