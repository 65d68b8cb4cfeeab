"""Retry with exponential backoff and full jitter; a circuit breaker per base URL.

Why these shapes:
- Full jitter (a delay drawn uniformly from 0..min(cap, base * 2**attempt)) spreads
  the retries of many clients hitting one recovering server instead of making them
  arrive in waves (the AWS "Exponential Backoff and Jitter" result).
- The breaker state lives in a small JSON file (one entry per base URL) updated under
  an advisory lock, because flext is mostly one-shot processes: the second command
  after a server went away must know, without trying, that the last ones failed.
  Closed -> open after THRESHOLD consecutive failures; open fails at once for
  COOLDOWN seconds; then half-open lets exactly one probe through (other callers keep
  failing fast until the probe reports); success closes it, failure reopens it.

Standard library only (this module sits in flext/core).
"""

from __future__ import annotations

import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

THRESHOLD = 5
COOLDOWN = 30.0
BASE_DELAY = 0.2
MAX_DELAY = 5.0
STATE_FILE = "breakers.json"


def delays(attempts: int, *, base: float = BASE_DELAY, cap: float = MAX_DELAY,
           rand: Callable[[], float] | None = None) -> Iterator[float]:
    """`attempts - 1` sleeps: full jitter over an exponentially growing ceiling."""
    if rand is None:
        import random

        rand = random.random
    for attempt in range(max(0, attempts - 1)):
        yield rand() * min(cap, base * (2 ** attempt))


class CircuitOpen(Exception):
    """Raised by Breaker.before() while the circuit is open (no request was attempted)."""

    def __init__(self, key: str, failures: int, retry_in: float) -> None:
        super().__init__(f"circuit open for {key}")
        self.key = key
        self.failures = failures
        self.retry_in = retry_in


class Breaker:
    """The breaker of one key (a base URL), persisted in `path`."""

    def __init__(self, path: str, key: str, *, threshold: int = THRESHOLD, cooldown: float = COOLDOWN,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.key = key
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self.clock = clock

    # -- storage ---------------------------------------------------------------
    def _load(self) -> dict[str, dict[str, Any]]:
        import json

        try:
            with open(self.path, "rb") as fh:
                data = json.loads(fh.read() or b"{}")
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}

    def _update(self, change: Callable[[dict[str, Any] | None, float], dict[str, Any] | None]) -> dict[str, Any] | None:
        """Apply `change(entry, now)` to this key's entry under the file lock."""
        import fcntl
        import json

        from flext.core.fsutil import atomic_write

        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, mode=0o700, exist_ok=True)
        lock = os.open(self.path + ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self._load()
            new = change(state.get(self.key), self.clock())
            if new == state.get(self.key):
                return new
            if new is None:
                state.pop(self.key, None)
            else:
                state[self.key] = new
            atomic_write(self.path, json.dumps(state, indent=1, sort_keys=True) + "\n")
            return new
        finally:
            os.close(lock)

    # -- reading -----------------------------------------------------------------
    def entry(self) -> dict[str, Any] | None:
        return self._load().get(self.key)

    def state(self) -> str:
        """closed | open | half-open (as a reader sees it now)."""
        entry = self.entry()
        if not entry or entry.get("opened_at") is None:
            return "closed"
        if self.clock() < float(entry["opened_at"]) + self.cooldown:
            return "open"
        return "half-open"

    # -- the protocol --------------------------------------------------------------
    def before(self) -> None:
        """Call before a request: raises CircuitOpen instead of letting it through.

        In half-open, the first caller takes the probe (recorded in the file, so other
        processes keep failing fast while it runs); the probe slot frees itself after
        another cool-down if its owner died without reporting.
        """
        entry = self.entry()
        if not entry or entry.get("opened_at") is None:
            return
        now = self.clock()
        opened = float(entry["opened_at"])
        if now < opened + self.cooldown:
            raise CircuitOpen(self.key, int(entry.get("failures", 0)), opened + self.cooldown - now)
        granted = False

        def take_probe(current: dict[str, Any] | None, now: float) -> dict[str, Any] | None:
            nonlocal granted
            if not current or current.get("opened_at") is None:
                granted = True
                return current
            if now < float(current["opened_at"]) + self.cooldown:
                return current
            probe = current.get("probe_at")
            if probe is not None and now < float(probe) + self.cooldown:
                return current
            granted = True
            return {**current, "probe_at": now}

        after = self._update(take_probe)
        if not granted:
            assert after is not None
            retry = float(after.get("probe_at") or after["opened_at"]) + self.cooldown - now
            raise CircuitOpen(self.key, int(after.get("failures", 0)), max(0.0, retry))

    def success(self) -> None:
        if self.entry() is None:
            return  # the common case costs one read, no lock, no write
        self._update(lambda current, now: None)

    def failure(self) -> None:
        threshold = self.threshold

        def bump(current: dict[str, Any] | None, now: float) -> dict[str, Any] | None:
            failures = int((current or {}).get("failures", 0)) + 1
            entry: dict[str, Any] = {"failures": failures, "last_failure": now,
                                     "opened_at": (current or {}).get("opened_at"), "probe_at": None}
            if failures >= threshold:
                entry["opened_at"] = now  # open, or reopen after a failed probe
            return entry

        self._update(bump)

    def reset(self) -> None:
        self._update(lambda current, now: None)


def breaker_for(state_dir: str, key: str, **kwargs: Any) -> Breaker:
    return Breaker(os.path.join(state_dir, STATE_FILE), key, **kwargs)


__all__ = ["BASE_DELAY", "COOLDOWN", "MAX_DELAY", "THRESHOLD", "Breaker", "CircuitOpen", "breaker_for", "delays"]
