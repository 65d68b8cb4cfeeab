"""Where the GrupoNos project and its run records live, and what its meltano.yml declares.

meltano.yml is read with PyYAML (and the files its `include_paths` name), so listing
jobs, schedules, plugins and the variables the project uses needs no meltano start-up.
A file that does not parse is a ConfigError naming the file and line, never read as empty.
"""

from __future__ import annotations

import os

from flext.core.errors import ConfigError
from flext.plugins import meltano_exec as mx
from flext.plugins.api import settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context

PLUGIN = "gruponos"


def workspace(ctx: Context) -> str:
    return mx.workspace_root(ctx)


def project_dir(ctx: Context, given: str | None = None) -> str:
    """--project DIR, else `gruponos.project_dir` (relative to the workspace), else `<workspace>/gruponos`,
    else the nearest folder with meltano.yml at or above the current one."""
    if given:
        return mx.project_dir(ctx, given)
    configured = settings(ctx, PLUGIN).get("project_dir")
    root = workspace(ctx)
    if configured:
        return mx.project_dir(ctx, None, configured=os.path.join(root, os.path.expanduser(str(configured))))
    default = os.path.join(root, PLUGIN)
    if os.path.isfile(os.path.join(default, "meltano.yml")):
        return default
    return mx.project_dir(ctx, None)


def found_without_project_option(ctx: Context, directory: str) -> bool:
    """Whether `directory` is the project a command run from the workspace root would find by itself
    (the scheduler runs deployed commands there)."""
    configured = settings(ctx, PLUGIN).get("project_dir")
    root = workspace(ctx)
    if configured:
        return os.path.abspath(os.path.join(root, os.path.expanduser(str(configured)))) == directory
    here = root
    if os.path.isfile(os.path.join(root, PLUGIN, "meltano.yml")):
        return os.path.join(root, PLUGIN) == directory
    while not os.path.isfile(os.path.join(here, "meltano.yml")):
        parent = os.path.dirname(here)
        if parent == here:
            return False
        here = parent
    return here == directory


def _load_yaml(path: str) -> dict[str, Any]:
    from flext.core import yamlfile

    data = yamlfile.load(path, hint="fix the file (meltano reads it too)")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a Meltano project file is a mapping (version, plugins, jobs, ...)")
    return data


def load(directory: str) -> dict[str, Any]:
    """meltano.yml of `directory` with the files of its `include_paths` merged in (lists appended)."""
    import glob

    data = _load_yaml(os.path.join(directory, "meltano.yml"))
    for pattern in data.get("include_paths") or []:
        for path in sorted(glob.glob(os.path.join(directory, str(pattern)))):
            extra = _load_yaml(path)
            for key in ("jobs", "schedules", "environments"):
                if isinstance(extra.get(key), list):
                    data[key] = list(data.get(key) or []) + extra[key]
            for kind, items in (extra.get("plugins") or {}).items():
                if isinstance(items, list):
                    data.setdefault("plugins", {}).setdefault(kind, [])
                    data["plugins"][kind] = list(data["plugins"][kind] or []) + items
    return data


def jobs(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for job in data.get("jobs") or []:
        if isinstance(job, dict) and job.get("name"):
            tasks = job.get("tasks") or []
            out.append({"name": str(job["name"]), "tasks": [str(t) for t in tasks] if isinstance(tasks, list)
                        else [str(tasks)]})
    return out


def schedules(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in data.get("schedules") or []:
        if isinstance(item, dict) and item.get("name"):
            out.append({"name": str(item["name"]), "job": item.get("job"), "interval": item.get("interval")})
    return out


def plugins(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every plugin: name, type (extractors, loaders, ...), executable (default: its name), config."""
    out = []
    for kind, items in (data.get("plugins") or {}).items():
        for item in items or []:
            if isinstance(item, dict) and item.get("name"):
                out.append({"name": str(item["name"]), "type": str(kind),
                            "executable": str(item.get("executable") or item["name"]),
                            "pip_url": item.get("pip_url"), "config": item.get("config") or {}})
    return out


def variables(data: dict[str, Any]) -> list[str]:
    """Environment variables the project's config refers to (`$NAME` or `${NAME}`), in order of appearance."""
    import re

    pattern = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
    found: dict[str, None] = {}

    def walk(value: Any) -> None:
        if isinstance(value, str):
            for name in pattern.findall(value):
                found.setdefault(name, None)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data.get("plugins"))
    walk(data.get("environments"))
    return list(found)


def runs_dir(ctx: Context, job: str) -> str:
    return os.path.join(workspace(ctx), ".flext", PLUGIN, "runs", job)


def deployments_file(ctx: Context) -> str:
    return os.path.join(workspace(ctx), ".flext", PLUGIN, "deployments.jsonl")


__all__ = ["PLUGIN", "deployments_file", "found_without_project_option", "jobs", "load", "plugins", "project_dir",
           "runs_dir", "schedules", "variables", "workspace"]
