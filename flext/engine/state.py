"""The last Singer STATE a target confirmed: `.flext/state/<pipeline>.json`.

Saved with temp file + fsync + rename, so a kill or a full disk leaves the old state or
the new one, never a torn file. The stored value is the target's state line verbatim
(a JSON object), which is what `--state` expects on the next run.
"""

from __future__ import annotations

import os

from flext.core.fsutil import atomic_write

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.engine.workspace import Workspace


def path(ws: Workspace, pipeline: str) -> str:
    return ws.state_file(pipeline)


def load(ws: Workspace, pipeline: str) -> dict[str, Any] | None:
    """The saved state, None when there is none; a damaged file is an error (exit 5) naming
    it and the line, never "no state" (a tap handed it would fail, or start over silently)."""
    from flext.core import jsonfile

    hint = (f"clear it with `flext pipeline state {pipeline} --clear` (the next run starts from scratch), "
            f"or fix the file; `flext pipeline run {pipeline} --full-refresh` ignores it")
    data: dict[str, Any] | None = jsonfile.read(
        path(ws, pipeline), what=f"the saved state of {pipeline!r}", hint=hint,
        check=lambda doc: None if isinstance(doc, dict) else "not a JSON object")
    return data


def status(ws: Workspace, pipeline: str) -> str | None:
    """'saved', 'damaged' or None (no state), for listings that must not fail on it."""
    from flext.core.errors import ConfigError

    try:
        return "saved" if load(ws, pipeline) is not None else None
    except ConfigError:
        return "damaged"


def save_line(state_path: str, line: bytes) -> bool:
    """Save a target's state line if it is a JSON object; False (nothing written) otherwise."""
    import json

    try:
        value = json.loads(line)
    except ValueError:
        return False
    if not isinstance(value, dict):
        return False
    if value.get("type") == "STATE" and isinstance(value.get("value"), dict):
        value = value["value"]  # a target that echoes whole STATE messages
    atomic_write(state_path, json.dumps(value, separators=(",", ":")) + "\n", 0o600)
    return True


def clear(ws: Workspace, pipeline: str) -> bool:
    try:
        os.unlink(path(ws, pipeline))
    except FileNotFoundError:
        return False
    return True


__all__ = ["clear", "load", "path", "save_line", "status"]
