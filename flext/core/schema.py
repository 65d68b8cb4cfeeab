"""The typed schema of config.toml, checked with msgspec.

Imported only when validating (msgspec costs ~40 ms to import); `config.py` caches a
successful validation per file version so ordinary commands never pay for it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

Output = Literal["table", "json", "jsonl", "yaml", "csv", "plain"]


class History(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    enabled: bool = True
    scope: Literal["all", "profile"] = "all"


class Repl(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    edit_mode: Literal["emacs", "vi"] = "emacs"
    auto_suggest: bool = True
    prompt: str = "flext> "


class Executable(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    executable: str | None = None


class Plugins(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    index_url: str | None = None
    installer: Literal["uv", "pip"] | None = None  # how taps, targets and dbt are installed (default uv)


class Meltano(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    executable: str | None = None
    # the project whose meltano.yml schedules `flext serve` runs (relative to the workspace;
    # default: the workspace root when it holds meltano.yml); schedules = false turns that off
    project_dir: str | None = None
    schedules: bool | None = None


class Alerts(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """How `flext serve` evaluates the rules of `[alerts.NAME]` and notifies."""

    interval: Annotated[float, msgspec.Meta(gt=0)] | None = None  # seconds between evaluations (30)
    repeat: str | None = None  # a reminder while a rule fires, e.g. "4h" (default); "0" for none
    retries: Annotated[int, msgspec.Meta(ge=0)] | None = None  # delivery retries after a failure (4)


class Disk(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    warn_percent: Annotated[float, msgspec.Meta(gt=0, le=100)] | None = None  # warn when fuller (90)


class Settings(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Keys allowed in [defaults] and in each [profiles.NAME]."""

    output: Output | None = None
    color: Literal["auto", "always", "never"] | None = None
    editor: str | None = None
    api_url: Annotated[str, msgspec.Meta(pattern="^https?://")] | None = None
    backend: Literal["local", "http", "flexcore", "airflow"] | None = None
    timeout: Annotated[float, msgspec.Meta(gt=0)] | None = None
    retries: Annotated[int, msgspec.Meta(ge=0)] | None = None
    workspace: str | None = None
    danger: bool | None = None
    inherit: str | None = None
    description: str | None = None
    username: str | None = None
    history: History | None = None
    repl: Repl | None = None
    meltano: Meltano | None = None
    dbt: Executable | None = None
    plugins: Plugins | None = None
    alerts: Alerts | None = None
    disk: Disk | None = None
    gruponos: dict[str, Any] | None = None
    algar: dict[str, Any] | None = None


class Document(msgspec.Struct, forbid_unknown_fields=False):
    current_profile: str | None = None
    defaults: Settings | None = None
    profiles: dict[str, Settings] | None = None
    aliases: dict[str, str] | None = None
    services: dict[str, dict[str, Any]] | None = None
    alerts: dict[str, dict[str, Any]] | None = None


TOP_LEVEL = tuple(Document.__struct_fields__)


def check(data: dict[str, Any]) -> tuple[str, str] | None:
    """(dotted key, message) of the first problem, or None when the document is valid.

    Each profile is checked on its own: msgspec elides dict keys in its error paths.
    """
    parts: list[tuple[str, Any, Any]] = []
    rest = {k: v for k, v in data.items() if k != "profiles"}
    parts.append(("", rest, Document))
    profiles = data.get("profiles")
    if profiles is not None:
        if not isinstance(profiles, dict):
            return "profiles", "Expected a table of profiles"
        for name, body in profiles.items():
            parts.append((f"profiles.{name}", body, Settings))
    for prefix, value, kind in parts:
        try:
            msgspec.convert(value, kind, strict=True)
        except msgspec.ValidationError as exc:
            message, _, where = str(exc).partition(" - at `")
            key = ".".join(p for p in (prefix, _dotted(where.rstrip("`"))) if p)
            if "unknown field" in message:
                field = message.split("`")[1] if "`" in message else ""
                return (f"{key}.{field}" if key else field), "unknown key"
            setting = key.split(".", 2)[-1] if key.startswith("profiles.") else key.split(".", 1)[-1]
            if key.startswith(("profiles.", "defaults.")) and setting_type(setting) is not None:
                value = _value_at(data, key)
                got = f", got {value!r}" if value is not _MISSING else ""
                return key, f"must be {allowed(setting)}{got}"
            if message.startswith("Invalid enum value"):
                choices = _choices(setting)
                if choices:
                    message += f" (expected one of: {', '.join(choices)})"
            return key, message
    return None


_MISSING = object()


