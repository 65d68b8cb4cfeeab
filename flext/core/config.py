"""config.toml: load (cached), profiles with inheritance, env overrides, edits.

Layout:
    current_profile = "staging"
    [defaults]            # applies to every profile
    output = "table"
    [profiles.staging]
    api_url = "https://staging.example:8081"
    [profiles.prod]
    inherit = "staging"   # prod <- staging <- defaults
    danger = true
    [aliases]
    st = "pipeline status"

Precedence: flags > FLEXT_* environment > profile chain > [defaults] > built-in.
The parsed document is cached with `marshal` keyed by the file's (inode, size, mtime),
together with whether it validated, so ordinary commands skip both tomllib and msgspec.
"""

from __future__ import annotations

import marshal
import os

from flext.core.errors import ConfigError, NotFound, UsageError
from flext.core.fsutil import atomic_write

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from flext.core.paths import Paths

DEFAULT_PROFILE = "default"
_PROFILE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def inherit_chain(profiles: Mapping[str, Any], name: str) -> tuple[list[str], str | None]:
    """`name` and the profiles it inherits from, nearest first (`default` left out), and the
    name where the chain breaks (a cycle, or a profile that does not exist), else None.

    The one walk of `inherit`: settings, secrets and completion all read profiles by it."""
    order: list[str] = []
    current: object = name
    while isinstance(current, str) and current and current != DEFAULT_PROFILE:
        body = profiles.get(current)
        if current in order or not isinstance(body, dict):
            return order, current
        order.append(current)
        current = body.get("inherit")
    return order, None


def check_profile_name(name: str) -> None:
    """Letters, digits, '-' and '_', not starting with '-' or '_' (a profile is a TOML table)."""
    from flext.core.errors import UsageError

    if not name or not set(name) <= _PROFILE_CHARS or name[0] in "-_":
        raise UsageError(f"invalid profile name {name!r}", hint="use letters, digits, '-' and '_'")
BUILTIN: dict[str, Any] = {
    "output": "table",
    "color": "auto",
    "backend": "local",
    "timeout": 10.0,
    "retries": 3,
    "history": {"enabled": True, "scope": "all"},
    "repl": {"edit_mode": "emacs", "auto_suggest": True, "prompt": "flext> "},
}
# FLEXT_* variables that are not settings
_NOT_SETTINGS = {
    "FLEXT_PROFILE", "FLEXT_CONFIG_DIR", "FLEXT_DATA_DIR", "FLEXT_STATE_DIR", "FLEXT_CACHE_DIR",
    "FLEXT_NO_INPUT", "FLEXT_TOKEN", "FLEXT_NO_HISTORY", "FLEXT_DEBUG", "FLEXT_EXTRACT_DIR", "FLEXT_CEILING_DIRS",
    "FLEXT_BOOT_DEBUG",
}
_CACHE_VERSION = 1


def _cache_path(paths: Paths) -> str:
    return os.path.join(paths.cache_dir, "config.marshal")


