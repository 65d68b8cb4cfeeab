"""The workspace as the engine leaves it on disk: flext.toml, run records, run logs.

Read-only and tolerant: the engine may not have written anything yet, a record may be
half-migrated or unreadable; such files are skipped, never fatal. Layout (engine
contract): `.flext/runs/<pipeline>/<run_id>.json` and `<run_id>.log` (JSONL).
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context

MANIFEST = "flext.toml"


def find(ctx: Context) -> str:
    """The workspace of this invocation (`ctx.workspace_root`), the same rule as the engine's."""
    return ctx.workspace_root


def manifest(workspace: str) -> tuple[str, dict[str, Any]]:
    """(path, parsed flext.toml) - empty when there is none; ConfigError when it is not TOML."""
    path = os.path.join(workspace, MANIFEST)
    if not os.path.isfile(path):
        return path, {}
    from flext.core import tomlfile

    return path, tomlfile.parse(tomlfile.read_text(path), path)


def runs_dir(workspace: str) -> str:
    return os.path.join(workspace, ".flext", "runs")


def pipelines(workspace: str) -> list[str]:
    """Pipelines that have a runs folder, sorted."""
    try:
        return sorted(e.name for e in os.scandir(runs_dir(workspace)) if e.is_dir() and not e.name.startswith("."))
    except OSError:
        return []


def run_ids(workspace: str, pipeline: str, suffix: str = ".json") -> list[str]:
    """Run ids of a pipeline, oldest first (run ids sort by time)."""
    folder = os.path.join(runs_dir(workspace), pipeline)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(n[: -len(suffix)] for n in names if n.endswith(suffix) and not n.startswith("."))


def read_record(path: str) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            data: Any = json.loads(fh.read())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    if data.get("status") in ("queued", "running"):
        return _settle(path, data)
    return data


def _settle(path: str, record: dict[str, Any]) -> dict[str, Any]:
    """Let the engine mark a run failed whose runner died (its contract: settle before use).

    Without the engine (or if it fails), the record is shown as written."""
    try:
        from flext.engine import runs as engine_runs
        from flext.engine.workspace import Workspace
    except ImportError:
        return record
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(path))))  # <ws>/.flext/runs/<p>/<id>.json
    try:
        settled = engine_runs.settle(Workspace(root), record)
    except Exception:
        return record
    return settled if isinstance(settled, dict) else record


def runs(workspace: str, pipeline: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Run records, newest first, across pipelines (or of one)."""
    names = [pipeline] if pipeline else pipelines(workspace)
    found: list[tuple[str, dict[str, Any]]] = []
    for name in names:
        ids = run_ids(workspace, name)
        if limit is not None:
            ids = ids[-limit:]
        for run_id in ids:
            record = read_record(os.path.join(runs_dir(workspace), name, run_id + ".json"))
            if record is None:
                continue
            record.setdefault("id", run_id)
            record.setdefault("pipeline", name)
            found.append((str(record.get("started_at") or run_id), record))
    found.sort(key=lambda pair: pair[0], reverse=True)
    records = [r for _, r in found]
    return records[:limit] if limit is not None else records


def latest(workspace: str, pipeline: str) -> dict[str, Any] | None:
    """The newest run record of a pipeline (a slot the scheduler skipped is not a run)."""
    ids = run_ids(workspace, pipeline)
    for run_id in reversed(ids):
        record = read_record(os.path.join(runs_dir(workspace), pipeline, run_id + ".json"))
        if record is not None and record.get("status") != "skipped":
            record.setdefault("id", run_id)
            record.setdefault("pipeline", pipeline)
            return record
    return None


def log_files(workspace: str, pipeline: str) -> list[str]:
    """Run logs of a pipeline, oldest first."""
    folder = os.path.join(runs_dir(workspace), pipeline)
    return [os.path.join(folder, i + ".log") for i in run_ids(workspace, pipeline, ".log")]


__all__ = ["find", "latest", "log_files", "manifest", "pipelines", "read_record", "run_ids", "runs", "runs_dir"]
