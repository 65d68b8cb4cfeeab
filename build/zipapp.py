#!/usr/bin/env python3
"""Build dist/flext: one executable file (a shiv zipapp) holding flext and its dependencies.

Run with the project's venv (`make build`): the runtime dependencies are copied from the
installed distributions of that environment (exactly the files their RECORD lists), so the
build needs no network and two builds of the same tree give identical bytes. flext itself
comes from the checkout's `flext/` directory, with a small generated .dist-info.

Layout of the archive (shiv's metadata and bootstrap, so `shiv-info` and shiv's own
extraction code keep working):

    #!/usr/bin/env python3
    site-packages.zip       stored: a zip of site-packages/... (sorted, normalised), the
                            archive shiv's extract_site_packages() unpacks on the first run
    _bootstrap/...          shiv's bootstrap package (used on the first run only)
    _flext_boot.py          first run: pick a writable root, extract, retire old builds
    environment.json        shiv's metadata (entry point, build id)
    __main__.py             the fast path (build/boot/__main__.py with the build id filled in)
    __main__.pyc            the same, compiled for the building Python (zipimport prefers it)

Why nested: Python reads a zipapp's whole central directory before running __main__,
and 1,400 dependency files cost more than flext's own start-up; with site-packages as one
entry the outer directory has eight names and the fast path never reads the inner one.

Other Pythons: compiled modules carry their ABI in the file name, so the same
site-packages holds `msgspec/_core.cpython-311-...so` next to `...cpython-312-...so`. The
build adds those of each version in --pythons (default 3.12 and 3.13) from the same
releases' wheels (pip download, cached in build/out/wheels) and writes the versions it
covers into __main__, which refuses any other interpreter with one line.

Reproducible: every entry gets the time SOURCE_DATE_EPOCH (default 1980-01-01), modes are
0644/0755, entries are sorted and the compression level is fixed.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import importlib.metadata as metadata
import io
import os
import subprocess
import sys
import time
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOT = Path(__file__).resolve().parent / "boot"
SHEBANG = "/usr/bin/env python3"
DEFAULT_EPOCH = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold
ENTRY_POINT = "flext.cli:entry"
SITE_PACKAGES_ZIP = "site-packages.zip"

# One archive entry: (name inside the zip, bytes, executable?)
Entry = tuple[str, bytes, bool]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", "-o", default=str(ROOT / "dist" / "flext"), help="where to write the zipapp")
    parser.add_argument("--source", default=str(ROOT), help="the tree holding pyproject.toml and flext/")
    parser.add_argument(
        "--pythons",
        default=os.environ.get("FLEXT_ZIPAPP_PYTHONS", "3.12,3.13"),
        help="other CPython versions to carry compiled modules for (comma-separated; '' for none)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    out = Path(args.output)
    files, abis = stage(Path(args.source), [v for v in args.pythons.split(",") if v.strip()])
    write_archive(out, files, epoch(), abis)
    size = out.stat().st_size / 1e6
    runs_on = ", ".join(a.replace("cpython-3", "3.") for a in abis)
    print(f"wrote {out} ({size:.1f} MB, {len(files)} files, CPython {runs_on}, {time.monotonic() - started:.1f} s)")
    return 0


def epoch() -> int:
    """The timestamp of every entry: SOURCE_DATE_EPOCH, clamped to what a zip can store."""
    value = int(os.environ.get("SOURCE_DATE_EPOCH") or DEFAULT_EPOCH)
    return max(value, DEFAULT_EPOCH)


# --- what goes into site-packages -----------------------------------------------------


def stage(root: Path, pythons: list[str]) -> tuple[list[Entry], list[str]]:
    """Every site-packages file as (arcname, data, executable), sorted, and the CPython
    cache tags (`cpython-311`, ...) whose compiled modules are all included."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    found: dict[str, Entry] = {}
    closure = runtime_closure(project["dependencies"])
    for dist in closure:
        for rel, path in dist_files(dist):
            found[rel] = (rel, path.read_bytes(), os.access(path, os.X_OK))
    own = f".{sys.implementation.cache_tag}-"
    if not any(own in file.name for dist in closure for file in dist.files or []):
        pythons = []  # nothing compiled per version: any CPython 3.11+ will do
    abis = [sys.implementation.cache_tag] if pythons else []
    for version in pythons:
        extra = other_python_files(closure, version.strip())
        if extra is None:
            continue
        for rel, data in extra.items():
            found.setdefault(rel, (rel, data, rel.endswith(".so")))
        abis.append(f"cpython-{version.strip().replace('.', '')}")
    for rel, data, executable in project_files(root, project):
        found[rel] = (rel, data, executable)
    return [(f"site-packages/{rel}", data, ex) for rel, (_, data, ex) in sorted(found.items())], abis


