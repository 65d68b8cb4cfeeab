"""A real terminal for end-to-end tests: tmux on a private socket, read as a rendered screen.

tmux answers the terminal queries prompt_toolkit makes (cursor position, size) like a
user's terminal does, and `capture-pane` gives the screen as the user sees it, so
tests assert on what is shown rather than on escape sequences.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Term:
    def __init__(self, tmp: Path, env: dict[str, str], argv: list[str] | None = None,
                 cols: int = 110, rows: int = 32) -> None:
        self.sock = str(tmp / "tmux.sock")
        self.env = dict(env)
        self.env["PYTHONPATH"] = str(ROOT)
        self.env.pop("TMUX", None)
        command = " ".join(shlex.quote(a) for a in (argv or [sys.executable, "-m", "flext"]))
        script = f"cd {shlex.quote(os.getcwd())} && {command}; echo EXIT=$?; sleep 600"
        extra = [x for k, v in self.env.items() if k.startswith(("FLEXT_", "HOME", "PYTHON", "XDG_"))
                 for x in ("-e", f"{k}={v}")]
        self._tmux("new-session", "-d", "-s", "t", "-x", str(cols), "-y", str(rows), *extra, "sh", "-c", script)

    def _tmux(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-S", self.sock, "-f", "/dev/null", *args], env=self.env,
                             capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise RuntimeError(f"tmux {args[0]}: {out.stderr.strip()}")
        return out.stdout

    def keys(self, *keys: str) -> None:
        """tmux key names: `Tab`, `Enter`, `C-r`, `F1`, `C-c`, `C-d`..."""
        self._tmux("send-keys", "-t", "t", *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", "t", "-l", text)

    def screen(self, colours: bool = False) -> str:
        return self._tmux("capture-pane", "-p", "-t", "t", *(["-e"] if colours else []))

    def wait(self, check: str | Callable[[str], bool], timeout: float = 20.0, colours: bool = False) -> str:
        """Poll the screen until `check` (a text, or a predicate) holds; return the screen."""
        test = (lambda s: check in s) if isinstance(check, str) else check
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(colours)
            if test(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {check!r}; the screen was:\n{screen}")

    def prompt_line(self) -> str:
        """The last line that shows the prompt."""
        lines = [line for line in self.screen().splitlines() if line.startswith("flext>")]
        return lines[-1] if lines else ""

    def close(self) -> None:
        try:
            self._tmux("kill-server")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
