"""Live names: loaded on a background thread, swapped under a lock, refreshed after commands."""

from __future__ import annotations

import threading
import time

from flext.core.paths import Scope
from flext.repl.names import LiveNames


class Source:
    """A names source that counts its calls and can be told what to return."""

    def __init__(self) -> None:
        self.calls = 0
        self.value = ["a", "b"]
        self.threads: set[str] = set()
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, kind: str, scope: object) -> list[str]:
        self.gate.wait(5)
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        if kind == "broken":
            raise RuntimeError("boom")
        return list(self.value)


def poll(condition: object, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def test_first_get_waits_for_the_first_load_on_the_worker_thread() -> None:
    source = Source()
    names = LiveNames(Scope, source=source)  # type: ignore[arg-type]
    try:
        assert list(names.get("pipelines").names) == ["a", "b"]
        assert source.threads == {"flext-names"}
    finally:
        names.stop()


def test_get_never_blocks_past_its_wait_and_swaps_in_later() -> None:
    source = Source()
    source.gate.clear()  # the source is slow
    names = LiveNames(Scope, source=source)  # type: ignore[arg-type]
    try:
        assert list(names.get("pipelines", wait=0.05).names) == []
        source.gate.set()
        assert poll(lambda: list(names.get("pipelines", wait=0).names) == ["a", "b"])
    finally:
        names.stop()


def test_invalidate_refreshes_what_was_loaded() -> None:
    source = Source()
    names = LiveNames(Scope, source=source)  # type: ignore[arg-type]
    try:
        names.get("pipelines")
        source.value = ["a", "b", "new"]
        names.invalidate()
        assert poll(lambda: "new" in names.names("pipelines"))
    finally:
        names.stop()


def test_a_broken_source_gives_no_names() -> None:
    names = LiveNames(Scope, source=Source())  # type: ignore[arg-type]
    try:
        assert len(names.get("broken")) == 0
    finally:
        names.stop()


def test_readers_see_whole_lists_while_the_worker_swaps() -> None:
    source = Source()
    names = LiveNames(Scope, source=source, ttl=0)  # type: ignore[arg-type]
    seen: set[tuple[str, ...]] = set()
    try:
        names.get("pipelines")
        stop = time.monotonic() + 0.5
        flip = 0
        while time.monotonic() < stop:
            flip += 1
            source.value = ["a", "b"] if flip % 2 else ["x", "y", "z"]
            seen.add(names.get("pipelines", wait=0).names)
        assert seen <= {("a", "b"), ("x", "y", "z")}
    finally:
        names.stop()
