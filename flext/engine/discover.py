"""Tap discovery (`--discover`) and stream selection for `--select`.

A pipeline's discovered catalog is cached in `.flext/catalogs/<pipeline>.json`, keyed by
a hash of the tap executable and its resolved settings, so discovery runs once; the
selected copy handed to the tap with `--catalog` lives in the run's private dir.
"""

from __future__ import annotations

import os
import subprocess

from flext.core.errors import ConfigError, OperationFailed

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.engine.workspace import Workspace

TIMEOUT_S = 300


def run_discovery(executable: str, config_path: str, cwd: str, *, pass_fds: tuple[int, ...] = (),
                  hint: str | None = None) -> dict[str, Any]:
    """The tap's catalog; a failure is one line with the tap's own error (`KeyError: 'paths'`)."""
    import json

    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    try:
        proc = subprocess.run([executable, "--config", config_path, "--discover"], cwd=cwd, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_S, check=False,
                              pass_fds=pass_fds)
    except subprocess.TimeoutExpired:
        raise OperationFailed(f"discovery with {os.path.basename(executable)} timed out after {TIMEOUT_S}s") from None
    if proc.returncode != 0:
        from flext.engine.runner import plugin_cause

        name = os.path.basename(executable)
        why = plugin_cause(proc.stderr.decode("utf-8", "replace").splitlines()[-200:])
        raise OperationFailed(f"discovery failed: {name} exited with code {proc.returncode}" + (f": {why}" if why else ""),
                              hint=hint or f"run it by hand to see all it printed: {name} --config FILE --discover")
    try:
        catalog = json.loads(proc.stdout)
    except ValueError:
        raise OperationFailed(f"{os.path.basename(executable)} --discover did not print a JSON catalog") from None
    if not isinstance(catalog, dict) or not isinstance(catalog.get("streams"), list):
        raise OperationFailed(f"{os.path.basename(executable)} --discover printed no streams")
    return catalog


def cached(ws: Workspace, pipeline: str, executable: str, config: dict[str, Any], config_path: str, *,
           pass_fds: tuple[int, ...] = ()) -> dict[str, Any]:
    import hashlib
    import json

    key = hashlib.sha256(json.dumps([executable, config], sort_keys=True, default=str).encode()).hexdigest()
    path = ws.path("catalogs", f"{pipeline}.json")
    try:
        with open(path, encoding="utf-8") as fh:
            entry = json.load(fh)
        if entry.get("key") == key:
            return dict(entry["catalog"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    catalog = run_discovery(executable, config_path, ws.root, pass_fds=pass_fds)
    from flext.core.fsutil import atomic_write

    atomic_write(path, json.dumps({"key": key, "catalog": catalog}), 0o600)
    return catalog


def select(catalog: dict[str, Any], streams: list[str], key: str = "select") -> dict[str, Any]:
    """Mark exactly `streams` selected (stream-level metadata); unknown names are exit 5."""
    known = [stream_id(s) for s in catalog["streams"]]
    for name in streams:
        if name not in known:
            from flext.core.suggest import closest

            guess = closest(name, known)
            raise ConfigError(f"{key}: the tap has no stream {name!r}",
                              hint=f"did you mean {guess!r}?" if guess else f"streams: {', '.join(known) or 'none'}")
    for stream in catalog["streams"]:
        chosen = stream_id(stream) in streams
        metadata = stream.setdefault("metadata", [])
        top = next((m for m in metadata if not m.get("breadcrumb")), None)
        if top is None:
            top = {"breadcrumb": [], "metadata": {}}
            metadata.append(top)
        top.setdefault("metadata", {})["selected"] = chosen
        if chosen:  # select every property the tap left unselected by default
            for item in metadata:
                if item.get("breadcrumb") and item.get("metadata", {}).get("inclusion") != "unsupported":
                    item["metadata"].setdefault("selected", True)
    return catalog


def stream_id(stream: dict[str, Any]) -> str:
    return str(stream.get("tap_stream_id") or stream.get("stream"))


def rows(catalog: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per stream for `data taps discover`."""
    out = []
    for stream in catalog.get("streams", []):
        props = (stream.get("schema") or {}).get("properties") or {}
        top: dict[str, Any] = next((m.get("metadata", {}) for m in stream.get("metadata", []) if not m.get("breadcrumb")), {})
        keys = stream.get("key_properties") or top.get("table-key-properties") or []
        out.append({
            "stream": stream_id(stream),
            "key_properties": list(keys),
            "replication_key": stream.get("replication_key") or top.get("valid-replication-keys") or None,
            "properties": len(props),
            "selected": top.get("selected", top.get("selected-by-default")),
        })
    return out


__all__ = ["cached", "rows", "run_discovery", "select", "stream_id"]
