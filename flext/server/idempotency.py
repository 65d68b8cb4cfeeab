"""Idempotency keys: the first response to a key is replayed for every retry of it.

A client that sent `POST .../run` and lost the response cannot know whether the run
started; it retries with the same `Idempotency-Key` and gets the first answer back
instead of a second run. Keys are kept (in `.flext/server/idempotency.json`, shared by
every server on the workspace, written under a lock) for TTL seconds. A key reused
for a different request (another pipeline, another user) is a 422, not a replay.
Requests with the same key in flight at once are serialised by a per-key lock.
"""

from __future__ import annotations

import threading
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager
    from typing import Any

TTL_S = 24 * 3600.0
MAX_KEYS = 10000
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


def valid_key(key: str) -> bool:
    return 8 <= len(key) <= 128 and set(key) <= _KEY_CHARS


class IdempotencyStore:
    def __init__(self, path: str) -> None:
        self.path = path
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    def hold(self, key: str) -> AbstractContextManager[None]:
        """Serialise requests carrying the same key (in this process)."""
        import contextlib

        @contextlib.contextmanager
        def held() -> Iterator[None]:
            with self._guard:
                lock, users = self._locks.get(key, (threading.Lock(), 0))
                self._locks[key] = (lock, users + 1)
            try:
                with lock:
                    yield
            finally:
                with self._guard:
                    lock, users = self._locks[key]
                    if users <= 1:
                        del self._locks[key]
                    else:
                        self._locks[key] = (lock, users - 1)

        return held()

    def _load(self) -> dict[str, Any]:
        """The stored answers; ConfigError (exit 5) when the file is damaged (never rewritten)."""
        from flext.server import files

        data = files.read(self.path, files.object_of_objects)
        return data if data is not None else {}

    def check(self) -> None:
        self._load()

    def get(self, key: str) -> dict[str, Any] | None:
        entry = self._load().get(key)
        if not isinstance(entry, dict) or time.time() - float(entry.get("ts", 0)) > TTL_S:
            return None
        return entry

    def put(self, key: str, fingerprint: str, status: int, body: Any) -> None:
        from flext.server import files

        def add(data: dict[str, Any]) -> None:
            now = time.time()
            for old in [k for k, v in data.items() if now - float(v.get("ts", 0)) > TTL_S]:
                del data[old]
            data[key] = {"ts": now, "fingerprint": fingerprint, "status": status, "body": body}
            if len(data) > MAX_KEYS:
                for old in sorted(data, key=lambda k: data[k]["ts"])[: len(data) - MAX_KEYS]:
                    del data[old]

        files.update(self.path, add, check=files.object_of_objects, compact=True)


__all__ = ["TTL_S", "IdempotencyStore", "valid_key"]
