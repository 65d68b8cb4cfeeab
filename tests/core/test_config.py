"""Config: profiles with inheritance, precedence, validation naming file and line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flext.core.config import Config
from flext.core.errors import ConfigError, NotFound
from flext.core.paths import Paths

DOC = """\
current_profile = "staging"

[defaults]
output = "table"
timeout = 5.0

[profiles.staging]
api_url = "http://staging:8081"
repl.edit_mode = "vi"

[profiles.prod]
inherit = "staging"
danger = true
timeout = 30.0
"""


def _config(env: dict[str, str], text: str, **extra: str) -> Config:
    paths = Paths(env)
    os.makedirs(paths.config_dir, exist_ok=True)
    Path(paths.config_file).write_text(text)
    return Config(paths, {**env, **extra})


def test_inheritance_chain_and_merge(env: dict[str, str]) -> None:
    cfg = _config(env, DOC)
    assert cfg.chain("prod") == ["staging", "prod"]
    prod = cfg.effective("prod")
    assert prod["api_url"] == "http://staging:8081"
    assert prod["timeout"] == 30.0
    assert prod["danger"] is True
    assert prod["repl"] == {"edit_mode": "vi", "auto_suggest": True, "prompt": "flext> "}
    assert cfg.current_profile() == "staging"
    assert cfg.effective()["timeout"] == 5.0


@pytest.mark.parametrize(
    ("extra", "key", "value"),
    [
        ({"FLEXT_TIMEOUT": "12"}, "timeout", 12.0),
        ({"FLEXT_OUTPUT": "json"}, "output", "json"),
        ({"FLEXT_REPL__EDIT_MODE": "emacs"}, "repl", {"edit_mode": "emacs", "auto_suggest": True, "prompt": "flext> "}),
        ({"FLEXT_DANGER": "true"}, "danger", True),
    ],
)
def test_environment_beats_profile(env: dict[str, str], extra: dict[str, str], key: str, value: object) -> None:
    cfg = _config(env, DOC, **extra)
    assert cfg.effective("staging")[key] == value


def test_flext_profile_env_picks_profile(env: dict[str, str]) -> None:
    cfg = _config(env, DOC, FLEXT_PROFILE="prod")
    assert cfg.current_profile() == "prod"
    assert cfg.current_profile("default") == "default"


def test_bad_env_value_names_the_variable(env: dict[str, str]) -> None:
    cfg = _config(env, DOC, FLEXT_TIMEOUT="soon")
    with pytest.raises(ConfigError) as info:
        cfg.effective("staging")
    assert "FLEXT_TIMEOUT" in info.value.message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[defaults]\noutput = "xml"\n', ":2: defaults.output: must be one of: table, json, jsonl, yaml, csv, plain, got 'xml'"),
        ('[defaults]\ntimeout = 1.0\n\n[profiles.prod]\ntimeout = "soon"\n',
         ":5: profiles.prod.timeout: must be a number greater than 0 (seconds), got 'soon'"),
        ('[profiles.x]\nrepl.edit_mode = "nano"\n', ":2: profiles.x.repl.edit_mode: must be one of: emacs, vi, got 'nano'"),
        ("[defaults]\nretries = -1\n", ":2: defaults.retries: must be a whole number of 0 or more, got -1"),
        ("[defaults]\noutptu = 'json'\n", ":2: defaults.outptu: unknown key"),
    ],
)
def test_validation_error_names_key_file_and_line(env: dict[str, str], text: str, needle: str) -> None:
    cfg = _config(env, text)
    with pytest.raises(ConfigError) as info:
        cfg.validate()
    assert info.value.exit_code == 5
    assert info.value.message.startswith(cfg.path)
    assert needle in info.value.message


def test_unknown_key_hint_suggests(env: dict[str, str]) -> None:
    cfg = _config(env, "[defaults]\noutptu = 'json'\n")
    with pytest.raises(ConfigError) as info:
        cfg.validate()
    assert info.value.hint == "did you mean 'output'?"


def test_invalid_toml_is_a_config_error(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as info:
        _config(env, "[defaults\noutput = 1\n")
    assert "invalid TOML" in info.value.message and "line 1" in info.value.message


def test_inherit_cycle_and_missing_parent(env: dict[str, str]) -> None:
    cfg = _config(env, '[profiles.a]\ninherit = "b"\n[profiles.b]\ninherit = "a"\n[profiles.c]\ninherit = "zz"\n')
    with pytest.raises(ConfigError, match="cycle: a -> b -> a"):
        cfg.chain("a")
    with pytest.raises(ConfigError, match="inherits 'zz', which does not exist"):
        cfg.chain("c")
    with pytest.raises(NotFound):
        cfg.chain("nope")


def test_cache_is_used_and_invalidated(env: dict[str, str]) -> None:
    cfg = _config(env, DOC)
    cfg.validate()
    assert Config(Paths(env), env)._validated is True  # served from the marshal cache
    time_ns = os.stat(cfg.path).st_mtime_ns
    Path(cfg.path).write_text(DOC.replace("5.0", "6.0"))
    os.utime(cfg.path, ns=(time_ns + 10**9, time_ns + 10**9))
    fresh = Config(Paths(env), env)
    assert fresh._validated is False and fresh.effective("default")["timeout"] == 6.0


def test_write_keeps_comments_and_mode(env: dict[str, str]) -> None:
    cfg = _config(env, "# keep me\n" + DOC)
    os.chmod(cfg.path, 0o640)
    cfg.write_value(["defaults"], "output", "json")
    text = Path(cfg.path).read_text()
    assert text.startswith("# keep me\n")
    assert 'output = "json"' in text
    assert os.stat(cfg.path).st_mode & 0o777 == 0o640


def test_invalid_write_changes_nothing(env: dict[str, str]) -> None:
    cfg = _config(env, DOC)
    before = Path(cfg.path).read_text()
    with pytest.raises(ConfigError):
        cfg.write_value(["defaults"], "timeout", "soon")
    assert Path(cfg.path).read_text() == before
