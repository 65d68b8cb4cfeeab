"""Fixtures for the single-file tests: one build per session and a package-free interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "zipapp.py"


def build_zipapp(target: Path, source: Path = ROOT) -> Path:
    """Run the packaging recipe (what `make build` runs) on source, writing target."""
    proc = subprocess.run(
        [sys.executable, str(BUILD), "--output", str(target), "--source", str(source)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
    )
    assert proc.returncode == 0, proc.stderr
    return target


@pytest.fixture(scope="session")
def zipapp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/flext built once for the whole session (it takes seconds), under a temp dir."""
    return build_zipapp(tmp_path_factory.mktemp("dist") / "flext")


@pytest.fixture(scope="session")
def clean_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A venv without packages made from the real interpreter: what a user's python3 is.

    Not the test venv's python: its editable install of flext would answer `import flext`
    from the checkout before the zipapp's own extraction could.
    """
    venv = tmp_path_factory.mktemp("clean") / "venv"
    base = getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    return str(venv / "bin" / "python")


@pytest.fixture
def boot_env(tmp_path: Path) -> dict[str, str]:
    """An environment with its own HOME and caches and the bootstrap's debug lines on."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLEXT_", "SHIV_", "COVERAGE_", "PYTHON"))
    }
    for name in ("home", "xdg-cache", "config", "data", "state"):
        (tmp_path / name).mkdir()
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
        FLEXT_CONFIG_DIR=str(tmp_path / "config"),
        FLEXT_DATA_DIR=str(tmp_path / "data"),
        FLEXT_STATE_DIR=str(tmp_path / "state"),
        FLEXT_BOOT_DEBUG="1",
        PYTHONDONTWRITEBYTECODE="1",  # as on many dev machines: the extraction must get .pyc anyway
        NO_COLOR="1",
    )
    return env


Runner = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def run_zipapp(clean_python: str, zipapp: Path, boot_env: dict[str, str]) -> Runner:
    """Run the session's zipapp (or another one) with the clean interpreter."""

    def run(
        *argv: str, archive: Path | None = None, env: dict[str, str] | None = None, flags: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [clean_python, *flags, str(archive or zipapp), *argv],
            capture_output=True, text=True, env=env or boot_env, timeout=120, stdin=subprocess.DEVNULL,
        )

    return run
