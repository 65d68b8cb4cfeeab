"""prompt_toolkit history over the shared JSONL store (one-shot and shell lines alike).

The store is written by `flext.runner.run_line` for every executed line, so this history
never writes: `store_string` is a no-op, and a line typed in the shell is found by
Ctrl-R, the grey auto-suggestion and the fuzzy picker exactly like one typed in bash.
With `history.scope = "profile"` only lines run with the session's profile are read.
"""

from __future__ import annotations

from prompt_toolkit.history import History

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["SharedHistory"]


class SharedHistory(History):
    """Reads `lines()` newest first; the session keeps its own lines in memory too."""

    def __init__(self, lines: Callable[[], list[str]]) -> None:
        super().__init__()
        self._lines = lines

    def load_history_strings(self) -> Iterable[str]:
        try:
            return list(self._lines())
        except Exception:  # an unreadable history must not stop the shell
            return []

    def store_string(self, string: str) -> None:
        """Nothing: `run_line` records the executed command (redacted) in the store."""

    def all_lines(self) -> list[str]:
        """Every known line, newest first (fuzzy picker)."""
        strings = self.get_strings()  # oldest first, including this session's
        return list(dict.fromkeys(reversed(strings)))
