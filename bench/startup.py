#!/usr/bin/env python3
"""How fast flext starts, as ratios to `python -c pass` measured in the same run.

    python bench/startup.py              # dist/flext (make build first; make bench does)
    python bench/startup.py --checkout   # `python -m flext` from this checkout instead

Every command runs once per round, rounds interleaved, medians of --runs rounds (>= 15).
The interpreter is a package-free venv of the real interpreter behind this one (never a
shim; no editable installs or .pth files of the dev venv), the same for the baseline and
for flext. Warm runs: the zipapp is extracted, .pyc files and the config cache exist.
Goals (issue 2): --version <= 2.5x, --help and __complete <= 4x.
"""

from __future__ import annotations

import argparse
import os
import sys
import sysconfig
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    ROOT,
    base_python,
    clean_python,
    format_line,
    isolated_env,
    median_ms,
    run_checked,
    time_interleaved,
)

CASES: list[tuple[str, list[str], float | None]] = [
    ("--version", ["--version"], 2.5),
    ("--help", ["--help"], 4.0),
    ("__complete pipeline st", ["__complete", "pipeline", "st"], 4.0),
    ("config show -o json", ["config", "show", "-o", "json"], None),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="rounds (at least 15)")
    parser.add_argument("--checkout", action="store_true", help="time `python -m flext` from the checkout")
    parser.add_argument("--zipapp", default=str(ROOT / "dist" / "flext"), help="the single file to time")
    parser.add_argument("--python", help="interpreter to time with (default: a clean venv of the real one)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    if args.runs < 15:
        parser.error("--runs must be at least 15")
    with tempfile.TemporaryDirectory(prefix="flext-bench-") as tmp:
        where = Path(tmp)
        python = args.python or clean_python(where)
        env = isolated_env(where)
        if args.checkout:
            # the checkout first, then this venv's packages as plain path entries: its .pth
            # files (an editable install's import hook, coverage's) stay out of both sides
            env["PYTHONPATH"] = os.pathsep.join([str(ROOT), sysconfig.get_paths()["purelib"]])
            flext = [python, "-m", "flext"]
            what = f"python -m flext (checkout {ROOT})"
        else:
            if not Path(args.zipapp).is_file():
                raise SystemExit(f"error: {args.zipapp} does not exist\nhint: run `make build` first")
            flext = [python, args.zipapp]
            what = args.zipapp
        commands = {"python -c pass": [python, "-c", "pass"]}
        commands.update({label: [*flext, *words] for label, words, _ in CASES})
        warm_up(flext, commands, env)
        samples = time_interleaved(commands, env, args.runs)
    base = median_ms(samples["python -c pass"])
    print(f"flext start-up: {what}")
    print(f"interpreter: {python} (real: {base_python()}), {args.runs} interleaved runs each")
    print(f"{'python -c pass':<26} median {base:6.1f} ms  (baseline)")
    missed = False
    for label, _, goal in CASES:
        median = median_ms(samples[label])
        missed |= goal is not None and median / base > goal
        print(format_line(label, median, base, goal))
    return 1 if missed and args.strict else 0


def warm_up(flext: list[str], commands: dict[str, list[str]], env: dict[str, str]) -> None:
    """First runs: extract the zipapp, write .pyc files, write a config and warm its cache."""
    run_checked([*flext, "config", "set", "timeout", "15"], env)
    for _ in range(3):
        for argv in commands.values():
            run_checked(argv, env)


if __name__ == "__main__":
    sys.exit(main())
