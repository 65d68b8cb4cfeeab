#!/usr/bin/env python3
"""How soon the shell is ready, and how fast completion answers a keystroke.

    python bench/repl.py [--runs 15] [--names 10000]

1. Prompt ready: the time from spawning the process to its prompt being on screen, in a
   pseudo-terminal, for bare `flext` (the shell, with toolbar, history and lexer) and for
   a bare prompt_toolkit `PromptSession().prompt()`, rounds interleaved, medians.
   Goal (issue 4): flext / bare <= 1.2x. Both use the same interpreter (this one: it
   must have prompt_toolkit), warm (.pyc files present), an isolated home.
2. Completion: the shell's completer over the real live names of a workspace with
   --names pipelines (its .flext/index.json), typing `pipeline start ` then a name one
   key at a time, then a misspelt one. Goal: <= 10 ms per keystroke (median and p95).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import select
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, isolated_env, median_ms

BARE = "from prompt_toolkit import PromptSession; PromptSession().prompt('bare> ')"
CPR_QUERY = b"\x1b[6n"


def interpreter() -> str:
    """This interpreter, refused when it is a shim script (it would hide what flext costs)."""
    exe = sys.executable
    with open(os.path.realpath(exe), "rb") as fh:
        if fh.read(2) == b"#!":
            raise SystemExit(f"error: {exe} is a script (a version-manager shim?); run with a real python")
    return exe


def ready_ns(argv: list[str], env: dict[str, str], marker: bytes, cwd: str) -> int:
    """Spawn in a pty, answer the terminal's questions, stop the clock when `marker` shows."""
    start = time.perf_counter_ns()
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the program
        try:
            os.chdir(cwd)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    seen = b""
    elapsed = 0
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen += chunk
            if CPR_QUERY in chunk:
                os.write(fd, b"\x1b[1;1R")  # a real terminal answers where the cursor is
            if marker in seen:
                elapsed = time.perf_counter_ns() - start
                break
        os.write(fd, b"\x04")  # Ctrl-D: leave
        _drain(fd, pid)
    finally:
        os.close(fd)
    if not elapsed:
        raise SystemExit(f"error: {argv[-1][:40]!r} never showed {marker!r}:\n{seen[-400:]!r}")
    return elapsed


def _drain(fd: int, pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
    os.kill(pid, 9)
    os.waitpid(pid, 0)


def bench_ready(python: str, env: dict[str, str], runs: int, cwd: str) -> tuple[float, float]:
    cases = {
        "bare": ([python, "-c", BARE], b"bare>"),
        "flext": ([python, "-m", "flext"], b"flext>"),
    }
    for argv, marker in cases.values():  # warm-up: .pyc files, config cache
        ready_ns(argv, env, marker, cwd)
    samples: dict[str, list[int]] = {name: [] for name in cases}
    names = list(cases)
    for round_ in range(runs):
        shift = round_ % 2
        for name in names[shift:] + names[:shift]:
            argv, marker = cases[name]
            samples[name].append(ready_ns(argv, env, marker, cwd))
    return median_ms(samples["bare"]), median_ms(samples["flext"])


def workspace(where: Path, count: int) -> Path:
    """A workspace whose index lists `count` pipelines, as the engine writes it."""
    root = where / "ws"
    (root / ".flext").mkdir(parents=True, exist_ok=True)
    (root / "flext.toml").write_text('[workspace]\nname = "bench"\n')
    words = ["orders", "customers", "invoices", "payments", "events", "sessions", "products", "stock"]
    names = [f"{words[i % 8]}-{words[(i // 8) % 8]}-{i:05d}" for i in range(count)]
    doc = {"pipelines": sorted(names), "runs": {}, "plugins": [], "dbt_projects": []}
    (root / ".flext" / "index.json").write_text(json.dumps(doc))
    return root


def bench_completion(env: dict[str, str], count: int, where: Path) -> tuple[list[float], list[float]]:
    """Milliseconds per keystroke (wall, and CPU of this thread): the completer's whole answer.

    CPU time is what a keystroke costs on an idle machine; wall time also counts other
    load on this one.
    """
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from flext.repl.completer import FlextCompleter
    from flext.repl.names import LiveNames

    root = workspace(where, count)
    names = LiveNames(lambda: env, cwd=lambda: str(root))
    completer = FlextCompleter(names, aliases=lambda: {})
    loaded = names.get("pipelines", wait=10)
    assert len(loaded) == count, f"expected {count} names, got {len(loaded)}"
    loaded.warm()  # the shell does this on its background thread when the names arrive
    event = CompleteEvent(text_inserted=True)
    lines = ["pipeline start "]
    for target in ("customers-payments-00017", "stock-orders-0"):
        lines += ["pipeline start " + target[:k] for k in range(1, len(target) + 1)]
    lines += ["pipeline start " + typo[:k] for typo in ("cusotmers-paymnets",) for k in range(1, len(typo) + 1)]
    for text in lines[:5]:  # first touches (tree, indexes) are not keystrokes
        list(completer.get_completions(Document(text), event))
    wall: list[float] = []
    cpu: list[float] = []
    for text in lines:
        start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
        found = list(completer.get_completions(Document(text), event))
        cpu.append((time.thread_time_ns() - start_cpu) / 1e6)
        wall.append((time.perf_counter_ns() - start) / 1e6)
        assert found, f"nothing for {text!r}"
    names.stop()
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--names", type=int, default=10_000)
    opts = parser.parse_args()
    python = interpreter()
    with tempfile.TemporaryDirectory(prefix="flext-bench-repl-") as tmp:
        where = Path(tmp)
        env = isolated_env(where)
        env["PYTHONPATH"] = str(ROOT)
        env["TERM"] = "xterm-256color"
        env.pop("NO_COLOR", None)
        cwd = str(where / "home")
        bare, flext = bench_ready(python, env, opts.runs, cwd)
        ratio = flext / bare
        print(f"prompt ready: bare prompt_toolkit {bare:6.1f} ms  flext {flext:6.1f} ms  "
              f"ratio {ratio:4.2f}x (goal <= 1.2x){'' if ratio <= 1.2 else '  MISSED'}")
        wall, cpu = bench_completion(env, opts.names, where)
        for label, timings in (("cpu", cpu), ("wall", wall)):
            p95 = statistics.quantiles(timings, n=20)[-1]
            print(f"completion with {opts.names} pipeline names ({label}): {len(timings)} keystrokes, "
                  f"median {statistics.median(timings):5.2f} ms  p95 {p95:5.2f} ms  max {max(timings):5.2f} ms "
                  f"(goal <= 10 ms){'' if p95 <= 10 else '  MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
