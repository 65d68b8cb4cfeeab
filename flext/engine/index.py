"""`.flext/index.json`: the names cache that completion reads without parsing TOML.

Rewritten (atomically) after every write that changes a name: pipeline create/delete,
a new run, a plugin install, `flext init`. It also records which flext.toml it was built
from (`source`: inode, size, mtime), so a hand edit of flext.toml is noticed by one
`stat` on the next read (`current`) and the index rebuilt then. A failure to write it
never fails the command.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.engine.workspace import Workspace

MAX_RUNS = 50


def source_key(root: str) -> str | None:
    """The flext.toml an index is built from, as `inode:size:mtime_ns` (None: no file)."""
    try:
        st = os.stat(os.path.join(root, "flext.toml"))
    except OSError:
        return None
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def build(ws: Workspace) -> dict[str, Any]:
    from flext.engine import plugins

    source = source_key(ws.root)  # before reading: a change while we read is seen next time
    pipelines = sorted(ws.pipelines) if ws.exists else []
    runs: dict[str, list[str]] = {}
    runs_root = ws.path("runs")
    for name in _listdir(runs_root):
        ids = sorted((f[:-5] for f in _listdir(os.path.join(runs_root, name)) if f.endswith(".json")), reverse=True)
        if ids:
            runs[name] = ids[:MAX_RUNS]
    return {
        "source": source,
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


def refresh(ws: Workspace) -> dict[str, Any] | None:
    """Rebuild and save the index; the new index, or None when flext.toml cannot be read."""
    import json

    try:
        data = build(ws)
    except Exception:  # a cache: never fail the command that changed something
        return None
    if os.path.isdir(ws.dot):  # never create .flext/ just for a cache
        try:
            from flext.engine.files import replace

            replace(ws.index_file, json.dumps(data, separators=(",", ":")) + "\n", 0o644, durable=False)
        except Exception:
            pass
    return data


def current(root: str) -> dict[str, Any]:
    """The index of the workspace at `root`, rebuilt first when flext.toml changed since it
    was written (a hand edit): one stat when nothing changed. {} when nothing is readable;
    a flext.toml that does not parse keeps the last good index."""
    import json

    data: Any
    try:
        with open(os.path.join(root, ".flext", "index.json"), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict):
        data = None
    if data is not None and data.get("source", "") == source_key(root):
        return dict(data)
    if data is None and source_key(root) is None and not os.path.isdir(os.path.join(root, ".flext")):
        return {}
    from flext.engine.workspace import Workspace

    fresh = refresh(Workspace(root))
    return fresh if fresh is not None else (data or {})


__all__ = ["MAX_RUNS", "build", "current", "dbt_projects", "refresh", "source_key"]
