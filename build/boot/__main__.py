# -*- coding: utf-8 -*-
# ruff: noqa
"""flext's single-file start-up: the __main__ of dist/flext (build/zipapp.py fills in the build id).

Fast path: when this build's site-packages is already extracted, put it on sys.path and
call flext.cli:entry directly. shiv's bootstrap (with zipfile, json, pathlib, hashlib) is
only imported on the first run, through _flext_boot.

This file must stay valid syntax for old Pythons (no f-strings, annotations, keyword-only
arguments or walrus) so that a too-old interpreter prints one line instead of a traceback.
"""
import sys

if sys.version_info < (3, 11):
    sys.stderr.write(
        "error: flext needs Python 3.11 or newer, but %s is Python %s\n"
        % (sys.executable or "python3", sys.version.split()[0])
    )
    sys.exit(1)

ABIS = ()  # CPython cache tags whose compiled modules this build carries (empty: any); set by the build
if ABIS and getattr(sys.implementation, "cache_tag", None) not in ABIS:
    sys.stderr.write(
        "error: this flext build runs on CPython %s, but %s is %s %s\n"
        % (
            ", ".join(tag.replace("cpython-3", "3.") for tag in ABIS),
            sys.executable or "python3",
            sys.implementation.name,
            sys.version.split()[0],
        )
    )
    sys.exit(1)

import os

BUILD_ID = "@BUILD_ID@"
HAS_PTH = False  # True when a dependency ships a .pth file: then site.addsitedir runs it
LOCK = "flext.lock"  # held shared by every process using an extraction; cleanup needs it exclusive
PENDING = "cleanup-pending"  # an older extraction was still in use when this one was made


def roots(env):
    """Where extractions live: $SHIV_ROOT if set, else ~/.shiv, then $XDG_CACHE_HOME/flext."""
    if env.get("SHIV_ROOT"):
        return [os.path.abspath(os.path.expanduser(env["SHIV_ROOT"]))]
    home = os.path.expanduser("~")
    cache = env.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(cache):
        cache = os.path.join(home, ".cache")
    return [os.path.join(home, ".shiv"), os.path.join(cache, "flext")]


def hold(base):
    """Share-lock <base>/flext.lock for the life of this process, so no cleanup removes <base>.

    Returns the descriptor; -1 for a read-only extraction without a lock file (nobody can
    remove that one either); None when <base> was retired (renamed away) meanwhile.
    """
    import fcntl

    path = os.path.join(base, LOCK)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return -1 if os.path.isdir(os.path.join(base, "site-packages")) else None
    fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a cleanup is renaming <base> away
    try:
        same = os.path.samestat(os.fstat(fd), os.stat(path))
    except OSError:
        same = False
    if not same:
        os.close(fd)
        return None
    return fd


def bytecode_hook(site_packages):
    """Modules under our private extraction always get a .pyc, even with PYTHONDONTWRITEBYTECODE.

    Without this, every run would recompile flext and its dependencies from source. Paths
    outside the extraction keep the user's setting; this is a path hook, not a global flip.
    """
    import _imp
    import marshal

    ext = sys.modules["_frozen_importlib_external"]
    source_loader = ext.SourceFileLoader

    class Loader(source_loader):
        def source_to_code(self, data, path, **kwargs):
            code = source_loader.source_to_code(self, data, path, **kwargs)
            if sys.dont_write_bytecode:
                try:
                    st = os.stat(path)
                    cache = ext.cache_from_source(path)
                except (OSError, ValueError, NotImplementedError):
                    return code
                header = (
                    ext.MAGIC_NUMBER
                    + b"\0\0\0\0"
                    + (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
                    + (st.st_size & 0xFFFFFFFF).to_bytes(4, "little")
                )
                self.set_data(cache, header + marshal.dumps(code))  # atomic; ignores OSError
            return code

    loaders = [
        (ext.ExtensionFileLoader, _imp.extension_suffixes()),
        (Loader, ext.SOURCE_SUFFIXES),
        (ext.SourcelessFileLoader, ext.BYTECODE_SUFFIXES),
    ]
    prefix = site_packages + os.sep

    def hook(path):
        if path == site_packages or path.startswith(prefix):
            return ext.FileFinder(path, *loaders)
        raise ImportError("not flext's extraction")

    sys.path_hooks.insert(0, hook)


def run(site_packages):
    """Put the extraction before any other site-packages (as shiv does) and run flext."""
    index = len(sys.path)
    for i, entry in enumerate(sys.path):
        if entry.endswith(("site-packages", "dist-packages")):
            index = i
            break
    sys.path.insert(index, site_packages)
    bytecode_hook(site_packages)
    if HAS_PTH:
        import site

        site.addsitedir(site_packages)
    from flext.cli import entry

    entry()


def main():
    env = os.environ
    archive = os.path.realpath(sys.argv[0])
    build = os.path.basename(archive) + "_" + BUILD_ID
    debug = bool(env.get("FLEXT_BOOT_DEBUG"))
    places = roots(env)
    # SHIV_INTERPRETER, SHIV_ENTRY_POINT, SHIV_FORCE_EXTRACT, ...: let shiv's bootstrap honour them.
    plain = not any(key.startswith("SHIV_") and key != "SHIV_ROOT" for key in env)
    if plain:
        for root in places:
            base = os.path.join(root, build)
            if os.path.isdir(os.path.join(base, "site-packages")) and hold(base) is not None:
                if debug:
                    sys.stderr.write("flext-boot: fast path %s\n" % base)
                if os.path.exists(os.path.join(base, PENDING)):
                    import _flext_boot

                    _flext_boot.cleanup(root, build, debug)
                run(os.path.join(base, "site-packages"))
                return
    import _flext_boot

    _flext_boot.first_run(archive, build, places, plain, debug, hold, run)


if __name__ == "__main__":
    main()
