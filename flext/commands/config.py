"""`flext config show/get/set/unset/path/edit/validate`."""

from __future__ import annotations

import os

from flext.core.config import DEFAULT_PROFILE, split_key
from flext.core.errors import NotFound, UsageError
from flext.core.output import Result, flatten

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Args, Context

_SECTIONS = ("defaults", "profiles", "aliases", "services", "alerts")


def _origin(ctx: Context, key: str) -> str:
    cfg = ctx.config
    env_var = "FLEXT_" + key.upper().replace(".", "__")
    if key == "output" and ctx.options.get("output"):
        return "flag"
    if env_var in ctx.env and env_var not in ("FLEXT_PROFILE",):
        return f"env {env_var}"
    for link in reversed(cfg.chain(ctx.profile)):
        if _dig(cfg.profiles.get(link, {}), key) is not None:
            return f"profiles.{link}"
    if _dig(cfg.defaults, key) is not None:
        return "defaults"
    return "built-in"


def _dig(data: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def show(ctx: Context, args: Args) -> Result:
    settings = dict(ctx.settings)
    if ctx.options.get("output"):
        settings["output"] = ctx.options["output"]
    flat = flatten(settings)
    if args.reveal_paths:
        rows = [{"key": k, "value": v, "origin": _origin(ctx, k)} for k, v in flat.items() if k != "profile"]
        return Result(rows, columns=["key", "value", "origin"])
    return Result(settings)  # the table, plain and csv formats show it flattened (`repl.edit_mode`)


def get(ctx: Context, args: Args) -> Result:
    parts = split_key(args.key)
    value = ctx.settings
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            raise NotFound(f"setting {args.key!r} is not set for profile {ctx.profile!r}",
                           hint=_key_hint(args.key))
        value = value[part]
    from flext.core.output import cell

    text = cell(value) if not isinstance(value, dict) else "\n".join(f"{k}\t{v}" for k, v in flatten(value).items())
    return Result({"key": args.key, "value": value, "profile": ctx.profile}, text=text)


def _key_hint(key: str) -> str:
    from flext.core import schema
    from flext.core.suggest import closest

    guess = closest(key, schema.setting_keys())
    return f"did you mean {guess!r}?" if guess and guess != key else "see `flext config show` for the keys that are set"


def _target(ctx: Context, key: str) -> tuple[list[str], str, str | None]:
    """(table, leaf key, setting key relative to a profile or None) for `config set/unset KEY`."""
    parts = split_key(key)
    if parts[0] == "defaults" and len(parts) > 1:
        return parts[:-1], parts[-1], ".".join(parts[1:])
    if parts[0] == "profiles" and len(parts) > 2:
        return parts[:-1], parts[-1], ".".join(parts[2:])
    if parts[0] in _SECTIONS and len(parts) > 1:
        return parts[:-1], parts[-1], None
    if parts == ["current_profile"]:
        return [], "current_profile", None
    profile = ctx.options.get("profile")
    if profile and profile != DEFAULT_PROFILE:
        if profile not in ctx.config.profiles:
            raise NotFound(f"profile {profile!r} does not exist", hint=f"create it with `flext profile create {profile}`")
        return ["profiles", str(profile), *parts[:-1]], parts[-1], key
    return ["defaults", *parts[:-1]], parts[-1], key


def set_(ctx: Context, args: Args) -> Result:
    from flext.core import schema

    table, leaf, setting = _target(ctx, args.key)
    raw: str = args.value
    value: Any = raw
    if table[:1] == ["aliases"]:
        raise UsageError("aliases are managed with `flext alias set`", hint=f"flext alias set {leaf} '...'")
    if setting is not None and not raw.startswith("secret:"):
        try:
            value = schema.coerce(setting, raw)
        except KeyError:
            raise UsageError(f"unknown setting {setting!r}", hint=_key_hint(setting)) from None
        except ValueError as exc:  # typed on the command line: a usage error (exit 2), like a bad option value
            raise UsageError(f"{setting} {exc}", hint="nothing was written; see `flext config show` for the current value") from None
    ctx.config.write_value(table, leaf, value)
    where = ".".join(table) or "top level"
    return Result({"key": args.key, "value": value, "table": where}, message=f"✓ set {args.key} in [{where}]")


def unset(ctx: Context, args: Args) -> Result:
    table, leaf, _ = _target(ctx, args.key)
    if not ctx.config.remove_value(table, leaf):
        raise NotFound(f"{args.key!r} is not set in [{'.'.join(table) or 'top level'}]", hint="see `flext config show --reveal-paths`")
    return Result({"key": args.key, "removed": True}, message=f"✓ unset {args.key}")


def path(ctx: Context, args: Args) -> Result:
    return Result({"path": ctx.paths.config_file}, text=ctx.paths.config_file)


def edit(ctx: Context, args: Args) -> Result:
    import shlex
    import subprocess

    if not ctx.can_prompt:
        raise UsageError("`flext config edit` needs a terminal", hint="use `flext config set KEY VALUE` in scripts")
    editor = ctx.env.get("VISUAL") or ctx.env.get("EDITOR") or "vi"
    cfg_path = ctx.paths.config_file
    if not os.path.exists(cfg_path):
        from flext.core.fsutil import atomic_write

        atomic_write(cfg_path, "# flext configuration — see `flext help environment`\n[defaults]\n")
    subprocess.call([*shlex.split(editor), cfg_path])
    ctx.reload_config()
    ctx.config.validate()
    return Result({"path": cfg_path, "valid": True}, message=f"✓ {cfg_path} is valid")


def validate(ctx: Context, args: Args) -> Result:
    cfg = ctx.config
    cfg.validate()
    for name in cfg.profile_names():
        cfg.chain(name)
    ctx.config.env_overrides()
    return Result({"path": cfg.path, "valid": True, "profiles": cfg.profile_names()}, message=f"✓ {cfg.path} is valid")
