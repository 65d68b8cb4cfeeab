"""Names for completion on a remote profile: the server's, not this machine's.

`flext.router.live` sends the engine's kinds (pipelines, services, log sources, runs)
here when the scope's profile talks to a server, so `flext -p team pipeline start <TAB>`
offers the team's pipelines. One request per kind with a short timeout and no retries,
kept for 30 s in the cache dir; a server that does not answer gives the last names
it gave (or none), never a traceback and never this machine's names.
"""

from __future__ import annotations

import json
import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.paths import Scope

TTL_S = 30.0


def names(kind: str, scope: Scope) -> list[tuple[str, str]]:
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


__all__ = ["TTL_S", "names"]
