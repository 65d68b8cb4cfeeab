#!/usr/bin/env python3
"""Regenerate docs/shell.svg: the interactive shell as a real terminal shows it.

    python docs/shell_picture.py [--out docs/shell.svg]     (make shell-picture)

A throw-away workspace gets a few pipelines and profiles; `flext` runs in tmux (a real
terminal emulator), `pipeline st` is typed so the completion menu opens over the
bottom toolbar, and the screen is captured with its colours (`capture-pane -e`), then
drawn as SVG by rich. Needs tmux.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLS, ROWS = 96, 16


def flext(env: dict[str, str], cwd: Path, *argv: str) -> None:
    subprocess.run([sys.executable, "-m", "flext", *argv], env=env, cwd=cwd, check=True,
                   capture_output=True, text=True)


def capture(env: dict[str, str], cwd: Path, sock: str) -> str:
    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-S", sock, "-f", "/dev/null", *args], env=env, check=True,
                              capture_output=True, text=True).stdout

    command = f"cd {cwd} && {sys.executable} -m flext; sleep 30"
    tmux("new-session", "-d", "-s", "pic", "-x", str(COLS), "-y", str(ROWS), "sh", "-c", command)
    try:
        wait(lambda: "F1 help" in tmux("capture-pane", "-p", "-t", "pic"))
        for line in ("pipeline status", "pipeline st"):  # one command run, then the menu open
            tmux("send-keys", "-t", "pic", "-l", line)
            if line == "pipeline status":
                tmux("send-keys", "-t", "pic", "Enter")
                wait(lambda: "exit 0" in tmux("capture-pane", "-p", "-t", "pic"))
        wait(lambda: "stop" in tmux("capture-pane", "-p", "-t", "pic").split("pipeline st", 1)[-1])
        time.sleep(0.3)  # let the menu finish drawing
        return tmux("capture-pane", "-p", "-e", "-t", "pic")
    finally:
        tmux("kill-server")


def wait(check: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise SystemExit("error: the shell did not show what was expected in time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "shell.svg")
    opts = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("error: tmux is needed to capture a real terminal (apt-get install tmux)")
    with tempfile.TemporaryDirectory(prefix="flext-picture-") as tmp:
        where = Path(tmp)
        work = where / "etl"
        work.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLEXT_", "TMUX"))}
        env.update(HOME=str(where), FLEXT_CONFIG_DIR=str(where / "config"), FLEXT_DATA_DIR=str(where / "data"),
                   PYTHONPATH=str(ROOT), TERM="xterm-256color", COLUMNS=str(COLS))
        env.pop("NO_COLOR", None)
        flext(env, work, "init")
        for name, tap, target in (("orders", "tap-jsonl", "target-duckdb"), ("customers", "tap-csv-folder",
                                                                            "target-jsonl")):
            flext(env, work, "pipeline", "create", name, "--tap", tap, "--target", target)
        flext(env, work, "profile", "create", "staging")
        flext(env, work, "config", "set", "current_profile", "staging")
        screen = capture(env, work, str(where / "tmux.sock"))
    from rich.console import Console
    from rich.text import Text

    with open(os.devnull, "w") as sink:
        console = Console(record=True, width=COLS, force_terminal=True, color_system="truecolor", file=sink)
        lines = screen.rstrip("\n").split("\n")
        console.print(Text("\n").join(Text.from_ansi(line) for line in lines))
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    console.save_svg(str(opts.out), title="flext interactive")
    print(f"wrote {opts.out.relative_to(ROOT) if opts.out.is_relative_to(ROOT) else opts.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
