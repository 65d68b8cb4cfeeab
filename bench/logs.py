#!/usr/bin/env python3
"""`flext logs search --count` on ~300 MB of run logs, as ratios to `grep -c` in the same run.

    python bench/logs.py                      # this checkout, 300 MB
    python bench/logs.py --mb 100 --runs 5
    python bench/logs.py --flext-root DIR     # time another checkout (e.g. main) on the same logs

Both sides count the matching lines of the same files (ten run logs of one pipeline),
warm page cache, every command once per round with rounds interleaved, medians. flext
matches the message field of parsed lines, so it does more than grep: the bytes
prefilter keeps the extra cost to the lines that contain the query, and a line whose
bytes prove the match is not parsed at all. The interpreter is a package-free venv of
the real one with the checkout and this venv's packages on PYTHONPATH (as
`bench/startup.py --checkout`). Goals (issue 15): <= 2x grep -c for a rare term,
<= 3x for a term on one line in four.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, clean_python, format_line, isolated_env, median_ms

FILES = 10
RARE = "needle-7f3a"  # one line in 9973
QUARTER = "retrying"  # one line in four
TEXTS = [
    'METRIC: {"type": "counter", "metric": "record_count", "value": %d, "tags": {"stream": "orders"}}',
    "Beginning full_table sync of 'public-orders' at offset %d",
    "Wrote batch of %d records to orders",
    "HTTP request to https://api.example.com/v2/orders?page=%d completed in 120ms",
    "Emitting state {\"bookmarks\": {\"orders\": {\"replication_key_value\": %d}}}",
]


def generate(folder: Path, size: int) -> tuple[list[Path], int]:
    """Run-log lines as the engine writes them until `size` bytes over FILES files."""
    rng = random.Random(7)
    levels = ["info"] * 80 + ["debug"] * 12 + ["warning"] * 6 + ["error"] * 2
    sources = ["tap", "target", "runner"]
    count = 0
    t0 = 1_800_000_000.0
    paths = []
    for index in range(FILES):
        path = folder / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(t0 + index * 3600))}-{index:06x}.log"
        paths.append(path)
        run_id = path.stem
        written = 0
        with path.open("w", encoding="utf-8") as fh:
            buf: list[str] = []
            while written < size // FILES:
                count += 1
                n = rng.randrange(100000)
                if count % 9973 == 0:
                    message = f"upstream deadline exceeded: {RARE} for shard {n}"
                elif count % 4 == 0:
                    message = f"connection reset by peer, {QUARTER} (attempt {n % 5 + 1})"
                else:
                    message = TEXTS[rng.randrange(len(TEXTS))] % n
                t = t0 + count * 0.001
                whole = int(t)
                ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((t - whole) * 1000):03d}Z"
                line = json.dumps({"ts": ts, "level": levels[rng.randrange(100)], "source": sources[count % 3],
                                   "run_id": run_id, "pipeline": "orders", "message": message}, ensure_ascii=False)
                buf.append(line + "\n")
                written += len(line) + 1
                if len(buf) >= 10000:
                    fh.write("".join(buf))
                    buf.clear()
            fh.write("".join(buf))
    return paths, count


def spawn_ns(argv: list[str], env: dict[str, str], cwd: str, out: str) -> tuple[int, int]:
    """Wall time and CPU time (user + system, from wait4) of one run, in ns, stdout to a
    regular file: GNU grep stops at the first match when its output is /dev/null (as
    `_common.spawn_ns` sends it), so -c would count nothing. On a busy machine the CPU
    time drifts much less than the wall time; both ratios are printed."""
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
               (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    exe = argv[0] if os.sep in argv[0] else shutil.which(argv[0]) or argv[0]
    old = os.getcwd()
    os.chdir(cwd)
    try:
        start = time.perf_counter_ns()
        pid = os.posix_spawn(exe, argv, env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter_ns() - start
    finally:
        os.chdir(old)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"error: {' '.join(argv)} failed while timing")
    return elapsed, int((usage.ru_utime + usage.ru_stime) * 1e9)


def interleaved(commands: dict[str, list[str]], env: dict[str, str], runs: int,
                cwd: str) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Every command once per round, the order rotating each round (as `_common.time_interleaved`):
    wall and CPU samples by command."""
    names = list(commands)
    wall: dict[str, list[int]] = {name: [] for name in names}
    cpu: dict[str, list[int]] = {name: [] for name in names}
    out = os.path.join(cwd, ".bench-out")
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            took, used = spawn_ns(commands[name], env, cwd, out)
            wall[name].append(took)
            cpu[name].append(used)
    os.unlink(out)
    return wall, cpu


