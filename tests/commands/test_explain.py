"""`flext explain`: the command a line would run, without running it."""

from __future__ import annotations

import json


def test_explain_command_line_json_shape(flext) -> None:
    run = flext("-o", "json", "explain", "config", "set", "output", "json")
    assert run.code == 0
    assert json.loads(run.out) == {
        "input": "config set output json",
        "command": "config set output json",
        "argv": ["config", "set", "output", "json"],
        "source": "command",
        "confidence": 1.0,
        "mutating": True,
        "alternatives": [],
    }


def test_explain_spells_long_options(flext) -> None:
    doc = json.loads(flext("-o", "json", "explain", "history", "-n", "5", "-s", "x").out)
    assert doc["command"] == "history --limit 5 --search x"


def test_explain_single_quoted_line(flext) -> None:
    doc = json.loads(flext("-o", "json", "explain", "profile use staging").out)
    assert doc["argv"] == ["profile", "use", "staging"] and doc["mutating"] is True


def test_explain_nothing_matches(flext) -> None:
    run = flext("-o", "json", "explain", "confg", "show")
    assert run.code == 2
    doc = json.loads(run.out)
    assert doc["command"] is None and doc["alternatives"][0] == "config show"
    run = flext("explain", "zzqx")
    assert run.code == 2 and run.err.startswith("error: nothing matches 'zzqx'")


def test_options_before_the_text_are_flexts_and_double_dash_passes_dashes(flext) -> None:
    doc = json.loads(flext("explain", "-o", "json", "start the orders pipeline").out)
    assert doc["input"] == "start the orders pipeline" and doc["command"] == "pipeline start orders"
    doc = json.loads(flext("explain", "-o", "json", "pipeline", "start", "orders").out)
    assert doc["argv"] == ["pipeline", "start", "orders"]
    doc = json.loads(flext("explain", "-o", "json", "--", "-h").out)
    assert (doc["input"], doc["command"]) == ("-h", "--help")
    doc = json.loads(flext("explain", "-o", "json", "--", "pipeline", "start", "-h").out)
    assert doc["command"] == "pipeline start --help"


def test_explain_of_only_global_options_matches_nothing(flext) -> None:
    run = flext("-o", "json", "explain", "--", "-o", "json")
    assert run.code == 2
    doc = json.loads(run.out)
    assert (doc["command"], doc["error"]) == (None, "no command in this line, only global options")


def test_explain_names_what_does_not_exist(flext) -> None:
    """Free text naming a pipeline that is not there explains as the one-shot line fails:
    no command, the missing name, the closest ones (not the parser's `unknown command`)."""
    assert flext("init", "--example", "--no-input").code == 0
    got = flext("explain", "start", "the", "payments", "pipeline")
    assert (got.code, got.out) == (2, "")
    assert got.err == ("error: no pipeline named 'payments'\n"
                       "hint: the closest: pipeline start customers, pipeline start orders\n")
    doc = flext("-o", "json", "explain", "start", "the", "payments", "pipeline")
    assert doc.code == 2
    assert {k: doc.json()[k] for k in ("command", "source", "error")} == {  # type: ignore[index]
        "command": None, "source": "conversational", "error": "no pipeline named 'payments'"}
