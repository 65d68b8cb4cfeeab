"""Live values for completion: the names that exist right now (profiles, secrets, pipelines...).

Shared by shell completion (`flext __complete`) and the REPL completer. A *kind* is the
`completer` name of an `Arg`/`Opt` in the command tree; `COMPLETERS` maps it to a
`"module:function"` called as `function(scope)` with a `flext.core.paths.Scope` (the
environment, the directory, and the profile chosen for the line or the session). The function returns the names
(`list[str]`), or `(name, description)` pairs / a `{name: description}` dict when it
has something useful to show beside each name.

Contract, because completion runs on every TAB press:
- stdlib only here; a source module may import what it needs, but lazily and cheaply;
- never raise: a missing module, a broken file or a bug in a source yields no names;
- read local files only (no network, no keyring).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from flext.core.paths import Scope

    Source = Callable[[Scope], object]

COMPLETERS: dict[str, str] = {
    "profiles": "flext.router.live:profiles",
    "aliases": "flext.router.live:aliases",
    "secrets": "flext.router.live:secrets",
    "config_keys": "flext.router.live:config_keys",
    "commands": "flext.router.live:commands",
    # implemented by the engine, services and plugins (a missing module yields [])
    "pipelines": "flext.backend.names:pipelines",
    "runs": "flext.backend.names:runs",
    "taps": "flext.backend.names:taps",
    "targets": "flext.backend.names:targets",
    "dbt_projects": "flext.backend.names:dbt_projects",
    "services": "flext.backend.names:services",
    "plugins": "flext.backend.names:plugins",
    "log_sources": "flext.backend.names:log_sources",
}

# The dotted keys a profile accepts; equal to flext.core.schema.setting_keys() (a test
# checks it), kept here so completion never imports msgspec.
CONFIG_KEYS: tuple[str, ...] = (
    "output", "color", "editor", "api_url", "backend", "timeout", "retries", "workspace",
    "danger", "inherit", "description", "username", "history.enabled", "history.scope",
    "repl.edit_mode", "repl.auto_suggest", "repl.prompt", "meltano.executable", "meltano.project_dir",
    "meltano.schedules", "dbt.executable", "plugins.index_url", "plugins.installer", "alerts.interval",
    "alerts.repeat", "alerts.retries", "disk.warn_percent", "gruponos", "algar",
)


def register(kind: str, target: str) -> None:
    """Add or replace the source of a kind (`"package.module:function"`), e.g. from a plugin."""
    COMPLETERS[kind] = target


# Kinds the engine owns: on a profile that talks to a server, the server's names answer
# (a remote profile never answers from this machine's files). Resolved as data, like
# COMPLETERS: the router never imports the backends.
ENGINE_KINDS = frozenset({"pipelines", "runs", "services", "log_sources"})
REMOTE_NAMES = "flext.backend.names:remote"


def entries(kind: str, scope: Scope) -> list[tuple[str, str]]:
    """(name, description) pairs of `kind`, de-duplicated in source order; [] on any failure."""
    target = COMPLETERS.get(kind)
    if not target:
        return []
    try:
        import importlib

        if kind in ENGINE_KINDS and _remote(scope):
            module_name, _, func_name = REMOTE_NAMES.partition(":")
            return _normalise(getattr(importlib.import_module(module_name), func_name)(kind, scope))
        module_name, _, func_name = target.partition(":")
        source: Source = getattr(importlib.import_module(module_name), func_name)
        raw = source(scope)
        return _normalise(raw)
    except Exception:  # a broken source must never break completion
        return []


def _remote(scope: Scope) -> bool:
    """Does the scope's profile talk to a server (api_url, or a backend other than local)?
    Read from config.toml's cache and the environment, without validating (no msgspec)."""
    from flext.core.config import DEFAULT_PROFILE, inherit_chain

    env = scope.env
    if env.get("FLEXT_API_URL") or env.get("FLEXT_BACKEND", "local") != "local":
        return True
    if not os.path.exists(scope.paths.config_file):
        return False
    data = _config_data(env)
    profiles = data.get("profiles")
    profiles = profiles if isinstance(profiles, dict) else {}
    current = scope.profile or env.get("FLEXT_PROFILE") or data.get("current_profile") or DEFAULT_PROFILE
    order, _ = inherit_chain(profiles, str(current))
    tables = [data.get("defaults"), *(profiles.get(name) for name in reversed(order))]
    merged: dict[str, object] = {}
    for table in tables:
        if isinstance(table, dict):
            merged.update(table)
    return bool(merged.get("api_url")) or str(merged.get("backend") or "local") != "local"


