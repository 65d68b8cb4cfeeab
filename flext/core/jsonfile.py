"""JSON files that must never be read as empty: read strictly, changed under a lock.

Fail closed: a file that exists but does not parse (or has the wrong shape) is a
ConfigError (exit 5) naming the file and the line, never read as empty and never
rewritten. `update` is the one read-modify-write: lock, re-read, change, replace
atomically, so concurrent writers never lose a change. The server's files (auth,
idempotency, schedules, alerts) and a pipeline's saved Singer state use it.
"""

from __future__ import annotations

from flext.core.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def damaged(path: str, problem: str, line: int | None = None, *, what: str = "", hint: str | None = None) -> ConfigError:
    where = f"{path}:{line}" if line else path
    return ConfigError(f"{what + ' is damaged: ' if what else ''}{where}: {problem}", hint=hint)


def read(path: str, *, check: Callable[[Any], str | None] | None = None, what: str = "",
         hint: str | None = None) -> Any:
    """The document at `path` (None when there is no file); ConfigError when it is damaged.

    `check(doc)` names what is wrong with a document that parses (None: nothing); `what`
    says what the file holds (`the saved state of 'orders'`) and `hint` how to recover.
    """
    import json

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {what or path}: {exc.strerror or exc}"
                          + (f" ({path})" if what else "")) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise damaged(path, f"not valid UTF-8 (byte {exc.start})", line, what=what, hint=hint) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise damaged(path, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno, what=what,
                      hint=hint) from None
    except RecursionError:
        raise damaged(path, "not valid JSON: nested too deeply", what=what, hint=hint) from None
    problem = check(doc) if check is not None else None
    if problem:
        raise damaged(path, problem, what=what, hint=hint)
    return doc


def update(path: str, change: Callable[[Any], Any], *, check: Callable[[Any], str | None] | None = None,
           empty: Callable[[], Any] = dict, compact: bool = False, hint: str | None = None) -> Any:
    """Lock, re-read (`empty()` when missing), `change(doc)` in place, write atomically (0600).

    Returns what `change` returned. A damaged file raises before anything is written.
    """
    import json

    from flext.core.fsutil import atomic_write
    from flext.core.locks import locked

    with locked(path):
        doc = read(path, check=check, hint=hint)
        if doc is None:
            doc = empty()
        result = change(doc)
        text = json.dumps(doc, separators=(",", ":")) if compact else json.dumps(doc, indent=1, sort_keys=True)
        atomic_write(path, text + "\n", 0o600)
    return result


__all__ = ["damaged", "read", "update"]
