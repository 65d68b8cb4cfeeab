"""Completion sources (`flext.router.live` calls them as `fn(env, cwd)`): stdlib only.

They read `.flext/index.json` of the workspace found from `cwd` (or the default
workspace), never flext.toml, so a TAB press costs one small JSON read.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


def _index(env: Mapping[str, str], cwd: str) -> dict[str, Any]:
    import json

    here = os.path.abspath(cwd)
    root = None
    while True:
        if os.path.isfile(os.path.join(here, "flext.toml")):
            root = here
            break
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    if root is None:
        home = env.get("HOME") or os.path.expanduser("~")
        data = env.get("FLEXT_DATA_DIR") or os.path.join(env.get("XDG_DATA_HOME") or os.path.join(home, ".local/share"), "flext")
        root = os.path.join(data, "workspace")
    try:
        with open(os.path.join(root, ".flext", "index.json"), encoding="utf-8") as fh:
            data_ = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data_ if isinstance(data_, dict) else {}


def pipelines(env: Mapping[str, str], cwd: str) -> list[str]:
    return [str(p) for p in _index(env, cwd).get("pipelines", [])]


def runs(env: Mapping[str, str], cwd: str) -> list[tuple[str, str]]:
    """Run ids, newest first, each described by its pipeline."""
    out: list[tuple[str, str]] = []
    for pipeline, ids in (_index(env, cwd).get("runs") or {}).items():
        out.extend((str(i), str(pipeline)) for i in ids)
    return sorted(out, reverse=True)


def _plugins(env: Mapping[str, str], cwd: str, kind: str) -> list[str]:
    names = [str(p.get("name")) for p in _index(env, cwd).get("plugins", []) if p.get("kind") == kind]
    try:
        import json

        with open(os.path.join(os.path.dirname(__file__), "catalog.json"), encoding="utf-8") as fh:
            names += [e["name"] for e in json.load(fh)["plugins"] if e["kind"] == kind and e["name"] not in names]
    except (OSError, ValueError, KeyError):
        pass
    return names


def taps(env: Mapping[str, str], cwd: str) -> list[str]:
    return _plugins(env, cwd, "tap")


def targets(env: Mapping[str, str], cwd: str) -> list[str]:
    return _plugins(env, cwd, "target")


def dbt_projects(env: Mapping[str, str], cwd: str) -> list[str]:
    return [str(p) for p in _index(env, cwd).get("dbt_projects", [])]


__all__ = ["dbt_projects", "pipelines", "runs", "taps", "targets"]