def _value_at(data: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def _choices(setting: str) -> list[str]:
    import typing

    hint = setting_type(setting)
    found: list[str] = []
    for arg in typing.get_args(hint) or ():
        if typing.get_origin(arg) is Literal:
            found.extend(typing.get_args(arg))
    if typing.get_origin(hint) is Literal:
        found.extend(typing.get_args(hint))
    return found


def _dotted(path: str) -> str:
    """msgspec's `$.profiles['prod'].timeout` -> `profiles.prod.timeout`."""
    out: list[str] = []
    i = 0
    text = path[1:] if path.startswith("$") else path
    while i < len(text):
        if text[i] == ".":
            j = i + 1
            while j < len(text) and text[j] not in ".[":
                j += 1
            out.append(text[i + 1 : j])
            i = j
        elif text[i] == "[":
            j = text.index("]", i)
            out.append(text[i + 1 : j].strip("'\""))
            i = j + 1
        else:
            i += 1
    return ".".join(out)


def setting_type(key: str) -> Any:
    """The annotated type of a dotted setting key (`repl.edit_mode`), or None."""
    import typing

    struct: Any = Settings
    parts = key.split(".")
    for index, part in enumerate(parts):
        hints = typing.get_type_hints(struct, include_extras=True)  # keep Annotated bounds (timeout > 0)
        if part not in hints:
            return None
        hint = hints[part]
        if index == len(parts) - 1:
            return hint
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = args[0] if args else hint
        if isinstance(inner, type) and issubclass(inner, msgspec.Struct):
            struct = inner
        else:
            return Any if inner is not None else None
    return None


def setting_keys() -> list[str]:
    """Every dotted key a profile accepts (for completion and did-you-mean)."""
    import typing

    keys: list[str] = []
    for name, hint in typing.get_type_hints(Settings).items():
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = args[0] if args else hint
        if isinstance(inner, type) and issubclass(inner, msgspec.Struct):
            keys.extend(f"{name}.{sub}" for sub in inner.__struct_fields__)
        else:
            keys.append(name)
    return keys


# what a setting's number means, said after "a number greater than 0"
UNITS = {"timeout": "seconds"}


def allowed(key: str) -> str:
    """The values `key` accepts, in words: `one of: table, json`, `a number greater than 0
    (seconds)`, `true or false`; for messages that tell the user what to type instead."""
    hint = setting_type(key)
    if hint is None:
        return "a known setting"
    return _words(hint, UNITS.get(key.rsplit(".", 1)[-1]))


def _words(hint: Any, unit: str | None) -> str:
    import types
    import typing

    args = [hint]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
    if len(args) != 1:
        return " or ".join(_words(a, unit) for a in args)
    hint = args[0]
    metas: list[Any] = []
    if typing.get_origin(hint) is Annotated:
        hint, *metas = typing.get_args(hint)
    if typing.get_origin(hint) is Literal:
        return "one of: " + ", ".join(str(c) for c in typing.get_args(hint))
    if hint is bool:
        return "true or false"
    bounds = []
    for meta in metas:
        for attr, text in (("gt", "greater than {}"), ("ge", "of {} or more"), ("lt", "less than {}"),
                           ("le", "of {} or less")):
            value = getattr(meta, attr, None)
            if value is not None:
                bounds.append(text.format(f"{value:g}" if isinstance(value, float) else value))
    suffix = (" " + " and ".join(bounds) if bounds else "") + (f" ({unit})" if unit else "")
    if hint is float:
        return "a number" + suffix
    if hint is int:
        return "a whole number" + suffix
    if hint is str:
        pattern = next((getattr(m, "pattern", None) for m in metas if getattr(m, "pattern", None)), None)
        if pattern == "^https?://":
            return "a URL starting with http:// or https://"
        return "text"
    return "a table of settings"


def coerce(key: str, raw: str) -> Any:
    """Turn a command-line string into the typed value for `key`: KeyError for an unknown
    key, ValueError saying in words what is allowed (`must be a number greater than 0
    (seconds), got 'abc'`)."""
    hint = setting_type(key)
    if hint is None:
        raise KeyError(key)
    for candidate in _candidates(raw):
        try:
            return msgspec.convert(candidate, hint, strict=True)
        except msgspec.ValidationError:
            continue
    raise ValueError(f"must be {allowed(key)}, got {raw!r}")


def _candidates(raw: str) -> list[Any]:
    out: list[Any] = []
    low = raw.lower()
    if low in ("true", "yes", "on"):
        out.append(True)
    elif low in ("false", "no", "off"):
        out.append(False)
    try:
        out.append(int(raw))
    except ValueError:
        pass
    try:
        out.append(float(raw))
    except ValueError:
        pass
    out.append(raw)
    return out


__all__ = ["TOP_LEVEL", "Document", "Settings", "allowed", "check", "coerce", "setting_keys", "setting_type"]
