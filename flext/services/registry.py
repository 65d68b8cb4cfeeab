"""The service registry: built-in FLEXT services <- config.toml <- the workspace's flext.toml.

`[services.NAME]` tables are free-form in the config schema; the fields are checked
here so a mistake is an exit-5 error naming the file, line and key.
"""

from __future__ import annotations

import os

from flext.core.errors import ConfigError, NotFound
from flext.services.builtin import BUILTIN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context

# field -> (accepted types, description used in errors)
FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    "url": ((str,), "a URL starting with http:// or https://"),
    "health_path": ((str,), "a path starting with /"),
    "metrics_path": ((str,), "a path starting with /"),
    "command": ((str, list), "a command line or a list of words"),
    "cwd": ((str,), "a directory"),
    "env": ((dict,), "a table of NAME = \"value\""),
    "log_file": ((str,), "a file path"),
    "enabled": ((bool,), "true or false"),
    "description": ((str,), "text"),
    "timeout": ((int, float), "seconds > 0"),
    "degraded_latency": ((int, float), "seconds > 0"),
    "start_timeout": ((int, float), "seconds > 0"),
    "stop_timeout": ((int, float), "seconds > 0"),
    "log_max_bytes": ((int,), "a whole number of bytes >= 1024"),
    "log_backups": ((int,), "a whole number >= 0"),
    "restart": ((str,), "no, on-failure or always"),
    "restart_limit": ((int,), "a whole number >= 1"),
    "restart_window": ((int, float), "seconds > 0"),
    "restart_backoff": ((int, float), "seconds > 0"),
}
RESTART = ("no", "on-failure", "always")
# the keeper gives up (state `crashloop`) after more than RESTART_LIMIT restarts in RESTART_WINDOW
# seconds; it waits RESTART_BACKOFF seconds before the first restart, doubling up to a minute
RESTART_LIMIT = 5
RESTART_WINDOW = 300.0
RESTART_BACKOFF = 1.0
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_LOG_BACKUPS = 3


class Service:
    """One registered service, merged from every layer that mentions it."""

    __slots__ = (
        "command",
        "cwd",
        "degraded_latency",
        "description",
        "enabled",
        "env",
        "health_path",
        "log_backups",
        "log_file",
        "log_max_bytes",
        "metrics_path",
        "name",
        "origin",
        "restart",
        "restart_backoff",
        "restart_limit",
        "restart_window",
        "start_timeout",
        "stop_timeout",
        "timeout",
        "url",
    )

    def __init__(self, name: str, fields: dict[str, Any], origin: str) -> None:
        self.name = name
        self.url: str = str(fields.get("url", "")).rstrip("/")
        self.health_path: str = str(fields.get("health_path", "/health"))
        self.metrics_path: str = str(fields.get("metrics_path", "/metrics"))
        command = fields.get("command")
        if isinstance(command, str):
            import shlex

            command = shlex.split(command)
        self.command: list[str] | None = [str(w) for w in command] if command else None
        self.cwd: str | None = fields.get("cwd")
        self.env: dict[str, str] = {str(k): str(v) for k, v in (fields.get("env") or {}).items()}
        self.log_file: str | None = fields.get("log_file")
        self.enabled: bool = bool(fields.get("enabled", True))
        self.description: str = str(fields.get("description", ""))
        self.timeout: float | None = _num(fields.get("timeout"))
        self.degraded_latency: float | None = _num(fields.get("degraded_latency"))
        self.start_timeout: float = _num(fields.get("start_timeout")) or 30.0
        self.stop_timeout: float = _num(fields.get("stop_timeout")) or 10.0
        self.log_max_bytes: int = int(fields.get("log_max_bytes", DEFAULT_LOG_MAX_BYTES))
        self.log_backups: int = int(fields.get("log_backups", DEFAULT_LOG_BACKUPS))
        self.origin = origin  # built-in | config | workspace (the last layer that set it)
        self.restart: str = str(fields.get("restart") or ("on-failure" if self.command else "no"))
        self.restart_limit: int = int(fields.get("restart_limit", RESTART_LIMIT))
        self.restart_window: float = _num(fields.get("restart_window")) or RESTART_WINDOW
        self.restart_backoff: float = _num(fields.get("restart_backoff")) or RESTART_BACKOFF

    @property
    def health_url(self) -> str:
        return self.url + self.health_path if self.url else ""

    @property
    def metrics_url(self) -> str:
        return self.url + self.metrics_path if self.url else ""

    @property
    def supervised(self) -> bool:
        return bool(self.command)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "url": self.url or None, "health_path": self.health_path,
            "metrics_path": self.metrics_path, "command": self.command, "cwd": self.cwd,
            "log_file": self.log_file, "enabled": self.enabled, "description": self.description,
            "origin": self.origin, "restart": self.restart if self.command else None,
        }


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def check_name(name: str) -> None:
    from flext.core.errors import UsageError

    if not name or not set(name) <= NAME_CHARS or name[0] in "-.":
        raise UsageError(f"invalid service name {name!r}", hint="use letters, digits, '-', '_' and '.'")


