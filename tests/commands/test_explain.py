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
