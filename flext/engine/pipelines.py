"""Pipeline definitions in flext.toml: validate, create, replace, edit, delete.

Validation is complete before anything is written, and errors name the key (exit 5),
an unknown tap or target is exit 6 with a did-you-mean, and an existing name is exit 7
unless replacing. Writes edit flext.toml in place (comments kept) and atomically.
"""

from __future__ import annotations

import os
import shutil

from flext.core.errors import ConfigError, Conflict, NotFound, UsageError

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
    raise NotFound(f"pipeline {name!r} does not exist in {ws.describe()}",
                   hint=f"did you mean {guess!r}?" if guess else ws.elsewhere_hint() or
                   "see `flext pipeline list`, or create it with `flext pipeline create NAME --tap TAP --target TARGET`")


def check_fields(spec: dict[str, Any], *, cron: bool = True) -> dict[str, Any]:
    """The structure and types of one pipeline (`spec` holds `name`): a normalised copy, or
    `wsschema.Problem` naming the key. Nothing here looks at plugins or files, so reading
    flext.toml can check every pipeline cheaply; `validate` adds those checks. Without
    `cron` a schedule need only be text: reading the file leaves the expression to the
    scheduler, which skips (and logs once) one bad schedule while the others keep firing."""
    from flext.engine.wsschema import Problem, shown, unknown

    raw_name = str(spec.get("name") or "")
    try:
        name = check_name(raw_name)
    except ConfigError as exc:
        raise Problem(["pipelines", raw_name], exc.message, exc.hint) from None
    base = ["pipelines", name]
    for key in spec:
        if key not in (*KEYS, "name"):
            raise unknown([*base, key], KEYS)
    out: dict[str, Any] = {"name": name}
    for role in ("tap", "target"):
        value = spec.get(role)
        if value is None or value == "":
            raise Problem([*base, role], f"required (a {role} name from `flext data {role}s list`)")
        if not isinstance(value, str):
            raise Problem([*base, role], f"must be a {role} name (text), got {shown(value)}",
                          f"for example {role} = \"{role}-jsonl\"")
        out[role] = value
    if spec.get("transform") not in (None, ""):
        if not isinstance(spec["transform"], str):
            raise Problem([*base, "transform"], "must be a path to a dbt project")
        out["transform"] = spec["transform"]
    if spec.get("schedule") not in (None, ""):
        from flext.engine.cron import CronError, parse

        if not isinstance(spec["schedule"], str):
            raise Problem([*base, "schedule"], f"must be a cron expression (text), got {shown(spec['schedule'])}",
                          "cron has 5 fields, e.g. '0 * * * *' (hourly) or '@daily'")
        try:
            if cron:
                parse(str(spec["schedule"]))
        except CronError as exc:
            raise Problem([*base, "schedule"], str(exc),
                          "cron has 5 fields, e.g. '0 * * * *' (hourly) or '@daily'") from None
        out["schedule"] = str(spec["schedule"])
    select = spec.get("select")
    if select not in (None, [], ""):
        if isinstance(select, str):
            select = [s for s in select.replace(",", " ").split() if s]
        if not isinstance(select, list) or not all(isinstance(s, str) and s for s in select):
            raise Problem([*base, "select"], "must be a list of stream names")
        out["select"] = list(select)
    if spec.get("retries") not in (None, ""):
        retries = spec["retries"]
        if isinstance(retries, str) and retries.isdigit():
            retries = int(retries)
        if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= 100:
            raise Problem([*base, "retries"], "must be a whole number from 0 to 100")
        out["retries"] = retries
    for key in ("retry_backoff", "timeout"):
        if spec.get(key) not in (None, ""):
            try:
                seconds(spec[key], key)
            except ConfigError as exc:
                raise Problem([*base, key], exc.message.split(": ", 1)[-1], exc.hint) from None
            out[key] = spec[key]
    for role in ("tap", "target"):
        inline = spec.get(f"{role}_config")
        if inline not in (None, {}):
            if not isinstance(inline, dict):
                raise Problem([*base, f"{role}_config"], "must be a table of settings")
            out[f"{role}_config"] = inline
        ref = spec.get(f"{role}_config_file")
        if ref not in (None, ""):
            if not isinstance(ref, str):
                raise Problem([*base, f"{role}_config_file"], f"must be a path (text), got {shown(ref)}")
            out[f"{role}_config_file"] = ref
    if spec.get("description"):
        out["description"] = str(spec["description"])
    if spec.get("paused") not in (None, False):
        if spec["paused"] is not True:
            raise Problem([*base, "paused"], "must be true or false")
        out["paused"] = True
    return out


def validate(ws: Workspace, spec: dict[str, Any], where: str = "", path: str | None = None) -> dict[str, Any]:
    """A normalised copy of `spec` (must hold `name`), or ConfigError/NotFound naming the key."""
    from flext.engine.wsschema import Problem

    prefix = f"{where}: " if where else ""
    if spec.get("name") is not None and not isinstance(spec["name"], str):  # NaN from JSON would become "nan"
        raise ConfigError(f"{prefix}name: must be a string, got {type(spec['name']).__name__}")
    check_name(str(spec.get("name") or ""))
    try:
        out = check_fields(spec)
    except Problem as exc:
        raise ConfigError(f"{prefix}{exc.key}: {exc.message}", hint=exc.hint) from None
    key_prefix = f"{prefix}pipelines.{out['name']}"
    for role in ("tap", "target"):
        check_plugin(ws, out[role], role, path, key=f"{key_prefix}.{role}")
    if out.get("transform"):
        from flext.engine.dbt import project_dir

        project_dir(ws, out["transform"])
    for role in ("tap", "target"):
        ref = out.get(f"{role}_config_file")
        if ref:
            resolved = ws.resolve(ref)
            if not os.path.isfile(resolved):
                raise ConfigError(f"{key_prefix}.{role}_config_file: {resolved} does not exist")
            out[f"{role}_config_file"] = relative(ws, ref)
    return out


