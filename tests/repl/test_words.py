"""Splitting a line that is still being typed."""

from __future__ import annotations

import pytest

from flext.repl.words import split_partial


@pytest.mark.parametrize(("text", "done", "current", "start"), [
    ("", [], "", 0),
    ("pipeline st", ["pipeline"], "st", 9),
    ("pipeline start ", ["pipeline", "start"], "", 15),
    ('profile create "my pro', ["profile", "create"], "my pro", 15),
    ("alias set x 'pipeline status' ", ["alias", "set", "x", "pipeline status"], "", 30),
    ("a\\ b c", ["a b"], "c", 5),
    ("pipeline \\\nstart", ["pipeline"], "start", 11),
])
def test_split_partial(text: str, done: list[str], current: str, start: int) -> None:
    words, last = split_partial(text)
    assert [w.value for w in words] == done
    assert last.value == current
    assert last.start == start
