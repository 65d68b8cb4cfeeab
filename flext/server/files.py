"""The server's own JSON files (`.flext/server/*.json`): read strictly, written under a lock.

Fail closed: a file that exists but does not parse (or has the wrong shape) is a
ConfigError (exit 5) naming the file and the line, never read as empty, and never
rewritten: `flext serve` refuses to start on it, and a write that finds it damaged
stops before changing anything. Writers go through `update`: lock, re-read, change,
replace atomically: `flext.core.jsonfile`, with the server's hint.
"""

from __future__ import annotations

from flext.core import jsonfile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.core.errors import ConfigError

HINT = "flext serve never rewrites a damaged file: fix it, restore it from a backup, or move it away"


def damaged(path: str, problem: str, line: int | None = None) -> ConfigError:
    return jsonfile.damaged(path, problem, line, hint=HINT)


def read(path: str, check: Callable[[Any], str | None] | None = None) -> Any:
    """The document at `path` (None when there is no file); ConfigError when it is damaged."""
    return jsonfile.read(path, check=check, hint=HINT)


def update(path: str, change: Callable[[Any], Any], *, check: Callable[[Any], str | None] | None = None,
           empty: Callable[[], Any] = dict, compact: bool = False) -> Any:
    """Lock, re-read (`empty()` when missing), `change(doc)` in place, write atomically (0600).

    Returns what `change` returned. A damaged file raises before anything is written.
    """
    return jsonfile.update(path, change, check=check, empty=empty, compact=compact, hint=HINT)


def object_of_objects(doc: Any) -> str | None:
    """A check: a JSON object whose values are objects."""
    if not isinstance(doc, dict):
        return f"expected a JSON object, got {type(doc).__name__}"
    bad = next((k for k, v in doc.items() if not isinstance(v, dict)), None)
    return f"entry {bad!r} is not an object" if bad is not None else None


__all__ = ["HINT", "damaged", "object_of_objects", "read", "update"]
