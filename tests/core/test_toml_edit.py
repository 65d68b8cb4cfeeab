"""Comment-preserving TOML edits."""

from __future__ import annotations

import tomllib

import pytest

from flext.core.toml_edit import dumps, remove_table, set_value, unset_value

DOC = """# my flext config
current_profile = "staging"  # chosen by hand

[defaults]
output = "table"   # default format
unknown_key = 1

[profiles.staging]
api_url = "http://staging:8081"
repl.edit_mode = "vi"
tags = [
  "a",  # first
  "b",
]

[profiles.prod]
inherit = "staging"
"""


@pytest.mark.parametrize(
    ("table", "key", "value", "expect_line"),
    [
        (["defaults"], "output", "json", 'output = "json"  # default format'),
        (["defaults"], "timeout", 30.0, "timeout = 30.0"),
        ([], "current_profile", "prod", 'current_profile = "prod"  # chosen by hand'),
        (["profiles", "staging", "repl"], "edit_mode", "emacs", 'repl.edit_mode = "emacs"'),
        (["profiles", "staging"], "tags", ["c"], 'tags = ["c"]'),
        (["profiles", "new"], "danger", True, "danger = true"),
        (["aliases"], "st", "pipeline status", 'st = "pipeline status"'),
    ],
)
def test_set_keeps_comments_and_unknown_keys(table: list[str], key: str, value: object, expect_line: str) -> None:
    text = set_value(DOC, table, key, value)
    assert expect_line in text.splitlines()
    assert "# my flext config" in text and "unknown_key = 1" in text
    data = tomllib.loads(text)
    node = data
    for part in table:
        node = node[part]
    assert node[key] == value


def test_unset_removes_multiline_values() -> None:
    text = unset_value(DOC, ["profiles", "staging"], "tags")
    assert "tags" not in text and '"a"' not in text
    assert tomllib.loads(text)["profiles"]["staging"] == {"api_url": "http://staging:8081", "repl": {"edit_mode": "vi"}}


def test_remove_table() -> None:
    text = remove_table(DOC, ["profiles", "staging"])
    assert "staging:8081" not in text
    assert tomllib.loads(text)["profiles"] == {"prod": {"inherit": "staging"}}


def test_dumps_round_trips() -> None:
    data = tomllib.loads(DOC)
    assert tomllib.loads(dumps(data)) == data


@pytest.mark.parametrize("value", ['quote " and \\ backslash', "tab\tnew\nline", "ünïcode ✓", "\x01ctl"])
def test_strings_round_trip(value: str) -> None:
    assert tomllib.loads(set_value("", ["defaults"], "editor", value))["defaults"]["editor"] == value
