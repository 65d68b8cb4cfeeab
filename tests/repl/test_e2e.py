"""The shell in a real terminal (tmux): what a user types, what a user sees."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.repl.term import Term

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


@pytest.fixture
def term(world: dict[str, str], tmp_path: Path, flext: Callable[..., Run]) -> Iterator[Term]:
    log = tmp_path / "app.log"
    log.write_text("first line of app\n")
    assert flext("service", "add", "app", "--url", "http://127.0.0.1:9", "--log-file", str(log)).code == 0
    assert flext("pipeline", "show", "invoices").code == 0  # an earlier one-shot line, for Ctrl-R
    t = Term(tmp_path, dict(os.environ))
    try:
        t.wait(lambda s: s.startswith("flext>") and "F1 help" in s)
        yield t
    finally:
        t.close()


def test_tab_offers_the_subcommands_with_their_summaries(term: Term) -> None:
    term.type("pipeline st")
    term.keys("Tab")
    screen = term.wait(lambda s: "status" in s and "stop" in s and "start" in s)
    rows = {line.split()[0]: line for line in screen.splitlines()[1:] if line.strip()}
    assert "Start" in rows["start"] or "start" in rows["start"].lower()
    assert {"start", "status", "stop"} <= set(rows)


def test_a_pipeline_name_completes_and_a_typo_too(term: Term) -> None:
    term.type("pipeline show cust")
    term.wait(lambda s: "customers" in s.splitlines()[1])  # the menu, while typing
    term.keys("Tab")
    term.wait(lambda s: "flext> pipeline show customers" in s)
    term.keys("C-u")
    term.type("pipeline show ordrs")
    term.wait(lambda s: "orders" in s.splitlines()[1])
    term.keys("Tab")
    term.wait(lambda s: "flext> pipeline show orders" in s)


def test_ctrl_r_finds_an_earlier_command(term: Term) -> None:
    term.keys("C-r")
    term.type("invo")
    term.wait(lambda s: "pipeline show invoices" in term.prompt_line() or "pipeline show invoices" in s)
    term.keys("Enter")
    term.keys("Enter")
    term.wait("tap-jsonl")


def test_an_alias_runs(term: Term) -> None:
    term.type("st")
    term.keys("Enter")
    screen = term.wait(lambda s: "orders" in s and "customers" in s and s.count("flext>") >= 2)
    assert "st" in screen


def test_f1_shows_help_for_the_command_at_the_cursor(term: Term) -> None:
    term.type("pipeline logs orders --t")
    term.keys("F1")
    term.wait("flext pipeline logs NAME [OPTIONS]")
    assert term.prompt_line().startswith("flext> pipeline logs orders --t")


def test_ctrl_c_stops_a_follow_and_the_shell_survives(term: Term, tmp_path: Path) -> None:
    term.type("service logs app -f")
    term.keys("Enter")
    term.wait("first line of app")
    with open(tmp_path / "app.log", "a") as fh:
        fh.write("second line while following\n")
    term.wait("second line while following")
    term.keys("C-c")
    term.wait(lambda s: s.rstrip().splitlines()[-2:] and "exit 130" in s)
    term.type("config path")
    term.keys("Enter")
    term.wait("config.toml")


def test_ctrl_c_clears_the_line_and_ctrl_d_exits_0(term: Term) -> None:
    term.type("pipeline delete orders")
    term.wait(lambda s: "pipeline delete orders" in term.prompt_line())  # typed, before Ctrl-C clears it
    term.keys("C-c")
    term.wait(lambda s: term.prompt_line().strip() == "flext>")
    term.keys("C-d")
    term.wait("EXIT=0")


def test_the_toolbar_shows_a_dangerous_profile(term: Term) -> None:
    term.type("use profile prod")
    term.keys("Enter")
    screen = term.wait(lambda s: " prod " in s.splitlines()[-1], colours=False)
    assert "http://127.0.0.1:9" in screen.splitlines()[-1]
    coloured = term.screen(colours=True).splitlines()[-1]
    assert "\x1b[" in coloured and ("41m" in coloured or "48;" in coloured)


def test_free_text_shows_the_command_live_and_runs_it(term: Term) -> None:
    term.type("show me the customers pipeline")
    term.wait(lambda s: "→ flext pipeline show customers" in s.splitlines()[-1])
    term.keys("Enter")
    term.wait("tap-jsonl")


def test_typed_commands_are_in_flext_history(term: Term, flext: Callable[..., Run]) -> None:
    term.type("config path")
    term.keys("Enter")
    term.wait("config.toml")
    term.type("pipeline show customers -o json")
    term.keys("Enter")
    term.wait('"customers"')
    term.keys("C-d")
    term.wait("EXIT=0")
    entries = json.loads(flext("history", "-o", "json").out)
    typed = [(e["line"], e["source"]) for e in entries]
    assert ("config path", "repl") in typed
    assert ("pipeline show customers -o json", "repl") in typed


def test_a_wizard_in_the_terminal_creates_what_its_one_shot_command_creates(
        term: Term, flext: Callable[..., Run], tmp_path: Path) -> None:
    term.type("pipeline create guided")
    term.keys("Enter")
    term.wait("Tap (extract from):")
    term.type("tap-jsonl")
    term.keys("Enter")
    term.wait("Target (load into):")
    term.type("target-csv")
    term.keys("Enter")
    term.wait("dbt project to run after loading (optional):")
    term.keys("Enter")
    term.wait("Schedule (cron, e.g. 0 * * * *) (optional):")
    term.type("*/15 * * * *")
    term.keys("Enter")
    screen = term.wait("✓ created pipeline guided")
    line = next(x for x in screen.splitlines() if x.startswith("one-shot: "))
    command = line.removeprefix("one-shot: ")
    assert command == "flext pipeline create guided --tap tap-jsonl --target target-csv --schedule '*/15 * * * *'"
    import shlex

    other = tmp_path / "other"
    assert flext("init", str(other)).code == 0
    replay = flext("-C", str(other), *shlex.split(command)[1:])
    assert replay.code == 0, replay
    by_wizard = flext("pipeline", "show", "guided", "-o", "json").json()
    by_command = flext("-C", str(other), "pipeline", "show", "guided", "-o", "json").json()
    assert isinstance(by_wizard, dict) and isinstance(by_command, dict)
    assert by_wizard.pop("workspace") != by_command.pop("workspace")
    assert by_wizard == by_command
