"""The Backend protocol: what every command handler may ask of an engine.

Implemented by `flext.backend.local.LocalBackend` (the embedded engine) and, for
profiles with `api_url`, by the HTTP client. Every method takes and returns plain
JSON-shaped values (dicts, lists, str, numbers), so results can cross HTTP unchanged.
Errors are `flext.core.errors` subclasses carrying the exit code.
"""

from __future__ import annotations

from typing import Any, Protocol

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
LIST_STATUSES = ("running", "succeeded", "failed", "cancelled", "never")


def match_names(
    patterns: list[str], known: list[str], *, all_: bool, check: Callable[[str], object]
) -> list[str]:
    """Names, shell globs ('wms-*') or all, in order without repeats. A glob must match one
    of `known`; a literal name is passed to `check`, which raises NotFound when it is unknown.
    Shared by every backend so bulk verbs act on the same names locally and remotely."""
    import fnmatch

    from flext.core.errors import NotFound

    if all_:
        return known
    out: list[str] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            hits = fnmatch.filter(known, pattern)
            if not hits:
                raise NotFound(f"no pipeline matches {pattern!r}", hint="see `flext pipeline list`")
        else:
            check(pattern)
            hits = [pattern]
        out.extend(h for h in hits if h not in out)
    return out


class Backend(Protocol):
    # -- pipelines -------------------------------------------------------------
    def list_pipelines(self, status: str | None = None) -> list[dict[str, Any]]: ...
    def get_pipeline(self, name: str) -> dict[str, Any]: ...
    def create_pipeline(self, spec: dict[str, Any], *, replace: bool = False) -> dict[str, Any]: ...
    def create_pipelines(self, specs: list[dict[str, Any]], *, replace: bool = False) -> list[dict[str, Any]]: ...
    def delete_pipeline(self, name: str) -> dict[str, Any]: ...
    def match_pipelines(self, patterns: list[str], *, all_: bool = False) -> list[str]: ...

    # -- runs ------------------------------------------------------------------
    def start(self, name: str, *, full_refresh: bool = False, trigger: str = "cli",
              idempotency_key: str | None = None) -> dict[str, Any]: ...
    def run(self, name: str, *, full_refresh: bool = False, trigger: str = "cli",
            on_progress: Callable[[int | None, float], None] | None = None) -> dict[str, Any]: ...
    def wait(self, name: str, run_id: str, *, timeout: float | None = None) -> dict[str, Any]: ...
    def stop(self, name: str, *, force: bool = False) -> dict[str, Any]: ...
    def status(self, names: list[str] | None) -> list[dict[str, Any]]: ...
    def runs(self, name: str, limit: int = 20) -> list[dict[str, Any]]: ...
    def get_run(self, name: str, run_id: str) -> dict[str, Any]: ...
    def logs(self, name: str, run_id: str | None = None, tail: int | None = None,
             follow: bool = False) -> Iterator[dict[str, Any]]: ...
    def state(self, name: str) -> dict[str, Any] | None: ...
    def clear_state(self, name: str) -> dict[str, Any]: ...

    # -- plugins, discovery, dbt ----------------------------------------------
    def list_plugins(self, kind: str | None = None, installed_only: bool = False) -> list[dict[str, Any]]: ...
    def install_plugin(self, name: str, kind: str, pip_url: str | None = None,
                       on_status: Callable[[str], None] | None = None,
                       installer: str | None = None) -> dict[str, Any]: ...
    def discover(self, tap: str, *, config_file: str | None = None) -> list[dict[str, Any]]: ...
    def dbt(self, project: str, command: str, *, select: str | None = None,
            target: str | None = None) -> dict[str, Any]: ...


__all__ = ["LIST_STATUSES", "RUN_STATUSES", "Backend"]
