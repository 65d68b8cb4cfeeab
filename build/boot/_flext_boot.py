"""First run of dist/flext: choose where to extract, extract with shiv's code, retire old builds.

Imported by the zip's __main__ only when this build has no extraction yet (or when a
SHIV_* variable asks for shiv's own bootstrap), so nothing here costs the fast path.

Extraction uses shiv's `extract_site_packages`: an exclusive lock file per build, a `.tmp`
directory renamed into place, and no pyc compilation (a kill during compileall can leave
every later run waiting). Bytecode is written lazily by the fast path's import hook.

Old builds: every process using an extraction holds `<extraction>/flext.lock` shared. A
cleanup takes it exclusive without waiting, renames the directory away (so a starting
process sees it gone at once) and only then deletes it. One still in use is kept and
retried by later runs of this build (marker file `cleanup-pending`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
from collections.abc import Callable

LOCK = "flext.lock"
PENDING = "cleanup-pending"
HEX = frozenset("0123456789abcdef")


def first_run(
    archive: str,
    build: str,
    places: list[str],
    plain: bool,
    debug: bool,
    hold: Callable[[str], int | None],
    run: Callable[[str], None],
) -> None:
    """Extract this build (unless present), hold it, retire old builds, then run flext.

    `hold` and `run` are the fast path's own functions, so both paths share one definition.
    """
    root = writable_root(places)
    base = os.path.join(root, build)
    force = not plain and os.environ.pop("SHIV_FORCE_EXTRACT", "").lower() in ("1", "true", "t", "yes")
    for _ in range(5):  # a concurrent cleanup may retire what we just found; extract again
        if force or not os.path.isdir(os.path.join(base, "site-packages")):
            _extract(archive, base, debug, force)
            force = False
        if hold(base) is not None:
            break
    else:
        sys.stderr.write(f"error: could not keep {base} extracted (something keeps removing it)\n")
        sys.exit(1)
    cleanup(root, build, debug)
    if plain:
        run(os.path.join(base, "site-packages"))
        return
    if root != places[0] or "SHIV_ROOT" in os.environ:
        os.environ["SHIV_ROOT"] = root
    import _bootstrap  # type: ignore[import-not-found]  # shiv's, inside the zip

    _bootstrap.bootstrap()


def writable_root(places: list[str]) -> str:
    """The first candidate directory we can create files in; otherwise one line and exit 1."""
    for place in places:
        try:
            os.makedirs(place, exist_ok=True)
            probe = os.path.join(place, f".probe-{os.getpid()}")
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            os.unlink(probe)
        except OSError:
            continue
        return place
    names = " or ".join(places)
    hint = "set SHIV_ROOT" if "SHIV_ROOT" in os.environ else "set XDG_CACHE_HOME (or SHIV_ROOT)"
    sys.stderr.write(f"error: flext cannot unpack itself: {names} is not writable; {hint} to a writable directory\n")
    sys.exit(1)


def _extract(archive: str, base: str, debug: bool, force: bool = False) -> None:
    """Unpack site-packages.zip (nested in the zipapp) with shiv's own extraction code."""
    import io
    import zipfile
    from pathlib import Path

    from _bootstrap import extract_site_packages

    if debug:
        sys.stderr.write(f"flext-boot: first run, extracting into {base}\n")
    with zipfile.ZipFile(archive) as outer:
        inner = io.BytesIO(outer.read("site-packages.zip"))
    with zipfile.ZipFile(inner) as zf:
        extract_site_packages(zf, Path(base), compile_pyc=False, force=force)


def cleanup(root: str, current: str, debug: bool) -> bool:
    """Remove other builds of this file under root that no process uses. True if none is left."""
    name = current.rsplit("_", 1)[0]
    prefix = f"{name}_"
    kept = False
    try:
        entries = os.listdir(root)
    except OSError:
        return False
    for entry in sorted(entries):
        path = os.path.join(root, entry)
        if entry.startswith(f".{prefix}") and ".trash-" in entry:
            shutil.rmtree(path, ignore_errors=True)  # left by a cleanup that was interrupted
            continue
        if not entry.startswith(prefix) or entry == current:
            continue
        build = entry[len(prefix):]
        if _is_build_id(build) and os.path.isdir(os.path.join(path, "site-packages", "flext")):
            if _retire(root, entry):
                if debug:
                    sys.stderr.write(f"flext-boot: removed old build {entry}\n")
            else:
                kept = True
                if debug:
                    sys.stderr.write(f"flext-boot: kept old build {entry} (in use)\n")
        elif build.endswith(".tmp") and _is_build_id(build[:-4]):
            _drop_partial(root, entry[:-4])
    pending = os.path.join(root, current, PENDING)
    try:
        if kept:
            open(pending, "a").close()
        elif os.path.exists(pending):
            os.unlink(pending)
    except OSError:
        pass
    return not kept


def _retire(root: str, entry: str) -> bool:
    """Take the extraction's lock exclusively (never waiting), rename it away, delete it."""
    path = os.path.join(root, entry)
    try:
        fd = os.open(os.path.join(path, LOCK), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a running flext of that build holds it shared
        trash = os.path.join(root, f".{entry}.trash-{os.getpid()}")
        try:
            os.rename(path, trash)
        except OSError:
            return False
    finally:
        os.close(fd)
    shutil.rmtree(trash, ignore_errors=True)
    _drop_shiv_lock(root, entry)
    return True


def _drop_partial(root: str, entry: str) -> None:
    """A `.tmp` left by an extraction that was killed: delete it unless one is running now."""
    lock = os.path.join(root, f".{entry}_lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return
    try:
        shutil.rmtree(os.path.join(root, f"{entry}.tmp"), ignore_errors=True)
    finally:
        os.close(fd)


def _drop_shiv_lock(root: str, entry: str) -> None:
    """shiv's per-build extraction lock file, once nobody holds it."""
    lock = os.path.join(root, f".{entry}_lock")
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.unlink(lock)
    except OSError:
        pass
    finally:
        os.close(fd)


def _is_build_id(text: str) -> bool:
    return len(text) == 64 and set(text) <= HEX