# --- compiled modules for other Python versions ---------------------------------------


def other_python_files(closure: list[metadata.Distribution], version: str) -> dict[str, bytes] | None:
    """The files another CPython version needs beyond ours, from the same releases' wheels.

    Compiled modules carry their ABI in the file name (`_core.cpython-312-x86_64-linux-gnu.so`),
    so one site-packages can hold them for several versions side by side; pure Python files
    and `abi3` modules are shared. None when a wheel is unavailable (offline, no such wheel):
    the build then simply does not claim that version.
    """
    own = f".{sys.implementation.cache_tag}-"
    extra: dict[str, bytes] = {}
    for dist in closure:
        if not any(own in file.name for file in dist.files or []):
            continue
        wheel = fetch_wheel(dist, version)
        if wheel is None:
            print(f"warning: no {dist.metadata['Name']} {dist.version} wheel for CPython {version}; "
                  f"the build will not run on {version}", file=sys.stderr)
            return None
        with zipfile.ZipFile(wheel) as zf:
            for info in zf.infolist():
                top = info.filename.split("/", 1)[0]
                if not info.is_dir() and not top.endswith((".dist-info", ".data")):
                    extra[info.filename] = zf.read(info)
    return extra


def fetch_wheel(dist: metadata.Distribution, version: str) -> Path | None:
    """The release's wheel for CPython `version` on this platform, cached under build/out/wheels."""
    cache = ROOT / "build" / "out" / "wheels"
    cache.mkdir(parents=True, exist_ok=True)
    nodot = version.replace(".", "")
    prefix = f"{_normalise(dist.metadata['Name']).replace('-', '_')}-{dist.version}-cp{nodot}-".lower()

    def cached() -> Path | None:
        hits = sorted(p for p in cache.glob("*.whl") if p.name.lower().startswith(prefix))
        return hits[0] if hits else None

    if (hit := cached()) is not None:
        return hit
    from packaging.tags import sys_tags

    platforms = list(dict.fromkeys(tag.platform for tag in sys_tags() if tag.platform != "any"))
    cmd = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
        "--only-binary=:all:", "--implementation", "cp", "--python-version", version, "--abi", f"cp{nodot}",
        *[arg for platform in platforms for arg in ("--platform", platform)],
        "--dest", str(cache), f"{dist.metadata['Name']}=={dist.version}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "pip download failed", file=sys.stderr)
        return None
    return cached()


def runtime_closure(requirements: Iterable[str]) -> list[metadata.Distribution]:
    """The installed distributions flext needs at run time (markers evaluated for this Python)."""
    from packaging.requirements import Requirement

    todo = [Requirement(r) for r in requirements]
    seen: dict[str, metadata.Distribution] = {}
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        dist = metadata.distribution(req.name)
        key = _normalise(dist.metadata["Name"])
        if key in seen:
            continue
        seen[key] = dist
        for line in dist.requires or []:
            sub = Requirement(line)
            extras = req.extras or {""}
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append(Requirement(str(sub).split(";")[0]))
    return [seen[k] for k in sorted(seen)]


def dist_files(dist: metadata.Distribution) -> Iterator[tuple[str, Path]]:
    """The files an installed distribution put into site-packages (no scripts, no bytecode)."""
    for file in dist.files or []:
        rel = file.as_posix()
        if rel.startswith("..") or "__pycache__" in file.parts or rel.endswith(".pyc"):
            continue
        path = Path(str(dist.locate_file(file)))
        if path.is_file():
            yield rel, path


def project_files(root: Path, project: dict[str, object]) -> Iterator[Entry]:
    """flext's own package from the checkout plus a minimal .dist-info describing it."""
    package = root / "flext"
    records: list[str] = []
    for path in sorted(package.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes()
        records.append(_record(rel, data))
        yield rel, data, False
    version = _version(package / "__init__.py")
    info = f"flext-{version}.dist-info"
    requires = "".join(f"Requires-Dist: {dep}\n" for dep in project["dependencies"])  # type: ignore[attr-defined]
    meta = {
        "METADATA": (
            f"Metadata-Version: 2.1\nName: flext\nVersion: {version}\n"
            f"Summary: {project['description']}\nRequires-Python: {project['requires-python']}\n{requires}"
        ),
        "entry_points.txt": f"[console_scripts]\nflext = {ENTRY_POINT}\n",
        "top_level.txt": "flext\n",
        "INSTALLER": "flext-zipapp\n",
    }
    for name, text in meta.items():
        data = text.encode()
        records.append(_record(f"{info}/{name}", data))
        yield f"{info}/{name}", data, False
    records.append(f"{info}/RECORD,,")
    yield f"{info}/RECORD", ("\n".join(records) + "\n").encode(), False


def _record(rel: str, data: bytes) -> str:
    import base64

    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{rel},sha256={digest},{len(data)}"


def _version(init: Path) -> str:
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets):
            value = ast.literal_eval(node.value)
            assert isinstance(value, str)
            return value
    raise SystemExit(f"error: no __version__ in {init}")


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


