"""Highlighting follows the parser: commands, options, values, strings, unknown words."""

from __future__ import annotations

import pytest
from prompt_toolkit.document import Document

from flext.repl.lexer import FlextLexer, classify
from flext.router.spec import tree

ALIASES = {"st": "pipeline status"}


@pytest.mark.parametrize(("text", "expected"), [
    ("pipeline start orders", [("pipeline", "command"), ("start", "command"), ("orders", "value")]),
    ("pipeline strat", [("pipeline", "command"), ("strat", "unknown")]),
    ("pipeline logs orders --tail 50 --bogus", [("pipeline", "command"), ("logs", "command"), ("orders", "value"),
                                               ("--tail", "option"), ("50", "value"), ("--bogus", "unknown")]),
    ("profile create 'my prof'", [("profile", "command"), ("create", "command"), ("'my prof'", "string")]),
    ("st -o json", [("st", "alias"), ("-o", "option"), ("json", "value")]),
    ("start the orders pipeline", [("start", "freetext"), ("the", "freetext"), ("orders", "freetext"),
                                   ("pipeline", "freetext")]),
    ("use profile prod", [("use", "command"), ("profile", "command"), ("prod", "value")]),
])
def test_classify(text: str, expected: list[tuple[str, str]]) -> None:
    spans = classify(text, tree(), ALIASES)
    assert [(text[a:b], style.split(":")[1]) for a, b, style in spans] == expected


def test_lexer_covers_every_character_of_every_line() -> None:
    lexer = FlextLexer(tree, lambda: ALIASES)
    doc = Document("pipeline logs \\\norders --tail 5")
    get_line = lexer.lex_document(doc)
    assert "".join(t for _, t in get_line(0)) == "pipeline logs \\"
    assert "".join(t for _, t in get_line(1)) == "orders --tail 5"
    assert ("class:option", "--tail") in get_line(1)
