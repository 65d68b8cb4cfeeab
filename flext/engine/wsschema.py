"""The shape of flext.toml, checked when it is read (like config.toml's schema).

`check(doc, text, path)` raises ConfigError (exit 5) naming the file, the line, the
key path and what is wrong, with a did-you-mean for a misspelt key; a structurally
valid file passes. Only structure and types are checked here (is `tap` a name, is
`retries` a whole number, is `schedule` a cron expression); whether a tap is installed
or a dbt project exists is asked when a command needs it.

The workspace caches a successful check per file version (see `Workspace.reload`), so
a command reading an unchanged flext.toml never pays for it.
"""

from __future__ import annotations

from flext.core.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SECTIONS = ("workspace", "pipelines", "plugins", "services")
WORKSPACE_KEYS = ("name",)
PLUGIN_KEYS = ("kind", "pip_url", "executable", "description")
PLUGIN_KINDS = ("tap", "target", "mapper", "transformer")
FIX_HINT = "fix it in an editor; flext did not change the file"


class Problem(Exception):
    """One thing wrong with a key: its path (a list of parts), what, and a hint."""

    def __init__(self, parts: list[str], message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.parts = parts
        self.message = message
        self.hint = hint

    @property
    def key(self) -> str:
        return ".".join(self.parts)


def unknown(parts: list[str], known: tuple[str, ...] | list[str]) -> Problem:
    """`x: unknown key` with the closest known key as a did-you-mean."""
    from flext.core.suggest import closest

    guess = closest(parts[-1], list(known))
    return Problem(parts, "unknown key", f"did you mean {guess!r}?" if guess else f"known keys: {', '.join(known)}")


def problem(doc: dict[str, Any], *, strict: bool = False) -> Problem | None:
    """The first problem of a parsed flext.toml, or None. `strict` also parses each
    schedule (`flext debug check`, and every write); reading leaves that to the scheduler."""
    try:
        _check(doc, strict)
    except Problem as found:
        return found
    return None


def _check(doc: dict[str, Any], strict: bool = False) -> None:
    for key in doc:
        if key not in SECTIONS:
            raise unknown([key], SECTIONS)
    section = doc.get("workspace")
    if section is not None:
        if not isinstance(section, dict):
            raise Problem(["workspace"], "must be a table ([workspace])")
        for key, value in section.items():
            if key not in WORKSPACE_KEYS:
                raise unknown(["workspace", key], WORKSPACE_KEYS)
            if not isinstance(value, str) or not value:
                raise Problem(["workspace", key], f"must be text, got {shown(value)}")
    pipelines = doc.get("pipelines")
    if pipelines is not None:
        if not isinstance(pipelines, dict):
            raise Problem(["pipelines"], "must be a table of pipelines ([pipelines.NAME])")
        from flext.engine.pipelines import check_fields

        for name, body in pipelines.items():
            if not isinstance(body, dict):
                raise Problem(["pipelines", name], f"must be a table ([pipelines.{name}]), got {shown(body)}")
            check_fields({"name": name, **body}, cron=strict)
    for section_name, keys in (("plugins", PLUGIN_KEYS), ("services", None)):
        table = doc.get(section_name)
        if table is None:
            continue
        if not isinstance(table, dict):
            raise Problem([section_name], f"must be a table of tables ([{section_name}.NAME])")
        for name, body in table.items():
            if not isinstance(body, dict):
                raise Problem([section_name, name], f"must be a table ([{section_name}.{name}]), got {shown(body)}")
            if keys is None:
                continue  # services: their fields are checked by the service registry
            for key, value in body.items():
                if key not in keys:
                    raise unknown([section_name, name, key], keys)
                if key == "kind" and value not in PLUGIN_KINDS:
                    raise Problem([section_name, name, key], f"must be one of {', '.join(PLUGIN_KINDS)}, got {shown(value)}")
                if not isinstance(value, str):
                    raise Problem([section_name, name, key], f"must be text, got {shown(value)}")


def shown(value: object) -> str:
    """A value as the user wrote it in TOML, roughly: `3`, `true`, `"x"`, `a list`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def dotted(parts: list[str]) -> str:
    """Parts as a TOML dotted key (quoted where a part holds a dot or a space)."""
    out = []
    for part in parts:
        bare = part and all(ch.isalnum() or ch in "_-" for ch in part)
        out.append(part if bare else '"' + part.replace('"', '\\"') + '"')
    return ".".join(out)


def check(doc: dict[str, Any], text: str, path: str, *, strict: bool = False) -> None:
    """Raise ConfigError `FILE:LINE: KEY: what is wrong` for the first problem."""
    found = problem(doc, strict=strict)
    if found is None:
        return
    raise error(found, text, path)


def error(found: Problem, text: str, path: str) -> ConfigError:
    from flext.core.tomllines import line_of

    line = None
    parts = list(found.parts)
    while parts and line is None:  # the key itself, else the nearest table that holds it
        line = line_of(text, dotted(parts))
        parts.pop()
    where = f"{path}:{line}" if line else path
    hint = found.hint or FIX_HINT
    return ConfigError(f"{where}: {found.key}: {found.message}", hint=hint)


__all__ = ["PLUGIN_KEYS", "SECTIONS", "WORKSPACE_KEYS", "Problem", "check", "dotted", "error", "problem", "shown",
           "unknown"]