# --- the archive ----------------------------------------------------------------------


def build_id(site_packages: list[Entry]) -> str:
    """shiv's build id: a hash of every site-packages file's bytes and path."""
    digest = hashlib.sha256()
    for arcname, data, _ in site_packages:
        digest.update(data)
        digest.update(arcname.removeprefix("site-packages/").encode())
    return digest.hexdigest()


def boot_entries(build: str, site_packages: list[Entry], stamp: int, abis: list[str]) -> list[Entry]:
    """shiv's bootstrap package, our first-run module, environment.json and the fast __main__."""
    import shiv
    from shiv.bootstrap.environment import Environment

    boot_dir = Path(shiv.__file__).parent / "bootstrap"
    entries: list[Entry] = []
    for path in sorted(boot_dir.glob("*.py")):
        entries.append((f"_bootstrap/{path.name}", path.read_bytes(), False))
    entries.append(("_flext_boot.py", (BOOT / "_flext_boot.py").read_bytes(), False))
    env = Environment(
        built_at=time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(stamp)),
        shiv_version=shiv.__version__,
        build_id=build,
        entry_point=ENTRY_POINT,
        compile_pyc=False,  # a kill during compileall can leave later runs waiting forever
        reproducible=True,
    )
    entries.append(("environment.json", env.to_json().encode(), False))
    has_pth = any("/" not in a.removeprefix("site-packages/") and a.endswith(".pth") for a, _, _ in site_packages)
    main = (BOOT / "__main__.py").read_text()
    for placeholder in ('"@BUILD_ID@"', "HAS_PTH = False", "ABIS = ()"):
        if placeholder not in main:
            raise SystemExit(f"error: build/boot/__main__.py lost its placeholder {placeholder}")
    main = main.replace('"@BUILD_ID@"', repr(build)).replace("HAS_PTH = False", f"HAS_PTH = {has_pth}")
    main = main.replace("ABIS = ()", f"ABIS = {tuple(abis)!r}", 1)
    entries.append(("__main__.py", main.encode(), False))
    entries.append(("__main__.pyc", compile_unchecked(main, "__main__.py"), False))
    return entries


def compile_unchecked(source: str, name: str) -> bytes:
    """Bytecode for `source` as an unchecked hash-based .pyc (PEP 552).

    Python never writes .pyc files into a zip, so without this every run would compile
    __main__ again. zipimport prefers `__main__.pyc` when its magic number matches the
    running interpreter and falls back to `__main__.py` otherwise (other versions, and the
    old Pythons that must reach the version check). Compiled in a child with a fixed hash
    seed so that the bytes do not depend on this process.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src, pyc = Path(tmp, name), Path(tmp, name + "c")
        src.write_text(source)
        code = (
            "import py_compile, sys\n"
            "py_compile.compile(sys.argv[1], cfile=sys.argv[2], dfile=sys.argv[3], doraise=True,\n"
            "    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)\n"
        )
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        subprocess.run([sys.executable, "-c", code, str(src), str(pyc), name], check=True, env=env)
        return pyc.read_bytes()


def write_archive(target: Path, site_packages: list[Entry], stamp: int, abis: list[str]) -> None:
    """Write the zipapp atomically: shebang, then a deterministic zip."""
    build = build_id(site_packages)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        for entry in site_packages:
            _add(archive, entry, stamp, zipfile.ZIP_DEFLATED)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fd:
            fd.write(f"#!{SHEBANG}\n".encode())
            with zipfile.ZipFile(fd, "w") as archive:
                _add(archive, (SITE_PACKAGES_ZIP, inner.getvalue(), False), stamp, zipfile.ZIP_STORED)
                for entry in boot_entries(build, site_packages, stamp, abis):
                    # stored: reading __main__.py then needs no zlib import on the fast path
                    _add(archive, entry, stamp, zipfile.ZIP_STORED)
        tmp.chmod(0o755)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def _add(archive: zipfile.ZipFile, entry: Entry, stamp: int, compression: int) -> None:
    """One entry with a fixed time, unix 0644/0755 mode and a fixed compression level."""
    arcname, data, executable = entry
    info = zipfile.ZipInfo(arcname, date_time=time.gmtime(stamp)[:6])
    info.compress_type = compression
    info.create_system = 3  # unix, so the modes below are honoured on extraction
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    archive.writestr(info, data, compresslevel=9 if compression == zipfile.ZIP_DEFLATED else None)


if __name__ == "__main__":
    sys.exit(main())
