"""Pid files that survive pid reuse: the process start time is stored beside the pid.

A pid file is stale when its process is gone, is a zombie, or the pid now belongs to
another program (its start time in /proc differs from the one recorded).
"""

from __future__ import annotations

import json
import os

from flext.core.fsutil import atomic_write
from flext.engine.procs import start_time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def read(path: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            data = json.loads(fh.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None


def write(path: str, info: dict[str, Any]) -> None:
    atomic_write(path, json.dumps(info, sort_keys=True), 0o600)


def state(info: dict[str, Any] | None) -> str:
    """running | stale | stopped for a pid file's content."""
    if info is None or info.get("exited") is not None or info.get("failed"):
        return "stopped"  # the keeper recorded the end
    pid = int(info["pid"])
    _reap(pid)
    now = start_time(pid)
    if now is None:
        return "stale"
    recorded = info.get("start_time")
    if recorded is not None and int(recorded) != now:
        return "stale"  # the pid was reused by another program
    return "running"


def _reap(pid: int) -> None:
    """Collect our own exited child so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except (ChildProcessError, OSError):
        pass


def remove(path: str, pid: int | None = None) -> None:
    """Delete the pid file (only if it still names `pid`, when given)."""
    if pid is not None:
        info = read(path)
        if info is not None and info.get("pid") != pid:
            return
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


__all__ = ["read", "remove", "start_time", "state", "write"]
