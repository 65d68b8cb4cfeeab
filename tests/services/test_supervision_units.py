"""Pid files that notice pid reuse, and the persisted circuit breaker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flext.services import breaker, pidfile


def test_pidfile_states(tmp_path: Path) -> None:
    path = str(tmp_path / "x.pid")
    assert pidfile.state(pidfile.read(path)) == "stopped"
    me = {"pid": os.getpid(), "start_time": pidfile.start_time(os.getpid())}
    pidfile.write(path, me)
    assert pidfile.state(pidfile.read(path)) == "running"
    reused = {"pid": os.getpid(), "start_time": (me["start_time"] or 0) + 1}
    assert pidfile.state(reused) == "stale"
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert pidfile.state({"pid": proc.pid, "start_time": None}) == "stale"
    pidfile.remove(path, pid=os.getpid() + 1)  # someone else's: kept
    assert os.path.exists(path)
    pidfile.remove(path, pid=os.getpid())
    assert not os.path.exists(path)


def test_zombie_is_not_running() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(f"/proc/{proc.pid}/stat") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        time.sleep(0.01)
    assert pidfile.start_time(proc.pid) is None
    proc.wait()


def test_breaker_opens_after_threshold_and_resets(tmp_path: Path) -> None:
    path = breaker.path_for(str(tmp_path))
    url = "http://127.0.0.1:1/health"
    for n in range(breaker.THRESHOLD - 1):
        state = breaker.record(path, {"s": (url, False)})
        assert breaker.is_open(state["s"], url) is None
        assert state["s"]["failures"] == n + 1
    state = breaker.record(path, {"s": (url, False)})
    remaining = breaker.is_open(state["s"], url)
    assert remaining is not None and 0 < remaining <= breaker.COOLDOWN
    assert breaker.is_open(state["s"], "http://other/health") is None  # the URL changed: closed
    assert breaker.is_open(state["s"], url, now=state["s"]["opened_at"] + breaker.COOLDOWN + 1) is None  # half-open
    assert breaker.record(path, {"s": (url, True)}) == {}
    breaker.record(path, {"s": (url, False), "t": (url, False)})
    breaker.reset(path, ["s"])
    assert list(breaker.load(path)) == ["t"]
