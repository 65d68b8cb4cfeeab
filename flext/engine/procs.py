"""Process identity: a pid plus its start time, so a reused pid is never mistaken.

Linux: field 22 of /proc/PID/stat (clock ticks since boot). Elsewhere only liveness
can be checked, and the start time is None.
"""

from __future__ import annotations

import os
import signal


def stat_fields(pid: int) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command name (field 3, the state, onwards),
    or None if the process is gone. The one reader of that file for the engine."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: split after the last ')'
    return raw[raw.rfind(b")") + 2 :].split()


def start_time(pid: int) -> int | None:
    """The kernel start time of `pid` (clock ticks since boot), or None if it is gone.

    Shared by run records and supervised services to tell a live process from a reused pid."""
    rest = stat_fields(pid)
    if not rest or rest[0] == b"Z":  # a zombie has finished; only its exit status is left
        return None
    try:
        return int(rest[19])
    except (IndexError, ValueError):
        return None


def alive(pid: int | None, started: int | None = None) -> bool:
    """Is `pid` running and (when `started` is known) the same process we recorded?"""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if _zombie(pid):
        return False
    if started is None:
        return True
    now = start_time(pid)
    return now is None or now == started


def _zombie(pid: int) -> bool:
    rest = stat_fields(pid)
    return rest is not None and bool(rest) and rest[0] == b"Z"


def group_alive(pgid: int) -> bool:
    """Is any live (non-zombie) process left in the group? Read from /proc (an init that
    never reaps would otherwise keep a zombie "alive" forever); without /proc, ask kill(0)."""
    if os.path.isdir("/proc"):
        return bool(group_members(pgid))
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is `pgid`, read from /proc (empty
    where there is no /proc: then only the group's leader can be checked)."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    wanted = str(pgid).encode()
    found = []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                raw = fh.read()
        except OSError:
            continue
        fields = raw[raw.rfind(b")") + 2 :].split()
        if len(fields) > 2 and fields[2] == wanted and fields[0] != b"Z":
            found.append(int(entry))
    return found


def signal_group(pgid: int | None, sig: int) -> bool:
    """Send `sig` to a process group; False when there is no such group."""
    if not pgid or pgid <= 1:
        return False
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def signal_pid(pid: int | None, sig: int) -> bool:
    if not pid or pid <= 1:
        return False
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


__all__ = ["alive", "group_alive", "group_members", "signal", "signal_group", "signal_pid", "start_time", "stat_fields"]
