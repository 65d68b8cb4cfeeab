"""`plugin install SOURCE`: stage, resolve `requires`, check, then move into place.

SOURCE is a folder, a wheel (path or URL), a name from the bundled index or from
`plugins.index_url`, or a requirement for the package index (`pkg==1.0`). Everything is
staged under `<data>/plugins/.staging-*` first (folders read in place; wheels and
packages with `pip install --target`), so a failure leaves installed plugins as they
were. Installed layout: `<data>/plugins/<name>/src` (a copied folder, on sys.path)
and `<data>/plugins/<name>/lib` (pip --target: the wheel or package and its Python
dependencies, on sys.path after flext's own packages).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from flext.core.errors import ConfigError, Conflict, NotFound, OperationFailed, UsageError
from flext.plugins import catalog, conflicts, registry
from flext.plugins import index as _index
from flext.plugins.manifest import FILENAME, Manifest, read
from flext.plugins.resolve import Candidate, plan

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context

_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".git", ".venv", "*.egg-info", "build", "dist")


class Staged:
    """A plugin ready to move into place."""

    __slots__ = ("folder", "kind", "lib", "manifest", "source")

    def __init__(self, manifest: Manifest, kind: str, source: str, *, folder: str | None = None,
                 lib: str | None = None) -> None:
        self.manifest = manifest
        self.kind = kind  # bundled | folder | wheel | pip
        self.source = source
        self.folder = folder  # copied to <home>/src
        self.lib = lib  # moved to <home>/lib


def install(ctx: Context, source: str, *, force: bool = False) -> list[dict[str, Any]]:
    """Install SOURCE and what it requires; returns one row per plugin installed, in order."""
    paths = ctx.paths
    current = registry.installed(paths)
    base = registry.plugins_dir(paths)
    os.makedirs(base, mode=0o700, exist_ok=True)
    import tempfile

    tmp = tempfile.mkdtemp(prefix=".staging-", dir=base)
    try:
        root = _stage_source(ctx, source, tmp, current)
        name = root.manifest.name
        if name in current and not force:
            have = current[name]
            if have.kind == "bundled" and root.kind == "bundled":
                raise Conflict(f"plugin {name!r} is bundled and already installed ({have.state})",
                               hint=f"`flext plugin enable {name}`" if not have.enabled else "nothing to do")
            raise Conflict(f"plugin {name!r} {have.version} is already installed (from {have.source})",
                           hint=f"pass --force to replace it, or `flext plugin uninstall {name}` first")
        staged: dict[int, Staged] = {}

        def find(dep: str) -> list[Candidate]:
            found = []
            for entry in catalog.find(ctx, dep):
                def requires(entry: catalog.Entry = entry) -> list[str]:
                    s = _stage_entry(ctx, entry, tmp, current)
                    staged[id(entry)] = s
                    return s.manifest.requires
                found.append(Candidate(entry.name, entry.version, requires, entry))
            return found

        versions = {n: i.version for n, i in current.items() if n != name}
        order = plan(Candidate(name, root.manifest.version, root.manifest.requires, root), versions, find)
        items: list[Staged] = []
        for cand in order:
            item = cand.payload if isinstance(cand.payload, Staged) else staged.get(id(cand.payload))
            if item is None:  # requirements were never read (none declared)
                item = _stage_entry(ctx, cand.payload, tmp, current)
            if item.manifest.name != cand.name or item.manifest.version != cand.version:
                raise ConfigError(f"index entry {cand.name} {cand.version} installs "
                                  f"{item.manifest.name} {item.manifest.version}",
                                  hint="fix the plugin index entry")
            items.append(item)
        _check_dependents(current, root.manifest)
        others = [i.manifest for n, i in current.items() if i.enabled and n not in {s.manifest.name for s in items}]
        for item in items:
            conflicts.check(item.manifest, others + [s.manifest for s in items if s is not item])
        rows = []
        state = registry.load_state(paths)
        for item in items:
            ctx.message(f"installing {item.manifest.name} {item.manifest.version} from {item.source}")
            state["plugins"][item.manifest.name] = _commit(ctx, item, tmp)
            rows.append(_row(item))
        registry.save_state(paths, state)
        return rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _row(item: Staged) -> dict[str, Any]:
    m = item.manifest
    return {"name": m.name, "version": m.version, "source": item.source, "commands": sorted(m.commands)}


def _check_dependents(current: dict[str, registry.Installed], new: Manifest) -> None:
    """Replacing a plugin must keep every enabled plugin that requires it satisfied."""
    from flext.plugins.version import Requirement

    for other in current.values():
        if not other.enabled:
            continue
        for text in other.manifest.requires:
            req = Requirement(text)
            if req.name == new.name and not req.allows(new.version):
                raise Conflict(f"version conflict: {other.name} requires {req}, but the new {new.name} is {new.version}",
                               hint=f"upgrade {other.name} too, or install a version that satisfies it")


def _stage_source(ctx: Context, source: str, tmp: str, current: dict[str, registry.Installed]) -> Staged:
    path = os.path.abspath(os.path.expanduser(source))
    if os.path.isdir(path):
        return Staged(read(path), "folder", path, folder=path)
    if os.path.isfile(path):
        if not path.endswith(".whl"):
            raise UsageError(f"{source} is a file but not a wheel (.whl)", hint="pass a folder, a wheel or a plugin name")
        return _stage_pip(ctx, path, tmp, "wheel", path)
    if source.startswith(("http://", "https://")) and source.endswith(".whl"):
        return _stage_url(ctx, source, tmp)
    entries = catalog.find(ctx, source)
    if entries:
        return _stage_entry(ctx, entries[0], tmp, current)
    if os.sep in source or source.startswith("."):
        raise NotFound(f"no such folder or wheel: {source}")
    return _stage_pip(ctx, source, tmp, "pip", source)


def _stage_entry(ctx: Context, entry: catalog.Entry, tmp: str, current: dict[str, registry.Installed]) -> Staged:
    if entry.kind == "bundled":
        folder = os.path.join(_index.bundled_dir(), entry.target)
        manifest = read(folder)
        if entry.target in _index.BUNDLED:
            return Staged(manifest, "bundled", "bundled")
        return Staged(manifest, "folder", f"bundled:{entry.target}", folder=folder)
    if entry.kind == "path":
        if os.path.isdir(entry.target):
            return Staged(read(entry.target), "folder", entry.target, folder=entry.target)
        if not os.path.isfile(entry.target):
            raise NotFound(f"plugin index {entry.index}: {entry.name} points at {entry.target}, which does not exist")
        return _stage_pip(ctx, entry.target, tmp, "wheel", entry.target)
    if entry.kind == "url":
        return _stage_url(ctx, entry.target, tmp)
    return _stage_pip(ctx, entry.target, tmp, "pip", entry.target)


def _stage_url(ctx: Context, url: str, tmp: str) -> Staged:
    import httpx

    from flext.core.errors import Unreachable

    file = os.path.join(tmp, url.rsplit("/", 1)[-1])
    try:
        with httpx.stream("GET", url, timeout=float(ctx.settings.get("timeout") or 10), follow_redirects=True) as r:
            r.raise_for_status()
            with open(file, "wb") as fh:
                for chunk in r.iter_bytes():
                    fh.write(chunk)
    except httpx.HTTPError as exc:
        raise Unreachable(f"cannot download {url}: {exc}") from None
    return _stage_pip(ctx, file, tmp, "wheel", url)


def _stage_pip(ctx: Context, spec: str, tmp: str, kind: str, source: str) -> Staged:
    import tempfile

    lib = tempfile.mkdtemp(prefix="lib-", dir=tmp)
    ctx.message(f"fetching {source} with pip")
    pip_install(ctx, lib, [spec])
    found = registry.entry_point_manifests(path=[lib])
    manifests = [m for m, _ in found]
    if not manifests:
        for entry in sorted(os.listdir(lib)):
            file = os.path.join(lib, entry, FILENAME)
            if os.path.isfile(file):
                manifests.append(read(file))
    if not manifests:
        raise ConfigError(f"{source} holds no flext plugin",
                          hint=f"a plugin package ships {FILENAME} in its package folder and declares the "
                               f"entry point group {registry.ENTRY_POINT_GROUP!r}")
    return Staged(manifests[0], kind, source, lib=lib)


def pip_install(ctx: Context, target: str, specs: list[str]) -> None:
    """`pip install --target`: the plugin's own folder; output kept for the error message."""
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
           "--target", target, *specs]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(ctx.env), check=False)
    except OSError as exc:
        raise ConfigError(f"cannot run pip: {exc.strerror}", hint="install pip for this Python") from None
    if proc.returncode != 0:
        tail = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()][-3:]
        text = " | ".join(tail) or f"pip exited {proc.returncode}"
        if "No module named pip" in text:
            raise ConfigError("pip is not available to this Python", hint=f"{sys.executable} -m ensurepip")
        if "No matching distribution" in text or "Could not find a version" in text:
            raise NotFound(f"no package {' '.join(specs)} in the package index: {text}",
                           hint="check the name, or pass a folder or wheel")
        raise OperationFailed(f"pip could not install {' '.join(specs)}: {text}")


