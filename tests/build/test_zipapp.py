"""dist/flext end to end: built by the real recipe, run by a real interpreter with no packages.

One build per session (see conftest.py). The bootstrap's debug switch FLEXT_BOOT_DEBUG=1
makes it say which path it took on stderr, so the tests can tell the first run (shiv's
extraction) from the fast path.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from flext import __version__
from tests.build.conftest import ROOT, Runner, build_zipapp

pytestmark = pytest.mark.slow


def build_id(archive: Path) -> str:
    with zipfile.ZipFile(archive) as zf:
        value = json.loads(zf.read("environment.json"))["build_id"]
    assert isinstance(value, str)
    return value


def importtime_modules(stderr: str) -> set[str]:
    return {
        line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:") and "|" in line
    }


def checkout_output(env: dict[str, str], *argv: str) -> str:
    """What `python -m flext` from the checkout prints, for comparison with the zipapp."""
    merged = {k: v for k, v in env.items() if k != "FLEXT_BOOT_DEBUG"}
    merged["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run([sys.executable, "-m", "flext", *argv], capture_output=True, text=True, env=merged, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# --- first run, fast path, bytecode ---------------------------------------------------


def test_first_run_extracts_with_shiv_then_later_runs_take_the_fast_path(
    run_zipapp: Runner, zipapp: Path, boot_env: dict[str, str]
) -> None:
    base = Path(boot_env["HOME"]) / ".shiv" / f"flext_{build_id(zipapp)}"
    first = run_zipapp("--version")
    assert (first.returncode, first.stdout) == (0, f"flext {__version__}\n")
    assert first.stderr == f"flext-boot: first run, extracting into {base}\n"
    assert (base / "site-packages" / "flext" / "cli.py").is_file()

    second = run_zipapp("--help")
    assert second.returncode == 0
    assert second.stderr == f"flext-boot: fast path {base}\n"
    assert second.stdout == checkout_output(boot_env, "--help")


def test_fast_path_imports_neither_shiv_nor_zipfile(run_zipapp: Runner) -> None:
    assert run_zipapp("--version").returncode == 0
    proc = run_zipapp("--version", flags=("-X", "importtime"))
    assert proc.returncode == 0
    modules = importtime_modules(proc.stderr)
    assert "flext.cli" in modules
    assert modules & {"_bootstrap", "_flext_boot", "zipfile", "json", "pathlib", "shutil"} == set()


def test_bytecode_is_written_into_the_extraction_despite_pythondontwritebytecode(
    run_zipapp: Runner, zipapp: Path, boot_env: dict[str, str], clean_python: str
) -> None:
    assert boot_env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert run_zipapp("--help").returncode == 0
    tag = subprocess.run(
        [clean_python, "-c", "import sys; print(sys.implementation.cache_tag)"], capture_output=True, text=True
    ).stdout.strip()
    pyc = Path(boot_env["HOME"]) / ".shiv" / f"flext_{build_id(zipapp)}" / "site-packages" / "flext" / "__pycache__"
    cli_pyc = pyc / f"cli.{tag}.pyc"
    assert cli_pyc.is_file()
    before = cli_pyc.stat().st_mtime_ns
    assert run_zipapp("--help").returncode == 0
    assert cli_pyc.stat().st_mtime_ns == before  # valid: loaded, not rewritten


def test_shiv_variables_hand_over_to_shivs_own_bootstrap(
    run_zipapp: Runner, zipapp: Path, boot_env: dict[str, str]
) -> None:
    env = {**boot_env, "SHIV_INTERPRETER": "1"}
    proc = run_zipapp("-c", "import flext, sys; print(flext.__file__)", env=env)
    assert proc.returncode == 0, proc.stderr
    base = Path(boot_env["HOME"]) / ".shiv" / f"flext_{build_id(zipapp)}"
    assert proc.stdout == f"{base}/site-packages/flext/__init__.py\n"


# --- where it extracts -----------------------------------------------------------------


def unwritable_home_cases() -> list[object]:
    cases: list[object] = [pytest.param("devnull", id="HOME=/dev/null")]
    skip = pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a 0555 directory anyway")
    cases.append(pytest.param("readonly", id="HOME mode 0555", marks=skip))
    return cases


@pytest.mark.parametrize("kind", unwritable_home_cases())
def test_unwritable_home_extracts_under_xdg_cache_home(
    run_zipapp: Runner, zipapp: Path, boot_env: dict[str, str], tmp_path: Path, kind: str
) -> None:
    env = dict(boot_env)
    if kind == "devnull":
        env["HOME"] = "/dev/null"
    else:
        (tmp_path / "home").chmod(0o555)
    base = Path(env["XDG_CACHE_HOME"]) / "flext" / f"flext_{build_id(zipapp)}"
    first = run_zipapp("--version", env=env)
    assert (first.returncode, first.stdout) == (0, f"flext {__version__}\n")
    assert first.stderr == f"flext-boot: first run, extracting into {base}\n"
    second = run_zipapp("--version", env=env)
    assert second.stderr == f"flext-boot: fast path {base}\n"


def test_nothing_writable_is_one_clear_line(run_zipapp: Runner, boot_env: dict[str, str]) -> None:
    env = {**boot_env, "HOME": "/dev/null", "XDG_CACHE_HOME": "/dev/null/cache"}
    proc = run_zipapp("--version", env=env)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == (
        "error: flext cannot unpack itself: /dev/null/.shiv or /dev/null/cache/flext is not writable; "
        "set XDG_CACHE_HOME (or SHIV_ROOT) to a writable directory\n"
    )


def test_shiv_root_is_honoured(run_zipapp: Runner, zipapp: Path, boot_env: dict[str, str], tmp_path: Path) -> None:
    env = {**boot_env, "SHIV_ROOT": str(tmp_path / "root")}
    proc = run_zipapp("--version", env=env)
    assert proc.returncode == 0
    assert proc.stderr == f"flext-boot: first run, extracting into {tmp_path / 'root'}/flext_{build_id(zipapp)}\n"


# --- old builds, killed runs -------------------------------------------------------------


def variant(archive: Path, target: Path, new_id: str) -> Path:
    """A copy of archive that claims another build id: an "older build" of the same file name."""
    target.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive) as src, target.open("wb") as fd:
        fd.write(b"#!/usr/bin/env python3\n")
        with zipfile.ZipFile(fd, "w") as dst:
            for info in src.infolist():
                if info.filename == "__main__.pyc":
                    continue  # compiled with the real build id; the edited source must run
                data = src.read(info)
                if info.filename in ("__main__.py", "environment.json"):
                    data = data.replace(build_id(archive).encode(), new_id.encode())
                dst.writestr(info, data)
    return target


def test_old_build_is_removed_only_once_no_process_uses_it(
    run_zipapp: Runner, clean_python: str, zipapp: Path, boot_env: dict[str, str], tmp_path: Path
) -> None:
    root = tmp_path / "root"
    env = {**boot_env, "SHIV_ROOT": str(root)}
    old_id = hashlib.sha256(b"an older flext").hexdigest()
    old = variant(zipapp, tmp_path / "old" / "flext", old_id)
    old_dir = root / f"flext_{old_id}"
    new_dir = root / f"flext_{build_id(zipapp)}"

    # a long-running process of the old build (shiv's interpreter mode, waiting on stdin)
    holder = subprocess.Popen(
        [clean_python, str(old), "-c", "import sys; print('ready', flush=True); sys.stdin.read()"],
        env={**env, "SHIV_INTERPRETER": "1"}, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "ready\n"
        assert (old_dir / "site-packages" / "flext").is_dir()

        first = run_zipapp("--version", env=env)
        assert first.returncode == 0
        assert first.stderr == (
            f"flext-boot: first run, extracting into {new_dir}\n"
            f"flext-boot: kept old build flext_{old_id} (in use)\n"
        )
        assert old_dir.is_dir() and (new_dir / "cleanup-pending").exists()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        assert holder.wait(timeout=60) == 0

    later = run_zipapp("--version", env=env)
    assert later.returncode == 0
    assert later.stderr == f"flext-boot: fast path {new_dir}\nflext-boot: removed old build flext_{old_id}\n"
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) == [new_dir.name]
    assert not (new_dir / "cleanup-pending").exists()
    assert not [p for p in root.iterdir() if ".trash-" in p.name]


def test_a_first_run_killed_mid_extraction_does_not_block_later_runs(
    clean_python: str, zipapp: Path, boot_env: dict[str, str], run_zipapp: Runner
) -> None:
    base = Path(boot_env["HOME"]) / ".shiv" / f"flext_{build_id(zipapp)}"
    partial = base.with_name(base.name + ".tmp")
    proc = subprocess.Popen([clean_python, str(zipapp), "--version"], env=boot_env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not partial.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)  # polling a file system state with a deadline: nothing to await
    seen = partial.exists()
    proc.kill()
    code = proc.wait(timeout=60)
    if seen:
        assert code == -9  # killed mid-extraction, holding shiv's lock, leaving a partial .tmp
    after = run_zipapp("--version")
    assert (after.returncode, after.stdout) == (0, f"flext {__version__}\n")
    assert (base / "site-packages" / "flext" / "cli.py").is_file()
    assert not partial.exists()


# --- the file itself -------------------------------------------------------------------


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    # from a snapshot of the tree, so an edit made meanwhile cannot tell the builds apart
    source = tmp_path / "src"
    shutil.copytree(ROOT / "flext", source / "flext", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", source / "pyproject.toml")
    one = build_zipapp(tmp_path / "one" / "flext", source)
    two = build_zipapp(tmp_path / "two" / "flext", source)
    assert one.read_bytes() == two.read_bytes()


def test_archive_layout(zipapp: Path) -> None:
    assert zipapp.read_bytes().startswith(b"#!/usr/bin/env python3\n")
    assert os.access(zipapp, os.X_OK)
    with zipfile.ZipFile(zipapp) as zf:
        names = zf.namelist()
        env = json.loads(zf.read("environment.json"))
        stamps = {info.date_time for info in zf.infolist()}
        with zipfile.ZipFile(zf.open("site-packages.zip")) as inner:
            inner_names = inner.namelist()
            stamps |= {info.date_time for info in inner.infolist()}
    assert names == [
        "site-packages.zip", "_bootstrap/__init__.py", "_bootstrap/environment.py", "_bootstrap/filelock.py",
        "_bootstrap/interpreter.py", "_flext_boot.py", "environment.json", "__main__.py", "__main__.pyc",
    ]
    assert (env["entry_point"], env["compile_pyc"], env["reproducible"]) == ("flext.cli:entry", False, True)
    assert stamps == {time.gmtime(1700000000)[:6]}
    assert inner_names == sorted(inner_names)
    for required in ("flext/cli.py", f"flext-{__version__}.dist-info/entry_points.txt", "rich/__init__.py"):
        assert f"site-packages/{required}" in inner_names
    assert not [n for n in inner_names if "__pycache__" in n or n.endswith(".pyc")]


def test_main_ships_compiled_for_the_building_python(zipapp: Path) -> None:
    """An unchecked hash-based .pyc (PEP 552) of this very __main__: no compile per run."""
    import importlib.util
    import zipimport

    with zipfile.ZipFile(zipapp) as zf:
        pyc = zf.read("__main__.pyc")
        source = zf.read("__main__.py")
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, source never checked
    assert pyc[8:16] == importlib.util.source_hash(source)
    assert zipimport.zipimporter(str(zipapp)).get_code("__main__").co_filename == "__main__.py"  # the .pyc won


# --- too old a Python --------------------------------------------------------------------


def old_pythons() -> list[str]:
    """Interpreters older than 3.11 on this machine (pyenv versions, /usr/bin), by path."""
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = sorted(glob.glob(f"{pyenv}/versions/[23].*/bin/python[23].*[0-9]")) + sorted(
        glob.glob("/usr/bin/python[23].[0-9]") + glob.glob("/usr/bin/python3.10")
    )
    old = []
    for path in found:
        match = re.search(r"python(\d)\.(\d+)$", path)
        if match and (int(match[1]), int(match[2])) < (3, 11) and os.access(path, os.X_OK):
            old.append(path)
    return old


@pytest.mark.parametrize("python", old_pythons() or [pytest.param("none", marks=pytest.mark.skip("no old Python"))])
def test_a_too_old_python_gets_one_line_not_a_traceback(python: str, zipapp: Path, boot_env: dict[str, str]) -> None:
    proc = subprocess.run([python, str(zipapp), "--version"], capture_output=True, text=True, env=boot_env, timeout=60)
    assert proc.returncode == 1
    assert re.fullmatch(r"error: flext needs Python 3\.11 or newer, but \S+ is Python [23]\.\d+\.\d+\n", proc.stderr)


def test_the_version_gate_in_a_simulated_old_python(zipapp: Path, clean_python: str, boot_env: dict[str, str]) -> None:
    code = (
        "import runpy, sys\n"
        "sys.version_info = (3, 10, 9, 'final', 0)\n"
        "sys.version = '3.10.9 (main) [GCC]'\n"
        f"sys.argv = [{str(zipapp)!r}, '--version']\n"
        f"runpy.run_path({str(zipapp)!r}, run_name='__main__')\n"
    )
    proc = subprocess.run([clean_python, "-c", code], capture_output=True, text=True, env=boot_env, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr == f"error: flext needs Python 3.11 or newer, but {clean_python} is Python 3.10.9\n"


# --- newer Pythons: compiled modules for each ABI the build claims ------------------------


def build_abis(archive: Path) -> tuple[str, ...]:
    with zipfile.ZipFile(archive) as zf:
        main = zf.read("__main__.py").decode()
    match = re.search(r"^ABIS = (\(.*\))", main, re.M)
    assert match is not None
    value = eval(match[1])  # a tuple literal of strings written by the build
    assert isinstance(value, tuple)
    return value


def newer_pythons() -> list[str]:
    """CPython 3.12+ interpreters on this machine other than the one running the tests."""
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = sorted(glob.glob(f"{pyenv}/versions/3.*/bin/python3.*[0-9]")) + sorted(glob.glob("/usr/bin/python3.1[2-9]"))
    newer = []
    for path in found:
        match = re.search(r"python3\.(\d+)$", path)
        if match and int(match[1]) >= 12 and os.access(path, os.X_OK):
            newer.append(path)
    return newer


@pytest.mark.parametrize("python", newer_pythons() or [pytest.param("none", marks=pytest.mark.skip("no Python 3.12+"))])
def test_newer_pythons_run_the_same_file(python: str, zipapp: Path, boot_env: dict[str, str]) -> None:
    tag = subprocess.run([python, "-c", "import sys; print(sys.implementation.cache_tag)"],
                         capture_output=True, text=True, timeout=60).stdout.strip()
    if tag not in build_abis(zipapp):
        pytest.skip(f"this build carries no compiled modules for {tag} (wheels unavailable at build time)")

    def run(*argv: str, **extra: str) -> subprocess.CompletedProcess[str]:
        env = {**boot_env, **extra}
        return subprocess.run([python, str(zipapp), *argv], capture_output=True, text=True, env=env, timeout=120)

    assert run("config", "set", "retries", "4").returncode == 0  # validates with msgspec's compiled core
    shown = run("config", "show", "-o", "json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["retries"] == 4
    probe = "import msgspec, _cffi_backend, secretstorage, keyring, rich, prompt_toolkit, httpx; print('ok')"
    assert run("-c", probe, SHIV_INTERPRETER="1").stdout == "ok\n"


def test_an_interpreter_without_compiled_modules_gets_one_line(
    zipapp: Path, clean_python: str, boot_env: dict[str, str]
) -> None:
    abis = build_abis(zipapp)
    if not abis:
        pytest.skip("this build runs on any CPython")
    code = (
        "import runpy, sys, types\n"
        "sys.implementation = types.SimpleNamespace(name='cpython', cache_tag='cpython-399')\n"
        "sys.version = '3.99.0 (main) [GCC]'\n"
        f"sys.argv = [{str(zipapp)!r}, '--version']\n"
        f"runpy.run_path({str(zipapp)!r}, run_name='__main__')\n"
    )
    proc = subprocess.run([clean_python, "-c", code], capture_output=True, text=True, env=boot_env, timeout=60)
    runs_on = ", ".join(tag.replace("cpython-3", "3.") for tag in abis)
    assert (proc.returncode, proc.stderr) == (
        1, f"error: this flext build runs on CPython {runs_on}, but {clean_python} is cpython 3.99.0\n"
    )
