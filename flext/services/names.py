"""Completion sources for service and log-source names; standard library only.

Called by the completion machinery (`flext/router/live.py`) on every key press, so they
read files directly, never import httpx/rich/msgspec, and never fail: a broken config
just yields fewer names.
"""

from __future__ import annotations

import os

from flext.services.builtin import BUILTIN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.paths import Scope


def _toml(path: str) -> dict[str, Any]:
    try:
        import tomllib

        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _tables(doc: dict[str, Any]) -> dict[str, Any]:
    raw = doc.get("services")
    return raw if isinstance(raw, dict) else {}


def services(scope: Scope) -> list[str]:
    """Registered, enabled service names: built-ins, config.toml, the workspace's flext.toml."""
    merged: dict[str, bool] = dict.fromkeys(BUILTIN, True)
    for doc in (_toml(scope.paths.config_file), _toml(os.path.join(scope.workspace(), "flext.toml"))):
        for name, body in _tables(doc).items():
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
        for name, body in _tables(doc).items():
            if isinstance(body, dict) and isinstance(body.get("log_file"), str):
                found.add(str(name))
    runs = os.path.join(workspace, ".flext", "runs")
    try:
        found.update(e.name for e in os.scandir(runs) if e.is_dir() and not e.name.startswith("."))
    except OSError:
        pass
    return sorted(found)


__all__ = ["log_sources", "services"]
