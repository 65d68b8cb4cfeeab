"""YAML files flext reads but does not own (meltano.yml, an upstream config.yaml).

`load(path)` reads the file as UTF-8 and parses it with PyYAML's safe loader (imported
here only); a file that cannot be read or parsed is a ConfigError naming the file and
the line. An empty file is an empty mapping.
"""

from __future__ import annotations

from flext.core.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def load(path: str, *, hint: str | None = None, missing: type[Exception] | None = None) -> Any:
    """The parsed document (`{}` for an empty file). A missing file raises `missing` when
    given (NotFound for a file the user named), else ConfigError."""
    import yaml

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        if missing is not None:
            raise missing(f"no such file: {path}") from None
        raise ConfigError(f"cannot read {path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text", hint="re-save it as UTF-8") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{where}: not valid YAML: {problem}", hint=hint) from None
    return {} if data is None else data


__all__ = ["load"]
