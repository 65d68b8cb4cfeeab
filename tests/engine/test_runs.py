"""Run records and state files: atomic, settled when the runner is gone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flext.core.clock import iso, new_run_id, parse_iso
from flext.engine import procs, runs, state
from flext.engine.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    (tmp_path / "flext.toml").write_text('[pipelines.p]\ntap = "tap-jsonl"\ntarget = "target-jsonl"\n')
    return Workspace(str(tmp_path))


def test_run_ids_sort_by_time() -> None:
    a, b = new_run_id(1_800_000_000), new_run_id(1_800_000_001)
    assert a < b and len(a) == len("20261127T100000Z-ab12cd")
    assert parse_iso(iso(1_800_000_000.123)) == pytest.approx(1_800_000_000.123)


def test_a_dead_runner_is_settled_as_failed(ws: Workspace) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    record = runs.new_record(ws, "p", new_run_id(), full_refresh=False, trigger="cli")
    record.update(status="running", pid=proc.pid, pid_start=12345)
    runs.write(ws, record)
    settled = runs.active(ws, "p")
    assert settled is None
    latest = runs.latest(ws, "p")
    assert latest is not None
    assert (latest["status"], latest["error"]) == ("failed", f"the runner process (pid {proc.pid}) died without recording an end")
    assert latest["ended_at"] and latest["duration_s"] is not None


def test_a_reused_pid_is_not_mistaken_for_the_runner(ws: Workspace) -> None:
    record = runs.new_record(ws, "p", new_run_id(), full_refresh=False, trigger="cli")
    started = procs.start_time(os.getpid())
    assert started is not None
    record.update(status="running", pid=os.getpid(), pid_start=started + 1)  # same pid, another process
    runs.write(ws, record)
    assert runs.latest(ws, "p")["status"] == "failed"  # type: ignore[index]
    record2 = runs.new_record(ws, "p", new_run_id(), full_refresh=False, trigger="cli")
    record2.update(status="running", pid=os.getpid(), pid_start=started)
    runs.write(ws, record2)
    assert runs.active(ws, "p")["id"] == record2["id"]  # type: ignore[index]


def test_a_queued_record_without_a_runner_expires(ws: Workspace) -> None:
    record = runs.new_record(ws, "p", new_run_id(), full_refresh=False, trigger="cli")
    runs.write(ws, record)
    assert runs.active(ws, "p") is not None  # fresh: the runner may be starting
    record["started_at"] = iso(parse_iso(record["started_at"]) - 3600)
    runs.write(ws, record)
    assert runs.active(ws, "p") is None
    assert runs.latest(ws, "p")["error"] == "the run never started (no runner process)"  # type: ignore[index]


def test_finish_never_overwrites_a_final_record(ws: Workspace) -> None:
    record = runs.new_record(ws, "p", new_run_id(), full_refresh=False, trigger="cli")
    runs.write(ws, record)
    runs.finish(ws, record, "cancelled", "stopped by request")
    again = runs.finish(ws, record, "failed", "late")
    assert (again["status"], again["error"]) == ("cancelled", "stopped by request")


def test_state_lines(ws: Workspace, tmp_path: Path) -> None:
    path = state.path(ws, "p")
    assert state.save_line(path, b'{"bookmarks": {"s": {"v": 1}}}')
    assert state.load(ws, "p") == {"bookmarks": {"s": {"v": 1}}}
    assert state.save_line(path, b'{"type": "STATE", "value": {"bookmarks": {}}}')
    assert state.load(ws, "p") == {"bookmarks": {}}
    assert not state.save_line(path, b"[1, 2]")
    assert not state.save_line(path, b"not json")
    assert state.load(ws, "p") == {"bookmarks": {}}
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert [p.name for p in Path(path).parent.iterdir()] == ["p.json"]  # no temp files left
    assert state.clear(ws, "p") and not state.clear(ws, "p")


def test_a_full_disk_keeps_the_old_state(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    path = state.path(ws, "p")
    state.save_line(path, b'{"bookmarks": {"old": 1}}')
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError):
        state.save_line(path, b'{"bookmarks": {"new": 2}}')
    monkeypatch.setattr(os, "write", real_write)
    assert json.loads(Path(path).read_text()) == {"bookmarks": {"old": 1}}
    assert [p.name for p in Path(path).parent.iterdir()] == ["p.json"]