def relative(ws: Workspace, path: str) -> str:
    """A path as flext.toml keeps it: relative to the workspace when it lies inside it (the
    workspace can move or be committed to git), absolute when it lies outside."""
    expanded = os.path.expanduser(path)
    if not os.path.isabs(expanded):
        return os.path.normpath(path)
    inside = os.path.relpath(os.path.normpath(expanded), ws.root)
    return expanded if inside == os.pardir or inside.startswith(os.pardir + os.sep) else inside


def set_paused(ws: Workspace, name: str, paused: bool) -> dict[str, Any]:
    """Pause or resume a pipeline's schedule (`paused = true` in its table), one locked write."""
    from flext.core import tomlfile

    spec = get(ws, name)
    if not spec.get("schedule"):
        raise ConfigError(f"pipeline {name!r} has no schedule to {'pause' if paused else 'resume'}",
                          hint=f"give it one: flext pipeline edit {name} --schedule CRON")

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


def check_plugin(ws: Workspace, name: str, kind: str, path: str | None = None, key: str = "") -> None:
    """Known to the catalog, installed, or on PATH; else exit 6 with a guess. `key` names
    where the name was given (`pipelines.p.tap`), for a name of the wrong kind."""
    from flext.engine import plugins
    from flext.engine.catalog import merged

    table = merged(ws.plugin_overrides)
    entry = table.get(name)
    if entry is not None:
        if entry["kind"] != kind:
            raise ConfigError((f"{key}: " if key else "") + f"{name!r} is a {entry['kind']}, not a {kind}")
        return
    if plugins.read_manifest(ws, name) is not None or shutil.which(name, path=path):
        return
    from flext.core.suggest import closest

    pool = [n for n, e in table.items() if e["kind"] == kind] + [m["name"] for m in plugins.installed(ws)]
    guess = closest(name, pool)
    raise NotFound(f"unknown {kind} {name!r}: not in the catalog, not installed in {ws.describe()}, not on PATH",
                   hint=f"did you mean {guess!r}?" if guess else f"see `flext data {kind}s list`")


def write(ws: Workspace, specs: list[dict[str, Any]], *, replace: bool = False) -> None:
    """Add (or replace) pipelines in flext.toml in one locked, atomic write: concurrent
    writers (40 parallel PUTs to flext serve) each keep their pipeline."""
    from flext.core import tomlfile

    def change(doc: Any) -> None:
        existing = doc.get("pipelines") or {}
        for spec in specs:
            if spec["name"] in existing and not replace:
                raise Conflict(f"pipeline {spec['name']!r} already exists",
                               hint=f"change it with `flext pipeline edit {spec['name']} ...`, or pass --replace")
        for spec in specs:
            tomlfile.replace_table(doc, ["pipelines", spec["name"]], {k: spec[k] for k in KEYS if k in spec})

    ws.edit(change)
    _refresh(ws)


# what `edit` may remove: everything but the name, the tap and the target
UNSETTABLE = tuple(k for k in KEYS if k not in ("tap", "target"))


def edit(ws: Workspace, name: str, changes: dict[str, Any], unset: list[str] | tuple[str, ...] = (),
         path: str | None = None) -> dict[str, Any]:
    """Change some keys of pipeline `name` and remove others, leaving the rest of its table
    (inline settings, comments) as it is: one locked write of the table read under the lock,
    so an edit made a moment ago by another writer is kept. The result is validated in full
    first (a ConfigError or NotFound names the key; nothing is written). Removing the
    schedule removes `paused` with it."""
    from flext.core import tomlfile

    bad = sorted(k for k in changes if k not in KEYS or k == "name") + sorted(k for k in unset if k not in UNSETTABLE)
    if bad:
        raise UsageError(f"cannot change {bad[0]!r} of a pipeline",
                         hint=f"changeable: {', '.join(KEYS)}; removable: {', '.join(UNSETTABLE)}")
    both = sorted(set(changes) & set(unset))
    if both:
        raise UsageError(f"{both[0]!r} is both set and removed", hint="give one of the two")
    if not changes and not unset:
        raise UsageError(f"nothing to change in pipeline {name!r}",
                         hint="name what to change, e.g. flext pipeline edit NAME --schedule @daily")
    drop = set(unset) | ({"paused"} if "schedule" in unset else set())
    done: dict[str, Any] = {}

    def change(doc: Any) -> None:
        table = (doc.get("pipelines") or {}).get(name)
        if table is None:
            get(ws, name)  # NotFound with the closest names (gone meanwhile, or never there)
            raise NotFound(f"pipeline {name!r} does not exist in {ws.describe()}")
        current = table.unwrap() if hasattr(table, "unwrap") else dict(table)
        spec = {"name": name, **{k: v for k, v in current.items() if k not in drop}, **changes}
        valid = validate(ws, spec, path=path)
        for key in sorted(drop):
            tomlfile.unset_value(doc, ["pipelines", name], key)
        for key in changes:
            if key in valid:
                tomlfile.set_value(doc, ["pipelines", name], key, valid[key])
            else:  # normalised away (an empty selection): not set at all
                tomlfile.unset_value(doc, ["pipelines", name], key)
        done.clear()
        done.update(valid)

    ws.edit(change)
    _refresh(ws)
    return done


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


__all__ = ["KEYS", "UNSETTABLE", "check_name", "check_plugin", "delete", "edit", "get", "load_declarations", "seconds",
           "set_paused", "validate", "write"]
