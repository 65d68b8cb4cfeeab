"""Installed plugins: one virtual environment per tap/target/dbt under `.flext/plugins/`.

`install` creates the venv and installs into it with uv (see `flext.engine.uv`: found on
PATH or fetched once into flext's cache; one package cache shared by every workspace, so
a second workspace links what the first downloaded), or with pip when asked
(`--no-uv`, `plugins.installer = "pip"`) or when uv cannot be had (one warning). pip runs
as this interpreter's pip with `--python` into a venv without pip of its own, so pip's
download cache is shared too. Then it records `plugin.json`. It is idempotent: the same
pip_url with a working executable is left alone. `executable_for` finds what a
pipeline runs: a workspace install, else a `[plugins.X] executable`, else PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from flext.core.errors import NotFound, OperationFailed, UsageError
from flext.core.fsutil import atomic_write

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from flext.engine.workspace import Workspace

PIP_TAIL = 15  # lines of pip output shown on failure


def plugin_dir(ws: Workspace, name: str) -> str:
    return os.path.join(ws.plugins_dir, name)


def read_manifest(ws: Workspace, name: str) -> dict[str, Any] | None:
    import json

    try:
        with open(os.path.join(plugin_dir(ws, name), "plugin.json"), encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def installed(ws: Workspace) -> list[dict[str, Any]]:
    """Manifests of every plugin installed in the workspace, sorted by name."""
    try:
        names = sorted(os.listdir(ws.plugins_dir))
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        manifest = read_manifest(ws, name)
        if manifest is not None:
            found.append(manifest)
    return found


def _python() -> str:
    """The real interpreter (never a version-manager shim; works inside the zipapp)."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return base if os.path.exists(base) else sys.executable


def _outer_pip() -> list[str]:
    """This interpreter's pip, when it can install into another venv (`pip --python`, pip>=22.3).

    Creating each plugin venv without its own pip saves the ~20 s ensurepip costs; the
    download cache is shared either way.
    """
    import importlib.util

    if importlib.util.find_spec("pip") is None:
        return []
    try:
        from pip import __version__ as version
    except ImportError:
        return []
    major, minor = (int(x) for x in version.split(".")[:2])
    return [sys.executable, "-m", "pip"] if (major, minor) >= (22, 3) else []


def _dist_name(requirement: str) -> str | None:
    """The distribution name in a requirement (`tap-x==1`, `git+https://.../tap-x.git`)."""
    if "#egg=" in requirement:
        return requirement.split("#egg=", 1)[1].split("&")[0]
    base = os.path.basename(requirement)
    if base.endswith(".whl"):  # a wheel file: name-version-tags.whl
        return base.split("-", 1)[0]
    if base.endswith((".tar.gz", ".zip")) and "://" not in requirement:  # an sdist file: name-version.tar.gz
        return base.rsplit("-", 1)[0]
    if "://" in requirement:
        tail = requirement.rstrip("/").rsplit("/", 1)[-1].split("@")[0]
        return tail[:-4] if tail.endswith(".git") else tail
    for stop in "[=<>!~; ":
        requirement = requirement.split(stop, 1)[0]
    return requirement or None


INSTALLERS = ("uv", "pip")


