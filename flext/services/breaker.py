"""A circuit breaker per service, persisted so the shell and the dashboard share it.

After THRESHOLD consecutive failed checks the circuit opens: checks answer "down
(circuit open)" at once, without a request, for COOLDOWN seconds. Then one probe is let
through (half-open): success closes the circuit, failure opens it again. State lives in
`<state>/services/breakers.json`, updated under an advisory lock so concurrent flext
processes merge their results instead of overwriting each other.
"""

from __future__ import annotations

import fcntl
import json
import os
import time

from flext.core.fsutil import atomic_write

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

THRESHOLD = 3
COOLDOWN = 30.0


def path_for(state_dir: str) -> str:
    return os.path.join(state_dir, "services", "breakers.json")


def load(path: str) -> dict[str, dict[str, Any]]:
    try:
        with open(path, "rb") as fh:
            data = json.loads(fh.read())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def is_open(entry: dict[str, Any] | None, url: str, now: float | None = None) -> float | None:
    """Seconds until the next probe when the circuit is open for this URL, else None."""
    if not entry or entry.get("url") != url or entry.get("opened_at") is None:
        return None
    now = time.time() if now is None else now
    remaining = float(entry["opened_at"]) + COOLDOWN - now
    return remaining if remaining > 0 else None


def record(path: str, outcomes: dict[str, tuple[str, bool]]) -> dict[str, dict[str, Any]]:
    """Apply {name: (url, ok)} to the stored state; returns the new state."""
    if not outcomes:
        return load(path)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    lock = os.open(path + ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = load(path)
        now = time.time()
        for name, (url, ok) in outcomes.items():
            entry = state.get(name)
            if entry is None or entry.get("url") != url:
                entry = {"url": url, "failures": 0, "opened_at": None}
            if ok:
                entry.update(failures=0, opened_at=None)
            else:
                entry["failures"] = int(entry.get("failures", 0)) + 1
                if entry["failures"] >= THRESHOLD:
                    entry["opened_at"] = now
            if entry["failures"] == 0:
                state.pop(name, None)
            else:
                state[name] = entry
        atomic_write(path, json.dumps(state, indent=1, sort_keys=True))
        return state
    finally:
        os.close(lock)


def reset(path: str, names: list[str] | None = None) -> None:
    """Forget failures (all, or of some services)."""
    if names is None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        return
    state = load(path)
    for name in names:
        state.pop(name, None)
    atomic_write(path, json.dumps(state, indent=1, sort_keys=True))


__all__ = ["COOLDOWN", "THRESHOLD", "is_open", "load", "path_for", "record", "reset"]
