"""uv for plugin installs: the one on PATH, else one in flext's cache, else fetched once.

Fetching downloads the pinned `uv` wheel with pip (so pip's own index settings, proxy
and certificates apply) and unpacks its one binary into `<cache>/uv/<version>/uv`.
Every plugin venv is then created and filled by uv with one shared package cache,
`<cache>/uv-cache`: the same package in a second workspace is linked from that cache
(hard links on Linux, clones on macOS), not downloaded or built again. Anything that
keeps uv from being found or fetched (offline, no wheel for this platform, no pip) is
`Unavailable`, and the caller installs with pip instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

VERSION = "0.13.9"  # the uv flext fetches; any uv >= MINIMUM already on PATH is used as it is
MINIMUM = (0, 5, 0)
FETCH_TIMEOUT_S = 300


class Unavailable(Exception):
    """uv cannot be used here; the message says why (one line)."""


def binary_dir(cache_dir: str) -> str:
    return os.path.join(cache_dir, "uv", VERSION)


def package_cache(cache_dir: str) -> str:
    """uv's package cache, shared by every workspace on this machine (UV_CACHE_DIR)."""
    return os.path.join(cache_dir, "uv-cache")


def find(cache_dir: str, env: Mapping[str, str], say: Callable[[str], None]) -> str:
    """The uv to install with: PATH, then the cache, then a fresh fetch (or Unavailable)."""
    on_path = shutil.which("uv", path=env.get("PATH", os.defpath))
    if on_path and _version(on_path) >= MINIMUM:
        return on_path
    cached = os.path.join(binary_dir(cache_dir), "uv")
    if os.access(cached, os.X_OK):
        return cached
    return fetch(cache_dir, env, say)


def _version(exe: str) -> tuple[int, ...]:
    """`uv 0.13.9 (...)` -> (0, 13, 9); () when it does not answer."""
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10, check=False,
                             stdin=subprocess.DEVNULL).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return ()
    try:
        return tuple(int(part) for part in out[1].split(".")[:3]) if len(out) > 1 and out[0] == "uv" else ()
    except ValueError:
        return ()


def fetch(cache_dir: str, env: Mapping[str, str], say: Callable[[str], None]) -> str:
    """Download uv VERSION with pip into the cache (once per machine; concurrent callers wait)."""
    import fcntl
    import tempfile

    final = binary_dir(cache_dir)
    exe = os.path.join(final, "uv")
    root = os.path.dirname(final)
    os.makedirs(root, mode=0o700, exist_ok=True)
    fd = os.open(os.path.join(root, ".fetch.lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.access(exe, os.X_OK):
            return exe  # another install fetched it while this one waited
        pip = _pip()
        if pip is None:
            raise Unavailable("no pip in flext's Python to fetch uv with")
        say(f"fetching uv {VERSION} from the package index (once for this machine)")
        work = tempfile.mkdtemp(prefix=".fetch-", dir=root)
        try:
            child_env = dict(env)  # pip itself runs here, not a plugin: flext's own path may stay
            argv = [*pip, "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
                    "--no-input", "--retries", "1", "--timeout", "15", "--dest", work, f"uv=={VERSION}"]
            try:
                proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                      env=child_env, timeout=FETCH_TIMEOUT_S, check=False)
            except subprocess.TimeoutExpired:
                raise Unavailable(f"fetching uv took longer than {FETCH_TIMEOUT_S} s") from None
            if proc.returncode != 0:
                raise Unavailable(f"pip could not download uv {VERSION}: {_last_line(proc.stdout + proc.stderr)}")
            wheels = [n for n in os.listdir(work) if n.endswith(".whl")]
            if not wheels:
                raise Unavailable(f"pip downloaded no uv {VERSION} wheel for this platform")
            staged = os.path.join(work, "bin")
            _unpack(os.path.join(work, wheels[0]), staged)
            if _version(os.path.join(staged, "uv")) < MINIMUM:
                raise Unavailable(f"the uv {VERSION} wheel does not run on this machine")
            os.replace(staged, final)  # atomic: a half-unpacked uv is never found
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return exe
    finally:
        os.close(fd)


def _pip() -> list[str] | None:
    import importlib.util

    return [sys.executable, "-m", "pip"] if importlib.util.find_spec("pip") is not None else None


def _unpack(wheel: str, into: str) -> None:
    """Copy the `uv` binary (`uv-X.data/scripts/uv`) out of the wheel into `into/uv`."""
    import zipfile

    os.makedirs(into, mode=0o755)
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = [n for n in archive.namelist() if n.endswith(".data/scripts/uv")]
            if not names:
                raise Unavailable(f"{os.path.basename(wheel)} holds no uv binary")
            target = os.path.join(into, "uv")
            with archive.open(names[0]) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    except (OSError, zipfile.BadZipFile) as exc:
        raise Unavailable(f"cannot unpack {os.path.basename(wheel)}: {exc}") from None
    os.chmod(target, 0o755)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def child_env(env: Mapping[str, str], cache_dir: str) -> dict[str, str]:
    """The environment uv runs with: flext's package cache, never a Python download, no
    progress bars, and pip's index settings (PIP_INDEX_URL, ...) carried over to uv's."""
    out = {k: v for k, v in env.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    out["UV_CACHE_DIR"] = package_cache(cache_dir)
    out.setdefault("UV_LINK_MODE", "clone" if sys.platform == "darwin" else "hardlink")
    out["UV_PYTHON_DOWNLOADS"] = "never"
    out["UV_NO_PROGRESS"] = "1"
    out["NO_COLOR"] = "1"
    for pip_var, uv_var in (("PIP_INDEX_URL", "UV_INDEX_URL"), ("PIP_EXTRA_INDEX_URL", "UV_EXTRA_INDEX_URL"),
                            ("PIP_FIND_LINKS", "UV_FIND_LINKS"), ("PIP_CERT", "SSL_CERT_FILE")):
        value = env.get(pip_var)
        if value and uv_var not in env:
            out[uv_var] = ",".join(value.split()) if uv_var == "UV_FIND_LINKS" else value  # pip: spaces, uv: commas
    return out


__all__ = ["MINIMUM", "VERSION", "Unavailable", "binary_dir", "child_env", "fetch", "find", "package_cache"]