def install(
    ws: Workspace,
    entry: dict[str, Any],
    *,
    pip_url: str | None = None,
    on_status: Callable[[str], None] | None = None,
    installer: str = "uv",
    cache_dir: str | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Install `entry` into its own venv; return its manifest plus `changed` (and `warning`
    when uv was wanted but pip did the work).

    `installer` is "uv" or "pip"; `cache_dir` is flext's cache (uv and its package cache
    live there); `env` is the invocation's environment (PATH to find uv, pip's settings).
    """
    from flext.engine.workspace import ensure_dot

    name = entry["name"]
    spec = pip_url or entry.get("pip_url") or name
    current = read_manifest(ws, name)
    if current and current.get("pip_url") == spec and os.access(str(current.get("executable")), os.X_OK):
        return {**current, "changed": False}
    if installer not in INSTALLERS:
        raise UsageError(f"unknown installer {installer!r}", hint="plugins.installer is \"uv\" or \"pip\"")
    environ = dict(os.environ if env is None else env)
    if cache_dir is None:
        from flext.core.paths import Paths

        cache_dir = Paths(environ).cache_dir
    ensure_dot(ws)
    os.makedirs(ws.plugins_dir, mode=0o700, exist_ok=True)
    import fcntl

    fd = os.open(os.path.join(ws.plugins_dir, f".{name}.lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # two installs of one plugin: the second waits, then finds it done
        current = read_manifest(ws, name)
        if current and current.get("pip_url") == spec and os.access(str(current.get("executable")), os.X_OK):
            return {**current, "changed": False}
        return _install_locked(ws, entry, spec, say=on_status or (lambda _text: None), installer=installer,
                               cache_dir=cache_dir, env=environ)
    finally:
        os.close(fd)


def _install_locked(ws: Workspace, entry: dict[str, Any], spec: str, *, say: Callable[[str], None],
                    installer: str, cache_dir: str, env: dict[str, str]) -> dict[str, Any]:
    from flext.engine import uv
    from flext.engine.catalog import split_pip_url

    name = entry["name"]
    executable_name = entry.get("executable") or name
    home = plugin_dir(ws, name)
    venv = os.path.join(home, "venv")
    warning = None
    uv_exe = None
    if installer == "uv":
        try:
            uv_exe = uv.find(cache_dir, env, say)
        except uv.Unavailable as exc:
            warning = f"uv is not available ({exc}); installing {name} with pip"
            say(warning)
        except OSError as exc:
            warning = f"uv is not available ({exc.strerror or exc}); installing {name} with pip"
            say(warning)
    if os.path.isdir(venv):
        shutil.rmtree(venv)
    os.makedirs(home, mode=0o700, exist_ok=True)
    say(f"creating the virtual environment for {name}")
    venv_python = os.path.join(venv, "bin", "python")
    requirements = split_pip_url(spec)
    if uv_exe is not None:
        used = "uv"
        uv_env = uv.child_env(env, cache_dir)
        _run([uv_exe, "venv", "--python", _python(), "--no-project", venv],
             f"could not create a virtual environment for {name}", env=uv_env, cwd=home)
        say(f"resolving {spec}")
        argv = [uv_exe, "pip", "install", "--python", venv_python, *requirements]
        child = uv_env
    else:
        used = "pip"
        outer = _outer_pip()
        _run([_python(), "-m", "venv", *(["--without-pip"] if outer else []), venv],
             f"could not create a virtual environment for {name}", env=env, cwd=home)
        say(f"installing {spec} with pip")
        argv = [*([*outer, "--python", venv_python] if outer else [venv_python, "-m", "pip"]), "install",
                "--disable-pip-version-check", "--no-input", *requirements]
        child = env
    try:
        _run(argv, f"{used} could not install {name} ({spec})", env=child, cwd=home, progress=say, installer=used,
             hint="check the package name and version, or pass --pip-url SPEC"
                  + ("; --no-uv installs with pip" if used == "uv" else ""))
    except OperationFailed:
        shutil.rmtree(home, ignore_errors=True)
        raise
    exe = os.path.join(venv, "bin", executable_name)
    if not os.access(exe, os.X_OK):
        shutil.rmtree(home, ignore_errors=True)
        raise OperationFailed(f"{spec} installed, but it has no executable {executable_name!r}",
                              hint=f"set the executable with [plugins.{name}] executable = \"...\" in flext.toml")
    manifest = {
        "name": name,
        "kind": entry.get("kind"),
        "pip_url": spec,
        "executable": exe,
        "version": _version(venv, requirements[0]),
        "installer": used,
        "installed_at": _now(),
    }
    import json

    atomic_write(os.path.join(home, "plugin.json"), json.dumps(manifest, indent=2) + "\n", 0o644)
    from flext.engine import index

    index.refresh(ws)
    return {**manifest, "changed": True, **({"warning": warning} if warning else {})}


def _progress(line: str, installer: str) -> str | None:
    """A status line from a line of uv's or pip's output, when it says what is happening:
    uv's resolution and its downloads (it names only the large ones), pip's install step."""
    words = line.split()
    if installer == "uv":
        if len(words) >= 3 and words[0] == "Resolved" and words[1].isdigit():
            return f"installing {words[1]} package{'s' if words[1] != '1' else ''}"
        if len(words) >= 2 and words[0] == "Downloading":
            return f"downloading {words[1]}"
    elif line.startswith("Installing collected packages:"):
        count = len(line.split(":", 1)[1].split(","))
        return f"installing {count} package{'s' if count != 1 else ''}"
    return None


def _run(argv: list[str], failure: str, *, env: Mapping[str, str], cwd: str,
         progress: Callable[[str], None] | None = None, installer: str = "pip",
         hint: str = "check the package name and version, or pass --pip-url SPEC") -> None:
    """Run a step, relaying its progress; on failure, OperationFailed with its last lines."""
    child = {k: v for k, v in env.items() if k not in ("PYTHONPATH", "PYTHONHOME")}  # never flext's own path
    tail: list[str] = []
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=child, cwd=cwd)
    except OSError as exc:
        raise OperationFailed(f"{failure}: {exc.strerror or exc}", hint=hint) from None
    assert proc.stdout is not None
    with proc:
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            if not line:
                continue
            tail.append(line)
            del tail[:-PIP_TAIL]
            if progress is not None:
                note = _progress(line.strip(), installer)
                if note is not None:
                    progress(note)
    if proc.returncode != 0:
        text = "\n".join("  " + line for line in tail)
        raise OperationFailed(f"{failure} (exit {proc.returncode}):\n{text}", hint=hint)


def _version(venv: str, requirement: str) -> str | None:
    dist = _dist_name(requirement)
    if not dist:
        return None
    code = "import importlib.metadata as m,sys\ntry: print(m.version(sys.argv[1]))\nexcept Exception: pass"
    try:
        out = subprocess.run([os.path.join(venv, "bin", "python"), "-c", code, dist], capture_output=True,
                             text=True, timeout=30, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out or None


def _now() -> str:
    from flext.core.clock import iso_now

    return iso_now()


def on_path(prefixes: tuple[str, ...], path: str | None = None) -> dict[str, str]:
    """Executables on PATH whose names start with one of `prefixes` -> their full path."""
    found: dict[str, str] = {}
    for directory in (os.environ.get("PATH", "") if path is None else path).split(os.pathsep):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            if name.startswith(prefixes) and name not in found:
                full = os.path.join(directory, name)
                if os.access(full, os.X_OK) and not os.path.isdir(full):
                    found[name] = full
    return found


def path_version(executable: str) -> str | None:
    """`X --version` of a PATH executable (singer-sdk plugins answer it), or None."""
    try:
        proc = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=10,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (proc.stdout or proc.stderr).strip().splitlines()
    if proc.returncode != 0 or not text:
        return None
    for word in text[0].replace(",", " ").split():  # "tap-x v0.3.1, Meltano SDK v0.53.7" -> 0.3.1
        word = word[1:] if word[:1] in "vV" and word[1:2].isdigit() else word
        if word[:1].isdigit():
            return word
    return None


def executable_for(ws: Workspace, name: str, kind: str, path: str | None = None) -> str:
    """The program to run for plugin `name`: workspace install, override, or PATH."""
    manifest = read_manifest(ws, name)
    if manifest and os.access(str(manifest.get("executable")), os.X_OK):
        return str(manifest["executable"])
    from flext.engine.catalog import merged

    table = merged(ws.plugin_overrides)
    entry = table.get(name)
    exe_name = str(entry.get("executable") or name) if entry else name
    if os.path.isabs(exe_name) or os.sep in exe_name:
        candidate = ws.resolve(exe_name)
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(exe_name, path=path)
    if found:
        return found
    if entry is not None:
        verb = "taps" if kind == "tap" else "targets" if kind == "target" else "dbt"
        raise NotFound(f"{kind} {name!r} is not installed", hint=f"run `flext data {verb} install {name}`")
    from flext.core.suggest import closest

    pool = [n for n, e in table.items() if e["kind"] == kind] + [m["name"] for m in installed(ws)]
    guess = closest(name, pool)
    raise NotFound(f"unknown {kind} {name!r}: not in the catalog, not installed, not on PATH",
                   hint=f"did you mean {guess!r}?" if guess else f"see `flext data {kind}s list`")


__all__ = ["INSTALLERS", "executable_for", "install", "installed", "on_path", "path_version", "plugin_dir", "read_manifest"]