def _read_document(path: str, paths: Paths) -> tuple[str, dict[str, Any], bool]:
    """(text, parsed document, validated-before) for the file at `path`."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "", {}, True
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    key = (_CACHE_VERSION, path, st.st_ino, st.st_size, st.st_mtime_ns)
    cache = _cache_path(paths)
    try:
        with open(cache, "rb") as fh:
            cached = marshal.load(fh)
        if cached[0] == key:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            return text, cached[1], bool(cached[2])
    except (OSError, EOFError, ValueError, TypeError, IndexError):
        pass
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text", hint="re-save it as UTF-8") from None
    data = parse_toml(text, path)
    _write_cache(paths, key, data, False)
    return text, data, False


def _write_cache(paths: Paths, key: tuple[Any, ...], data: dict[str, Any], valid: bool) -> None:
    try:
        blob = marshal.dumps((key, data, valid))
    except ValueError:  # datetimes and other non-marshal values: just don't cache
        return
    try:
        atomic_write(_cache_path(paths), blob)
    except OSError:
        pass


def parse_toml(text: str, path: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: invalid TOML: {exc}",
            hint="fix the file (`flext config edit`) or move it away",
        ) from None


class Config:
    """One loaded config file plus the environment it is read with."""

    def __init__(self, paths: Paths, env: dict[str, str] | os._Environ[str] | None = None) -> None:
        self.paths = paths
        self.env = os.environ if env is None else env
        self.path = paths.config_file
        self.text, self.data, self._validated = _read_document(self.path, paths)

    # -- reading -----------------------------------------------------------
    def validate(self) -> None:
        """Raise ConfigError naming the key, the file and the line of the first problem."""
        if self._validated:
            return
        from flext.core import schema

        problem = schema.check(self.data)
        if problem is not None:
            key, message = problem
            from flext.core.tomllines import line_of

            line = line_of(self.text, key)
            where = f"{self.path}:{line}" if line else self.path
            hint = "run `flext config validate` for details, or `flext config edit` to fix it"
            if message == "unknown key":
                from flext.core.suggest import closest

                leaf = key.rsplit(".", 1)[-1]
                guess = closest(leaf, [k.rsplit(".", 1)[-1] for k in schema.setting_keys()] + list(schema.TOP_LEVEL))
                if guess:
                    hint = f"did you mean {guess!r}?"
            raise ConfigError(f"{where}: {key}: {message}", hint=hint)
        self._validated = True
        try:
            st = os.stat(self.path)
        except OSError:
            return
        _write_cache(self.paths, (_CACHE_VERSION, self.path, st.st_ino, st.st_size, st.st_mtime_ns), self.data, True)

    @property
    def profiles(self) -> dict[str, dict[str, Any]]:
        raw = self.data.get("profiles")
        return raw if isinstance(raw, dict) else {}

    @property
    def defaults(self) -> dict[str, Any]:
        raw = self.data.get("defaults")
        return raw if isinstance(raw, dict) else {}

    @property
    def aliases(self) -> dict[str, str]:
        raw = self.data.get("aliases")
        return {k: v for k, v in raw.items() if isinstance(v, str)} if isinstance(raw, dict) else {}

    def profile_names(self) -> list[str]:
        names = [DEFAULT_PROFILE]
        names.extend(n for n in self.profiles if n != DEFAULT_PROFILE)
        return names

    def current_profile(self, override: str | None = None) -> str:
        name = override or self.env.get("FLEXT_PROFILE") or self.data.get("current_profile") or DEFAULT_PROFILE
        return str(name)

    def chain(self, profile: str) -> list[str]:
        """Profiles from the most basic ancestor down to `profile`."""
        if profile != DEFAULT_PROFILE and profile not in self.profiles:
            from flext.core.suggest import closest

            guess = closest(profile, self.profile_names())
            raise NotFound(
                f"profile {profile!r} does not exist",
                hint=f"did you mean {guess!r}?" if guess else "see `flext profile list`",
            )
        order, broken = inherit_chain(self.profiles, profile)
        if broken is not None and broken in order:
            loop = " -> ".join([*order, broken])
            raise ConfigError(f"{self.path}: profiles inherit in a cycle: {loop}", hint="remove one `inherit`")
        if broken is not None:
            raise ConfigError(
                f"{self.path}: profile {order[-1]!r} inherits {broken!r}, which does not exist",
                hint=f"create it with `flext profile create {broken}` or fix `inherit`",
            )
        return list(reversed(order))

    def effective(self, profile: str | None = None, *, with_env: bool = True) -> dict[str, Any]:
        """Merged settings: built-in <- [defaults] <- inherited profiles <- profile <- env."""
        self.validate()
        name = self.current_profile(profile)
        merged: dict[str, Any] = _deep_copy(BUILTIN)
        _merge(merged, self.defaults)
        for link in self.chain(name):
            _merge(merged, {k: v for k, v in self.profiles[link].items() if k != "inherit"})
        if with_env:
            _merge(merged, self.env_overrides())
        merged["profile"] = name
        return merged

    def env_overrides(self) -> dict[str, Any]:
        """FLEXT_OUTPUT=json, FLEXT_API_URL=..., FLEXT_REPL__EDIT_MODE=vi -> nested dict."""
        found: dict[str, str] = {}
        for var, raw in self.env.items():
            if var.startswith("FLEXT_") and var not in _NOT_SETTINGS and raw != "":
                found[var[6:].lower().replace("__", ".")] = raw
        if not found:
            return {}
        from flext.core import schema

        out: dict[str, Any] = {}
        for key, raw in found.items():
            try:
                value = schema.coerce(key, raw)
            except KeyError:
                continue  # not a setting (e.g. FLEXT_SOMETHING used by a plugin)
            except ValueError as exc:
                var = "FLEXT_" + key.upper().replace(".", "__")
                raise ConfigError(f"environment variable {var}: {exc}", hint=f"unset {var} or fix its value") from None
            _set_nested(out, key.split("."), value)
        return out

    def get(self, key: str, profile: str | None = None) -> Any:
        value: Any = self.effective(profile)
        for part in key.split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value

    # -- writing -----------------------------------------------------------
    def write_value(self, table: list[str], key: str, value: Any) -> None:
        from flext.core import tomlfile

        self._edit(lambda doc: tomlfile.set_value(doc, table, key, value))

    def remove_value(self, table: list[str], key: str) -> bool:
        from flext.core import tomlfile

        removed: list[bool] = []
        self._edit(lambda doc: removed.append(tomlfile.unset_value(doc, table, key)))
        return bool(removed and removed[0])

    def remove_table(self, table: list[str]) -> None:
        from flext.core import tomlfile

        self._edit(lambda doc: tomlfile.remove_table(doc, table))

    def replace_table(self, table: list[str], fields: dict[str, Any]) -> None:
        """`[a.b]` holding exactly `fields`, in one write."""
        from flext.core import tomlfile

        self._edit(lambda doc: tomlfile.replace_table(doc, table, fields))

    def edit(self, change: Any) -> None:
        """Several changes of the tomlkit document in one locked write (`change(doc)`)."""
        self._edit(change)

    def _edit(self, change: Any) -> None:
        """Lock, re-read from disk (another writer's change is kept), change, validate, replace.

        A value the schema refuses is never written; comments and formatting survive."""
        from flext.core import tomlfile

        def check(data: dict[str, Any]) -> None:
            from flext.core import schema

            problem = schema.check(data)
            if problem is not None:
                key, message = problem
                raise ConfigError(f"{key}: {message}", hint="nothing was written")

        self.text, self.data = tomlfile.edit(self.path, change, check=check, mode=None if os.path.exists(self.path) else 0o600)
        self._validated = True


def split_key(key: str) -> list[str]:
    parts = key.split(".")
    if not all(parts):
        raise UsageError(f"invalid key {key!r}", hint="keys look like `output` or `repl.edit_mode`")
    return parts


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = _deep_copy(value) if isinstance(value, dict) else value


def _set_nested(target: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


__all__ = ["BUILTIN", "DEFAULT_PROFILE", "Config", "check_profile_name", "inherit_chain", "parse_toml", "split_key"]
