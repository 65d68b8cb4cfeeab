"""Real shells loading the real completion scripts, with a `flext` on PATH running this checkout.

A shell that is not installed skips its tests locally and fails them under CI (env CI set):
CI installs bash, zsh and fish, so a skip there would hide a broken script.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.router._completion_world import make_world

# (line typed after the prompt, the candidates every shell must offer), sorted.
COMMON_CASES = [
    ("flext pro", ["profile"]),
    ("flext config s", ["set", "show"]),
    ("flext -o ", ["csv", "json", "jsonl", "plain", "table", "yaml"]),
    ("flext profile use ", ["default", "other", "prod", "staging"]),
    ("flext profile use st", ["staging"]),
    ("flext alias delete ", ["pu", "st"]),
    ("flext secret get ", ["api_token", "db_password"]),
    ("flext -p other secret get ", ["db_password", "other_token"]),
    ("flext help con", ["config"]),
    ("flext help config s", ["set", "show"]),
    ("flext st --rev", ["--reveal-paths"]),
    ("flext pu ", ["default", "other", "prod", "staging"]),
    ("flext history --since 5", ["5d", "5h", "5m", "5s"]),
    ("flext completion ", ["bash", "fish", "zsh"]),
    ("flext nosuchcommand ", []),
]


def need(shell: str) -> str:
    """The shell's path; skip without it, unless under CI where it must exist."""
    path = shutil.which(shell)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{shell} is not installed, and CI must test completion in it")
        pytest.skip(f"{shell} is not installed (apt-get install {shell}; .ci/run installs it)")
    return path


@pytest.fixture(scope="module")
def shell_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An isolated environment with profiles, aliases and secrets, `flext` first on PATH, and some files.

    Module-scoped (the shells only read it) so that one interactive shell can serve many
    tests; built like the shared `env` and `flext_bin` fixtures, which are per test.
    """
    root = tmp_path_factory.mktemp("shells")
    drop = ("BASH_ENV", "ENV", "ZDOTDIR", "INPUTRC", "PROMPT_COMMAND", "NO_COLOR", "CDPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLEXT_", "XDG_")) and k not in drop}
    env.update(
        HOME=str(root / "home"),
        FLEXT_CONFIG_DIR=str(root / "config"),
        FLEXT_DATA_DIR=str(root / "data"),
        FLEXT_STATE_DIR=str(root / "state"),
        FLEXT_CACHE_DIR=str(root / "cache"),
        FILES=str(root / "files"),
    )
    (root / "home").mkdir()
    make_world(env)
    (root / "files" / "tdir").mkdir(parents=True)
    (root / "files" / "tfile.json").write_text("{}")
    flext = root / "bin" / "flext"
    flext.parent.mkdir()
    flext.write_text(f'#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m flext "$@"\n')
    flext.chmod(0o755)
    env["PATH"] = f"{flext.parent}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    return env


def generate(shell: str, env: dict[str, str], where: Path) -> Path:
    """Write what `flext completion SHELL` prints (through the real executable) to a file."""
    flext = shutil.which("flext", path=env["PATH"])
    assert flext is not None
    out = subprocess.run([flext, "completion", shell], env=env, capture_output=True, text=True, timeout=60, check=True)
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_text(out.stdout)
    return where
