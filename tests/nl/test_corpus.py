"""The conversational parser against the phrase corpus: accuracy and destructive safety."""

from __future__ import annotations

import pytest

from flext.router import nl
from flext.router.nl.words import DESTRUCTIVE
from tests.nl.corpus import applicable, destructive, load, same

ACCURACY = 0.95  # on our own corpus; the bench reports the exact figure

CORPUS = load()
WORLD = nl.World.of(CORPUS.world)


def _asked_to_destroy(phrase: str) -> bool:
    from flext.router.nl.tokens import tokenize

    toks, _ = tokenize(phrase)
    return any(t.low in DESTRUCTIVE for t in toks)


def test_the_corpus_is_big_enough() -> None:
    assert len(CORPUS.rows) >= 150
    assert sum(1 for _, expected in CORPUS.rows if expected == "?") >= 10


def test_accuracy_on_the_corpus() -> None:
    rows = [(p, e) for p, e in CORPUS.rows if applicable(e)]
    assert len(rows) >= 150, "most rows must be runnable against the current tree"
    misses = [(p, e, nl.read(p, WORLD).command) for p, e in rows if not same(nl.read(p, WORLD).command, e)]
    accuracy = 1 - len(misses) / len(rows)
    assert accuracy >= ACCURACY, "\n".join(f"{p!r}: want {e!r}, got {g!r}" for p, e, g in misses)


@pytest.mark.parametrize(("phrase", "expected"), CORPUS.rows, ids=[p for p, _ in CORPUS.rows])
def test_no_destructive_command_unless_asked(phrase: str, expected: str) -> None:
    got = nl.read(phrase, WORLD).command
    if destructive(got):
        assert _asked_to_destroy(phrase), f"{phrase!r} produced destructive {got!r}"
        assert destructive(expected) or expected == "?", f"{phrase!r} produced destructive {got!r}"


@pytest.mark.parametrize(("phrase", "expected"), [r for r in CORPUS.rows if r[1] == "?"])
def test_unclear_phrases_run_nothing(phrase: str, expected: str) -> None:
    assert nl.read(phrase, WORLD).command is None


def test_plugin_rows_are_read_against_the_enabled_plugins() -> None:
    """The bundled plugins' rows run here (none skipped): they are what the derived rules answer."""
    rows = [e for _, e in CORPUS.rows if e.split()[0] in ("gruponos", "algar")]
    assert len(rows) >= 20
    assert all(applicable(e) for e in rows)
