"""Secrets in the OS keyring; an index of names; `secret:NAME` resolution; redaction.

(Store implementation: see SecretStore below.)
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.paths import Paths

MASK = "••••••"
MIN_REDACT_LEN = 4
# Values this process has seen (read, set or resolved). The redactor masks them in any
# text bound for logs, history, audit or errors. Process-wide by design: a value read
# under one Context must stay masked under the next (the REPL runs many).
_KNOWN: set[str] = set()


def remember(value: str) -> None:
    if value and len(value) >= MIN_REDACT_LEN:
        _KNOWN.add(value)


def redact_known(text: str) -> str:
    if not _KNOWN or not text:
        return text
    for value in sorted(_KNOWN, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return text


class SecretStore:
    def __init__(self, paths: Paths, env: dict[str, str] | os._Environ[str] | None = None) -> None:
        self.paths = paths
        self.env = os.environ if env is None else env

    def redact(self, text: str) -> str:
        return redact_known(text)


__all__ = ["MASK", "SecretStore", "redact_known", "remember"]
