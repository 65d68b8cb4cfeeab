"""The server's own JSON files (`.flext/server/*.json`): read strictly, written under a lock.

Fail closed: a file that exists but does not parse (or has the wrong shape) is a
ConfigError (exit 5) naming the file and the line, never read as empty, and never
rewritten: `flext serve` refuses to start on it, and a write that finds it damaged
stops before changing anything. Writers go through `update`: lock, re-read, change,
replace atomically (`flext.core.fsutil`), so concurrent writers never lose a change.
"""

from __future__ import annotations

import json

from flext.core.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

HINT = "flext serve never rewrites a damaged file: fix it, restore it from a backup, or move it away"


def damaged(path: str, problem: str, line: int | None = None) -> ConfigError:
    where = f"{path}:{line}" if line else path
    return ConfigError(f"{where}: {problem}", hint=HINT)


def read(path: str, check: Callable[[Any], str | None] | None = None) -> Any:
    """The document at `path` (None when there is no file); ConfigError when it is damaged.

    `check(doc)` names what is wrong with a document that parses (None: nothing).
    """
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise damaged(path, f"not valid UTF-8 (byte {exc.start})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise damaged(path, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise damaged(path, "not valid JSON: nested too deeply") from None
    problem = check(doc) if check is not None else None
    if problem:
        raise damaged(path, problem)
    return doc


def update(path: str, change: Callable[[Any], Any], *, check: Callable[[Any], str | None] | None = None,
           empty: Callable[[], Any] = dict, compact: bool = False) -> Any:
    """Lock, re-read (`empty()` when missing), `change(doc)` in place, write atomically (0600).

    Returns what `change` returned. A damaged file raises before anything is written.
    """
    from flext.core.fsutil import atomic_write
    from flext.core.locks import locked

    with locked(path):
        doc = read(path, check)
        if doc is None:
            doc = empty()
        result = change(doc)
        text = json.dumps(doc, separators=(",", ":")) if compact else json.dumps(doc, indent=1, sort_keys=True)
        atomic_write(path, text + "\n", 0o600)
    return result


def object_of_objects(doc: Any) -> str | None:
    """A check: a JSON object whose values are objects."""
    if not isinstance(doc, dict):
        return f"expected a JSON object, got {type(doc).__name__}"
    bad = next((k for k, v in doc.items() if not isinstance(v, dict)), None)
    return f"entry {bad!r} is not an object" if bad is not None else None


__all__ = ["HINT", "damaged", "object_of_objects", "read", "update"]
