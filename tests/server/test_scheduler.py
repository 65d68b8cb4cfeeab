"""The scheduler's decisions (flext/server/scheduler.py), with a clock we set.

`due(now)` is the whole policy: a new schedule waits for its next slot, a slot fires
once, a long outage fires once (missed), a changed expression starts over. Firing is
shown end to end in test_faults.py; here nothing is started.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from flext.core.context import Context
from flext.core.io import IO
from flext.server.app import App
from flext.server.scheduler import Scheduler
from flext.server.wire import Limits


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()  # local time, like cron


@pytest.fixture
def root(tmp_path: Path) -> Path:
    work = tmp_path / "ws"
    work.mkdir()
    (work / "flext.toml").write_text('[workspace]\nname = "s"\n\n[pipelines.hourly]\ntap = "tap-jsonl"\n'
                                     'target = "target-jsonl"\nschedule = "0 * * * *"\n\n[pipelines.plain]\n'
                                     'tap = "tap-jsonl"\ntarget = "target-jsonl"\n')
    return work


def _app(root: Path, env: dict[str, str]) -> App:
    ctx = Context(IO(io.StringIO(), io.StringIO(), io.StringIO(), env=env), options={"workspace": str(root)}, env=env)
    return App(ctx, str(root), Limits(), log=io.StringIO())


def test_slots_fire_once(root: Path, env: dict[str, str]) -> None:
    scheduler = Scheduler(_app(root, env))
    assert scheduler.due(_ts("2026-11-27T10:20:30")) == []  # new: waits for its next slot
    assert scheduler.due(_ts("2026-11-27T10:59:59")) == []
    fired = scheduler.due(_ts("2026-11-27T11:00:05"))
    assert fired == [("hourly", _ts("2026-11-27T11:00:00"), False)]
    assert scheduler.due(_ts("2026-11-27T11:00:40")) == []  # same minute: not twice
    assert scheduler.due(_ts("2026-11-27T11:30:00")) == []
    state = json.loads((root / ".flext" / "server" / "schedule.json").read_text())
    assert set(state) == {"hourly"}  # pipelines without a schedule are not tracked


def test_a_long_outage_fires_once_marked_missed(root: Path, env: dict[str, str]) -> None:
    scheduler = Scheduler(_app(root, env))
    scheduler.due(_ts("2026-11-27T10:20:00"))
    fired = scheduler.due(_ts("2026-11-30T08:17:00"))  # three days of hourly slots went by
    assert fired == [("hourly", _ts("2026-11-27T11:00:00"), True)]
    assert scheduler.due(_ts("2026-11-30T08:18:00")) == []
    assert scheduler.due(_ts("2026-11-30T09:00:00")) == [("hourly", _ts("2026-11-30T09:00:00"), False)]


def test_state_is_shared_through_the_file(root: Path, env: dict[str, str]) -> None:
    """A restarted server (a new Scheduler) does not fire a slot the old one fired."""
    first = Scheduler(_app(root, env))
    first.due(_ts("2026-11-27T10:20:00"))
    assert first.due(_ts("2026-11-27T11:00:00"))
    restarted = Scheduler(_app(root, env))
    assert restarted.due(_ts("2026-11-27T11:00:30")) == []


def test_a_changed_schedule_starts_over(root: Path, env: dict[str, str]) -> None:
    scheduler = Scheduler(_app(root, env))
    scheduler.due(_ts("2026-11-27T10:20:00"))
    toml = root / "flext.toml"
    toml.write_text(toml.read_text().replace('schedule = "0 * * * *"', 'schedule = "*/5 * * * *"'))
    assert scheduler.due(_ts("2026-11-27T12:00:00")) == []  # not a catch-up of the old expression
    assert scheduler.due(_ts("2026-11-27T12:05:00")) == [("hourly", _ts("2026-11-27T12:05:00"), False)]


def test_an_invalid_schedule_is_logged_once_and_skipped(root: Path, env: dict[str, str]) -> None:
    toml = root / "flext.toml"
    toml.write_text(toml.read_text().replace('schedule = "0 * * * *"', 'schedule = "99 * * * *"'))
    app = _app(root, env)
    scheduler = Scheduler(app)
    assert scheduler.due(_ts("2026-11-27T10:00:00")) == []
    assert scheduler.due(_ts("2026-11-27T11:00:00")) == []
    logged = [json.loads(line) for line in app._log.getvalue().splitlines()]  # type: ignore[attr-defined]
    assert [(e["event"], e["pipeline"]) for e in logged if e["level"] == "error"] == [("scheduler", "hourly")]


def test_one_scheduler_per_workspace(root: Path, env: dict[str, str]) -> None:
    one, two = Scheduler(_app(root, env)), Scheduler(_app(root, env))
    assert one.try_lock() is True
    assert two.try_lock() is False
    assert two.tick() == []  # standby: looks at nothing
    one.release()
    assert two.try_lock() is True
    two.release()


def test_deployed_command_jobs_fire_once_and_run(root: Path, env: dict[str, str]) -> None:
    """A plugin's deployed job (.flext/schedules.json) is scheduled like a pipeline and runs
    `flext -C ROOT --no-input COMMAND...` detached, its output in .flext/logs/schedules/."""
    from flext.plugins import schedules

    schedules.put(str(root), "demo.job", cron="*/30 * * * *", command=["config", "path"], plugin="demo")
    scheduler = Scheduler(_app(root, env))
    assert scheduler.due(_ts("2026-11-27T10:20:00")) == []
    fired = scheduler.due(_ts("2026-11-27T10:30:10"))
    assert ("job:demo.job", _ts("2026-11-27T10:30:00"), False) in fired
    assert scheduler.due(_ts("2026-11-27T10:30:50")) == []  # not twice in one slot
    started = scheduler.fire("job:demo.job", _ts("2026-11-27T10:30:00"), False)
    assert started is not None and started.startswith("demo.job:")
    for proc in scheduler._procs:
        assert proc.wait(timeout=60) == 0
    log = (root / ".flext" / "logs" / "schedules" / "demo.job.log").read_text()
    assert log.strip() == str(Path(env["FLEXT_CONFIG_DIR"]) / "config.toml")


# -- slots that do not run leave a `skipped` run record (issue 12 item 14, issue 13 item 5) ----------


def _records(root: Path, name: str) -> list[dict[str, object]]:
    folder = root / ".flext" / "runs" / name
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []


def test_a_missing_plugin_skips_the_slot_with_the_reason(root: Path, env: dict[str, str], flext) -> None:
    app = _app(root, env)
    scheduler = Scheduler(app)
    scheduler.due(_ts("2026-11-27T10:20:00"))
    [(name, slot, missed)] = scheduler.due(_ts("2026-11-27T11:00:05"))
    assert scheduler.fire(name, slot, missed) is None  # tap-jsonl is not installed in this workspace
    [record] = _records(root, "hourly")
    from flext.core.clock import iso

    assert (record["status"], record["trigger"], record["slot"], record["log"]) == (
        "skipped", "schedule", iso(_ts("2026-11-27T11:00:00")), None)
    assert "tap-jsonl" in str(record["error"]) and record["started_at"] == record["slot"]
    logged = [json.loads(line) for line in app._log.getvalue().splitlines()]  # type: ignore[attr-defined]
    assert [(e["event"], e["pipeline"], e["reason"]) for e in logged if e["event"] == "skip"] == [
        ("skip", "hourly", record["error"])]
    # what users see: pipeline status shows the skip and why (exit 0: nothing failed), runs list it
    status = flext("-C", str(root), "pipeline", "status", "hourly", "-o", "json")
    assert status.code == 0, status
    assert [(r["status"], r["run"], r["error"]) for r in status.json()] == [
        ("skipped", record["id"], str(record["error"]).splitlines()[0])]
    runs = flext("-C", str(root), "pipeline", "runs", "hourly")
    assert runs.code == 0 and "skipped" in runs.out
    logs = flext("-C", str(root), "pipeline", "logs", "hourly")
    assert logs.code == 6 and "has no runs yet" in logs.err  # a skip has no log: it is not a run


def test_an_outage_is_one_skipped_record_counting_the_slots(root: Path, env: dict[str, str]) -> None:
    scheduler = Scheduler(_app(root, env))
    scheduler.due(_ts("2026-11-27T10:20:00"))
    [(name, slot, missed)] = scheduler.due(_ts("2026-11-27T15:30:00"))  # 11:00 ... 15:00 went by
    assert (slot, missed) == (_ts("2026-11-27T11:00:00"), True)
    scheduler.fire(name, slot, missed)
    records = sorted(_records(root, "hourly"), key=lambda r: str(r["slot"]))
    outage = [r for r in records if r.get("slots")]
    assert len(outage) == 1 and outage[0]["slots"] == 4  # 12:00, 13:00, 14:00, 15:00
    from flext.core.clock import iso

    assert (outage[0]["slot"], outage[0]["last_slot"]) == (iso(_ts("2026-11-27T12:00:00")),
                                                           iso(_ts("2026-11-27T15:00:00")))
    assert str(outage[0]["error"]).startswith("the server was down: 4 slot(s) did not run (")


def test_an_already_running_pipeline_skips_the_slot(root: Path, env: dict[str, str], flext) -> None:
    import os

    from flext.core.clock import iso, new_run_id
    from flext.engine import runs
    from flext.engine.procs import start_time
    from flext.engine.workspace import Workspace

    ws = Workspace(str(root))
    running = runs.new_record(ws, "hourly", new_run_id(), full_refresh=False, trigger="cli")
    running.update(status="running", pid=os.getpid(), pid_start=start_time(os.getpid()))
    runs.write(ws, running)
    scheduler = Scheduler(_app(root, env))
    scheduler.due(_ts("2026-11-27T10:20:00"))
    for hour in ("11", "12", "13", "14", "15", "16"):  # more skips than `active` looks back over
        [(name, slot, missed)] = scheduler.due(_ts(f"2026-11-27T{hour}:00:05"))
        scheduler.fire(name, slot, missed)
    skipped = [r for r in _records(root, "hourly") if r["status"] == "skipped"]
    assert len(skipped) == 6
    assert all(str(r["error"]).startswith(f"pipeline 'hourly' is already running (run {running['id']}")
               for r in skipped)
    assert runs.active(ws, "hourly") is not None  # six skips do not hide the run that is going
    status = flext("-C", str(root), "pipeline", "status", "hourly", "-o", "json").json()
    assert [(r["status"], r["run"]) for r in status] == [("running", running["id"])]
    assert iso(_ts("2026-11-27T16:00:00")) in {r["slot"] for r in skipped}


MELTANO_YML = """\
version: 1
default_environment: dev
project_id: p
environments:
- name: dev
jobs:
- name: sync-job
  tasks:
  - tap-x target-y
