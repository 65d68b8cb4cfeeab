"""Pipeline definitions in flext.toml: validate, create, replace, delete.

Validation is complete before anything is written, and errors name the key (exit 5),
an unknown tap or target is exit 6 with a did-you-mean, and an existing name is exit 7
unless replacing. Writes edit flext.toml in place (comments kept) and atomically.
"""

from __future__ import annotations

import os
import shutil

from flext.core.errors import ConfigError, Conflict, NotFound

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.engine.workspace import Workspace

KEYS = ("tap", "target", "transform", "schedule", "select", "retries", "retry_backoff", "timeout",
        "tap_config", "target_config", "tap_config_file", "target_config_file", "description", "paused")
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


def check_name(name: str) -> str:
    if not name or not set(name) <= _NAME_CHARS or name[0] in ".-":
        raise ConfigError(f"invalid pipeline name {name!r}",
                          hint="use letters, digits, '-', '_' and '.', starting with a letter or digit")
    return name


def get(ws: Workspace, name: str) -> dict[str, Any]:
    """The spec of pipeline `name` or NotFound (exit 6) with a did-you-mean."""
    table = ws.pipelines if ws.exists else {}
    if name in table:
        return {"name": name, **table[name]}
    from flext.core.suggest import closest

    guess = closest(name, list(table))
    raise NotFound(f"pipeline {name!r} does not exist",
                   hint=f"did you mean {guess!r}?" if guess else
                   "see `flext pipeline list`, or create it with `flext pipeline create`")


def validate(ws: Workspace, spec: dict[str, Any], where: str = "", path: str | None = None) -> dict[str, Any]:
    """A normalised copy of `spec` (must hold `name`), or ConfigError/NotFound naming the key."""
    prefix = f"{where}: " if where else ""
    if spec.get("name") is not None and not isinstance(spec["name"], str):  # NaN from JSON would become "nan"
        raise ConfigError(f"{prefix}name: must be a string, got {type(spec['name']).__name__}")
    name = check_name(str(spec.get("name") or ""))
    key_prefix = f"{prefix}pipelines.{name}"
    unknown = [k for k in spec if k not in (*KEYS, "name")]
    if unknown:
        from flext.core.suggest import closest

        guess = closest(unknown[0], list(KEYS))
        raise ConfigError(f"{key_prefix}.{unknown[0]}: unknown key",
                          hint=f"did you mean {guess!r}?" if guess else f"known keys: {', '.join(KEYS)}")
    out: dict[str, Any] = {"name": name}
    for role in ("tap", "target"):
        value = spec.get(role)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{key_prefix}.{role}: required (a {role} name from `flext data {role}s list`)")
        check_plugin(ws, value, role, path)
        out[role] = value
    if spec.get("transform") not in (None, ""):
        if not isinstance(spec["transform"], str):
            raise ConfigError(f"{key_prefix}.transform: must be a path to a dbt project")
        from flext.engine.dbt import project_dir

        project_dir(ws, spec["transform"])
        out["transform"] = spec["transform"]
    if spec.get("schedule") not in (None, ""):
        from flext.engine.cron import CronError, parse

        try:
            parse(str(spec["schedule"]))
        except CronError as exc:
            raise ConfigError(f"{key_prefix}.schedule: {exc}",
                              hint="cron has 5 fields, e.g. '0 * * * *' (hourly) or '@daily'") from None
        out["schedule"] = str(spec["schedule"])
    select = spec.get("select")
    if select not in (None, [], ""):
        if isinstance(select, str):
            select = [s for s in select.replace(",", " ").split() if s]
        if not isinstance(select, list) or not all(isinstance(s, str) and s for s in select):
            raise ConfigError(f"{key_prefix}.select: must be a list of stream names")
        out["select"] = list(select)
    if spec.get("retries") not in (None, ""):
        retries = spec["retries"]
        if isinstance(retries, str) and retries.isdigit():
            retries = int(retries)
        if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= 100:
            raise ConfigError(f"{key_prefix}.retries: must be a whole number from 0 to 100")
        out["retries"] = retries
    for key in ("retry_backoff", "timeout"):
        if spec.get(key) not in (None, ""):
            seconds(spec[key], f"{key_prefix}.{key}")
            out[key] = spec[key]
    for role in ("tap", "target"):
        inline = spec.get(f"{role}_config")
        if inline not in (None, {}):
            if not isinstance(inline, dict):
                raise ConfigError(f"{key_prefix}.{role}_config: must be a table of settings")
            out[f"{role}_config"] = inline
        ref = spec.get(f"{role}_config_file")
        if ref not in (None, ""):
            path = ws.resolve(str(ref))
            if not os.path.isfile(path):
                raise ConfigError(f"{key_prefix}.{role}_config_file: {path} does not exist")
            out[f"{role}_config_file"] = str(ref)
    if spec.get("description"):
        out["description"] = str(spec["description"])
    if spec.get("paused") not in (None, False):
        if spec["paused"] is not True:
            raise ConfigError(f"{key_prefix}.paused: must be true or false")
        out["paused"] = True
    return out


