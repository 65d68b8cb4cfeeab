"""What the API may ask the server to run, read or expand: checks before any handler acts.

- Programs: a tap or target named by a request must be a plugin of the workspace:
  installed (`.flext/plugins/NAME`) or declared in flext.toml (`[plugins.NAME]`, or the
  tap/target of a pipeline already defined there). Anything else on the server's PATH,
  or any path, is refused before it could run (an operator is not a shell user).
- Config: settings sent over the API are taken literally. `${VAR}` and `secret:NAME`
  are refused (400 naming the key): they would read the server's environment or
  keyring; only the workspace's own files may use them.
- Paths: a path sent over the API (dbt project, transform, config file) must stay inside
  the workspace, after `~`, `..` and symlinks are resolved.
"""

from __future__ import annotations

import os

from flext.core.errors import NotFound
from flext.server.wire import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.engine.workspace import Workspace


def plugin_names(ws: Workspace) -> set[str]:
    """Names the workspace installed or declared (the only ones the API may run)."""
    from flext.engine import plugins

    names = {str(m.get("name")) for m in plugins.installed(ws)}
    if ws.exists:
        names.update(ws.plugin_overrides)
        for spec in ws.pipelines.values():
            if isinstance(spec, dict):
                names.update(str(spec[k]) for k in ("tap", "target") if isinstance(spec.get(k), str))
    return names


def check_plugin(ws: Workspace, name: str, kind: str) -> None:
    """NotFound (404, exit 6) unless `name` is a plugin of the workspace."""
    from flext.engine import plugins

    if name in plugin_names(ws) or plugins.read_manifest(ws, name) is not None:
        return
    verb = "taps" if kind == "tap" else "targets"
    shown = name if len(name) <= 128 else name[:125] + "..."
    raise NotFound(f"{kind} {shown!r} is not a plugin of this workspace (neither installed nor declared in flext.toml)",
                   hint=f"an admin installs it with `flext data {verb} install NAME`, "
                        f"or declares it as [plugins.NAME] in flext.toml")


def check_config(value: Any, key: str) -> None:
    """400 naming the key when API-supplied settings hold `${VAR}` or `secret:NAME`."""
    if isinstance(value, dict):
        for k, v in value.items():
            check_config(v, f"{key}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            check_config(v, f"{key}[{i}]")
    elif isinstance(value, str):
        if value.startswith("secret:"):
            what = "secret:NAME"
        elif "${" in value:
            what = "${VAR}"
        else:
            return
        raise ApiError(400, f"{key}: {what} is not allowed in settings sent to the server; only the workspace's own "
                            "files may read the server's environment or keyring", type="usage_error",
                       hint="send the value itself, or reference it from flext.toml on the server")


def inside(ws: Workspace, value: str, field: str) -> str:
    """`value` as a path relative to the workspace; 400 when it points outside it."""
    root = os.path.realpath(ws.root)
    bad = ApiError(400, f"{field} {value!r} is not a path inside the workspace", type="usage_error",
                   hint="use a path relative to the workspace, with no '~', '..' or symlink out of it")
    if not value or value.startswith("~") or os.path.isabs(value) or "\0" in value:
        raise bad
    if ".." in value.replace("\\", "/").split("/"):
        raise bad
    real = os.path.realpath(os.path.join(root, value))
    if real != root and not real.startswith(root + os.sep):
        raise bad
    return os.path.relpath(real, root)


def check_argument(value: str | None, field: str) -> None:
    """A value passed on to a program's command line must not read as an option."""
    if value is not None and value.startswith("-"):
        raise ApiError(400, f"{field} must not start with '-'", type="usage_error")


__all__ = ["check_argument", "check_config", "check_plugin", "inside", "plugin_names"]
