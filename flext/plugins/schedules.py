"""Scheduled flext command lines: `<workspace>/.flext/schedules.json`, run by `flext serve`.

Plugins (gruponos, algar) deploy jobs that are not tap -> target pipelines, so they
register a flext command line with a cron expression here; the scheduler of `flext serve`
runs `flext -C <workspace> <command...>` at each due minute. Format (version 1):

    {"version": 1, "schedules": {"gruponos.full-sync-job": {
        "name": "gruponos.full-sync-job", "cron": "@weekly",
        "command": ["gruponos", "run", "full-sync-job"], "plugin": "gruponos",
        "enabled": true, "created_at": "...Z", "updated_at": "...Z"}}}

Written atomically under an advisory lock; readers ignore entries they cannot parse.
"""

from __future__ import annotations

import fcntl
import json
import os

from flext.core.fsutil import atomic_write
from flext.plugins.api import iso

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FILENAME = "schedules.json"


def path(workspace_root: str) -> str:
    return os.path.join(workspace_root, ".flext", FILENAME)


def load(workspace_root: str) -> dict[str, dict[str, Any]]:
    try:
        with open(path(workspace_root), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    items = data.get("schedules") if isinstance(data, dict) else None
    return {k: v for k, v in items.items() if isinstance(v, dict)} if isinstance(items, dict) else {}


def put(workspace_root: str, name: str, *, cron: str, command: list[str], plugin: str) -> dict[str, Any]:
    """Add or replace one schedule; returns the stored entry."""
    from flext.engine.workspace import Workspace, ensure_dot

    ensure_dot(Workspace(workspace_root))
    lock_path = path(workspace_root) + ".lock"
    fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        items = load(workspace_root)
        now = iso()
        entry = {"name": name, "cron": cron, "command": list(command), "plugin": plugin, "enabled": True,
                 "created_at": items.get(name, {}).get("created_at", now), "updated_at": now}
        items[name] = entry
        atomic_write(path(workspace_root), json.dumps({"version": 1, "schedules": items}, indent=2, sort_keys=True) + "\n")
        return entry
    finally:
        os.close(fd)


def next_run(cron: str) -> str | None:
    try:
        from flext.engine.cron import next_runs

        when = next_runs(cron)[0]
    except Exception:
        return None
    import datetime

    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check(cron: str) -> None:
    from flext.core.errors import UsageError
    from flext.engine.cron import parse

    try:
        parse(cron)
    except Exception as exc:
        raise UsageError(f"invalid schedule {cron!r}: {exc}", hint="e.g. '0 */2 * * *' or @weekly") from None


__all__ = ["FILENAME", "check", "load", "next_run", "path", "put"]
