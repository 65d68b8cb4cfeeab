"""Completion: tree words with meta, options, values, live names, fuzzy, required args first."""

from __future__ import annotations

import os

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from flext.core.paths import Scope
from flext.repl.completer import FlextCompleter
from flext.repl.names import LiveNames

NAMES = {
    "pipelines": [("orders", "tap-jsonl -> target-jsonl"), ("customers", ""), ("invoices", "")],
    "profiles": ["default", "staging", "prod"],
    "aliases": [("st", "pipeline status")],
}


def fake(kind: str, scope: object) -> list[tuple[str, str] | str]:
    return list(NAMES.get(kind, []))


@pytest.fixture
def completer() -> FlextCompleter:
    names = LiveNames(Scope, source=fake)  # type: ignore[arg-type]
    return FlextCompleter(names, aliases=lambda: {"st": "pipeline status"}, history=lambda: [
        "pipeline logs orders --tail 50", "config show", "pipeline start customers",
    ])


def texts(completer: FlextCompleter, text: str) -> list[str]:
    return [c.text for c in completer.get_completions(Document(text), CompleteEvent(completion_requested=True))]


def test_subcommands_with_their_summary(completer: FlextCompleter) -> None:
    found = list(completer.get_completions(Document("pipeline st"), CompleteEvent()))
    assert {"start", "status", "stop"} <= {c.text for c in found}
    meta = {c.text: c.display_meta_text for c in found}
    assert meta["start"].startswith("Start")
    assert all(c.start_position == -2 for c in found)


def test_a_typo_completes_fuzzily(completer: FlextCompleter) -> None:
    assert texts(completer, "pipline")[0] == "pipeline"
    assert texts(completer, "pipeline start ordrs") == ["orders"]
    assert texts(completer, "pipeline strat")[0] == "start"


def test_live_names_with_their_description(completer: FlextCompleter) -> None:
    found = list(completer.get_completions(Document("pipeline start "), CompleteEvent()))
    assert [c.text for c in found[:3]] == ["orders", "customers", "invoices"]
    assert found[0].display_meta_text == "tap-jsonl -> target-jsonl"


def test_required_arguments_come_before_options(completer: FlextCompleter) -> None:
    assert texts(completer, "pipeline logs ")[:3] == ["orders", "customers", "invoices"]
    assert "--tail" not in texts(completer, "pipeline logs ")
    after = texts(completer, "pipeline logs orders ")
    assert after[:3] == ["--run", "--tail", "--follow"]


def test_options_with_help_as_meta_and_no_repeats(completer: FlextCompleter) -> None:
    found = {c.text: c.display_meta_text for c in completer.get_completions(Document("pipeline logs x --"), CompleteEvent())}
    assert found.get("--tail")
    assert "--output" in found  # global options too
    assert "--tail" not in texts(completer, "pipeline logs x --tail 5 --")


def test_option_values(completer: FlextCompleter) -> None:
    assert texts(completer, "pipeline list --status f") == ["failed"]
    assert texts(completer, "-o js")[:2] == ["json", "jsonl"]
    assert "1h" in texts(completer, "history --since ")
    assert texts(completer, "-p sta") == ["staging"]


def test_root_offers_shell_words_and_aliases(completer: FlextCompleter) -> None:
    root = texts(completer, "")
    assert "pipeline" in root and "use" in root and "st" in root
    assert texts(completer, "use profile p") == ["prod"]


def test_help_completes_one_tree_word_at_a_time(completer: FlextCompleter) -> None:
    assert "start" in texts(completer, "help pipeline st")


def test_fuzzy_history_picker(completer: FlextCompleter) -> None:
    completer.picker = True
    found = list(completer.get_completions(Document("plogs"), CompleteEvent()))
    assert found[0].text == "pipeline logs orders --tail 50"
    assert found[0].start_position == -5


def test_paths_complete(completer: FlextCompleter, tmp_path: os.PathLike[str]) -> None:
    os.makedirs(os.path.join(tmp_path, "somewhere"))
    found = texts(completer, f"use workspace {tmp_path}/some")
    assert found == [f"{tmp_path}/somewhere"]


def test_real_live_names_from_the_workspace(world: dict[str, str]) -> None:
    names = LiveNames(Scope)
    real = FlextCompleter(names, aliases=lambda: {})
    try:
        assert texts(real, "pipeline start ")[:3] == ["customers", "invoices", "orders"]
        assert texts(real, "profile use pr") == ["prod"]
    finally:
        names.stop()
