"""Pid files that notice pid reuse, and the health checks' persisted circuit breakers."""

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
    assert pidfile.state({**me, "exited": 0}) == "stopped"  # the keeper recorded the end
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


def test_health_breakers_open_after_three_failures_and_reset(tmp_path: Path) -> None:
    now = [1000.0]
    url = "http://127.0.0.1:1/health"
    guard = breaker.for_url(str(tmp_path), url)
    guard.clock = lambda: now[0]
    for _ in range(breaker.THRESHOLD - 1):
        guard.failure()
        guard.before()  # still closed
    guard.failure()
    assert guard.state() == "open"
    try:
        guard.before()
    except breaker.CircuitOpen as exc:
        assert (exc.failures, exc.retry_in) == (3, breaker.COOLDOWN)
    else:
        raise AssertionError("the circuit should be open")
    other = breaker.for_url(str(tmp_path), "http://127.0.0.1:2/health")
    other.before()  # another URL has its own circuit
    now[0] += breaker.COOLDOWN + 1
    assert guard.state() == "half-open"
    guard.before()  # the one probe goes through
    guard.success()
    assert guard.state() == "closed" and guard.entry() is None
