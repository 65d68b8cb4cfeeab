"""Backoff with full jitter and the persisted circuit breaker (flext/core/resilience.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flext.core.resilience import Breaker, CircuitOpen, delays


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("rand", "expected"), [
    (lambda: 1.0, [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]),  # the ceiling doubles, capped at 5 s
    (lambda: 0.0, [0.0] * 7),  # full jitter: anything from zero
    (lambda: 0.5, [0.1, 0.2, 0.4, 0.8, 1.6, 2.5, 2.5]),
])
def test_delays_full_jitter(rand: object, expected: list[float]) -> None:
    got = list(delays(8, rand=rand))  # type: ignore[arg-type]
    assert got == pytest.approx(expected)


def test_delays_one_attempt_never_sleeps() -> None:
    assert list(delays(1)) == []
    assert list(delays(0)) == []


def _breaker(tmp_path: Path, clock: Clock, key: str = "http://a:1") -> Breaker:
    return Breaker(str(tmp_path / "breakers.json"), key, threshold=3, cooldown=30, clock=clock)


def test_opens_after_threshold_and_fails_fast(tmp_path: Path) -> None:
    clock = Clock()
    breaker = _breaker(tmp_path, clock)
    for _ in range(2):
        breaker.before()
        breaker.failure()
    assert breaker.state() == "closed"
    breaker.before()
    breaker.failure()
    assert breaker.state() == "open"
    with pytest.raises(CircuitOpen) as opened:
        breaker.before()
    assert (opened.value.failures, opened.value.retry_in) == (3, 30)
    clock.now += 10
    with pytest.raises(CircuitOpen) as later:
        breaker.before()
    assert later.value.retry_in == 20


def test_half_open_lets_one_probe_through(tmp_path: Path) -> None:
    clock = Clock()
    first = _breaker(tmp_path, clock)
    for _ in range(3):
        first.failure()
    clock.now += 31
    other = _breaker(tmp_path, clock)  # another process, same file
    assert first.state() == "half-open"
    first.before()  # takes the probe
    with pytest.raises(CircuitOpen):
        other.before()  # the others keep failing fast while it runs
    first.failure()  # the probe failed: open again for a whole cool-down
    assert other.state() == "open"
    clock.now += 31
    other.before()
    other.success()
    assert first.state() == "closed"
    first.before()
    assert json.loads((tmp_path / "breakers.json").read_text()) == {}


def test_a_probe_whose_owner_died_is_given_again(tmp_path: Path) -> None:
    clock = Clock()
    breaker = _breaker(tmp_path, clock)
    for _ in range(3):
        breaker.failure()
    clock.now += 31
    breaker.before()  # probe taken, never reported
    with pytest.raises(CircuitOpen):
        breaker.before()
    clock.now += 31
    breaker.before()  # free again


def test_success_resets_and_keys_are_separate(tmp_path: Path) -> None:
    clock = Clock()
    a, b = _breaker(tmp_path, clock, "http://a:1"), _breaker(tmp_path, clock, "http://b:2")
    a.failure()
    a.failure()
    a.success()
    a.failure()
    a.failure()
    assert a.state() == "closed"
    for _ in range(3):
        b.failure()
    assert (a.state(), b.state()) == ("closed", "open")
    b.reset()
    assert b.state() == "closed"


def test_a_corrupt_state_file_reads_as_closed(tmp_path: Path) -> None:
    (tmp_path / "breakers.json").write_text("{not json")
    breaker = _breaker(tmp_path, Clock())
    assert breaker.state() == "closed"
    breaker.failure()
    assert json.loads((tmp_path / "breakers.json").read_text())["http://a:1"]["failures"] == 1
