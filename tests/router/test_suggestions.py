"""The did-you-mean for an unknown first word (issue 12 item 10): the names that exist decide.

`flext restart orders`, where orders is a pipeline, must not suggest `service restart
orders`; `flext pipline list` is a typo of the `pipeline` group, not of a plugin's deeper
`algar pipeline`; a harmless word typed alone never leads to a destructive command.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flext.router.spec import tree
from flext.router.suggestions import command_suggestions, unknown_command
from tests.conftest import Run

NAMES = {
    "pipelines": ["orders", "customers"],
    "services": ["flexcore", "billing"],
    "log_sources": ["flexcore"],
}


def names(kind: str) -> list[str]:
    return NAMES.get(kind, [])


@pytest.mark.parametrize(("word", "rest", "expected"), [
    # a subcommand typed alone: the group whose names hold the value wins; a group that has no
    # such name is not offered (`service restart orders`)
    ("restart", ["orders"], ["flext pipeline start orders"]),
    ("restart", ["flexcore"], ["flext service restart flexcore"]),
    ("start", ["flexcore"], ["flext service start flexcore"]),
    ("stop", ["orders", "--force"], ["flext pipeline stop orders --force"]),
    # a typo of a top-level group wins over deeper commands that look like it
    ("pipline", ["list"], ["flext pipeline list"]),
    ("servce", ["list"], ["flext service list"]),
    # a harmless word alone never leads to deleting something
    ("clear", [], ["flext algar"]),
    # a sentence is no command with its words as arguments: only what can take them is offered
    ("how", ["many", "records", "did", "orders", "load"], []),
    ("how", ["many", "records"], []),
    ("shwo", ["orders"], ["flext pipeline show orders"]),
])
def test_suggestions_with_live_names(word: str, rest: list[str], expected: list[str]) -> None:
    assert command_suggestions(tree(), word, rest, names) == expected


def test_without_names_the_tree_alone_decides() -> None:
    assert command_suggestions(tree(), "restart", ["orders"]) == ["flext service restart orders"]
    assert command_suggestions(tree(), "pipline", ["list"]) == ["flext pipeline list"]
    assert not any("history clear" in s for s in command_suggestions(tree(), "clear", []))
    assert "flext history clear --yes" in command_suggestions(tree(), "clear", ["--yes"])  # asked with more words


def test_unknown_command_error_carries_the_candidates() -> None:
    error = unknown_command(tree(), "restart", ["orders"], names)
    assert (error.message, error.hint, error.exit_code) == (
        "unknown command 'restart'", "did you mean `flext pipeline start orders`?", 2)
    assert error.candidates == ["pipeline start orders"]


def test_one_shot_did_you_mean_reads_the_workspace(flext: Callable[..., Run]) -> None:
    assert flext("init").code == 0
    assert flext("pipeline", "create", "orders", "--tap", "tap-jsonl", "--target", "target-jsonl").code == 0
    run = flext("restart", "orders")
    assert (run.code, run.err) == (2, "error: unknown command 'restart'\n"
                                      "hint: did you mean `flext pipeline start orders`?\n")
    run = flext("pipline", "list")
    assert (run.code, run.err) == (2, "error: unknown command 'pipline'\nhint: did you mean `flext pipeline list`?\n")
    explained = flext("explain", "restart orders")  # explain says what the line would do: the same
    assert (explained.code, explained.err) == (2, "error: nothing matches 'restart orders'\n"
                                                  "hint: candidates: pipeline start orders\n")


def test_free_text_reads_a_line_that_starts_with_a_command_group(flext: Callable[..., Run]) -> None:
    """`logs of customers`: a group, then no command of it nor a slip of one; typos stay the parser's."""
    assert flext("init").code == 0
    assert flext("pipeline", "create", "orders", "--tap", "tap-jsonl", "--target", "target-jsonl").code == 0
    read = flext("logs", "of", "orders")
    assert (read.code, read.err) == (6, "→ flext pipeline logs orders\nerror: pipeline 'orders' has no runs yet\n"
                                        "hint: start one: flext pipeline start orders\n")
    missing = flext("logs", "of", "payments")  # a name that does not exist: said so, as for any free text
    assert (missing.code, missing.err) == (2, "error: no pipeline named 'payments'\n"
                                              "hint: the closest pipelines: orders; `flext pipeline list` shows them all\n")
    for argv, err in [
        (("pipeline", "strat", "orders"), "error: unknown command 'strat' for `flext pipeline`\n"
                                          "hint: did you mean one of: `flext pipeline start`, `flext pipeline state`?\n"),
        (("pipeline", "foo"), "error: unknown command 'foo' for `flext pipeline`\nhint: see `flext pipeline --help`\n"),
        (("logs", "--bogus"), "error: unknown option --bogus for `flext logs`\nhint: see `flext logs --help`\n"),
    ]:
        run = flext(*argv)
        assert (run.code, run.err) == (2, err), argv
    sentence = flext("how", "many", "records")
    assert (sentence.code, sentence.err) == (2, "error: not sure what 'how many records' asks for\n"
                                                "hint: candidates: flext pipeline runs PIPELINE\n")


@pytest.mark.parametrize(("argv", "hint"), [
    (("auth", "user", "add", "bob"), "did you mean `flext auth user create`?"),  # gh's and kubectl's verbs
    (("service", "create", "x"), "did you mean `flext service add`?"),
    (("alias", "add", "st", "status"), "did you mean `flext alias set`?"),
    (("pipeline", "kill", "orders"), "did you mean `flext pipeline stop`?"),
    (("logs", "grep", "timeout"), "did you mean `flext logs search`?"),
    (("pipeline", "strat"), "did you mean one of: `flext pipeline start`, `flext pipeline state`?"),  # a typo as before
    (("pipeline", "frobnicate"), "see `flext pipeline --help`"),
])
def test_a_verb_other_tools_use_suggests_ours(flext: Callable[..., Run], argv: tuple[str, ...], hint: str) -> None:
    run = flext(*argv)
    assert run.code == 2, run
    assert run.err.splitlines()[1] == f"hint: {hint}"
