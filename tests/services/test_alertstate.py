"""When a rule notifies (flext/services/alertstate.py): the policy as a table of evaluations
over a clock we set. Never a storm: one notification when a rule starts firing, one when it
resolves, a reminder every `repeat` while it fires."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from flext.services.alertstate import step

HOUR = 3600.0


def _row(state: str, value: str | None = None, name: str = "core-down") -> dict[str, Any]:
    return {"name": name, "state": state, "when": "service_down(core)", "value": value, "detail": None,
            "description": None, "notify": ["json://127.0.0.1:1/hook"]}


def _run(states_seen: list[tuple[float, str]], repeat: float = 4 * HOUR) -> list[tuple[float, str, str | None]]:
    """(time, event, correlation id) of every notification over the evaluations given."""
    states: dict[str, dict[str, Any]] = {}
    ids = (f"id{n}" for n in itertools.count(1))
    out = []
    for now, state in states_seen:
        for event in step(states, [_row(state)], now, repeat=repeat, new_id=lambda: next(ids)):
            if event["kind"] == "notify":
                out.append((now, event["event"], event["correlation_id"]))
    return out


@pytest.mark.parametrize(("seen", "expected"), [
    # ok first: nothing to tell
    ([(0, "ok"), (1, "ok"), (2, "ok")], []),
    # starts firing: once, however many evaluations see it firing; resolves: once, same id
    ([(0, "ok"), (1, "firing"), (2, "firing"), (3, "firing"), (4, "ok"), (5, "ok")],
     [(1, "firing", "id1"), (4, "resolved", "id1")]),
    # firing from the first look counts as starting to fire
    ([(0, "firing"), (1, "firing")], [(0, "firing", "id1")]),
    # a reminder every `repeat` while it fires (4h), from the last notification
    ([(0, "firing"), (HOUR, "firing"), (4 * HOUR - 1, "firing"), (4 * HOUR, "firing"), (7 * HOUR, "firing"),
      (8 * HOUR, "firing"), (8 * HOUR + 5, "ok")],
     [(0, "firing", "id1"), (4 * HOUR, "reminder", "id1"), (8 * HOUR, "reminder", "id1"),
      (8 * HOUR + 5, "resolved", "id1")]),
    # unknown (a value could not be read) tells nothing and does not end the episode
    ([(0, "firing"), (1, "unknown"), (2, "firing"), (3, "unknown"), (4, "ok")],
     [(0, "firing", "id1"), (4, "resolved", "id1")]),
    # unknown while fine, then firing: a new episode
    ([(0, "ok"), (1, "unknown"), (2, "firing")], [(2, "firing", "id1")]),
    # a second episode has a new correlation id
    ([(0, "firing"), (1, "ok"), (2, "firing"), (3, "ok")],
     [(0, "firing", "id1"), (1, "resolved", "id1"), (2, "firing", "id2"), (3, "resolved", "id2")]),
])
def test_one_notification_per_change_and_reminders(seen: list[tuple[float, str]],
                                                   expected: list[tuple[float, str, str]]) -> None:
    assert _run(seen) == expected


def test_no_reminders_when_repeat_is_zero() -> None:
    assert _run([(0, "firing"), (10 * HOUR, "firing"), (20 * HOUR, "ok")], repeat=0) == [
        (0, "firing", "id1"), (20 * HOUR, "resolved", "id1")]


def test_transitions_carry_the_value_and_a_removed_or_disabled_rule_is_forgotten() -> None:
    states: dict[str, dict[str, Any]] = {}
    events = step(states, [_row("ok", "service_down(core)=false")], 0, repeat=HOUR, new_id=lambda: "x")
    assert events == [{"kind": "transition", "alert": "core-down", "from": None, "to": "ok",
                       "value": "service_down(core)=false", "detail": None, "correlation_id": None}]
    events = step(states, [_row("firing", "service_down(core)=true")], 5, repeat=HOUR, new_id=lambda: "c1")
    assert [(e["kind"], e.get("event"), e["value"], e["correlation_id"]) for e in events] == [
        ("transition", None, "service_down(core)=true", "c1"), ("notify", "firing", "service_down(core)=true", "c1")]
    assert events[1]["notify"] == ["json://127.0.0.1:1/hook"] and events[1]["when"] == "service_down(core)"
    assert states["core-down"]["notified"] == "firing"
    assert step(states, [_row("disabled")], 6, repeat=HOUR, new_id=lambda: "c2") == []
    assert states == {}  # forgotten: enabling it again starts over, nothing is resolved on its behalf
    step(states, [_row("firing")], 7, repeat=HOUR, new_id=lambda: "c3")
    assert step(states, [], 8, repeat=HOUR, new_id=lambda: "c4") == [] and states == {}


def test_each_rule_is_its_own() -> None:
    states: dict[str, dict[str, Any]] = {}
    ids = iter(["a", "b"])
    events = step(states, [_row("firing", name="one"), _row("ok", name="two")], 0, repeat=HOUR,
                  new_id=lambda: next(ids))
    assert [(e["alert"], e.get("event")) for e in events if e["kind"] == "notify"] == [("one", "firing")]
    events = step(states, [_row("ok", name="one"), _row("firing", name="two")], 1, repeat=HOUR,
                  new_id=lambda: next(ids))
    assert [(e["alert"], e["event"], e["correlation_id"]) for e in events if e["kind"] == "notify"] == [
        ("one", "resolved", "a"), ("two", "firing", "b")]
