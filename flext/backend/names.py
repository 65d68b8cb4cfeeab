"""The names that exist right now, for completion: the one module of live-name sources.

`flext.router.live` maps each kind (pipelines, runs, taps, targets, dbt projects,
services, log sources, plugins) to a function here, called with a `Scope` on every TAB
press, so the local ones are cheap and stdlib-only: one small JSON read of the
workspace's `.flext/index.json` (rebuilt first when flext.toml was edited by hand), the
service tables of config.toml and flext.toml, the plugin index. None of them raises.

On a profile that talks to a server, the engine's kinds go to `remote` instead: the
server's names, one request per kind with a short timeout and no retries, kept for 30 s
in the cache dir; a server that does not answer gives the last names it gave (or none),
never this machine's names.
"""

from __future__ import annotations

import json
import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.paths import Scope


# -- the embedded engine's names ---------------------------------------------------------


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
    import flext.engine

    names = [str(p.get("name")) for p in _index(scope).get("plugins", []) if p.get("kind") == kind]
    try:
        with open(os.path.join(os.path.dirname(flext.engine.__file__), "catalog.json"), encoding="utf-8") as fh:
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


# -- services and log sources ------------------------------------------------------------


def _toml(path: str) -> dict[str, Any]:
    try:
        import tomllib

        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _service_tables(doc: dict[str, Any]) -> dict[str, Any]:
    raw = doc.get("services")
    return raw if isinstance(raw, dict) else {}


def services(scope: Scope) -> list[str]:
    """Registered, enabled service names: built-ins, config.toml, the workspace's flext.toml."""
    from flext.services.builtin import BUILTIN

    merged: dict[str, bool] = dict.fromkeys(BUILTIN, True)
    for doc in (_toml(scope.paths.config_file), _toml(os.path.join(scope.workspace(), "flext.toml"))):
        for name, body in _service_tables(doc).items():
            enabled = body.get("enabled", True) if isinstance(body, dict) else True
            merged[str(name)] = bool(enabled) if isinstance(enabled, bool) else True
    return sorted(n for n, on in merged.items() if on)


def log_sources(scope: Scope) -> list[str]:
    """Names `logs tail` accepts: services with a log file and pipelines with run logs."""
    paths = scope.paths
    workspace = scope.workspace()
    found: set[str] = set()
    service_logs = os.path.join(paths.logs_dir, "services")
    try:
        found.update(n[: -len(".jsonl")] for n in os.listdir(service_logs) if n.endswith(".jsonl"))
    except OSError:
        pass
    for doc in (_toml(paths.config_file), _toml(os.path.join(workspace, "flext.toml"))):
        for name, body in _service_tables(doc).items():
            if isinstance(body, dict) and isinstance(body.get("log_file"), str):
                found.add(str(name))
    folder = os.path.join(workspace, ".flext", "runs")
    try:
        found.update(e.name for e in os.scandir(folder) if e.is_dir() and not e.name.startswith("."))
    except OSError:
        pass
    return sorted(found)


# -- flext's plugins -----------------------------------------------------------------------


def plugins(scope: Scope) -> dict[str, str]:
    """Installed plugins with their descriptions, from the cached start-up index."""
    from flext.plugins.index import load

    data = load(scope.paths)
    return {name: str(info.get("description") or "") for name, info in sorted(data["plugins"].items())}


# -- a server's names ------------------------------------------------------------------------

TTL_S = 30.0


def remote(kind: str, scope: Scope) -> list[tuple[str, str]]:
    from hashlib import sha256

    key = sha256(f"{scope.profile}|{scope.env.get('FLEXT_PROFILE')}|{kind}".encode()).hexdigest()[:24]
    path = os.path.join(scope.paths.cache_dir, "remote-names", f"{key}.json")
    cached = _read(path)
    if cached is not None and time.time() - float(cached.get("at") or 0) < TTL_S:
        return [(str(n), str(d)) for n, d in cached.get("names") or []]
    try:
        found = _ask(kind, scope)
    except Exception:  # completion never fails: the last answer, or nothing
        return [(str(n), str(d)) for n, d in (cached or {}).get("names") or []]
    from flext.core.fsutil import atomic_write

    try:
        atomic_write(path, json.dumps({"at": time.time(), "names": found}), 0o600, durable=False)
    except OSError:
        pass
    return found


def _ask(kind: str, scope: Scope) -> list[tuple[str, str]]:
    from flext.backend.select import select
    from flext.core.context import Context

    env = dict(scope.env)
    env.setdefault("FLEXT_TIMEOUT", "2")  # a TAB press waits two seconds at most, and never retries
    env["FLEXT_RETRIES"] = "0"
    ctx = Context(env=env, options={"profile": scope.profile} if scope.profile else {}, backend_factory=select)
    backend = ctx.backend
    rows: list[dict[str, Any]]
    if kind == "pipelines":
        rows = backend.list_pipelines()
        return [(str(r["name"]), str(r.get("status") or "")) for r in rows]
    if kind == "services":
        rows = backend.list_services()
        return [(str(r["name"]), str(r.get("url") or "")) for r in rows]
    if kind == "log_sources":
        rows = backend.log_sources()
        return [(str(r["name"]), str(r.get("kind") or "")) for r in rows]
    if kind == "runs":
        out: list[tuple[str, str]] = []
        for pipeline in backend.list_pipelines():
            if pipeline.get("last_run"):
                out.append((str(pipeline["last_run"]), str(pipeline["name"])))
        return out
    return []


def _read(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None




__all__ = ["TTL_S", "dbt_projects", "log_sources", "pipelines", "plugins", "remote", "runs", "services", "taps",
           "targets"]