def validate(name: str, raw: Any, where: str, text: str | None = None) -> dict[str, Any]:
    """The fields of one `[services.NAME]` table, or ConfigError naming file:line and key."""
    key = f"services.{name}"

    def fail(subkey: str | None, message: str, hint: str | None = None) -> ConfigError:
        dotted = f"{key}.{subkey}" if subkey else key
        line = None
        if text is not None:
            from flext.core.tomllines import line_of

            line = line_of(text, dotted)
        place = f"{where}:{line}" if line else where
        return ConfigError(f"{place}: {dotted}: {message}", hint=hint or "fix the file, or see `flext service add --help`")

    if not isinstance(raw, dict):
        raise fail(None, "expected a table")
    if not name or not set(name) <= NAME_CHARS:
        raise fail(None, "invalid service name (letters, digits, '-', '_', '.')")
    for field, given in raw.items():
        value: Any = given
        if field not in FIELDS:
            from flext.core.suggest import closest

            guess = closest(field, list(FIELDS))
            raise fail(field, "unknown key", f"did you mean {guess!r}?" if guess else f"known keys: {', '.join(FIELDS)}")
        types, wanted = FIELDS[field]
        if not _is(given, types):
            raise fail(field, f"expected {wanted}, got {type(value).__name__}")
        if field == "url" and not value.startswith(("http://", "https://")):
            raise fail(field, f"expected {wanted}, got {value!r}")
        if field in ("health_path", "metrics_path") and not value.startswith("/"):
            raise fail(field, f"expected {wanted}, got {value!r}")
        if field == "command" and (not value or (isinstance(value, list) and not all(isinstance(w, str) for w in value))):
            raise fail(field, f"expected {wanted}")
        if field == "env" and not all(isinstance(v, (str, int, float, bool)) for v in value.values()):
            raise fail(field, "expected string values")
        if field in ("timeout", "degraded_latency", "start_timeout", "stop_timeout") and value <= 0:
            raise fail(field, f"expected {wanted}, got {value!r}")
        if field == "log_max_bytes" and value < 1024:
            raise fail(field, f"expected {wanted}, got {value!r}")
        if field == "log_backups" and value < 0:
            raise fail(field, f"expected {wanted}, got {value!r}")
        if field == "restart" and value not in RESTART:
            raise fail(field, f"expected {wanted}, got {value!r}")
        if field == "restart_limit" and value < 1:
            raise fail(field, f"expected {wanted}, got {value!r}")
        if field in ("restart_window", "restart_backoff") and value <= 0:
            raise fail(field, f"expected {wanted}, got {value!r}")
    return dict(raw)


def _is(value: object, types: tuple[type, ...]) -> bool:
    """isinstance, except that true/false is not a number here."""
    return isinstance(value, types) and (bool in types or not isinstance(value, bool))


def _resolve_paths(fields: dict[str, Any], base: str) -> dict[str, Any]:
    out = dict(fields)
    for field in ("cwd", "log_file"):
        if isinstance(out.get(field), str):
            path = os.path.expanduser(out[field])
            out[field] = path if os.path.isabs(path) else os.path.normpath(os.path.join(base, path))
    return out


def layers(ctx: Context) -> list[tuple[str, str, dict[str, Any]]]:
    """(origin, file, {name: fields}) for config.toml then flext.toml, validated."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    cfg = ctx.config
    raw = cfg.data.get("services")
    if raw is not None:
        if not isinstance(raw, dict):
            raise ConfigError(f"{cfg.path}: services: expected a table")
        base = os.path.dirname(cfg.path)
        out.append(("config", cfg.path, {
            n: _resolve_paths(validate(n, v, cfg.path, cfg.text), base) for n, v in raw.items()
        }))
    from flext.engine.workspace import Workspace

    ws = Workspace(ctx.workspace_root)
    path, doc = ws.toml_path, ws.doc if ws.exists else {}
    raw = doc.get("services")
    if raw is not None:
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: services: expected a table")
        text = _read(path)
        out.append(("workspace", path, {n: _resolve_paths(validate(n, v, path, text), ws.root) for n, v in raw.items()}))
    return out


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return None


def load(ctx: Context, *, include_disabled: bool = False) -> dict[str, Service]:
    """Every service by name, in registry order (built-ins first, then added ones)."""
    merged: dict[str, dict[str, Any]] = {name: dict(fields) for name, fields in BUILTIN.items()}
    origins = dict.fromkeys(BUILTIN, "built-in")
    for origin, _path, services in layers(ctx):
        for name, fields in services.items():
            merged.setdefault(name, {}).update(fields)
            origins[name] = origin
    out: dict[str, Service] = {}
    for name, fields in merged.items():
        service = Service(name, fields, origins[name])
        if service.enabled or include_disabled:
            out[name] = service
    return out


def get(ctx: Context, name: str, *, include_disabled: bool = False) -> Service:
    services = load(ctx, include_disabled=True)
    found = services.get(name)
    if found is None:
        from flext.core.suggest import closest

        guess = closest(name, list(services))
        raise NotFound(f"service {name!r} is not registered",
                       hint=f"did you mean {guess!r}?" if guess else "see `flext service list`, or add it with `flext service add NAME --url URL`")
    if not found.enabled and not include_disabled:
        raise NotFound(f"service {name!r} is disabled",
                       hint=f"enable it with `flext config unset services.{name}.enabled`, or `flext service add {name} --url URL --replace`")
    return found


def select(ctx: Context, names: list[str] | None) -> list[Service]:
    """The named services (in the order given), or every enabled one."""
    if not names:
        return list(load(ctx).values())
    seen: dict[str, Service] = {}
    for name in names:
        seen.setdefault(name, get(ctx, name))
    return list(seen.values())


__all__ = ["FIELDS", "Service", "check_name", "get", "layers", "load", "select", "validate"]
