"""When an evaluated rule sends a notification: the whole policy, a pure function.

Per rule we keep what we last saw (`state`: firing, ok or unknown) and what we last
told people (`notified`: firing or ok). A rule that starts firing notifies once
(`firing`, with a new correlation id for the episode); while it keeps firing, a
`reminder` every `repeat` seconds (none when repeat is 0); when it is ok again, one
`resolved` with the same correlation id. A rule seen ok first notifies nothing. An
`unknown` result (a value that could not be read) changes nothing that was told:
no notification, and the episode goes on when the rule is known again. A disabled or
removed rule is forgotten. Every change of `state` is a transition for the history.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

KNOWN = ("firing", "ok", "unknown")


def step(states: dict[str, dict[str, Any]], rows: list[dict[str, Any]], now: float, *, repeat: float,
         new_id: Callable[[], str]) -> list[dict[str, Any]]:
    """Update `states` (in place) with one evaluation; the events it causes, in order:
    {"kind": "transition", "alert", "from", "to", "value", "detail", "correlation_id"} and
    {"kind": "notify", "event": firing|resolved|reminder, "alert", "when", "value", "detail",
    "description", "notify", "correlation_id"}."""
    events: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in rows:
        name = str(row["name"])
        state = row.get("state")
        if state not in KNOWN:  # disabled
            continue
        seen.add(name)
        entry = states.get(name) or {"state": None, "notified": None, "since": now, "last_sent": None,
                                     "correlation_id": None, "when": row.get("when")}
        if entry.get("when") != row.get("when"):  # a changed rule starts over (what was told still holds)
            entry["when"] = row.get("when")
        before = entry.get("state")
        value = row.get("value")
        if state != before:
            if state == "firing" and entry.get("notified") != "firing":
                entry["correlation_id"] = new_id()
            events.append({"kind": "transition", "alert": name, "from": before, "to": state, "value": value,
                           "detail": row.get("detail"), "correlation_id": entry.get("correlation_id")})
            entry["state"] = state
            entry["since"] = now
        entry["value"] = value
        told = entry.get("notified")
        event = None
        if state == "firing" and told != "firing":
            event = "firing"
        elif state == "firing" and repeat > 0 and entry.get("last_sent") is not None \
                and now - float(entry["last_sent"]) >= repeat:
            event = "reminder"
        elif state == "ok" and told == "firing":
            event = "resolved"
        elif state == "ok" and told is None:
            entry["notified"] = "ok"  # seen fine first: nothing to tell
        if event is not None:
            entry["notified"] = "ok" if event == "resolved" else "firing"
            entry["last_sent"] = now
            events.append({"kind": "notify", "event": event, "alert": name, "when": row.get("when"), "value": value,
                           "detail": row.get("detail"), "description": row.get("description"),
                           "notify": list(row.get("notify") or []), "correlation_id": entry["correlation_id"]})
        states[name] = entry
    for name in [n for n in states if n not in seen]:
        del states[name]
    return events


__all__ = ["KNOWN", "step"]
