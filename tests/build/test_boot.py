"""Units of the zipapp's start-up code (build/boot), loaded straight from the recipe folder.

The end-to-end behaviour is in test_zipapp.py; these pin down the pieces that are hard to
provoke there: the lock race with a cleanup, the bytecode hook's scope, what cleanup keeps.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType

import pytest

from tests.build.conftest import ROOT

BOOT = ROOT / "build" / "boot"


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def boot_main() -> ModuleType:
    return load(BOOT / "__main__.py", "flext_boot_main_under_test")


@pytest.fixture(scope="module")
def boot() -> ModuleType:
    return load(BOOT / "_flext_boot.py", "flext_boot_under_test")


def ident(char: str) -> str:
    return char * 64


def extraction(root: Path, entry: str, *, flext: bool = True) -> Path:
    path = root / entry
    (path / "site-packages" / ("flext" if flext else "other")).mkdir(parents=True)
    return path


def lock(path: Path, how: int) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, how)
    return fd


def test_cleanup_keeps_what_is_used_or_not_ours(boot: ModuleType, tmp_path: Path) -> None:
    root = tmp_path
    current = f"flext_{ident('a')}"
    extraction(root, current)
    extraction(root, f"flext_{ident('b')}")  # old, unused: removed
    held = extraction(root, f"flext_{ident('c')}")  # old, in use: kept
    extraction(root, f"other_{ident('d')}")  # another file name: not ours
    extraction(root, "flext_notabuildid")
    extraction(root, f"flext_{ident('e')}", flext=False)  # no flext inside: not ours
    (root / f".flext_{ident('f')}.trash-123").mkdir()  # an interrupted cleanup's leftovers
    (root / f"flext_{ident('1')}.tmp" / "site-packages").mkdir(parents=True)  # killed extraction
    (root / f"flext_{ident('2')}.tmp" / "site-packages").mkdir(parents=True)  # running extraction
    running = lock(root / f".flext_{ident('2')}_lock", fcntl.LOCK_EX)
    user = lock(held / "flext.lock", fcntl.LOCK_SH)
    try:
        assert boot.cleanup(str(root), current, False) is False
        assert (root / current / "cleanup-pending").exists()
        assert sorted(p.name for p in root.iterdir()) == sorted(
            [
                current, held.name, f"other_{ident('d')}", "flext_notabuildid", f"flext_{ident('e')}",
                f"flext_{ident('2')}.tmp", f".flext_{ident('2')}_lock", f".flext_{ident('1')}_lock",
            ]
        )
    finally:
        os.close(user)
        os.close(running)
    assert boot.cleanup(str(root), current, False) is True
    assert not held.exists()
    assert not (root / current / "cleanup-pending").exists()


def test_hold_reports_an_extraction_retired_while_waiting(boot_main: ModuleType, tmp_path: Path) -> None:
    base = extraction(tmp_path, f"flext_{ident('a')}")
    cleaner = lock(base / "flext.lock", fcntl.LOCK_EX)
    result: list[int | None] = []
    waiter = threading.Thread(target=lambda: result.append(boot_main.hold(str(base))))
    waiter.start()
    os.rename(base, tmp_path / "trash")  # what a cleanup does while holding the lock
    os.close(cleaner)
    waiter.join(timeout=60)
    assert result == [None]


def test_hold_keeps_a_shared_lock_that_blocks_cleanup(boot_main: ModuleType, boot: ModuleType, tmp_path: Path) -> None:
    base = extraction(tmp_path, f"flext_{ident('b')}")
    fd = boot_main.hold(str(base))
    assert isinstance(fd, int) and fd >= 0
    try:
        assert boot.cleanup(str(tmp_path), f"flext_{ident('a')}", False) is False
        assert base.is_dir()
    finally:
        os.close(fd)


def test_writable_root_takes_the_first_usable_place(boot: ModuleType, tmp_path: Path) -> None:
    assert boot.writable_root(["/dev/null/.shiv", str(tmp_path / "cache" / "flext")]) == str(tmp_path / "cache" / "flext")
    assert os.listdir(tmp_path / "cache" / "flext") == []  # the probe file is gone


def test_writable_root_fails_with_one_line(
    boot: ModuleType, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHIV_ROOT", raising=False)
    with pytest.raises(SystemExit) as exc:
        boot.writable_root(["/dev/null/a", "/dev/null/b"])
    assert exc.value.code == 1
    assert capsys.readouterr().err == (
        "error: flext cannot unpack itself: /dev/null/a or /dev/null/b is not writable; "
        "set XDG_CACHE_HOME (or SHIV_ROOT) to a writable directory\n"
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"HOME": "/h"}, ["/h/.shiv", "/h/.cache/flext"]),
        ({"HOME": "/h", "XDG_CACHE_HOME": "/c"}, ["/h/.shiv", "/c/flext"]),
        ({"HOME": "/h", "XDG_CACHE_HOME": "relative"}, ["/h/.shiv", "/h/.cache/flext"]),
        ({"HOME": "/h", "SHIV_ROOT": "/r"}, ["/r"]),
    ],
)
def test_roots(boot_main: ModuleType, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: list[str]) -> None:
    monkeypatch.setenv("HOME", env["HOME"])
    assert boot_main.roots(env) == expected


def test_bytecode_hook_writes_pyc_only_inside_the_extraction(tmp_path: Path) -> None:
    ours, other = tmp_path / "ours", tmp_path / "other"
    (ours / "pkg").mkdir(parents=True)
    other.mkdir()
    (ours / "pkg" / "__init__.py").write_text("")
    (ours / "pkg" / "mod.py").write_text("VALUE = 1\n")
    (other / "elsewhere.py").write_text("VALUE = 2\n")
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('boot', {str(BOOT / '__main__.py')!r})\n"
        "boot = importlib.util.module_from_spec(spec); spec.loader.exec_module(boot)\n"
        f"boot.bytecode_hook({str(ours)!r})\n"
        f"sys.path[:0] = [{str(ours)!r}, {str(other)!r}]\n"
        "assert sys.dont_write_bytecode\n"
        "import pkg.mod, elsewhere\n"
        "print(pkg.mod.VALUE + elsewhere.VALUE)\n"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert (proc.returncode, proc.stdout) == (0, "3\n"), proc.stderr
    tag = sys.implementation.cache_tag
    assert sorted(p.name for p in (ours / "pkg" / "__pycache__").iterdir()) == [
        f"__init__.{tag}.pyc", f"mod.{tag}.pyc"
    ]
    assert not (other / "__pycache__").exists()
    # the written file is a valid cache: importing again loads it instead of recompiling
    before = (ours / "pkg" / "__pycache__" / f"mod.{tag}.pyc").stat().st_mtime_ns
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0
    assert (ours / "pkg" / "__pycache__" / f"mod.{tag}.pyc").stat().st_mtime_ns == before


def test_main_is_valid_syntax_for_old_pythons() -> None:
    """No f-strings, annotations, walrus or keyword-only arguments: Python 2.7/3.x must parse it."""
    import ast

    tree = ast.parse((BOOT / "__main__.py").read_text())
    for node in ast.walk(tree):
        assert not isinstance(node, ast.JoinedStr | ast.NamedExpr | ast.AnnAssign), ast.dump(node)
        if isinstance(node, ast.FunctionDef):
            assert node.returns is None and not node.args.kwonlyargs
            assert all(a.annotation is None for a in node.args.args)
