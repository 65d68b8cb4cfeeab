"""The shell reads the shared history store; it never writes a second copy."""

from __future__ import annotations

import os
from collections.abc import Callable

from flext.repl.history import SharedHistory
from tests.conftest import Run


def test_one_shot_lines_are_in_the_shell_history_newest_first(world: dict[str, str], shell: Callable[..., object],
                                                              flext: Callable[..., Run]) -> None:
    flext("config", "path")
    flext("pipeline", "list")
    sh, _ = shell()  # type: ignore[misc]
    lines = sh._history_lines()
    assert lines[:2] == ["pipeline list", "config path"]
    history = SharedHistory(sh._history_lines)
    assert next(iter(history.load_history_strings())) == "pipeline list"
    history.store_string("not written")
    assert "not written" not in sh._history_lines()


def test_history_can_be_scoped_to_the_profile(world: dict[str, str], shell: Callable[..., object],
                                              flext: Callable[..., Run]) -> None:
    assert flext("config", "set", "history.scope", "profile").code == 0
    flext("-p", "staging", "pipeline", "list")
    flext("config", "path")
    sh, _ = shell()  # type: ignore[misc]
    lines = sh._history_lines()
    assert "config path" in lines
    assert "-p staging pipeline list" not in lines
    sh.sticky["profile"] = "staging"
    assert sh._history_lines() == ["-p staging pipeline list"]
    assert os.environ.get("FLEXT_PROFILE") is None
