"""Completion source: installed plugin names with their descriptions (stdlib only).

Registered as the `plugins` kind in `flext.router.live`; reads the cached start-up
index, so a TAB press never imports plugin code or parses TOML when nothing changed.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.paths import Scope


def plugins(scope: Scope) -> dict[str, str]:
    from flext.plugins.index import load

    data = load(scope.paths)
    return {name: str(info.get("description") or "") for name, info in sorted(data["plugins"].items())}


__all__ = ["plugins"]
