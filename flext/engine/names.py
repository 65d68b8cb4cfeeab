"""Completion sources (`flext.router.live` calls them as `fn(scope)`): stdlib only.

They read `.flext/index.json` of the workspace found from `cwd` (or the default
workspace), so a TAB press costs one small JSON read and one `stat` of flext.toml; the
index is rebuilt first when flext.toml changed by hand since it was written.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.paths import Scope


def _index(scope: Scope) -> dict[str, Any]:
    from flext.engine.index import current

    return current(scope.workspace())


def pipelines(scope: Scope) -> list[str]:
    return [str(p) for p in _index(scope).get("pipelines", [])]


def runs(scope: Scope) -> list[tuple[str, str]]:
    """Run ids, newest first, each described by its pipeline."""
    out: list[tuple[str, str]] = []
    for pipeline, ids in (_index(scope).get("runs") or {}).items():
        out.extend((str(i), str(pipeline)) for i in ids)
    return sorted(out, reverse=True)


def _plugins(scope: Scope, kind: str) -> list[str]:
    names = [str(p.get("name")) for p in _index(scope).get("plugins", []) if p.get("kind") == kind]
    try:
        import json

        with open(os.path.join(os.path.dirname(__file__), "catalog.json"), encoding="utf-8") as fh:
            names += [e["name"] for e in json.load(fh)["plugins"] if e["kind"] == kind and e["name"] not in names]
    except (OSError, ValueError, KeyError):
        pass
    return names


def taps(scope: Scope) -> list[str]:
    return _plugins(scope, "tap")


def targets(scope: Scope) -> list[str]:
    return _plugins(scope, "target")


def dbt_projects(scope: Scope) -> list[str]:
    return [str(p) for p in _index(scope).get("dbt_projects", [])]


__all__ = ["dbt_projects", "pipelines", "runs", "taps", "targets"]
