"""Bench: secret masking (flext.core.mask) and history redaction, against baselines
measured in the same run; and the relay that carries a tap's output to its target.

Lines printed:
- `mask`: the one masking function on realistic and adversarial texts of 10k, 100k and
  1M characters, and on 10,000 short log lines, with 200 known values, as a ratio to the old masker
  (one `str.replace` pass per spelling, longest first) on the same text. `growth` is
  time(1M) / time(100k): about 10 for linear time.
- `history`: redacting a line with one long argument (the 100,000-character argument of
  issue 11 item 8), new vs the old URL-password expression; the old one is quadratic, so
  it is measured on 4k/8k/16k characters only and its growth per doubling shown.
- `relay`: bytes per second through `flext.engine.runner.Relay` vs a direct OS pipe
  between the same two programs (`head -c N /dev/zero | wc -c`).

Run with `python bench/redact.py`; it prints lines and asserts nothing.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flext.core import mask  # noqa: E402
from flext.core.history import redact_words  # noqa: E402

MASK = mask.MASK
OLD_URL = re.compile(r"(\w[\w+.-]*://[^/\s:@]*:)[^/\s@]+@")


def best(fn: Callable[..., object], *args: object, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def old_masker(spellings: set[str]) -> Callable[[str], str]:
    ordered = sorted(spellings, key=len, reverse=True)

    def run(text: str) -> str:
        for value in ordered:
            if value in text:
                text = text.replace(value, MASK)
        return text

    return run


def texts(size: int, secret: str) -> dict[str, str]:
    line = 'time=2026-12-03 level=INFO message=Loaded batch {"stream": "orders", "rows": 2000, "ms": 41}\n'
    leaky = line.replace("Loaded", "password=" + secret + " Loaded")
    return {
        "log lines": (line * (size // len(line) + 1))[:size],
        "log with secrets": ((line * 20 + leaky) * (size // (21 * len(line)) + 1))[:size],
        "adversarial aaa": "a" * size,
        "adversarial prefixes": (("tok-0001-" + "x" * 23 + "!") * (size // 33 + 1))[:size],
    }


def bench_mask() -> None:
    values = [f"tok-{i:04d}-" + "x" * 24 for i in range(196)]
    values += ["a" * 63 + "b", 'q"u\\o/te pass@word', "0123456789abcdef" * 4, "sénha-Forte-2026"]
    masker = mask.Masker(values)
    spellings: set[str] = set()
    for value in values:
        spellings |= mask.spellings(value)
    old = old_masker(spellings)
    print(f"mask: {len(values)} values, {len(spellings)} spellings")
    for kind in texts(1000, values[0]):
        line = [f"  {kind:<22}"]
        timed = {}
        for size in (10_000, 100_000, 1_000_000):
            text = texts(size, values[0])[kind]
            new_s = best(masker, text)
            old_s = best(old, text, runs=1 if size >= 1_000_000 else 3)
            timed[size] = new_s
            line.append(f"{size // 1000:>5}k {new_s * 1000:8.2f} ms (old {old_s * 1000:8.2f} ms, {new_s / old_s:5.2f}x)")
        line.append(f"growth {timed[1_000_000] / timed[100_000]:5.1f}")
        print("  ".join(line))
    short = texts(100, values[0])["log lines"][:95]
    new_s = best(lambda: [masker(short) for _ in range(10_000)])
    old_s = best(lambda: [old(short) for _ in range(10_000)])
    print(f"  {'10,000 log lines':<22}  {new_s * 1000:8.2f} ms (old {old_s * 1000:8.2f} ms, {new_s / old_s:5.2f}x)")


def bench_history() -> None:
    print("history: one argument of N characters")
    for word_kind, make in (("letters", lambda n: "a" * n), ("url-ish", lambda n: "a://b:" + "c" * n)):
        old = {n: best(OLD_URL.sub, rf"\1{MASK}@", make(n), runs=1) for n in (4000, 8000, 16000)}
        new = {n: best(redact_words, [make(n)]) for n in (100_000, 1_000_000)}
        print(f"  {word_kind:<8} old 4k {old[4000] * 1000:7.1f} ms, 8k {old[8000] * 1000:7.1f} ms, "
              f"16k {old[16000] * 1000:7.1f} ms (x{old[16000] / old[8000]:.1f} per doubling); "
              f"new 100k {new[100_000] * 1000:6.2f} ms, 1M {new[1_000_000] * 1000:6.2f} ms "
              f"(growth {new[1_000_000] / new[100_000]:.1f})")


def bench_relay(size: int = 1 << 30) -> None:
    from flext.engine.runner import Relay, _widen

    def direct() -> None:
        r, w = os.pipe()
        _widen(w)
        src = subprocess.Popen(["head", "-c", str(size), "/dev/zero"], stdout=w)
        dst = subprocess.Popen(["wc", "-c"], stdin=r, stdout=subprocess.DEVNULL)
        os.close(r)
        os.close(w)
        src.wait()
        dst.wait()

    def relayed() -> None:
        r1, w1 = os.pipe()
        r2, w2 = os.pipe()
        _widen(w1)
        _widen(w2)
        src = subprocess.Popen(["head", "-c", str(size), "/dev/zero"], stdout=w1)
        dst = subprocess.Popen(["wc", "-c"], stdin=r2, stdout=subprocess.DEVNULL)
        os.close(w1)
        os.close(r2)
        relay = Relay(r1, w2)
        relay.start()
        src.wait()
        relay.join()
        dst.wait()

    rounds = {"direct": [], "relayed": []}  # type: dict[str, list[float]]
    for _ in range(3):  # interleaved
        rounds["direct"].append(best(direct, runs=1))
        rounds["relayed"].append(best(relayed, runs=1))
    d, r = statistics.median(rounds["direct"]), statistics.median(rounds["relayed"])
    print(f"relay: {size >> 20} MiB, direct pipe {size / d / 1e9:.2f} GB/s, relay {size / r / 1e9:.2f} GB/s "
          f"(ratio {r / d:.2f}x the time; a Singer tap rarely writes more than 0.1 GB/s)")


if __name__ == "__main__":
    bench_mask()
    bench_history()
    bench_relay()