def set_paused(ws: Workspace, name: str, paused: bool) -> dict[str, Any]:
    """Pause or resume a pipeline's schedule (`paused = true` in its table), one locked write."""
    from flext.core import tomlfile

    spec = get(ws, name)
    if not spec.get("schedule"):
        raise ConfigError(f"pipeline {name!r} has no schedule to {'pause' if paused else 'resume'}",
                          hint=f"give it one: flext pipeline create {name} --schedule CRON --replace ...")

    def change(doc: Any) -> None:
        if paused:
            tomlfile.set_value(doc, ["pipelines", name], "paused", True)
        else:
            tomlfile.unset_value(doc, ["pipelines", name], "paused")

    ws.edit(change)
    return {"name": name, "schedule": spec.get("schedule"), "paused": paused}


def seconds(value: Any, key: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0:
            raise ConfigError(f"{key}: must not be negative")
        return float(value)
    from flext.core.durations import parse_duration

    try:
        return parse_duration(str(value))
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}", hint="durations look like 30s, 10m, 1h or 1h30m") from None


def check_plugin(ws: Workspace, name: str, kind: str, path: str | None = None) -> None:
    """Known to the catalog, installed, or on PATH; else exit 6 with a guess."""
    from flext.engine import plugins
    from flext.engine.catalog import merged

    table = merged(ws.plugin_overrides)
    entry = table.get(name)
    if entry is not None:
        if entry["kind"] != kind:
            raise ConfigError(f"{name!r} is a {entry['kind']}, not a {kind}")
        return
    if plugins.read_manifest(ws, name) is not None or shutil.which(name, path=path):
        return
    from flext.core.suggest import closest

    pool = [n for n, e in table.items() if e["kind"] == kind] + [m["name"] for m in plugins.installed(ws)]
    guess = closest(name, pool)
    raise NotFound(f"unknown {kind} {name!r}: not in the catalog, not installed, not on PATH",
                   hint=f"did you mean {guess!r}?" if guess else f"see `flext data {kind}s list`")


def write(ws: Workspace, specs: list[dict[str, Any]], *, replace: bool = False) -> None:
    """Add (or replace) pipelines in flext.toml in one locked, atomic write: concurrent
    writers (40 parallel PUTs to flext serve) each keep their pipeline."""
    from flext.core import tomlfile

    def change(doc: Any) -> None:
        existing = doc.get("pipelines") or {}
        for spec in specs:
            if spec["name"] in existing and not replace:
                raise Conflict(f"pipeline {spec['name']!r} already exists", hint="delete it first, or pass --replace")
        for spec in specs:
            tomlfile.replace_table(doc, ["pipelines", spec["name"]], {k: spec[k] for k in KEYS if k in spec})

    ws.edit(change)
    _refresh(ws)


def delete(ws: Workspace, name: str) -> None:
    from flext.core import tomlfile

    def change(doc: Any) -> None:
        if not tomlfile.remove_table(doc, ["pipelines", name]):
            get(ws, name)  # gone meanwhile: NotFound with the closest names

    ws.edit(change)
    _refresh(ws)


def _refresh(ws: Workspace) -> None:
    from flext.engine import index

    index.refresh(ws)


def load_declarations(path: str) -> list[dict[str, Any]]:
    """Pipelines declared in a TOML or JSON file: one spec, a list, or a `pipelines` table."""
    from flext.engine.settings import load_any

    if path.endswith((".toml", ".json")):
        data: Any = load_any(path, "pipeline file")
    else:
        raise ConfigError(f"{path}: use a .toml or .json file")
    if isinstance(data, dict) and isinstance(data.get("pipelines"), (dict, list)):
        data = data["pipelines"]
    elif isinstance(data, dict) and "name" in data:
        data = [data]
    if isinstance(data, dict):
        specs = []
        for name, body in data.items():
            if not isinstance(body, dict):
                raise ConfigError(f"{path}: pipelines.{name} must be a table")
            specs.append({"name": name, **body})
        data = specs
    if not isinstance(data, list) or not data or not all(isinstance(s, dict) for s in data):
        raise ConfigError(f"{path}: no pipelines found",
                          hint="declare [pipelines.NAME] tables (TOML) or {\"pipelines\": {...}} (JSON)")
    for index, spec in enumerate(data):
        if not isinstance(spec.get("name"), str):  # JSON NaN, TOML nan, a number: never a pipeline "nan"
            raise ConfigError(f"pipelines[{index}].name: must be a string, got {type(spec.get('name')).__name__}",
                              hint=f"in {path}: quote it, e.g. \"name\": \"orders\"")
    return data


__all__ = ["KEYS", "check_name", "check_plugin", "delete", "get", "load_declarations", "seconds", "set_paused", "validate",
           "write"]
