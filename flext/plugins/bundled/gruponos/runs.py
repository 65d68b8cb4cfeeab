"""Run records of GrupoNos jobs: one JSON record and one JSONL log per run."""

from __future__ import annotations

import json
import os

from flext.core.fsutil import atomic_write
from flext.engine import procs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def write(directory: str, record: dict[str, Any]) -> None:
    atomic_write(os.path.join(directory, f"{record['id']}.json"), json.dumps(record, indent=2) + "\n", 0o644)


def ids(directory: str) -> list[str]:
    """Run ids, newest first (ids sort by time)."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted((n[:-5] for n in names if n.endswith(".json")), reverse=True)


def read(directory: str, run_id: str) -> dict[str, Any] | None:
    try:
        with open(os.path.join(directory, f"{run_id}.json"), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def latest(directory: str) -> dict[str, Any] | None:
    for run_id in ids(directory):
        record = read(directory, run_id)
        if record is not None:
            return settle(directory, record)
    return None


def alive(pid: object) -> bool:
    """The runner is still there (not gone, not a zombie): the engine's one check."""
    return isinstance(pid, int) and procs.alive(pid)


def settle(directory: str, record: dict[str, Any]) -> dict[str, Any]:
    """A `running` record whose runner died is `failed` (a crash or a kill -9 of flext)."""
    if record.get("status") == "running" and not alive(record.get("pid")):
        record = dict(record, status="failed", error=record.get("error") or "the runner exited without finishing")
        write(directory, record)
    return record


__all__ = ["alive", "ids", "latest", "read", "settle", "write"]
