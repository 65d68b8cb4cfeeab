#!/usr/bin/env python3
"""Plugin installs: flext with uv against a plain `python -m venv && pip install`, same run.

    python bench/install.py                          # tap-jsonl (the catalog's version), 3 rounds
    python bench/install.py --plugin target-duckdb --runs 5

Cases, each once per round, rounds interleaved, medians, ratios to (a):

- (a) `python -m venv V && V/bin/pip install SPEC` with a warm pip cache (the baseline:
  what a user does by hand; the machine's pip configuration applies, as it does to them)
- (b) flext's first install on a machine: nothing in flext's cache, so it fetches uv
  and fills a cold package cache (goal: no slower than (a))
- (b') the same with uv already fetched: a cold package cache only
- (c) flext's install of the same plugin into a second workspace: uv links what the
  first install put in the shared package cache (goal <= 0.3x (a))

flext runs as `python -m flext data taps|targets install NAME` from this checkout (or
--flext-root), each workspace new, flext's cache under a temporary folder; the pip cache
of (a) is the user's own, warmed by one untimed run first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, base_python, format_line, isolated_env


def timed(argv: list[str], env: dict[str, str], cwd: str) -> float:
    """Seconds for one run that must succeed (output kept for the error message only)."""
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=1800, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"error: {' '.join(argv)} exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugin", default="tap-jsonl", help="a catalog tap or target (default tap-jsonl)")
    parser.add_argument("--runs", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--flext-root", default=str(ROOT), help="the checkout whose flext is timed")
    args = parser.parse_args(argv)
    sys.path.insert(0, args.flext_root)
    from flext.engine import catalog

    entry = catalog.lookup(args.plugin)
    if entry["kind"] not in ("tap", "target"):
        parser.error(f"{args.plugin} is a {entry['kind']}; pick a tap or a target")
    spec = str(entry["pip_url"])
    group = f"{entry['kind']}s"
    real_pip_cache = os.environ.get("PIP_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pip")
    with tempfile.TemporaryDirectory(prefix="flext-bench-install-") as tmp:
        where = Path(tmp)
        env = isolated_env(where)
        env["PIP_CACHE_DIR"] = real_pip_cache
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        env["PYTHONPATH"] = args.flext_root
        for key in ("UV_CACHE_DIR", "UV_LINK_MODE"):
            env.pop(key, None)
        python = base_python()
        flext = [sys.executable, "-m", "flext"]  # this venv: flext's deps, and pip to fetch uv with
        counter = iter(range(10_000))

        def plain() -> float:
            venv = where / f"plain-{next(counter)}"
            return timed(["sh", "-c", f'"{python}" -m venv "{venv}" && "{venv}/bin/pip" install -q {spec}'],
                         env, tmp)

        def flext_install(cache: Path) -> float:
            ws = where / f"ws-{next(counter)}"
            ws.mkdir()
            (ws / "flext.toml").write_text('[workspace]\nname = "bench"\n')
            return timed([*flext, "data", group, "install", args.plugin], {**env, "FLEXT_CACHE_DIR": str(cache)},
                         str(ws))

        def first() -> float:
            return flext_install(where / f"cache-{next(counter)}")

        def cold_packages() -> float:
            cache = where / f"cache-{next(counter)}"
            fetched = next((warm / "uv").glob("*/uv"))
            (cache / "uv" / fetched.parent.name).mkdir(parents=True)
            shutil.copy2(fetched, cache / "uv" / fetched.parent.name / "uv")
            return flext_install(cache)

        warm = where / "cache-warm"
        started = time.perf_counter()
        plain()  # warms the pip cache
        flext_install(warm)  # fetches uv and fills the package cache (c) reuses
        print(f"install: {spec} ({args.plugin}); warm-up {time.perf_counter() - started:.1f}s; "
              f"{args.runs} rounds, interleaved, medians; flext from {args.flext_root}")
        cases = {"a": plain, "b": first, "b2": cold_packages, "c": lambda: flext_install(warm)}
        samples: dict[str, list[float]] = {name: [] for name in cases}
        names = list(cases)
        for round_ in range(args.runs):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                samples[name].append(cases[name]())
        base = statistics.median(samples["a"]) * 1000
        print(f"install: {'(a) python -m venv && pip install, warm pip cache':<62} median {base:6.1f} ms  (baseline)")
        for name, label, goal in (
            ("b", "(b) flext, first install: fetch uv, cold package cache", 1.0),
            ("b2", "(b') flext, uv already fetched, cold package cache", None),
            ("c", "(c) flext, second workspace: warm package cache", 0.3),
        ):
            median = statistics.median(samples[name]) * 1000
            print(f"install: {format_line(label, median, base, goal, width=62)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
