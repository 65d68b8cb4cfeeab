"""Shared fixtures: an isolated environment, and flext run in-process or as a subprocess."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def uninstrumented(env: dict[str, str]) -> dict[str, str]:
    """`env` for a child whose imports are measured: without coverage's subprocess hook
    (COVERAGE_PROCESS_START/CONFIG), which imports tomllib and more into every child."""
    return {k: v for k, v in env.items() if not k.startswith("COVERAGE_")}


class Run:
    """The outcome of one flext invocation."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code = code
        self.out = out
        self.err = err

    def __repr__(self) -> str:  # shown by pytest on failure
        return f"Run(code={self.code}, out={self.out!r}, err={self.err!r})"

    def json(self) -> object:
        import json

        return json.loads(self.out)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment whose config, data, state and home live under tmp_path.

    Also applied to os.environ (monkeypatched) so in-process runs see it.
    """
    values = {
        "HOME": str(tmp_path / "home"),
        "FLEXT_CONFIG_DIR": str(tmp_path / "config"),
        "FLEXT_DATA_DIR": str(tmp_path / "data"),
        "FLEXT_STATE_DIR": str(tmp_path / "state"),
        "FLEXT_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        # nothing above the test's own directory (a stray /tmp/flext.toml) changes a result
        "FLEXT_CEILING_DIRS": str(tmp_path),
    }
    for key in list(os.environ):
        if key.startswith("FLEXT_") or key in ("NO_COLOR",):
            monkeypatch.delenv(key, raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "home").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return dict(os.environ)


@pytest.fixture
def flext(env: dict[str, str]) -> Callable[..., Run]:
    """Run flext in-process with captured, non-terminal streams."""
    from flext.cli import main
    from flext.core.io import IO

    def run(*argv: str, stdin: str = "", tty: bool = False, extra_env: dict[str, str] | None = None) -> Run:
        out, err = io.StringIO(), io.StringIO()
        merged = dict(os.environ)
        merged.update(extra_env or {})
        stream = IO(io.StringIO(stdin), out, err, env=merged, stdin_tty=tty, stdout_tty=tty, stderr_tty=tty, width=100)
        from flext.router.spec import reset_tree

        reset_tree()
        code = main(list(argv), io=stream, env=merged)
        return Run(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def flext_proc(env: dict[str, str]) -> Callable[..., Run]:
    """Run `python -m flext` as a real subprocess (no terminal)."""

    def run(*argv: str, stdin: str = "", extra_env: dict[str, str] | None = None, timeout: float = 60) -> Run:
        merged = dict(os.environ)
        merged["PYTHONPATH"] = str(ROOT) + os.pathsep + merged.get("PYTHONPATH", "")
        merged.update(extra_env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "flext", *argv],
            input=stdin, capture_output=True, text=True, env=merged, timeout=timeout,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def flext_bin(tmp_path: Path) -> Iterator[Path]:
    """A `flext` executable script on PATH-able location that runs this checkout."""
    script = tmp_path / "bin" / "flext"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m flext \"$@\"\n")
    script.chmod(0o755)
    yield script
