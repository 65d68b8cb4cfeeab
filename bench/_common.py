"""Shared helpers for the scripts under bench/: real interpreters, isolated homes, timing.

Rules every bench follows (DESIGN.md section 5): time the interpreter itself, never a
version-manager shim; measure warm runs (.pyc present); run the baseline in the same
process, interleaved with what is measured, and report medians and ratios.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

__all__ = [
    "ROOT",
    "base_python",
    "clean_python",
    "format_line",
    "isolated_env",
    "median_ms",
    "run_checked",
    "spawn_ns",
    "time_interleaved",
]


def base_python() -> str:
    """The real interpreter behind this one (a venv's base, never a shim script)."""
    exe = getattr(sys, "_base_executable", None) or sys.executable
    real = os.path.realpath(exe)
    with open(real, "rb") as fd:
        if fd.read(2) == b"#!":
            raise SystemExit(f"error: {exe} is a script (a version-manager shim?); run the bench with a real python")
    return real


def clean_python(where: Path) -> str:
    """A virtual environment with no packages, made from the real interpreter.

    Its `python` is what a user's plain `python3` costs: no editable installs, no .pth files
    from the developer's site-packages, no shim. Created once per bench run (about 0.1 s).
    """
    venv = where / "clean-venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([base_python(), "-m", "venv", "--without-pip", str(venv)], check=True)
    return str(venv / "bin" / "python")


def isolated_env(where: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ with HOME, caches and every FLEXT_* directory moved under `where`.

    PYTHONDONTWRITEBYTECODE is dropped so warm runs have their .pyc files, as users do.
    """
    env = {k: v for k, v in (base or os.environ).items() if not k.startswith(("FLEXT_", "SHIV_", "COVERAGE_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPATH", None)
    for name in ("home", "config", "data", "state", "cache"):
        (where / name).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(where / "home"),
        XDG_CACHE_HOME=str(where / "cache"),
        FLEXT_CONFIG_DIR=str(where / "config"),
        FLEXT_DATA_DIR=str(where / "data"),
        FLEXT_STATE_DIR=str(where / "state"),
        FLEXT_CACHE_DIR=str(where / "cache" / "flext"),
        FLEXT_NO_HISTORY="1",
        NO_COLOR="1",
    )
    return env


def run_checked(argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None) -> str:
    """Run once and insist on exit 0 (a bench that times an error path measures nothing)."""
    proc = subprocess.run(list(argv), env=dict(env), cwd=cwd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise SystemExit(f"error: {' '.join(argv)} exited {proc.returncode}:\n{proc.stderr.strip()}")
    return proc.stdout


def spawn_ns(argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None) -> int:
    """Wall time of one run in nanoseconds: posix_spawn + waitpid, output to /dev/null.

    posix_spawn keeps the harness's own overhead (fork of a big Python, fd juggling in
    subprocess) out of both sides of a ratio.
    """
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    exe = argv[0] if os.sep in argv[0] else shutil.which(argv[0]) or argv[0]
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        start = time.perf_counter_ns()
        pid = os.posix_spawn(exe, list(argv), dict(env), file_actions=actions)
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter_ns() - start
    finally:
        os.chdir(old)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"error: {' '.join(argv)} failed while timing")
    return elapsed


def time_interleaved(
    commands: Mapping[str, Sequence[str]], env: Mapping[str, str], runs: int, cwd: str | None = None
) -> dict[str, list[int]]:
    """Run every command once per round, `runs` rounds, rotating the order each round.

    Interleaving spreads machine noise (other jobs, CPU frequency) evenly over all commands,
    so ratios stay meaningful on a busy machine even when absolute times drift.
    """
    names = list(commands)
    samples: dict[str, list[int]] = {name: [] for name in names}
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(spawn_ns(commands[name], env, cwd))
    return samples


def median_ms(samples: Iterable[int]) -> float:
    return statistics.median(samples) / 1e6


def format_line(label: str, median: float, base: float, goal: float | None, width: int = 26) -> str:
    """`--version   median 31.2 ms  ratio 1.71x (goal <= 2.5x)`, marking a missed goal."""
    ratio = median / base
    text = f"{label:<{width}} median {median:6.1f} ms  ratio {ratio:5.2f}x"
    if goal is not None:
        text += f" (goal <= {goal}x)" + ("" if ratio <= goal else "  MISSED")
    return text
