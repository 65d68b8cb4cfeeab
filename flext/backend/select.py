"""Choosing the engine for a profile: the one place that maps settings to a backend.

| backend  | chosen by                                   |
|----------|---------------------------------------------|
| local    | no `api_url` (the embedded engine)          |
| http     | `api_url` (a `flext serve`), or `backend = "http"` |
| flexcore | `backend = "flexcore"`                      |
| airflow  | `backend = "airflow"` (Airflow 3's REST API v2 at `api_url`) |

The runner hands `select` to every `Context` it builds; `ctx.backend` calls it on first use.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from flext.core.context import Context
    from flext.core.contract import Backend

KINDS = ("local", "http", "flexcore", "airflow")


def kind_of(settings: Mapping[str, Any] | None) -> str:
    """The backend a profile's effective settings ask for."""
    if not settings:
        return "local"
    kind = str(settings.get("backend") or "local")
    if kind == "local" and settings.get("api_url"):
        return "http"
    return kind


def select(ctx: Context) -> Backend:
    """Build the backend for `ctx`'s profile (called once per Context)."""
    kind = kind_of(ctx.settings if ctx.has_config else None)
    if kind == "http":
        from flext.backend.http import HttpBackend

        return HttpBackend(ctx)
    if kind == "flexcore":
        from flext.backend.flexcore import FlexCoreBackend

        return FlexCoreBackend(ctx)
    if kind == "airflow":
        from flext.backend.airflow import AirflowBackend

        return AirflowBackend(ctx)
    from flext.backend.local import LocalBackend

    return LocalBackend(ctx)


__all__ = ["KINDS", "kind_of", "select"]
