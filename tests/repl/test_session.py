"""The shell loop on prompt_toolkit pipes: lines run as one-shot, the session stays."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from flext.repl.session import EXIT
from tests.conftest import Run


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as inp:
        yield inp


def history(flext: Callable[..., Run]) -> list[dict[str, object]]:
    run = flext("history", "-o", "json")
    return json.loads(run.out)  # type: ignore[no-any-return]


def test_lines_run_as_one_shot_and_are_recorded(world: dict[str, str], shell: Callable[..., object],
                                                pipe: PipeInput, flext: Callable[..., Run]) -> None:
    sh, streams = shell(input=pipe, output=DummyOutput())  # type: ignore[misc]
    pipe.send_text("config path\r")
    pipe.send_text("pipeline show orders -o json\r")
    pipe.send_text("pipeline show nope\r")
    pipe.send_text("\x04")  # Ctrl-D on an empty line
    assert sh.run() == 0
    assert streams.out.getvalue().splitlines()[0].endswith("config.toml")
    assert '"name": "orders"' in streams.out.getvalue()
    assert "error: pipeline 'nope' does not exist" in streams.err.getvalue()
    assert sh.status.exit_code == 6
    lines = [(e["line"], e["source"], e["exit"]) for e in history(flext)]
    assert ("pipeline show nope", "repl", 6) in lines
    assert ("config path", "repl", 0) in lines


def test_ctrl_c_clears_the_line_and_exit_leaves(world: dict[str, str], shell: Callable[..., object],
                                                pipe: PipeInput) -> None:
    sh, streams = shell(input=pipe, output=DummyOutput())  # type: ignore[misc]
    pipe.send_text("pipeline delete orders")
    pipe.send_text("\x03")  # Ctrl-C: the half-typed line is dropped
    pipe.send_text("exit\r")
    assert sh.run() == 0
    assert "deleted" not in streams.err.getvalue()


def test_multiline_with_a_trailing_backslash(world: dict[str, str], shell: Callable[..., object],
                                             pipe: PipeInput) -> None:
    sh, streams = shell(input=pipe, output=DummyOutput())  # type: ignore[misc]
    pipe.send_text("pipeline show \\\r")
    pipe.send_text("customers -o json\r")
    pipe.send_text("\x04")
    assert sh.run() == 0
    assert json.loads(streams.out.getvalue())["name"] == "customers"


def test_use_profile_is_sticky_for_the_session_only(world: dict[str, str], shell: Callable[..., object],
                                                    flext: Callable[..., Run]) -> None:
    sh, streams = shell()  # type: ignore[misc]
    assert sh.handle("use profile staging") == 0
    assert "this session now uses profile 'staging'" in streams.err.getvalue()
    assert sh.status.profile == "staging"
    assert sh.handle("profile show -o json") == 0
    assert json.loads(streams.out.getvalue())["name"] == "staging"
    assert flext("profile", "show", "-o", "json").json()["name"] == "default"  # type: ignore[index]
    assert sh.handle("use profile nope") == 6
    assert "did you mean" in streams.err.getvalue() or "does not exist" in streams.err.getvalue()
    assert sh.handle("use profile -") == 0
    assert "profile" not in sh.sticky


def test_use_workspace_is_sticky(world: dict[str, str], shell: Callable[..., object], tmp_path: os.PathLike[str],
                                 flext: Callable[..., Run]) -> None:
    other = os.path.join(tmp_path, "other")
    assert flext("init", other).code == 0
    sh, streams = shell()  # type: ignore[misc]
    assert sh.handle(f"use workspace {other}") == 0
    assert sh.handle("pipeline list -o json") == 0
    assert json.loads(streams.out.getvalue()) == []
    assert sh.status.workspace.endswith("other")
    assert sh.handle("use workspace /does/not/exist") == 6


def test_a_trailing_question_mark_shows_help(world: dict[str, str], shell: Callable[..., object]) -> None:
    sh, streams = shell()  # type: ignore[misc]
    assert sh.handle("pipeline start?") == 0
    assert streams.out.getvalue().startswith("flext pipeline start — ")
    assert sh.status.exit_code is None  # nothing ran


def test_f1_help_text_for_the_command_at_the_cursor(world: dict[str, str], shell: Callable[..., object]) -> None:
    sh, _ = shell()  # type: ignore[misc]
    assert sh.help_text("pipeline logs orders --ta").startswith("flext pipeline logs — ")
    assert "use — " in sh.help_text("use ")
    assert sh.help_text("start the orders pipeline").startswith("→ flext pipeline start orders")


def test_unclosed_quotes_and_exit(world: dict[str, str], shell: Callable[..., object]) -> None:
    sh, streams = shell()  # type: ignore[misc]
    assert sh.handle("profile create 'oops") == 2
    assert "cannot read the line" in streams.err.getvalue()
    assert sh.handle("quit") == EXIT
    assert sh.handle("   ") is None


def test_clear_clears_the_screen_and_never_the_history(world: dict[str, str], shell: Callable[..., object],
                                                      flext: Callable[..., Run]) -> None:
    import io

    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.output.vt100 import Vt100_Output

    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=24, columns=80), term="xterm")
    sh, streams = shell(output=output)  # type: ignore[misc]
    assert sh.handle("config path") == 0
    assert sh.handle("clear") == 0
    assert "\x1b[2J" in screen.getvalue()  # erased, the cursor at the top
    assert sh.status.exit_code == 0
    assert streams.err.getvalue() == ""  # nothing offered, nothing asked
    assert [e["line"] for e in history(flext)][-1:] == ["config path"]  # the history stays (and `clear` is not in it)
    assert sh.handle("clear the history") == 2  # asked with an object: the destructive command asks first
    assert "→ flext history clear" in streams.err.getvalue()
    assert len(history(flext)) >= 1


def test_unclear_free_text_offers_a_choice(world: dict[str, str], shell: Callable[..., object],
                                           pipe: PipeInput) -> None:
    sh, streams = shell(input=pipe, output=DummyOutput())  # type: ignore[misc]
    assert sh.handle("show billing logs") in (2, 6)  # nothing named billing: a plain miss, not a choice
    pipe.send_text("2\r")
    code = sh.handle("stop")
    assert "not sure what 'stop' asks for; did you mean:" in streams.err.getvalue()
    assert code is not None


def test_free_text_runs_after_showing_the_command(world: dict[str, str], shell: Callable[..., object]) -> None:
    sh, streams = shell(stdin="y\n")  # type: ignore[misc]
    assert sh.handle("show me the customers pipeline") == 0
    assert "→ flext pipeline show customers" in streams.err.getvalue()
    assert sh.explain("show me the customers pipeline") == {
        "command": "pipeline show customers", "argv": ["pipeline", "show", "customers"],
        "source": "conversational", "confidence": sh.explain("show me the customers pipeline")["confidence"],
        "mutating": False, "alternatives": sh.explain("show me the customers pipeline")["alternatives"],
    }


def test_interactive_refuses_to_nest_and_runs_piped_lines(world: dict[str, str], flext: Callable[..., Run]) -> None:
    run = flext("interactive", stdin="config path\npipeline show orders -o json\nexit\npipeline list\n")
    assert run.code == 0
    assert run.out.splitlines()[0].endswith("config.toml")
    assert '"name": "orders"' in run.out
    nested = flext("interactive", stdin="interactive\n")
    assert nested.code == 2
    assert "already in the interactive shell" in nested.err


@pytest.mark.parametrize(("mode", "expected"), [("vi", "VI"), ("emacs", "EMACS")])
def test_edit_mode_comes_from_config(world: dict[str, str], shell: Callable[..., object], pipe: PipeInput,
                                     flext: Callable[..., Run], mode: str, expected: str) -> None:
    assert flext("config", "set", "repl.edit_mode", mode).code == 0
    sh, _ = shell(input=pipe, output=DummyOutput())  # type: ignore[misc]
    assert sh.build().editing_mode.name == expected


def test_prompt_and_auto_suggest_from_config(world: dict[str, str], shell: Callable[..., object], pipe: PipeInput,
                                             flext: Callable[..., Run]) -> None:
    assert flext("config", "set", "repl.prompt", "etl> ").code == 0
    assert flext("config", "set", "repl.auto_suggest", "false").code == 0
    sh, _ = shell(input=pipe, output=DummyOutput())  # type: ignore[misc]
    session = sh.build()
    assert session.message == "etl> "
    assert session.auto_suggest is None


@pytest.mark.parametrize(("typed", "ran"), [
    ("config pa\t\r", "config path"),  # one match: taken
    ("conf\t pa\t\r", "config path"),  # each word in turn
    ("pipeline sh\t orders -o json\r", "pipeline show orders -o json"),  # a menu, on its first
])
def test_tab_typed_with_the_text_completes(world: dict[str, str], shell: Callable[..., object], pipe: PipeInput,
                                           flext: Callable[..., Run], typed: str, ran: str) -> None:
    """TAB in the same read as the text before it (fast typing, a paste, tmux) still completes;
    prompt_toolkit's own TAB lost that race to complete-while-typing and ran `config pa`."""
    sh, streams = shell(input=pipe, output=DummyOutput())  # type: ignore[misc]
    pipe.send_text(typed + "\x04")
    assert sh.run() == 0, streams.err.getvalue()  # type: ignore[attr-defined]
    assert [e["line"] for e in history(flext) if e["source"] == "repl"] == [ran]
