"""Command history: one JSONL record per executed command line (DESIGN.md section 2).

Fields: `ts, session, source: cli|repl, cwd, profile, line, exit, duration_ms`.
One store is shared by one-shot commands and the REPL (its Ctrl-R and auto-suggest
read `entries`/`lines`). Secret values are redacted before writing: values this
process has seen (`ctx.redact`), values of password/token-like options and
`KEY=VALUE` words, and passwords inside URLs. Off with FLEXT_NO_HISTORY=1 or
`history.enabled = false`.
"""

from __future__ import annotations

import os
import time

from flext.core import jsonl

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from flext.core.context import Context

FIELDS = ["ts", "session", "source", "cwd", "profile", "line", "command", "exit", "duration_ms"]
_SECRET_WORDS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "api_key", "api-key", "credential")


def enabled(ctx: Context) -> bool:
    if ctx.env.get("FLEXT_NO_HISTORY", "") not in ("", "0"):
        return False
    if os.path.exists(ctx.paths.config_file):
        try:
            return bool(ctx.settings.get("history", {}).get("enabled", True))
        except Exception:  # a broken config must not stop history (or the command)
            return True
    return True


def join_line(argv: list[str]) -> str:
    import shlex

    return " ".join(shlex.quote(a) for a in argv)


def _secretish(name: str) -> bool:
    low = name.lower().lstrip("-")
    return any(word in low for word in _SECRET_WORDS)


# `scheme://user:password@`: the scheme may not start inside a longer word, and every
# quantifier is possessive (its class excludes what follows it), so a match attempt never
# backtracks and a 100,000-character word costs one pass (issue 11 item 8).
_URL_PASSWORD: Any = None


def _compile() -> None:
    global _URL_PASSWORD
    if _URL_PASSWORD is None:
        import re

        _URL_PASSWORD = re.compile(r"(?<![\w+.-])([A-Za-z][\w+.-]*+://[^/\s:@]*+:)[^/\s@]++@")


def redact_words(argv: list[str]) -> list[str]:
    """Mask values that look secret even if this process never saw them as secrets."""
    from flext.core.secrets import MASK

    _compile()
    out: list[str] = []
    mask_next = False
    for word in argv:
        if mask_next:
            out.append(MASK)
            mask_next = False
            continue
        if word.startswith("--") and _secretish(word.partition("=")[0]):
            name, eq, _ = word.partition("=")
            if eq:
                out.append(f"{name}={MASK}")
            else:
                out.append(word)
                mask_next = True
            continue
        key, eq, value = word.partition("=")
        if eq and not key.startswith("-") and value and _secretish(key):
            out.append(f"{key}={MASK}")
            continue
        out.append(_URL_PASSWORD.sub(rf"\1{MASK}@", word) if "://" in word else word)
    return out


def redact_line(ctx: Context, argv: list[str]) -> str:
    return ctx.redact(join_line(redact_words(argv)))


def record(ctx: Context, argv: list[str], exit_code: int, duration_ms: int, *, command: str | None = None,
           max_bytes: int | None = None) -> None:
    """Append one entry (the runner calls it for every executed line; `command` is the
    command path it ran, `pipeline start`, or None when the line did not parse)."""
    if not enabled(ctx):
        return
    if ctx.command == "history clear" and exit_code == 0:
        return  # a cleared history starts empty, not with the command that cleared it
    try:
        profile: str | None = ctx.profile
    except Exception:
        profile = None
    try:
        cwd: str | None = os.getcwd()
    except OSError:  # the directory was deleted under us
        cwd = None
    entry = {
        "ts": round(time.time(), 3),
        "session": ctx.session,
        "source": ctx.source,
        "cwd": cwd,
        "profile": profile,
        "line": redact_line(ctx, argv),
        "command": command,
        "exit": exit_code,
        "duration_ms": duration_ms,
    }
    jsonl.append(ctx.paths.history_file, entry, max_bytes=jsonl.MAX_BYTES if max_bytes is None else max_bytes)


def entries(ctx: Context) -> Iterator[dict[str, Any]]:
    """Every readable entry, oldest first (torn and corrupt lines skipped)."""
    return jsonl.read(ctx.paths.history_file)


def lines(ctx: Context, profile: str | None = None) -> list[str]:
    """Unique command lines, newest first (REPL history search and auto-suggest)."""
    seen: dict[str, None] = {}
    for entry in entries(ctx):
        line = entry.get("line")
        if not isinstance(line, str) or not line:
            continue
        if profile is not None and entry.get("profile") != profile:
            continue
        seen.pop(line, None)  # move to the newest position
        seen[line] = None
    return list(reversed(seen))


def clear(ctx: Context) -> int:
    return jsonl.clear(ctx.paths.history_file)


__all__ = ["FIELDS", "clear", "enabled", "entries", "join_line", "lines", "record", "redact_line", "redact_words"]