schedules:
- name: hourly-sync
  interval: '0 * * * *'
  job: sync-job
- name: legacy
  interval: '@daily'
  extractor: tap-x
  loader: target-y
- name: by-hand
  interval: '@manual'
  job: sync-job
"""


def test_the_meltano_projects_schedules_are_scheduled_and_skipped_without_meltano(root: Path,
                                                                                  env: dict[str, str]) -> None:
    (root / "meltano.yml").write_text(MELTANO_YML)
    app = _app(root, env)
    scheduler = Scheduler(app)
    assert scheduler.meltano_jobs() == {
        "meltano:hourly-sync": {"cron": "0 * * * *", "argv": ["run", "sync-job"], "project": str(root)},
        "meltano:legacy": {"cron": "@daily", "argv": ["run", "tap-x", "target-y"], "project": str(root)}}
    scheduler.due(_ts("2026-11-27T10:20:00"))
    fired = scheduler.due(_ts("2026-11-27T11:00:05"))
    assert ("meltano:hourly-sync", _ts("2026-11-27T11:00:00"), False) in fired
    state = json.loads((root / ".flext" / "server" / "schedule.json").read_text())
    assert {"meltano:hourly-sync", "meltano:legacy"} <= set(state) and "meltano:by-hand" not in state
    env_without = dict(env, PATH="/usr/bin:/bin")
    app.ctx.env = env_without  # no meltano anywhere: the slot is skipped, with the way out
    assert scheduler.fire("meltano:hourly-sync", _ts("2026-11-27T11:00:00"), False) is None
    [record] = _records(root, "meltano.hourly-sync")
    assert record["status"] == "skipped"
    assert record["error"] == ("meltano is not installed (`flext meltano install` puts it in its own venv "
                               "(or `flext config set meltano.executable PATH`))")


def test_a_broken_meltano_yml_is_logged_once_and_schedules_nothing(root: Path, env: dict[str, str]) -> None:
    (root / "meltano.yml").write_text("schedules:\n- name: [broken\n")
    app = _app(root, env)
    scheduler = Scheduler(app)
    assert scheduler.meltano_jobs() == {} and scheduler.meltano_jobs() == {}
    logged = [json.loads(line) for line in app._log.getvalue().splitlines()]  # type: ignore[attr-defined]
    errors = [e["meltano"] for e in logged if e["event"] == "scheduler" and "meltano" in e]
    assert len(errors) == 1 and errors[0].startswith(f"{root}/meltano.yml:3: not valid YAML: expected ',' or ']'")
