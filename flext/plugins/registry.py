"""Which plugins are installed, where, and whether they are enabled.

State lives in `<data>/plugins/plugins.json` (written atomically); each installed plugin
has its own folder `<data>/plugins/<name>/` holding `src/` (a copied folder) and/or
`lib/` (`pip install --target`: a wheel, a package from the index, or a folder
plugin's Python dependencies). Bundled plugins (`gruponos`, `algar`) count as
installed and enabled until the state says otherwise; packages in flext's own
environment that declare the entry-point group `flext.plugins` are found too.
"""

from __future__ import annotations

import os
import sys
import time

from flext.core.errors import ConfigError
from flext.core.fsutil import atomic_write
from flext.plugins import index as _index
from flext.plugins.manifest import FILENAME, Manifest, read

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.paths import Paths

ENTRY_POINT_GROUP = "flext.plugins"


class Installed:
    """One installed plugin: its manifest and how it got here."""

    __slots__ = ("dist", "enabled", "error", "installed_at", "kind", "manifest", "source", "sys_path")

    def __init__(self, manifest: Manifest, kind: str, source: str, *, enabled: bool = True,
                 error: str | None = None, sys_path: list[str] | None = None,
                 installed_at: str | None = None, dist: str | None = None) -> None:
        self.manifest = manifest
        self.kind = kind  # bundled | folder | wheel | pip | entry-point
        self.source = source
        self.enabled = enabled
        self.error = error
        self.sys_path = sys_path or []
        self.installed_at = installed_at
        self.dist = dist

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def state(self) -> str:
        return "enabled" if self.enabled else ("broken" if self.error else "disabled")


def plugins_dir(paths: Paths) -> str:
    return os.path.join(paths.data_dir, "plugins")


def plugin_home(paths: Paths, name: str) -> str:
    return os.path.join(plugins_dir(paths), name)


def load_state(paths: Paths) -> dict[str, Any]:
    import json

    try:
        with open(_index.state_file(paths), encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return {"version": 1, "plugins": {}}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {_index.state_file(paths)}: {exc}",
                          hint="fix or delete the file; installed plugin folders are kept") from None
    if not isinstance(data, dict) or not isinstance(data.get("plugins"), dict):
        return {"version": 1, "plugins": {}}
    return data


def save_state(paths: Paths, state: dict[str, Any]) -> None:
    """Persist, then rebuild the command index so the next start-up sees the change."""
    import json

    atomic_write(_index.state_file(paths), json.dumps(state, indent=2, sort_keys=True) + "\n")
    _index.rebuild(paths)
    from flext.router.spec import reset_tree

    reset_tree()  # the shell keeps one process: its next line sees the plugin's commands come or go


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def installed(paths: Paths, *, strict: bool = False) -> dict[str, Installed]:
    """Every installed plugin by name. A broken manifest is skipped (or raised when strict)."""
    state = load_state(paths)["plugins"]
    found: dict[str, Installed] = {}
    for name in _index.BUNDLED:
        record = state.get(name, {})
        if record.get("removed"):
            continue
        try:
            manifest = read(os.path.join(_index.bundled_dir(), name))
        except ConfigError:
            if strict:
                raise
            continue
        lib = os.path.join(plugin_home(paths, name), "lib")
        found[name] = Installed(manifest, "bundled", "bundled", enabled=record.get("enabled", True),
                                error=record.get("error"), sys_path=[lib], installed_at=record.get("installed_at"))
    for name, record in sorted(state.items()):
        if record.get("removed") or name in found or not record.get("path"):
            continue
        try:
            manifest = read(record["path"])
        except ConfigError:
            if strict:
                raise
            continue
        found[name] = Installed(manifest, record.get("kind", "folder"), record.get("source", ""),
                                enabled=bool(record.get("enabled", True)), error=record.get("error"),
                                sys_path=list(record.get("sys_path", [])), installed_at=record.get("installed_at"),
                                dist=record.get("dist"))
    for manifest, dist in entry_point_manifests():
        if manifest.name in found:
            continue
        record = state.get(manifest.name, {})
        found[manifest.name] = Installed(manifest, "entry-point", f"entry-point:{dist}",
                                         enabled=record.get("enabled", True), error=record.get("error"), dist=dist)
    return found


def entry_point_manifests(path: list[str] | None = None) -> list[tuple[Manifest, str]]:
    """Manifests of distributions declaring `flext.plugins` (value: the package holding the toml).

    Read from the distributions' files, so no plugin module is imported.
    """
    import importlib.metadata

    out: list[tuple[Manifest, str]] = []
    if path is None:  # flext's own environment, not the plugin folders this process added
        path = [p for p in sys.path if p not in _index.ADDED_PATHS]
    dists = importlib.metadata.distributions(path=path)
    seen: set[str] = set()
    for dist in dists:
        try:
            eps = [ep for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP]
        except Exception:  # a broken distribution must not break listing
            continue
        for ep in eps:
            module = ep.value.partition(":")[0].strip()
            base = module.replace(".", "/")
            for candidate in (f"{base}/{FILENAME}", f"{os.path.dirname(base)}/{FILENAME}"):
                file = str(dist.locate_file(candidate))
                if os.path.isfile(file) and file not in seen:
                    seen.add(file)
                    try:
                        out.append((read(file), dist.metadata["Name"] or ep.name))
                    except ConfigError:
                        pass
                    break
    return out


def set_enabled(paths: Paths, name: str, enabled: bool, *, error: str | None = None) -> None:
    state = load_state(paths)
    record = state["plugins"].setdefault(name, {})
    record["enabled"] = enabled
    if error is None:
        record.pop("error", None)
    else:
        record["error"] = error
    save_state(paths, state)


def build_index(paths: Paths) -> dict[str, Any]:
    """The start-up index: enabled plugins' commands, and every installed plugin's name/state."""
    plugins: dict[str, Any] = {}
    commands: list[dict[str, Any]] = []
    groups: dict[str, list[str]] = {}
    for name, item in sorted(installed(paths).items()):
        m = item.manifest
        plugins[name] = {"version": m.version, "state": item.state, "description": m.description,
                         "sys_path": item.sys_path, "source": item.source}
        if not item.enabled:
            continue
        for words, summary in m.groups.items():
            groups[words] = [name, summary]
        for words, spec in sorted(m.commands.items()):
            commands.append(dict(spec, words=words, plugin=name))
        top = sorted({w.split()[0] for w in m.commands})
        for word in top:
            groups.setdefault(word, [name, m.description or f"Commands of the {name} plugin"])
    return {"plugins": plugins, "commands": commands, "groups": groups}


__all__ = [
    "ENTRY_POINT_GROUP", "Installed", "build_index", "entry_point_manifests", "installed", "load_state",
    "now", "plugin_home", "plugins_dir", "save_state", "set_enabled",
]