def grep_count(argv: list[str], env: dict[str, str]) -> int:
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=False).stdout
    return sum(int(n) for n in out.split())


def flext_count(argv: list[str], env: dict[str, str], cwd: str) -> int:
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"error: {' '.join(argv)} exited {proc.returncode}:\n{proc.stderr.strip()}")
    return int(proc.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=300, help="megabytes of run logs (default 300)")
    parser.add_argument("--runs", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--flext-root", default=str(ROOT), help="the checkout whose flext is timed")
    parser.add_argument("mb_positional", nargs="?", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    megabytes = args.mb_positional or args.mb
    with tempfile.TemporaryDirectory(prefix="flext-bench-logs-") as tmp:
        where = Path(tmp)
        ws = where / "ws"
        folder = ws / ".flext" / "runs" / "orders"
        folder.mkdir(parents=True)
        (ws / "flext.toml").write_text('[workspace]\nname = "bench"\n')
        started = time.perf_counter()
        paths, lines = generate(folder, megabytes * 1024 * 1024)
        size = sum(p.stat().st_size for p in paths)
        print(f"logs: generated {size / 1e6:.0f} MB in {len(paths)} run logs, {lines} lines "
              f"in {time.perf_counter() - started:.1f}s; flext from {args.flext_root}")
        env = isolated_env(where)
        env["PYTHONPATH"] = os.pathsep.join([args.flext_root, sysconfig.get_paths()["purelib"]])
        env["LC_ALL"] = "C"
        from flext.services.builtin import BUILTIN

        config = Path(env["FLEXT_CONFIG_DIR"])
        config.mkdir(parents=True, exist_ok=True)
        (config / "config.toml").write_text("\n".join(f'[services."{n}"]\nenabled = false\n' for n in BUILTIN))
        python = clean_python(where)
        files = [str(p) for p in paths]
        for p in paths:
            p.read_bytes()  # warm the page cache
        cases: list[tuple[str, list[str], list[str], float | None]] = [
            (f"count rare {RARE!r}", ["grep", "-c", "-h", RARE], [RARE], 2.0),
            (f"count 1 line in 4 {QUARTER!r}", ["grep", "-c", "-h", QUARTER], [QUARTER], 3.0),
            (f"count -i {QUARTER.upper()!r}", ["grep", "-c", "-h", "-i", QUARTER.upper()], [QUARTER.upper(), "-i"], None),
            (f"count --regex {'retry.ng'!r}", ["grep", "-c", "-h", "retry.ng"], ["retry.ng", "--regex"], None),
        ]
        for label, grep, query, goal in cases:
            flext = [python, "-m", "flext", "logs", "search", *query, "--count"]
            want, got = grep_count([*grep, *files], env), flext_count(flext, env, str(ws))
            if want != got:
                raise SystemExit(f"error: {label}: grep counts {want}, flext {got}")
            samples, cpu = interleaved({"grep": [*grep, *files], "flext": flext}, env, args.runs, cwd=str(ws))
            base, median = median_ms(samples["grep"]), median_ms(samples["flext"])
            cpu_ratio = median_ms(cpu["flext"]) / median_ms(cpu["grep"])
            print(f"logs: {format_line(f'{label} ({got} lines)', median, base, goal, width=38)} of grep -c "
                  f"{base:.0f} ms ({size / 1e3 / median:.0f} MB/s); cpu time {cpu_ratio:.2f}x")
        since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(1_800_000_000 + lines * 0.001 * 0.9)) + "Z"
        flext = [python, "-m", "flext", "logs", "search", QUARTER, "--since", since, "--count"]
        got = flext_count(flext, env, str(ws))
        samples, _ = interleaved({"flext": flext}, env, args.runs, cwd=str(ws))
        print(f"logs: count {QUARTER!r} --since (last 10% of the lines): {got} lines, median "
              f"{median_ms(samples['flext']):.1f} ms (files before it skipped, binary search in the one it starts in)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
