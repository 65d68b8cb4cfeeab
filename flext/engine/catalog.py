"""The bundled catalog of taps, targets, mappers and dbt (catalog.json beside this file).

Each entry: name, kind (tap|target|mapper|transformer), pip_url (one or more pip
requirements separated by spaces, Meltano-style), executable, description,
required_settings, source (pypi|git). A workspace may override or add entries with
`[plugins.NAME]` in flext.toml.
"""

from __future__ import annotations

import os

from flext.core.errors import NotFound

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

KINDS = ("tap", "target", "mapper", "transformer")
_CACHE: list[dict[str, Any]] | None = None


def entries() -> list[dict[str, Any]]:
    """Every bundled entry, in catalog order (read once per process)."""
    global _CACHE
    if _CACHE is None:
        import json

        _CACHE = json.loads(_read_data("catalog.json"))["plugins"]
    return [dict(e) for e in _CACHE]


def _read_data(name: str) -> str:
    """A data file of this package; works from a checkout and from the zipapp."""
    path = os.path.join(os.path.dirname(__file__), name)
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        import importlib.resources

        return importlib.resources.files("flext.engine").joinpath(name).read_text(encoding="utf-8")


def kind_of(name: str) -> str | None:
    """Guess a kind from a name: tap-*, target-*, flext-tap-*, flext-target-*."""
    base = name[6:] if name.startswith("flext-") else name
    if base.startswith("tap-"):
        return "tap"
    if base.startswith("target-"):
        return "target"
    return None


def merged(overrides: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Catalog entries by name, with workspace `[plugins.NAME]` tables laid over them."""
    found = {e["name"]: e for e in entries()}
    for name, extra in (overrides or {}).items():
        base = found.get(name, {"name": name, "kind": extra.get("kind") or kind_of(name) or "tap",
                                "executable": name, "description": "", "required_settings": [],
                                "source": "workspace", "pip_url": None})
        entry = dict(base)
        entry.update({k: v for k, v in extra.items() if k in ("pip_url", "executable", "kind", "description")})
        if name not in found:
            entry["source"] = "workspace"
        found[name] = entry
    return found


def lookup(name: str, kind: str | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The entry for `name` (of `kind` when given), or NotFound (exit 6) with a guess."""
    table = merged(overrides)
    entry = table.get(name)
    if entry is not None and (kind is None or entry["kind"] == kind):
        return entry
    if entry is not None:
        raise NotFound(f"unknown {kind} {name!r}", hint=f"{name!r} is a {entry['kind']}, not a {kind}")
    from flext.core.suggest import closest

    pool = [n for n, e in table.items() if kind is None or e["kind"] == kind]
    guess = closest(name, pool)
    what = kind or "plugin"
    hint = f"did you mean {guess!r}?" if guess else f"see `flext data {what}s list`" if kind in ("tap", "target") else None
    if guess is None and kind in ("tap", "target"):
        hint = f"see `flext data {kind}s list`, or pass --pip-url SPEC to install any package"
    raise NotFound(f"unknown {what} {name!r}", hint=hint)


def split_pip_url(pip_url: str) -> list[str]:
    """`"a==1 b<2"` -> ["a==1", "b<2"] (Meltano's space-separated form)."""
    import shlex

    return shlex.split(pip_url)


__all__ = ["KINDS", "entries", "kind_of", "lookup", "merged", "split_pip_url"]
