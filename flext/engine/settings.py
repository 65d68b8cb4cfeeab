"""Tap/target settings: merged from flext.toml and files, resolved only at run time.

`secret:NAME` values go through the secret store and `${VAR}` through the environment
at the moment a run starts; the result is written to 0600 files in a private temp
directory that the run removes when it ends. Nothing resolved ever reaches argv,
flext.toml, the run record or the log (the store remembers values for redaction).
"""

from __future__ import annotations

import os

from flext.core.errors import ConfigError, FlextError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from flext.engine.workspace import Workspace


def raw_config(ws: Workspace, spec: dict[str, Any], role: str) -> dict[str, Any]:
    """`<role>_config_file` (JSON or TOML) overlaid with the inline `<role>_config` table."""
    merged: dict[str, Any] = {}
    file_ref = spec.get(f"{role}_config_file")
    if file_ref:
        path = ws.resolve(str(file_ref))
        merged.update(load_file(path, f"{role}_config_file"))
    inline = spec.get(f"{role}_config") or {}
    if not isinstance(inline, dict):
        raise ConfigError(f"{role}_config must be a table", hint="write it as { key = value, ... }")
    merged.update(inline)
    return merged


def load_file(path: str, key: str) -> dict[str, Any]:
    data = load_any(path, key)
    if not isinstance(data, dict):
        raise ConfigError(f"{key}: {path} must hold an object")
    return data


def load_any(path: str, key: str) -> Any:
    from flext.core import tomlfile

    if not os.path.isfile(path):
        raise ConfigError(f"{key}: cannot read {path}: No such file", hint="check the path")
    text = tomlfile.read_text(path)  # bytes that are not UTF-8: the file and the line
    if path.endswith(".toml"):
        data: Any = tomlfile.parse(text, path)
    else:
        import json

        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"{key}: {path} is not valid JSON: {exc}") from None
    return data


def check_required(config: dict[str, Any], required: list[str], where: str) -> None:
    """Exit 5 naming the first missing required setting (`where`: e.g. pipelines.orders.tap_config)."""
    for key in required:
        if config.get(key) in (None, ""):
            raise ConfigError(f"{where}.{key}: required setting is missing",
                              hint=f"set {key} in flext.toml under [{where}] (or in its {where.rsplit('.', 1)[-1]}_file)")


def resolve(
    value: Any,
    *,
    key: str,
    secret: Callable[[str], str],
    env: Mapping[str, str],
) -> Any:
    """A copy of `value` with `secret:NAME` and `${VAR}` replaced; errors name the key."""
    if isinstance(value, dict):
        return {k: resolve(v, key=f"{key}.{k}", secret=secret, env=env) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, key=f"{key}[{i}]", secret=secret, env=env) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value
    if value.startswith("secret:"):
        try:
            return secret(value)
        except FlextError as exc:
            exc.message = f"{key}: {exc.message}"
            raise
    if "${" in value:
        return _expand(value, key, env)
    return value


def _expand(text: str, key: str, env: Mapping[str, str]) -> str:
    out: list[str] = []
    i = 0
    while True:
        start = text.find("${", i)
        if start < 0:
            out.append(text[i:])
            return "".join(out)
        end = text.find("}", start)
        if end < 0:
            raise ConfigError(f"{key}: unterminated ${{ in {text!r}")
        name = text[start + 2 : end]
        default = None
        if ":-" in name:
            name, default = name.split(":-", 1)
        if not name or not (name.replace("_", "a").isalnum()):
            raise ConfigError(f"{key}: bad variable name {name!r}")
        got = env.get(name)
        if got is None or (got == "" and default is not None):
            if default is None:
                raise ConfigError(f"{key}: environment variable {name} is not set",
                                  hint=f"export {name}=..., or use ${{{name}:-default}}")
            got = default
        out.append(text[i:start])
        out.append(got)
        i = end + 1


def write_private(directory: str, name: str, data: Any) -> str:
    """Write JSON to `directory/name` with mode 0600 (created exclusive); return the path."""
    import json

    path = os.path.join(directory, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    return path


def private_dir(ws: Workspace) -> str:
    """A fresh 0700 directory for one run's resolved configs (removed by the runner)."""
    import tempfile

    base = ws.path("tmp")
    os.makedirs(base, mode=0o700, exist_ok=True)
    return tempfile.mkdtemp(prefix="run-", dir=base)


__all__ = ["check_required", "load_any", "load_file", "private_dir", "raw_config", "resolve", "write_private"]
