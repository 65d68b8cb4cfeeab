"""`.flext/index.json`: the names cache that completion reads without parsing TOML.

Rewritten (atomically) after every write that changes a name: pipeline create/delete,
a new run, a plugin install. A failure to write it never fails the command.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.engine.workspace import Workspace

MAX_RUNS = 50


def build(ws: Workspace) -> dict[str, Any]:
    from flext.engine import plugins

    pipelines = sorted(ws.pipelines) if ws.exists else []
    runs: dict[str, list[str]] = {}
    runs_root = ws.path("runs")
    for name in _listdir(runs_root):
        ids = sorted((f[:-5] for f in _listdir(os.path.join(runs_root, name)) if f.endswith(".json")), reverse=True)
        if ids:
            runs[name] = ids[:MAX_RUNS]
    return {
        "pipelines": pipelines,
        "runs": runs,
        "plugins": [{"name": m["name"], "kind": m.get("kind")} for m in plugins.installed(ws)],
        "dbt_projects": dbt_projects(ws),
    }


def dbt_projects(ws: Workspace, depth: int = 3) -> list[str]:
    """Directories (relative to the workspace) holding a dbt_project.yml."""
    found: list[str] = []
    root = ws.root

    def walk(directory: str, level: int) -> None:
        if os.path.isfile(os.path.join(directory, "dbt_project.yml")):
            found.append(os.path.relpath(directory, root))
            return
        if level >= depth:
            return
        for name in sorted(_listdir(directory)):
            if name.startswith(".") or name in ("node_modules", "target", "dbt_packages", "venv"):
                continue
            child = os.path.join(directory, name)
            if os.path.isdir(child) and not os.path.islink(child):
                walk(child, level + 1)

    walk(root, 0)
    return found


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def refresh(ws: Workspace) -> None:
    import json

    try:
        from flext.engine.files import replace

        replace(ws.index_file, json.dumps(build(ws), separators=(",", ":")) + "\n", 0o644, durable=False)
    except Exception:  # a cache: never fail the command that changed something
        pass


__all__ = ["MAX_RUNS", "build", "dbt_projects", "refresh"]
