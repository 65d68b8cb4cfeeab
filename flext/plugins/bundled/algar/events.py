"""The migration's event log (JSONL) and the per-phase table folded from it."""

from __future__ import annotations

import os

from flext.core import jsonl
from flext.plugins.api import iso
from flext.plugins.bundled.algar.phases import PHASES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Log:
    """Appends events of one run (each line carries ts, run_id and the migration folder)."""

    def __init__(self, path: str, run_id: str, migration_dir: str) -> None:
        self.path = path
        self.run_id = run_id
        self.migration_dir = migration_dir

    def emit(self, event: str, **fields: Any) -> None:
        jsonl.append(self.path, {"ts": iso(), "run_id": self.run_id, "event": event,
                                 "migration_dir": self.migration_dir, **fields})


def fold(path: str, migration_dir: str) -> dict[str, dict[str, Any]]:
    """Phase -> {status, synced, failed, skipped, rejected, last_run, run_id} from the latest events.

    `algar migrate` writing a phase file makes it `migrated` (the previous sync's counts no
    longer describe the file); a sync of it then makes it `running`, `done` or `failed`.
    """
    table: dict[str, dict[str, Any]] = {
        p: {"status": "pending", "synced": None, "failed": None, "skipped": None, "rejected": None,
            "last_run": None, "run_id": None}
        for p in PHASES
    }
    finished_runs: set[str] = set()
    events = [e for e in jsonl.read(path) if e.get("migration_dir") == migration_dir]
    for e in events:
        if e.get("event") == "run_finished":
            finished_runs.add(str(e.get("run_id")))
    for e in events:
        phase = e.get("phase")
        if phase not in table:
            continue
        row = table[phase]
        if e.get("event") == "phase_written":
            row.update(status="migrated", synced=None, failed=None, skipped=None, rejected=e.get("rejected"),
                       last_run=e.get("ts"), run_id=e.get("run_id"))
        elif e.get("event") == "phase_started":
            row.update(status="running" if e.get("run_id") not in finished_runs else "interrupted",
                       last_run=e.get("ts"), run_id=e.get("run_id"), synced=0, failed=0, skipped=0)
        elif e.get("event") == "phase_finished":
            failed = int(e.get("failed") or 0)
            row.update(status="failed" if failed else "done", synced=e.get("synced"), failed=failed,
                       skipped=e.get("skipped"), last_run=e.get("ts"), run_id=e.get("run_id"))
    return table


def events_file(workspace_root: str) -> str:
    return os.path.join(workspace_root, ".flext", "algar", "events.jsonl")


__all__ = ["Log", "events_file", "fold"]
