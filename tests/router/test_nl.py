"""The conversational parser: tokens, slots, names, readings, and free text one-shot."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flext.router import nl
from flext.router._nl_slots import extract
from flext.router._nl_tokens import tokenize
from tests.conftest import Run

WORLD = nl.World.of({
    "pipelines": ["orders", "customers", "web-events", "billing"],
    "services": ["flexcore", "flext-api", "billing"],
    "profiles": ["default", "staging", "prod"],
    "taps": ["tap-postgres"], "targets": ["target-jsonl"],
})


def command(text: str, world: nl.World = WORLD) -> str | None:
    return nl.read(text, world).command


@pytest.mark.parametrize(("text", "words"), [
    ("What's running?", ["what", "is", "running"]),
    ("flexcore's logs", ["flexcore", "logs"]),
    ("could you please kick off orders", ["start", "orders"]),
    ('search for "connection refused"', ["search", "for", "connection refused"]),
    ("tail -f the logs", ["follow", "the", "logs"]),
    ("add a service at http://crm:8080/x.", ["add", "a", "service", "at", "http://crm:8080/x"]),
])
def test_tokens_fold_case_politeness_and_phrases(text: str, words: list[str]) -> None:
    toks, _ = tokenize(text)
    assert [t.low for t in toks] == words


@pytest.mark.parametrize(("text", "field", "value"), [
    ("last 50 lines", "count", 50),
    ("the last twenty lines", "count", 20),
    ("10 most recent runs", "count", 10),
    ("in the last hour", "since", "1h"),
    ("from the past 2 days", "since", "2d"),
    ("since 10 minutes ago", "since", "10m"),
    ("within the last half hour", "since", "30m"),
    ("over the past 90 seconds", "since", "90s"),
    ("in the last 1h30m", "since", "1h30m"),
    ("today", "since", "1d"),
    ("as json", "format", "json"),
    ("in yaml format", "format", "yaml"),
    ("as a table", "format", "table"),
    ("from scratch", "full_refresh", True),
    ("and wait for it", "wait", True),
    ("follow", "follow", True),
    ("which failed", "status", "failed"),
    ("that never ran", "status", "never"),
    ("called payments", "name", "payments"),
])
def test_slots(text: str, field: str, value: object) -> None:
    toks, _ = tokenize(text)
    assert getattr(extract(toks), field) == value


@pytest.mark.parametrize(("text", "expected"), [
    ("start the orders pipeline", "pipeline start orders"),
    ("start the ORDERS pipeline", "pipeline start orders"),
    ("start the odrers pipeline", "pipeline start orders"),
    ("kick off web events", "pipeline start web-events"),
    ("show me the logs of flexcore", "service logs flexcore"),
    ("show me the logs of customers", "pipeline logs customers"),
    ("last 50 lines of the orders logs", "pipeline logs orders --tail 50"),
    ("flexcore logs in the last hour", "service logs flexcore --since 1h"),
    ("is everything healthy?", "service health"),
    ("which pipelines failed?", "pipeline list --status failed"),
    ("restart billing", "service restart billing"),
    ("start the billing service", "service start billing"),
    ("start the billing pipeline", "pipeline start billing"),
    ("list pipelines on prod", "pipeline list -p prod"),
])
def test_readings(text: str, expected: str) -> None:
    assert command(text) == expected


def test_the_same_name_is_read_by_what_exists() -> None:
    as_service = nl.World.of({"services": ["orders"]})
    as_pipeline = nl.World.of({"pipelines": ["orders"]})
    assert command("show me the logs of orders", as_service) == "service logs orders"
    assert command("show me the logs of orders", as_pipeline) == "pipeline logs orders"
    both = nl.read("show billing logs", WORLD)
    assert both.status == "unclear"
    assert set(both.alternatives[:2]) == {"pipeline logs billing", "service logs billing"}


@pytest.mark.parametrize("text", [
    "don't stop orders", "do not delete the orders pipeline", "never delete orders", "delete", "start",
    "banana", "make it faster", "delete everything",
])
def test_unclear_or_negated_text_runs_nothing(text: str) -> None:
    assert command(text) is None


def test_explain_document_shape() -> None:
    doc = nl.explain(None, "start the orders pipeline", WORLD)  # type: ignore[arg-type]
    assert doc is not None
    assert doc["command"] == "pipeline start orders"
    assert doc["argv"] == ["pipeline", "start", "orders"]
    assert doc["source"] == "conversational"
    assert 0 < doc["confidence"] <= 1
    assert doc["mutating"] is True
    assert isinstance(doc["alternatives"], list)
    assert nl.explain(None, "banana", WORLD) is None  # type: ignore[arg-type]
    unclear = nl.explain(None, "stop", WORLD)  # type: ignore[arg-type]
    assert unclear is not None and unclear["command"] is None and unclear["alternatives"]


_WORDS = (
    "show list logs status start stop run restart check health healthy failed running the a of for me please "
    "orders customers flexcore billing prod staging last 50 lines hour minutes json pipeline pipelines service "
    "services profile history config secrets plugins taps what which is are everything all my state runs "
    "tail follow kill cancel halt launch trigger install enable disable use switch set"
)
_HARMLESS = st.sampled_from(_WORDS.split())


@settings(max_examples=400, deadline=None)
@given(st.lists(_HARMLESS, min_size=1, max_size=7))
def test_no_destructive_command_without_a_destructive_word(words: list[str]) -> None:
    reading = nl.read(" ".join(words), WORLD)
    assert not reading.destructive
    if reading.argv:
        from flext.router.parse import parse

        assert not parse(reading.argv).node.destructive


# -- one-shot free text through flext.cli ----------------------------------------------


def _profiles(flext: Callable[..., Run]) -> None:
    assert flext("profile", "create", "staging").code == 0
    assert flext("profile", "create", "dev").code == 0


def test_free_text_shows_the_command_before_running_it(flext: Callable[..., Run]) -> None:
    _profiles(flext)
    run = flext("show", "the", "staging", "profile", "-o", "json")
    assert run.code == 0, run
    assert run.err.splitlines()[0] == "→ flext profile show staging -o json"
    assert '"name": "staging"' in run.out


def test_mutating_free_text_needs_yes_without_a_terminal(flext: Callable[..., Run]) -> None:
    _profiles(flext)
    refused = flext("switch", "to", "staging")
    assert refused.code == 2
    assert "→ flext profile use staging" in refused.err
    assert "hint: pass --yes to confirm" in refused.err
    done = flext("switch", "to", "staging", "--yes")
    assert done.code == 0, done
    assert flext("profile", "show", "-o", "json").json()["name"] == "staging"  # type: ignore[index]


def test_mutating_free_text_asks_on_a_terminal(flext: Callable[..., Run]) -> None:
    _profiles(flext)
    no = flext("switch", "to", "dev", stdin="n\n", tty=True)
    assert no.code == 2
    assert "Run `flext profile use dev`? [y/N]" in no.err
    yes = flext("switch", "to", "dev", stdin="y\n", tty=True)
    assert yes.code == 0, yes


def test_destructive_free_text_always_asks_and_is_refused_without_a_terminal(flext: Callable[..., Run]) -> None:
    _profiles(flext)
    refused = flext("delete", "the", "dev", "profile", "--yes")
    assert refused.code == 2
    assert "confirmation needed and no terminal" in refused.err
    kept = flext("delete", "the", "dev", "profile", "--yes", stdin="n\n", tty=True)
    assert kept.code == 2
    assert "(it deletes data)? [y/N]" in kept.err
    assert "dev" in flext("profile", "list", "-o", "json").out
    gone = flext("delete", "the", "dev", "profile", stdin="y\n", tty=True)
    assert gone.code == 0, gone
    assert gone.err.count("[y/N]") == 1  # asked once: the command itself does not ask again
    assert '"dev"' not in flext("profile", "list", "-o", "json").out


def test_unclear_free_text_lists_candidates(flext: Callable[..., Run]) -> None:
    run = flext("stop")
    assert run.code == 2
    assert "error: not sure what 'stop' asks for" in run.err
    assert "candidates:" in run.err


@pytest.mark.parametrize("argv", [("confg", "show"), ("banana",), ("profile", "lst")])
def test_typos_and_unknown_words_keep_the_usage_error(flext: Callable[..., Run], argv: tuple[str, ...]) -> None:
    run = flext(*argv)
    assert run.code == 2
    assert "→" not in run.err
    assert run.err.startswith("error: unknown command")


def test_unknown_option_after_a_known_command_stays_a_usage_error(flext: Callable[..., Run]) -> None:
    run = flext("profile", "list", "--bogus")
    assert run.code == 2
    assert "unknown option --bogus" in run.err