def _commit(ctx: Context, item: Staged, tmp: str) -> dict[str, Any]:
    m = item.manifest
    home = registry.plugin_home(ctx.paths, m.name)
    if item.kind == "bundled":
        record: dict[str, Any] = {"enabled": True, "installed_at": registry.now(), "kind": "bundled"}
        missing = _missing(m.dependencies)
        if missing:
            pip_install(ctx, os.path.join(home, "lib"), missing)
        return record
    old = os.path.join(tmp, f"old-{m.name}")
    if os.path.exists(home):
        os.replace(home, old)
        _forget_modules(home)
    os.makedirs(home, mode=0o700)
    lib = os.path.join(home, "lib")
    if item.folder is not None:
        src = os.path.join(home, "src")
        shutil.copytree(item.folder, src, ignore=_IGNORE)
        manifest_dir = src
        sys_path = [src, lib]
        missing = _missing(m.dependencies)
        if missing:
            pip_install(ctx, lib, missing)
    else:
        assert item.lib is not None
        manifest_dir = os.path.join(lib, os.path.relpath(m.root, item.lib))
        os.replace(item.lib, lib)
        sys_path = [lib]
    return {"enabled": True, "kind": item.kind, "source": item.source, "path": manifest_dir,
            "sys_path": sys_path, "installed_at": registry.now(), "version": m.version}


