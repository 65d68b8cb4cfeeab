"""`flext completion SHELL`: the scripts, and the copies shipped in completions/."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flext.commands.completion import FILES, SCRIPTS
from tests.conftest import ROOT, Run

Flext = Callable[..., Run]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_prints_the_script(flext: Flext, shell: str) -> None:
    run = flext("completion", shell)
    assert (run.code, run.err) == (0, "")
    assert run.out == SCRIPTS[shell]
    assert " __complete " in run.out  # everything dynamic comes from `flext __complete`


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shipped_copies_are_current(flext: Flext, shell: str) -> None:
    path = ROOT / "completions" / FILES[shell]
    assert path.exists(), f"{path} is missing: run `make completions`"
    assert path.read_text() == flext("completion", shell).out, f"{path} is stale: run `make completions`"


def test_zsh_script_starts_with_compdef(flext: Flext) -> None:
    assert flext("completion", "zsh").out.startswith("#compdef flext\n")


@pytest.mark.parametrize("shell", ["tcsh", ""])
def test_unknown_shell_is_a_usage_error(flext: Flext, shell: str) -> None:
    run = flext("completion", shell)
    assert run.code == 2
    assert run.out == ""
    assert "bash, zsh, fish" in run.err


def test_shell_is_required(flext: Flext) -> None:
    run = flext("completion")
    assert run.code == 2
    assert "missing argument SHELL" in run.err
