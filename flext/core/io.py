"""Terminal facts, decided lazily and injectable for tests.

`IO` holds the three streams plus the answers to: is this a terminal, may we use
colour (`NO_COLOR`, `TERM=dumb`, `--no-color`), how wide is it, may we prompt.
Nothing is detected at import time.
"""

from __future__ import annotations

import os
import sys

from flext.core import OUTPUT_FORMATS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO as Stream
    from typing import Any


class IO:
    def __init__(
        self,
        stdin: Stream[str] | None = None,
        stdout: Stream[str] | None = None,
        stderr: Stream[str] | None = None,
        *,
        env: dict[str, str] | os._Environ[str] | None = None,
        stdin_tty: bool | None = None,
        stdout_tty: bool | None = None,
        stderr_tty: bool | None = None,
        width: int | None = None,
        no_color: bool = False,
    ) -> None:
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.env = os.environ if env is None else env
        self._tty = {"in": stdin_tty, "out": stdout_tty, "err": stderr_tty}
        self._width = width
        self.no_color = no_color

    def _isatty(self, which: str, stream: Any) -> bool:
        known = self._tty[which]
        if known is None:
            try:
                known = bool(stream is not None and stream.isatty())
            except (AttributeError, ValueError, OSError):
                known = False
            self._tty[which] = known
        return known

    @property
    def stdin_tty(self) -> bool:
        return self._isatty("in", self.stdin)

    @property
    def stdout_tty(self) -> bool:
        return self._isatty("out", self.stdout)

    @property
    def stderr_tty(self) -> bool:
        return self._isatty("err", self.stderr)

    def _color_allowed(self) -> bool:
        if self.no_color or "NO_COLOR" in self.env:
            return False
        return self.env.get("TERM", "") != "dumb"

    @property
    def color(self) -> bool:
        """Colour on stdout: only on a terminal, never with NO_COLOR or TERM=dumb."""
        return self._color_allowed() and self.stdout_tty

    @property
    def err_color(self) -> bool:
        return self._color_allowed() and self.stderr_tty

    @property
    def interactive(self) -> bool:
        """May we prompt? Only with a terminal on both ends and no FLEXT_NO_INPUT."""
        if self.env.get("FLEXT_NO_INPUT", "") not in ("", "0", "false"):
            return False
        return self.stdin_tty and self.stderr_tty

    @property
    def width(self) -> int:
        if self._width is None:
            columns = self.env.get("COLUMNS", "")
            if columns.isdigit() and int(columns) > 0:
                self._width = int(columns)
            else:
                try:
                    self._width = os.get_terminal_size(self.stdout.fileno()).columns
                except (AttributeError, ValueError, OSError):
                    self._width = 80
        return self._width

    def out(self, text: str = "", end: str = "\n") -> None:
        self.stdout.write(text + end)

    def err(self, text: str = "", end: str = "\n") -> None:
        self.stderr.write(text + end)
        try:
            self.stderr.flush()
        except (OSError, ValueError):
            pass

    def style(self, text: str, code: str, *, err: bool = False) -> str:
        """Wrap text in an SGR code when colour is allowed on that stream."""
        on = self.err_color if err else self.color
        return f"\x1b[{code}m{text}\x1b[0m" if on else text


__all__ = ["IO", "OUTPUT_FORMATS"]
