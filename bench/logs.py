"""Bench: `flext logs search` on 200 MB of JSONL run logs, as a ratio to `grep -c`.

Both count matching lines of the same file in the same run (`flext logs search Q
--count` vs `grep -c Q`), warm page cache, best of 3. flext matches the message field
of parsed lines, so it does more than grep; the bytes prefilter keeps the extra cost to
the lines that contain the query. Prints lines; run with `python bench/logs.py [MB]`.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def generate(path: Path, size: int) -> int:
    """Realistic run-log lines until `size` bytes; returns the line count."""
    rng = random.Random(7)
    levels = ["info"] * 80 + ["debug"] * 12 + ["warning"] * 6 + ["error"] * 2
    sources = ["tap", "target", "runner"]
    texts = [
        "METRIC: {\"type\": \"counter\", \"metric\": \"record_count\", \"value\": %d, \"tags\": {\"stream\": \"orders\"}}",
        "Beginning full_table sync of 'public-orders' at offset %d",
        "Wrote batch of %d records to orders",
        "HTTP request to https://api.example.com/v2/orders?page=%d completed in 120ms",
        "connection reset by peer, retrying (attempt %d)",
        "Emitting state {\"bookmarks\": {\"orders\": {\"replication_key_value\": %d}}}",
    ]
    count = 0
    written = 0
    t0 = 1_800_000_000.0
    with path.open("w") as fh:
        buf: list[str] = []
        while written < size:
            count += 1
            n = rng.randrange(100000)
            message = texts[rng.randrange(len(texts))] % n
            if count % 9973 == 0:
                message = f"upstream deadline exceeded: needle-7f3a for shard {n}"
            t = t0 + count * 0.001
            whole = int(t)
            ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((t - whole) * 1000):03d}Z"
            line = json.dumps({"ts": ts, "level": levels[rng.randrange(100)], "source": sources[count % 3],
                               "run_id": "20270115T080000Z-aaaaaa", "pipeline": "orders", "message": message}) + "\n"
            buf.append(line)
            written += len(line)
            if len(buf) >= 10000:
                fh.write("".join(buf))
                buf.clear()
        fh.write("".join(buf))
    return count


def best(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, str]:
    times = []
    out = ""
    for _ in range(RUNS):
        started = time.perf_counter()
        proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
        times.append(time.perf_counter() - started)
        out = proc.stdout.strip()
    return min(times), out


def main() -> int:
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        folder = ws / ".flext" / "runs" / "orders"
        folder.mkdir(parents=True)
        (ws / "flext.toml").write_text('[workspace]\nname = "bench"\n')
        log = folder / "20270115T080000Z-aaaaaa.log"
        started = time.perf_counter()
        lines = generate(log, megabytes * 1024 * 1024)
        size = log.stat().st_size
        print(f"logs: generated {size / 1e6:.0f} MB, {lines} lines in {time.perf_counter() - started:.1f}s")
        env = dict(os.environ, FLEXT_CONFIG_DIR=f"{tmp}/c", FLEXT_DATA_DIR=f"{tmp}/d", FLEXT_STATE_DIR=f"{tmp}/s",
                   FLEXT_CACHE_DIR=f"{tmp}/cache", HOME=tmp, PYTHONPATH=str(ROOT), FLEXT_NO_HISTORY="1", LC_ALL="C")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        from flext.services.builtin import BUILTIN

        os.makedirs(f"{tmp}/c")
        Path(f"{tmp}/c/config.toml").write_text("\n".join(f'[services."{n}"]\nenabled = false\n' for n in BUILTIN))
        subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
        for query, what in (("needle-7f3a", "rare"), ("retrying", "common (1 line in 6)")):
            grep_s, grep_n = best(["grep", "-c", query, str(log)], env, str(ws))
            flext_s, flext_n = best([sys.executable, "-m", "flext", "logs", "search", query, "--count"], env, str(ws))
            assert grep_n == flext_n, (query, grep_n, flext_n)
            print(f"logs: search {what} {query!r}: {flext_n} matches; flext {flext_s:.2f}s "
                  f"({size / 1e6 / flext_s:.0f} MB/s), grep -c {grep_s:.2f}s: ratio {flext_s / grep_s:.2f}x grep")
        since = f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(1_800_000_000 + lines * 0.001 * 0.9))}Z"
        flext_s, flext_n = best([sys.executable, "-m", "flext", "logs", "search", "retrying", "--since", since,
                                 "--count"], env, str(ws))
        print(f"logs: search 'retrying' --since (last 10% of the file): {flext_n} matches in {flext_s:.2f}s "
              f"(binary search on timestamps)")
        flext_s, flext_n = best([sys.executable, "-m", "flext", "logs", "search", "retrying", "-i", "--count"], env, str(ws))
        grep_s, grep_n = best(["grep", "-ci", "retrying", str(log)], env, str(ws))
        print(f"logs: search -i 'retrying': flext {flext_s:.2f}s, grep -ci {grep_s:.2f}s: ratio {flext_s / grep_s:.2f}x grep")
    return 0


if __name__ == "__main__":
    sys.exit(main())
