"""`flext config import FILE`: an upstream flext-cli `~/.flext/config.yaml` into profiles.

The upstream file is either flat settings of one profile (`profile: staging`,
`api_url: ...`, `output_format: json`, `timeout: 30`) or `profiles:` of them (with
`defaults:` and `current_profile:` beside). Known keys are mapped to flext's settings and
checked like `config set` does; values that look secret (tokens, passwords) are never
copied into config.toml (the result says to store them with `flext secret set`); keys
flext has no use for are listed as skipped, never dropped silently. Everything is
written in one locked edit of config.toml, or nothing is.
"""

from __future__ import annotations

import os

from flext.core.errors import ConfigError, Conflict, NotFound
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Args, Context

# upstream key -> flext setting
KEYS = {
    "api_url": "api_url", "base_url": "api_url", "server": "api_url", "flext_api_url": "api_url",
    "output": "output", "output_format": "output", "format": "output",
    "timeout": "timeout", "api_timeout": "timeout", "request_timeout": "timeout",
    "retries": "retries", "max_retries": "retries", "retry_count": "retries",
    "username": "username", "user": "username",
    "color": "color", "description": "description", "editor": "editor", "backend": "backend",
}
SECRET_WORDS = ("token", "password", "passwd", "secret", "api_key", "apikey", "credential", "private_key")
# keys of the upstream file that are about the file itself, not settings
META = ("profile", "current_profile", "default_profile", "active_profile", "profiles", "defaults", "version")


def import_(ctx: Context, args: Args) -> Result:
    path = os.path.abspath(os.path.expanduser(args.file))
    doc, text = _load(path)
    profiles, current = _profiles(doc, args.get("as_"), path, text)
    from flext.core import schema
    from flext.core.config import check_profile_name

    rows: list[dict[str, Any]] = []
    plan: dict[str, dict[str, Any]] = {}
    nested = isinstance(doc.get("profiles"), dict)
    for name, body in profiles.items():
        base: list[str] = ([] if not nested else ["defaults"] if name == "default" and "default" not in doc["profiles"]
                           else ["profiles", name])
        try:
            check_profile_name(name)
        except Exception:
            raise ConfigError(f"{_where(path, text, *base)}: profile name {name!r} is not usable",
                              hint="use letters, digits, '-' and '_'") from None
        values: dict[str, Any] = {}
        for key, value in body.items():
            lowered = str(key).lower()
            target = KEYS.get(lowered)
            if any(word in lowered for word in SECRET_WORDS):
                rows.append({"profile": name, "key": key, "setting": None,
                             "action": f"skipped: a secret; store it with `flext -p {name} secret set {lowered}`"})
                continue
            if target is None:
                rows.append({"profile": name, "key": key, "setting": None, "action": "skipped: no such setting in flext"})
                continue
            if lowered in ("output_format", "format", "output") and isinstance(value, str):
                value = value.lower()
            try:
                coerced = schema.coerce(target, str(value).lower() if isinstance(value, bool) else str(value))
            except ValueError as exc:
                raise ConfigError(f"{_where(path, text, *base, key)}: {'.'.join([*base, str(key)])}: {exc}",
                                  hint="fix the value in the file, or leave the key out; nothing was written") from None
            values[target] = coerced
            rows.append({"profile": name, "key": key, "setting": target, "action": "imported"})
        if values.get("api_url") and "backend" not in values:
            values["backend"] = "http"
        plan[name] = values
    cfg = ctx.config
    existing = [n for n in plan if n != "default" and n in cfg.profiles]
    if existing and not args.get("replace"):
        raise Conflict(f"profile {existing[0]!r} already exists in {cfg.path}",
                       hint="pass --replace to overwrite the settings the file sets (others are kept)")

    def change(document: Any) -> None:
        from flext.core import tomlfile

        for name, values in plan.items():
            table = ["defaults"] if name == "default" else ["profiles", name]
            if not values and name != "default":
                tomlfile.set_value(document, table, "description", f"imported from {os.path.basename(path)}")
            for key, value in values.items():
                tomlfile.set_value(document, table, key, value)
        if current and current in plan and args.get("use"):
            tomlfile.set_value(document, [], "current_profile", current)

    cfg.edit(change)
    ctx.reload_config()
    message = f"✓ imported {len(plan)} profile(s) from {path}: {', '.join(plan)}"
    if current and not args.get("use"):
        message += f"\n  the file's current profile was {current!r}: `flext profile use {current}` to switch"
    return Result(rows, columns=["profile", "key", "setting", "action"], message=message)


def _load(path: str) -> tuple[dict[str, Any], str]:
    """(the parsed file, its text for line numbers); errors name the file and the line."""
    from flext.core import yamlfile

    try:
        data = yamlfile.load(path, hint="fix the file; nothing was written", missing=NotFound)
    except NotFound as exc:
        raise NotFound(exc.message, hint="the upstream flext-cli keeps it at ~/.flext/config.yaml") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings (or `profiles:`), got a {type(data).__name__}",
                          hint="an upstream flext-cli config.yaml holds `key: value` lines")
    with open(path, encoding="utf-8") as fh:
        return data, fh.read()


def _profiles(doc: dict[str, Any], as_name: str | None, path: str, text: str) -> tuple[dict[str, dict[str, Any]], str | None]:
    """{profile name: its upstream settings}, and the file's current profile."""
    current = next((str(doc[k]) for k in ("current_profile", "default_profile", "active_profile") if doc.get(k)), None)
    if isinstance(doc.get("profiles"), dict):
        out: dict[str, dict[str, Any]] = {}
        if isinstance(doc.get("defaults"), dict):
            out["default"] = dict(doc["defaults"])
        for name, body in doc["profiles"].items():
            if not isinstance(body, dict):
                raise ConfigError(f"{_where(path, text, 'profiles', name)}: profiles.{name}: expected a mapping of settings")
            out[str(name)] = {k: v for k, v in body.items() if k != "name"}
        return out, current
    if doc.get("profiles") is not None:
        raise ConfigError(f"{_where(path, text, 'profiles')}: profiles: expected a mapping of profiles")
    name = as_name or (str(doc["profile"]) if doc.get("profile") else "default")
    settings = {k: v for k, v in doc.items() if k not in META and not isinstance(v, dict)}
    nested = [k for k, v in doc.items() if k not in META and isinstance(v, dict)]
    flat = dict(settings)
    for key in nested:  # sections flext has no place for: reported, not dropped silently
        flat[key] = doc[key]
    return {name: flat}, current or (name if doc.get("profile") else None)


def _where(path: str, text: str, *keys: object) -> str:
    """`FILE:LINE` where the key path `keys` is set (from YAML's own marks), else the file."""
    import yaml

    try:
        node: Any = yaml.compose(text)
    except yaml.YAMLError:
        return path
    line = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            break
        for key_node, value_node in node.value:
            if str(key_node.value) == str(key):
                line, node = key_node.start_mark.line + 1, value_node
                break
        else:
            break
    return f"{path}:{line}" if line else path


__all__ = ["import_"]