def _forget_modules(home: str) -> None:
    """Drop modules imported from a replaced install (the shell keeps one process)."""
    prefix = home.rstrip("/") + "/"
    for name, module in list(sys.modules.items()):
        if (getattr(module, "__file__", None) or "").startswith(prefix):
            del sys.modules[name]


def _missing(dependencies: list[str]) -> list[str]:
    """Python requirements not already installed in flext's own environment."""
    import importlib.metadata
    import re

    out = []
    for text in dependencies:
        name = re.split(r"[\s<>=!~;\[]", text.strip(), maxsplit=1)[0]
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            out.append(text)
    return out


def uninstall(ctx: Context, name: str, *, force: bool = False) -> dict[str, Any]:
    current = registry.installed(ctx.paths)
    if name not in current:
        raise NotFound(f"plugin {name!r} is not installed", hint="see `flext plugin list`")
    item = current[name]
    if item.kind == "entry-point":
        raise UsageError(f"plugin {name!r} was installed with pip as {item.dist}",
                         hint=f"`pip uninstall {item.dist}`, or `flext plugin disable {name}`")
    needed = requirers(current, name)
    if needed and not force:
        raise Conflict(f"plugin {name!r} is required by enabled plugin(s): {', '.join(needed)}",
                       hint="uninstall or disable those first, or pass --force")
    state = registry.load_state(ctx.paths)
    if item.kind == "bundled":
        state["plugins"][name] = {"removed": True, "enabled": False}
    else:
        state["plugins"].pop(name, None)
    registry.save_state(ctx.paths, state)
    shutil.rmtree(registry.plugin_home(ctx.paths, name), ignore_errors=True)
    return {"name": name, "version": item.version, "uninstalled": True, "required_by": needed}


def requirers(current: dict[str, registry.Installed], name: str) -> list[str]:
    from flext.plugins.version import Requirement

    return sorted(
        other.name for other in current.values()
        if other.enabled and other.name != name and any(Requirement(r).name == name for r in other.manifest.requires)
    )


__all__ = ["Staged", "install", "pip_install", "requirers", "uninstall"]
