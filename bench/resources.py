#!/usr/bin/env python3
"""What the run's resource sampler costs, against the work of what it watches, in the same run.

    python bench/resources.py [--seconds 10]

Two busy child processes stand in for a tap and a target (each writes and reads a pipe as
fast as it can). For `--seconds`, flext.engine.resources.Sampler looks at them every 0.25 s
(as the runner does) while this process's main thread only waits, so the CPU this process
uses is the sampler's. Printed: the CPU per look, and the sampler's CPU as a ratio of the
CPU the two children used meanwhile (the data path) and of one core. The end-to-end
`bench/pipeline.py` cannot see an effect this small on a shared machine; this can.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BUSY = "import os, sys\nblock = b'x' * 65536\nwhile True:\n    sys.stdout.buffer.write(block)\n"


def cpu_of(pid: int) -> float:
    with open(f"/proc/{pid}/stat", "rb") as fh:
        fields = fh.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    if not os.path.isdir("/proc/self"):
        print("resources: no /proc here (the sampler reads nothing), skipped")
        return 0
    from flext.engine.resources import Sampler

    tap = subprocess.Popen([sys.executable, "-c", BUSY], stdout=subprocess.PIPE)
    target = subprocess.Popen(["cat"], stdin=tap.stdout, stdout=subprocess.DEVNULL)
    assert tap.stdout is not None
    tap.stdout.close()
    try:
        time.sleep(0.5)  # both running
        sampler = Sampler()
        sampler.watch("tap", tap.pid)
        sampler.watch("target", target.pid)
        children_before = cpu_of(tap.pid) + cpu_of(target.pid)
        mine_before, wall_before = own_cpu(), time.monotonic()
        sampler.start()
        time.sleep(args.seconds)
        sampler.stop()
        mine = own_cpu() - mine_before
        wall = time.monotonic() - wall_before
        children = cpu_of(tap.pid) + cpu_of(target.pid) - children_before
        looks = int(wall / sampler.every) + 2
    finally:
        for proc in (tap, target):
            proc.kill()
            proc.wait()
    print(f"resources sampler: {mine / looks * 1e6:.0f} µs CPU per look at 2 processes, {looks} looks in {wall:.1f} s")
    print(f"resources sampler: {mine:.3f} s CPU vs {children:.2f} s of the watched tap|target, ratio "
          f"{mine / children:.5f}x ({mine / wall * 100:.2f}% of one core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
