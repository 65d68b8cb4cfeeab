"""The one error type: handlers raise, `cli.py` and the REPL render.

Each subclass carries the exit code of DESIGN.md section 2 and an optional hint.
"""

from __future__ import annotations

OK = 0
FAILED = 1
USAGE = 2
UNREACHABLE = 3
AUTH = 4
CONFIG = 5
NOT_FOUND = 6
CONFLICT = 7
UNSUPPORTED = 8
INTERRUPTED = 130

EXIT_CODES: dict[int, str] = {
    OK: "success",
    FAILED: "the operation failed",
    USAGE: "usage error: unknown command, bad option, missing argument",
    UNREACHABLE: "cannot reach a service: network error, timeout, open circuit",
    AUTH: "not authenticated or not permitted",
    CONFIG: "configuration invalid, or a required backend (keyring, dbt, meltano) missing",
    NOT_FOUND: "not found",
    CONFLICT: "conflict: already running, already exists",
    UNSUPPORTED: "the profile's backend cannot do this (the error names the backend and what it cannot do)",
    INTERRUPTED: "interrupted (Ctrl-C)",
}


class FlextError(Exception):
    """An expected failure: one `error:` line, one optional `hint:` line, an exit code."""

    exit_code = FAILED

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        exit_code: int | None = None,
        candidates: list[str] | None = None,
        data: object = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # a document for machine formats (`-o json`): printed on stdout beside the error line
        self.data = data
        self.candidates = candidates or []  # command lines the user may have meant
        if exit_code is not None:
            self.exit_code = exit_code


class OperationFailed(FlextError):
    exit_code = FAILED


class UsageError(FlextError):
    exit_code = USAGE


class Unreachable(FlextError):
    exit_code = UNREACHABLE


class AuthError(FlextError):
    exit_code = AUTH


class ConfigError(FlextError):
    exit_code = CONFIG


class NotFound(FlextError):
    exit_code = NOT_FOUND


class Conflict(FlextError):
    exit_code = CONFLICT


class Interrupted(FlextError):
    exit_code = INTERRUPTED


class Unsupported(FlextError):
    """A verb this profile's engine cannot do: `the flexcore backend cannot store pipeline
    definitions`. Never an answer made up from this machine's files instead."""

    exit_code = UNSUPPORTED

    def __init__(self, backend: str, what: str, hint: str | None = None) -> None:
        super().__init__(f"the {backend} backend cannot {what}", hint=hint)
        self.backend = backend
        self.what = what


__all__ = [
    "EXIT_CODES",
    "AuthError",
    "ConfigError",
    "Conflict",
    "FlextError",
    "Interrupted",
    "NotFound",
    "OperationFailed",
    "Unreachable",
    "Unsupported",
    "UsageError",
]
