"""Run records: `.flext/runs/<pipeline>/<run_id>.json`, always written atomically.

A record is the truth about one run. Anything that reads records calls `settle` first:
a record that says queued/running whose runner process is gone (pid not alive, or alive
but a different process started later with the same pid) is marked failed on the spot,
so a runner killed by SIGKILL or a reboot never leaves a pipeline stuck "running"; what
the run left running is killed (`reap`), and its end is when the runner was last seen
alive (`last_seen`), whenever someone looks. Records are masked at write: no secret
value this process knows reaches the file.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager
    from typing import Any

    from flext.engine.workspace import Workspace

ACTIVE = ("queued", "running")
FINAL = ("succeeded", "failed", "cancelled")
QUEUED_GRACE_S = 60.0  # a queued record with no runner pid after this long is dead


def record_path(ws: Workspace, pipeline: str, run_id: str) -> str:
    return os.path.join(ws.runs_dir(pipeline), f"{run_id}.json")


def log_path(ws: Workspace, pipeline: str, run_id: str) -> str:
    return os.path.join(ws.runs_dir(pipeline), f"{run_id}.log")


def new_record(ws: Workspace, pipeline: str, run_id: str, *, full_refresh: bool, trigger: str) -> dict[str, Any]:
    from flext.core.clock import iso_now

    return {
        "id": run_id, "pipeline": pipeline, "status": "queued", "started_at": iso_now(), "ended_at": None,
        "duration_s": None, "records": None, "exit_codes": {"tap": None, "target": None},
        "log": log_path(ws, pipeline, run_id), "pid": None, "pid_start": None, "pgid": None,
        "error": None, "full_refresh": full_refresh, "attempt": 0, "trigger": trigger,
    }


def write(ws: Workspace, record: dict[str, Any], *, durable: bool | None = None) -> None:
    """Replace the record file whole; fsync'd when final (or when asked). Masked at write:
    every secret value this process knows is masked in every field (a failed run's `error`
    holds the tap's stderr), so no reader of the file, or of the API, can see one."""
    import json

    from flext.core.mask import mask_tree
    from flext.engine.files import replace

    if durable is None:
        durable = record.get("status") in FINAL
    replace(record_path(ws, record["pipeline"], record["id"]), json.dumps(mask_tree(record), indent=1) + "\n", 0o644,
            durable=durable)


def read(ws: Workspace, pipeline: str, run_id: str) -> dict[str, Any] | None:
    return _load(record_path(ws, pipeline, run_id))


def _load(path: str) -> dict[str, Any] | None:
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "id" in data else None


def ids(ws: Workspace, pipeline: str) -> list[str]:
    """Run ids of a pipeline, newest first."""
    try:
        names = os.listdir(ws.runs_dir(pipeline))
    except OSError:
        return []
    return sorted((n[:-5] for n in names if n.endswith(".json") and not n.startswith(".")), reverse=True)


def history(ws: Workspace, pipeline: str, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Records newest first (settled)."""
    count = 0
    for run_id in ids(ws, pipeline):
        record = read(ws, pipeline, run_id)
        if record is None:
            continue
        yield settle(ws, record)
        count += 1
        if limit is not None and count >= limit:
            return


def pipelines(ws: Workspace) -> list[str]:
    """Every pipeline with a runs folder (also one deleted from flext.toml since), sorted."""
    try:
        return sorted(e.name for e in os.scandir(ws.path("runs")) if e.is_dir() and not e.name.startswith("."))
    except OSError:
        return []


def recent(ws: Workspace, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` records across pipelines, newest first (settled)."""
    found: list[dict[str, Any]] = []
    for name in pipelines(ws):
        found.extend(history(ws, name, limit))
    found.sort(key=lambda r: str(r.get("started_at") or r.get("id") or ""), reverse=True)
    return found[:limit]


def latest(ws: Workspace, pipeline: str, *, skipped: bool = False) -> dict[str, Any] | None:
    """The newest run; a slot the scheduler skipped (no process, no log) only with `skipped`."""
    for record in history(ws, pipeline):
        if skipped or record.get("status") != "skipped":
            return record
    return None


def shown(ws: Workspace, pipeline: str) -> dict[str, Any] | None:
    """What `pipeline status/list` show: the newest record, a skipped slot included (its
    reason matters), unless a run is still going (the skip was only "already running")."""
    newest = latest(ws, pipeline, skipped=True)
    if newest is None or newest.get("status") != "skipped":
        return newest
    real = latest(ws, pipeline)
    return real if real is not None and real.get("status") in ACTIVE else newest


def active(ws: Workspace, pipeline: str) -> dict[str, Any] | None:
    """The queued/running record of `pipeline`, if any (only the newest few runs can be;
    skipped slots recorded since do not count)."""
    seen = 0
    for record in history(ws, pipeline):
        if record["status"] in ACTIVE:
            return record
        if record["status"] != "skipped":
            seen += 1
            if seen >= 5:
                break
    return None


def skipped(ws: Workspace, pipeline: str, run_id: str, *, slot: float, reason: str, trigger: str = "schedule",
            **extra: Any) -> dict[str, Any]:
    """Record a scheduled slot that did not run: status `skipped`, the reason in `error`."""
    from flext.core.clock import iso

    record = new_record(ws, pipeline, run_id, full_refresh=False, trigger=trigger)
    record.update(status="skipped", started_at=iso(slot), ended_at=iso(slot), duration_s=None, log=None,
                  error=reason, slot=iso(slot), **extra)
    write(ws, record, durable=True)
    return record


def settle(ws: Workspace, record: dict[str, Any]) -> dict[str, Any]:
    """Mark a run failed when its runner is gone; kill what it left behind."""
    if record.get("status") not in ACTIVE:
        return record
    from flext.engine import procs

    pid = record.get("pid")
    if pid:
        if procs.alive(pid, record.get("pid_start")):
            return record
        reason = f"the runner process (pid {pid}) died without recording an end"
    else:
        import time

        from flext.core.clock import parse_iso

        try:
            age = time.time() - parse_iso(str(record.get("started_at")))
        except (ValueError, OverflowError):
            age = QUEUED_GRACE_S + 1
        if age < QUEUED_GRACE_S:
            return record
        reason = "the run never started (no runner process)"
    reap(record)
    return finish(ws, record, "failed", reason, ended=last_seen(ws, record))


def reap(record: dict[str, Any]) -> bool:
    """Kill what a dead runner left of its run: its tap and target share a process group,
    which outlives its leader (the tap) while the target or a child of the tap lives on.
    The group is ours when its leader is the tap we recorded (pid and start time), when
    the target we recorded still runs, or when no process has the group's id as its pid
    (the kernel never reuses a pid that names a live group). Waits (bounded) until it is
    gone, so the next run finds the files and locks it held released."""
    from flext.engine import procs

    pgid = record.get("pgid")
    if not pgid or pgid == record.get("pid"):
        return False
    ours = (procs.alive(pgid, record.get("pgid_start"))
            or procs.alive(record.get("target_pid"), record.get("target_start"))
            or (procs.start_time(pgid) is None and bool(procs.group_members(pgid))))
    if not ours:
        return False
    import signal
    import time

    procs.signal_group(pgid, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while procs.group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return True


def last_seen(ws: Workspace, record: dict[str, Any]) -> float | None:
    """When the runner of `record` was last seen alive: the newest of its log (which it
    touches every few seconds, even when the tap is silent) and its record file."""
    import time

    times = []
    for path in (record.get("log") or log_path(ws, record["pipeline"], record["id"]),
                 record_path(ws, record["pipeline"], record["id"])):
        try:
            times.append(os.stat(path).st_mtime)
        except OSError:
            pass
    return min(max(times), time.time()) if times else None


def finish(ws: Workspace, record: dict[str, Any], status: str, error: str | None, *,
           ended: float | None = None) -> dict[str, Any]:
    """Write the final state of a record (only if it is not already final); `ended`
    (default: now) is when the run ended, written once."""
    import time

    from flext.core.clock import iso, parse_iso
    from flext.core.mask import mask

    current = read(ws, record["pipeline"], record["id"]) or record
    if current.get("status") in FINAL:
        return current
    now = time.time() if ended is None else ended
    try:
        started: float | None = parse_iso(str(current["started_at"]))
    except (ValueError, KeyError):
        started = None
    if started is not None:
        now = max(now, started)
    current["status"] = status
    current["error"] = mask(error) if error else error
    current["ended_at"] = iso(now)
    current["duration_s"] = round(now - started, 3) if started is not None else None
    write(ws, current)
    return current


def lock(ws: Workspace, pipeline: str) -> AbstractContextManager[None]:
    """An exclusive advisory lock on one pipeline's runs (check-then-create is atomic)."""
    import contextlib
    import fcntl

    @contextlib.contextmanager
    def held() -> Iterator[None]:
        directory = ws.runs_dir(pipeline)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd = os.open(os.path.join(directory, ".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    return held()


def public(record: dict[str, Any]) -> dict[str, Any]:
    """The record as shown to users and over the API (internal fields dropped)."""
    return {k: v for k, v in record.items() if k not in ("pid_start", "pgid_start", "target_pid", "target_start", "plan")}


__all__ = ["ACTIVE", "FINAL", "active", "finish", "history", "ids", "last_seen", "latest", "lock", "log_path",
           "new_record", "public", "read", "reap", "record_path", "settle", "shown", "skipped", "write"]
