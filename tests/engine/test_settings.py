"""flext.engine.settings: secret:NAME and ${VAR} resolution, required keys, 0600 files."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from flext.core.errors import ConfigError, NotFound
from flext.engine import settings
from flext.engine.workspace import Workspace

SECRETS = {"secret:db_password": "s3cr3t-value"}


def secret(value: str) -> str:
    if value not in SECRETS:
        raise NotFound(f"secret {value[7:]!r} does not exist", hint="flext secret set NAME")
    return SECRETS[value]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        (42, 42),
        (None, None),
        ("secret:db_password", "s3cr3t-value"),
        ("${HOST}", "db.example"),
        ("jdbc://${HOST}:${PORT}/x", "jdbc://db.example:1521/x"),
        ("${MISSING:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ({"a": ["secret:db_password", "${PORT}"], "b": {"c": "${HOST}"}},
         {"a": ["s3cr3t-value", "1521"], "b": {"c": "db.example"}}),
    ],
)
def test_resolve(value: object, expected: object) -> None:
    env = {"HOST": "db.example", "PORT": "1521", "EMPTY": ""}
    assert settings.resolve(value, key="tap_config", secret=secret, env=env) == expected


@pytest.mark.parametrize(
    ("value", "error_type", "message"),
    [
        ({"password": "secret:nope"}, NotFound, "tap_config.password: secret 'nope' does not exist"),
        ({"hosts": ["ok", "${NOPE}"]}, ConfigError, "tap_config.hosts[1]: environment variable NOPE is not set"),
        ({"x": "${UNCLOSED"}, ConfigError, "tap_config.x: unterminated ${ in '${UNCLOSED'"),
        ({"x": "${BAD-NAME}"}, ConfigError, "tap_config.x: bad variable name 'BAD-NAME'"),
    ],
)
def test_resolve_errors_name_the_key(value: object, error_type: type[Exception], message: str) -> None:
    with pytest.raises(error_type) as info:
        settings.resolve(value, key="tap_config", secret=secret, env={})
    assert str(getattr(info.value, "message", "")) == message


def test_required_settings_exit_5_naming_the_key() -> None:
    settings.check_required({"path": "x"}, ["path"], "pipelines.p.tap_config")
    with pytest.raises(ConfigError) as info:
        settings.check_required({"path": ""}, ["path"], "pipelines.p.tap_config")
    assert info.value.exit_code == 5
    assert info.value.message == "pipelines.p.tap_config.path: required setting is missing"
    assert info.value.hint == "set path in flext.toml under [pipelines.p.tap_config] (or in its tap_config_file)"


def test_config_file_overlaid_by_inline_table(tmp_path: Path) -> None:
    (tmp_path / "flext.toml").write_text("")
    (tmp_path / "tap.json").write_text(json.dumps({"path": "a", "keep": 1}))
    ws = Workspace(str(tmp_path))
    spec = {"tap_config_file": "tap.json", "tap_config": {"path": "b"}}
    assert settings.raw_config(ws, spec, "tap") == {"path": "b", "keep": 1}


def test_private_files_are_0600_in_a_0700_dir(tmp_path: Path) -> None:
    (tmp_path / "flext.toml").write_text("")
    ws = Workspace(str(tmp_path))
    directory = settings.private_dir(ws)
    path = settings.write_private(directory, "tap.json", {"password": "s3cr3t-value"})
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(Path(path).read_text()) == {"password": "s3cr3t-value"}
    with pytest.raises(FileExistsError):
        settings.write_private(directory, "tap.json", {})
