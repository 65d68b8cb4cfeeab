"""Live names for completion (pipelines, runs, services, profiles...), cached.

Reading them touches files (and, for some kinds, may be slow), so TAB never waits for
a refresh it does not need: names are loaded on a background thread and swapped in
under a lock, as pgcli refreshes its metadata. `get` returns what is cached; a kind
never loaded yet waits a little for its first load so the first TAB is not empty.
After every command the session calls `invalidate()`: a pipeline just created
completes at the next TAB. Names read from the workspace also carry a stamp (the
`stat` of flext.toml and .flext/index.json): a hand edit of flext.toml in another
window changes it, and the next TAB loads the names again instead of the cached ones.
"""

from __future__ import annotations

import threading
import time

from flext.repl.fuzzy import NameIndex

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from flext.core.paths import Scope

    Source = Callable[[str, Scope], list[tuple[str, str]]]

__all__ = ["KINDS", "LiveNames"]

KINDS = (
    "profiles", "aliases", "pipelines", "services", "secrets", "taps", "targets", "plugins",
    "dbt_projects", "runs", "log_sources", "config_keys",
)


# kinds read from the workspace's files (flext.toml, .flext/index.json)
WORKSPACE_KINDS = frozenset({"pipelines", "runs", "dbt_projects", "taps", "targets", "log_sources"})


def _live_entries(kind: str, scope: Scope) -> list[tuple[str, str]]:
    from flext.router.live import entries

    return entries(kind, scope)


def workspace_stamp(kind: str, scope: Scope) -> object:
    """What the names of `kind` were read from, as cheap `stat`s (None: not a file kind)."""
    if kind not in WORKSPACE_KINDS:
        return None
    import os

    root = scope.workspace()
    out: list[tuple[int, int, int] | None] = []
    for path in (os.path.join(root, "flext.toml"), os.path.join(root, ".flext", "index.json")):
        try:
            st = os.stat(path)
        except OSError:
            out.append(None)
            continue
        out.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return (root, tuple(out))


class LiveNames:
    """kind -> NameIndex, refreshed in the background; thread-safe."""

    def __init__(
        self,
        scope: Callable[[], Scope],
        source: Source | None = None,
        ttl: float = 30.0,
        stamp: Callable[[str, Scope], object] | None = None,
    ) -> None:
        self._scope = scope
        self._source = source or _live_entries
        self._stamp = stamp or (workspace_stamp if source is None else (lambda kind, scope: None))
        self._ttl = ttl
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, NameIndex]] = {}
        self._stamps: dict[str, object] = {}
        self._wanted: set[str] = set()
        self._loaded = threading.Condition(self._lock)
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = False

    # -- reading -------------------------------------------------------------
    def _changed(self, kind: str) -> bool:
        """Did the files `kind` is read from change since it was loaded? (a hand edit)"""
        if kind not in self._stamps:
            return False
        try:
            now = self._stamp(kind, self._scope())
        except Exception:
            return False
        return now != self._stamps[kind]

    def get(self, kind: str, wait: float = 0.5) -> NameIndex:
        """The cached names of `kind` (empty if none); schedules a refresh when stale, and
        loads them again at once when their files changed since (flext.toml edited by hand)."""
        if self._changed(kind):
            return self.refresh_now(kind)
        deadline = time.monotonic() + wait
        with self._lock:
            entry = self._cache.get(kind)
            if entry is None or time.monotonic() - entry[0] > self._ttl:
                self._want(kind)
            while entry is None and not self._stopped:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._loaded.wait(left)
                entry = self._cache.get(kind)
        return entry[1] if entry is not None else NameIndex(())

    def names(self, kind: str) -> list[str]:
        """Plain names, cached only (never waits): for the toolbar's live interpretation."""
        with self._lock:
            entry = self._cache.get(kind)
            if entry is None or time.monotonic() - entry[0] > self._ttl or self._changed(kind):
                self._want(kind)
        return list(entry[1].names) if entry is not None else []

    # -- refreshing ----------------------------------------------------------
    def prefetch(self, kinds: tuple[str, ...] = KINDS) -> None:
        with self._lock:
            for kind in kinds:
                self._want(kind)

    def invalidate(self) -> None:
        """Something may have changed (a command ran): refresh every kind seen so far."""
        with self._lock:
            for kind in list(self._cache):
                self._want(kind)

    def refresh_now(self, kind: str) -> NameIndex:
        """Load one kind in the calling thread (tests, benchmarks)."""
        index = self._load(kind)
        with self._lock:
            self._cache[kind] = (time.monotonic(), index)
            self._loaded.notify_all()
        return index

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._loaded.notify_all()
        self._wake.set()

    def _want(self, kind: str) -> None:
        """Queue a kind for the worker (lock held)."""
        self._wanted.add(kind)
        self._wake.set()
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="flext-names", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        while True:
            self._wake.wait()
            with self._lock:
                if self._stopped:
                    return
                kinds = sorted(self._wanted)
                self._wanted.clear()
                self._wake.clear()
            for kind in kinds:
                index = self._load(kind)
                with self._lock:
                    self._cache[kind] = (time.monotonic(), index)
                    self._loaded.notify_all()

    def _load(self, kind: str) -> NameIndex:
        try:
            scope = self._scope()
            stamp = self._stamp(kind, scope)  # before reading: a change while we read is seen next time
            pairs = self._source(kind, scope)
            self._stamps[kind] = stamp
        except Exception:  # a broken source never breaks the shell
            pairs = []
        index = NameIndex(pairs)
        index.warm()  # search text and typo indexes built here, not on a keystroke
        return index
