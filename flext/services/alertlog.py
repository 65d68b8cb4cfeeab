"""The alert history of a workspace: `.flext/server/alerts-history.jsonl`.

One JSON line per transition of a rule (ok -> firing ...) and per delivery attempt of a
notification (with its error, masked). `flext serve` writes it as it evaluates and
sends; `monitor alerts test` on a local profile adds its deliveries, so `monitor alerts
history` on this machine shows what this machine recorded. Appended with one write
under an advisory lock (flext.core.jsonl); rotated past 10 MB like the other logs.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FIELDS = ["ts", "alert", "kind", "event", "value", "url", "attempt", "ok", "error", "correlation_id"]


def path(root: str) -> str:
    return os.path.join(root, ".flext", "server", "alerts-history.jsonl")


def append(root: str, entry: dict[str, Any]) -> None:
    from flext.core import jsonl

    os.makedirs(os.path.dirname(path(root)), mode=0o700, exist_ok=True)
    jsonl.append(path(root), entry)


def row(entry: dict[str, Any]) -> dict[str, Any]:
    """One history entry with the fixed fields (a transition's event is `from -> to`)."""
    out = {k: entry.get(k) for k in FIELDS}
    if entry.get("kind") == "transition":
        out["event"] = f"{entry.get('from') or 'new'} -> {entry.get('to')}"
        out["error"] = entry.get("detail")
    return out


def read(root: str, name: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The last `limit` entries (of alert `name`), oldest first."""
    from collections import deque

    from flext.core import jsonl

    kept: deque[dict[str, Any]] = deque(maxlen=max(1, limit))
    for entry in jsonl.read(path(root)):
        if name is None or entry.get("alert") == name:
            kept.append(row(entry))
    return list(kept)


__all__ = ["FIELDS", "append", "path", "read", "row"]