def names(kind: str, scope: Scope) -> list[str]:
    """The names of `kind` that exist now; [] when the kind is unknown or its source fails."""
    return [name for name, _ in entries(kind, scope)]


def _normalise(raw: object) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    if isinstance(raw, dict):
        pairs: list[object] = list(raw.items())
    elif isinstance(raw, (list, tuple)):
        pairs = list(raw)
    else:
        return []
    seen: set[str] = set()
    for item in pairs:
        if isinstance(item, str):
            name, desc = item, ""
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, desc = item[0], "" if item[1] is None else str(item[1])
        else:
            continue
        if name and name not in seen:
            seen.add(name)
            items.append((name, desc))
    return items


# -- the sources flext itself owns ------------------------------------------------


def _config_data(env: Mapping[str, str]) -> dict[str, object]:
    """config.toml as parsed, from the marshal cache when it is current (no tomllib then)."""
    from flext.core.config import Config
    from flext.core.paths import Paths

    plain = env if isinstance(env, dict) else dict(env)
    return Config(Paths(plain), plain).data


def profiles(scope: Scope) -> list[tuple[str, str]]:
    """`default` plus every [profiles.NAME], described by their own `description`."""
    from flext.core.config import DEFAULT_PROFILE

    data = _config_data(scope.env)
    table = data.get("profiles")
    found: list[tuple[str, str]] = [(DEFAULT_PROFILE, "")]
    if isinstance(table, dict):
        for name, body in table.items():
            desc = body.get("description") if isinstance(body, dict) else None
            found.append((str(name), desc if isinstance(desc, str) else ""))
    if isinstance(table, dict) and isinstance(table.get(DEFAULT_PROFILE), dict):
        found = found[1:]
    return found


def aliases(scope: Scope) -> list[tuple[str, str]]:
    """User aliases from [aliases], described by their expansion."""
    table = _config_data(scope.env).get("aliases")
    if not isinstance(table, dict):
        return []
    return [(str(k), v) for k, v in table.items() if isinstance(v, str)]


def secrets(scope: Scope) -> list[tuple[str, str]]:
    """Secret names the current profile can read (its own, inherited, then `default`).

    From the index file (flext.core._secret_index), never the keyring, never values.
    The current profile is the scope's (a typed `-p`, the shell's `use profile`), else
    FLEXT_PROFILE, else `current_profile` from config.toml, else `default`.
    """
    path = scope.paths.secret_index
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        return []
    import json

    try:
        doc = json.loads(raw)
    except ValueError:
        return []
    table = doc.get("profiles") if isinstance(doc, dict) else None
    if not isinstance(table, dict):
        return []
    found: list[tuple[str, str]] = []
    for profile in _readable_profiles(scope, table):
        held = table.get(profile)
        if isinstance(held, dict):
            found.extend((str(name), f"secret of profile {profile}") for name in held)
    return found


def _readable_profiles(scope: Scope, table: dict[str, object]) -> list[str]:
    """The current profile, the ones it inherits from, then `default` (as secret reads look)."""
    from flext.core.config import DEFAULT_PROFILE, inherit_chain

    data: dict[str, object] = {}
    if table.keys() - {DEFAULT_PROFILE}:  # only then does the chain matter
        try:
            data = _config_data(scope.env)
        except Exception:
            data = {}
    current = scope.profile or scope.env.get("FLEXT_PROFILE") or data.get("current_profile") or DEFAULT_PROFILE
    profiles = data.get("profiles")
    order, _ = inherit_chain(profiles if isinstance(profiles, dict) else {}, str(current))
    return [*order, DEFAULT_PROFILE]


def config_keys(scope: Scope) -> list[str]:
    return list(CONFIG_KEYS)


def commands(scope: Scope) -> list[tuple[str, str]]:
    """Every runnable command path (`pipeline start`), with its summary."""
    from flext.router.spec import tree

    return [
        (node.command, node.summary)
        for node in tree().walk()
        if node.parent is not None and node.runnable and not _hidden(node)
    ]


def _hidden(node: object) -> bool:
    while node is not None:
        if getattr(node, "hidden", False):
            return True
        node = getattr(node, "parent", None)
    return False


__all__ = ["COMPLETERS", "CONFIG_KEYS", "entries", "names", "register"]
