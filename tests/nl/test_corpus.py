"""The conversational parser against the phrase corpora: accuracy and destructive safety.

corpus.tsv is the reader's own corpus; blind.tsv was written before the reader was tuned
on it (issue 15: Meltano and dbt users, operators, non-native English, typos, question
forms, names that do not exist) and scored 66.5% then.
"""

from __future__ import annotations

import pytest

from flext.router import nl
from flext.router.nl.words import DESTRUCTIVE
from tests.nl.corpus import BLIND, DEFAULT, applicable, destructive, load, same

ACCURACY = 0.95  # on each corpus; the bench reports the exact figures

CORPORA = {path.stem: load(path) for path in (DEFAULT, BLIND)}
ROWS = [(name, phrase, expected) for name, corpus in CORPORA.items() for phrase, expected in corpus.rows]


def _asked_to_destroy(phrase: str) -> bool:
    from flext.router.nl.tokens import tokenize

    toks, _ = tokenize(phrase)
    return any(t.low in DESTRUCTIVE for t in toks)


def _world(name: str) -> nl.World:
    return nl.World.of(CORPORA[name].world)


@pytest.mark.parametrize("name", list(CORPORA))
def test_the_corpus_is_big_enough(name: str) -> None:
    corpus = CORPORA[name]
    assert len(corpus.rows) >= 150
    assert sum(1 for _, expected in corpus.rows if expected == "?") >= 10


@pytest.mark.parametrize("name", list(CORPORA))
def test_accuracy_on_the_corpus(name: str) -> None:
    world = _world(name)
    rows = [(p, e) for p, e in CORPORA[name].rows if applicable(e)]
    assert len(rows) >= 150, "most rows must be runnable against the current tree"
    misses = [(p, e, nl.read(p, world).command) for p, e in rows if not same(nl.read(p, world).command, e)]
    accuracy = 1 - len(misses) / len(rows)
    assert accuracy >= ACCURACY, "\n".join(f"{p!r}: want {e!r}, got {g!r}" for p, e, g in misses)


@pytest.mark.parametrize(("name", "phrase", "expected"), ROWS, ids=[f"{n}:{p}" for n, p, _ in ROWS])
def test_no_destructive_command_unless_asked(name: str, phrase: str, expected: str) -> None:
    got = nl.read(phrase, _world(name)).command
    if destructive(got):
        assert _asked_to_destroy(phrase), f"{phrase!r} produced destructive {got!r}"
        assert destructive(expected) or expected == "?", f"{phrase!r} produced destructive {got!r}"


@pytest.mark.parametrize(("name", "phrase"), [(n, p) for n, p, e in ROWS if e == "?"])
def test_unclear_phrases_and_unknown_names_run_nothing(name: str, phrase: str) -> None:
    assert nl.read(phrase, _world(name)).command is None


def test_lines_naming_what_does_not_exist_say_so() -> None:
    """The blind set's lines about pipelines, services and profiles that do not exist."""
    world = _world("blind")
    unknown = ("payments", "marketing", "crm-sync", "shipments", "kafka", "redis", "nginx", "qa", "production",
               "uat", "sandbox")
    lines = [p for p, e in CORPORA["blind"].rows if e == "?" and any(w in p.split() for w in unknown)]
    assert len(lines) >= 15
    for phrase in lines:
        reading = nl.read(phrase, world)
        assert reading.status == nl.MISSING, phrase
        assert reading.reason.startswith("no ") and " named " in reading.reason, phrase


def test_plugin_rows_are_read_against_the_enabled_plugins() -> None:
    """The bundled plugins' rows run here (none skipped): they are what the derived rules answer."""
    rows = [e for _, e in CORPORA["corpus"].rows if e.split()[0] in ("gruponos", "algar")]
    assert len(rows) >= 20
    assert all(applicable(e) for e in rows)
