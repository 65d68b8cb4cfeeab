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
