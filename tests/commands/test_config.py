"""`flext config ...` end to end, in-process and as a subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_show_defaults_as_json(flext) -> None:
    run = flext("config", "show", "-o", "json")
    assert run.code == 0, run
    data = json.loads(run.out)
    assert data["output"] == "json"  # the flag wins for this command
    assert data["profile"] == "default"
    assert data["backend"] == "local"


@pytest.mark.parametrize(
    ("argv", "code", "out", "err"),
    [
        (["config", "set", "output", "yaml"], 0, "", "✓ set output in [defaults]\n"),
        (["config", "set", "repl.edit_mode", "vi"], 0, "", "✓ set repl.edit_mode in [defaults.repl]\n"),
        (["config", "set", "outptu", "json"], 2, "", "error: unknown setting 'outptu'\nhint: did you mean 'output'?\n"),
        # typed on the command line: a usage error (exit 2) in the user's words, with the allowed values
        (["config", "set", "output", "xml"], 2, "",
         "error: output must be one of: table, json, jsonl, yaml, csv, plain, got 'xml'\n"
         "hint: nothing was written; see `flext config show` for the current value\n"),
        (["config", "set", "timeout", "abc"], 2, "",
         "error: timeout must be a number greater than 0 (seconds), got 'abc'\n"
         "hint: nothing was written; see `flext config show` for the current value\n"),
        (["config", "set", "retries", "-1"], 2, "",
         "error: retries must be a whole number of 0 or more, got '-1'\n"
         "hint: nothing was written; see `flext config show` for the current value\n"),
        (["config", "set", "api_url", "ftp://x"], 2, "",
         "error: api_url must be a URL starting with http:// or https://, got 'ftp://x'\n"
         "hint: nothing was written; see `flext config show` for the current value\n"),
        (["config", "get", "nothing"], 6, "", None),
        (["config", "unset", "output"], 6, "", None),
        (["config", "show", "--profiel", "x"], 2, "", "error: unknown option --profiel for `flext config show`\nhint: did you mean `--profile`?\n"),
    ],
)
def test_set_get_errors(flext, argv: list[str], code: int, out: str, err: str | None) -> None:
    run = flext(*argv, "-o", "plain") if code == 0 else flext(*argv)
    assert run.code == code, run
    if code == 0 or err is not None:
        assert run.err == err
    else:
        assert run.err.startswith("error: ") and "Traceback" not in run.err


def test_set_then_get_round_trip_and_precedence(flext, env) -> None:
    assert flext("config", "set", "output", "yaml").code == 0
    assert flext("config", "get", "output").out == "key: output\nvalue: yaml\nprofile: default\n"  # yaml is now the default
    # environment beats the file, the flag beats the environment
    assert flext("config", "get", "output", extra_env={"FLEXT_OUTPUT": "csv"}).out == "key,value\nkey,output\nvalue,csv\nprofile,default\n"
    assert flext("config", "get", "output", "-o", "plain").out == "yaml\n"
    assert flext("config", "unset", "output").code == 0
    assert flext("config", "get", "output", "-o", "plain").out == "table\n"


def test_set_in_profile_with_global_profile_flag(flext) -> None:
    assert flext("profile", "create", "staging").code == 0
    assert flext("-p", "staging", "config", "set", "timeout", "30").code == 0
    assert flext("-p", "staging", "config", "get", "timeout", "-o", "plain").out == "30\n"
    assert flext("config", "get", "timeout", "-o", "plain").out == "10\n"
    assert flext("-p", "nope", "config", "set", "timeout", "3").code == 6


def test_path_and_validate(flext, env) -> None:
    assert flext("config", "path").out.strip() == str(Path(env["FLEXT_CONFIG_DIR"]) / "config.toml")
    assert flext("config", "validate").code == 0
    cfg = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text('[defaults]\noutput = "table"\n\n[profiles.p]\ntimeout = "x"\n')
    run = flext("config", "validate")
    assert run.code == 5
    assert run.err.splitlines()[0] == f"error: {cfg}:5: profiles.p.timeout: must be a number greater than 0 (seconds), got 'x'"
    assert run.err.splitlines()[1].startswith("hint: ")


def test_reveal_paths_shows_origins(flext) -> None:
    flext("profile", "create", "staging")
    flext("config", "set", "timeout", "4")
    flext("-p", "staging", "config", "set", "retries", "9")
    run = flext("-p", "staging", "config", "show", "--reveal-paths", "-o", "json", extra_env={"FLEXT_COLOR": "never"})
    origins = {row["key"]: row["origin"] for row in json.loads(run.out)}
    assert origins["timeout"] == "defaults"
    assert origins["retries"] == "profiles.staging"
    assert origins["color"] == "env FLEXT_COLOR"
    assert origins["backend"] == "built-in"


def test_edit_without_terminal_is_a_usage_error(flext) -> None:
    run = flext("config", "edit")
    assert run.code == 2
    assert "hint: use `flext config set KEY VALUE` in scripts" in run.err


def test_subprocess_no_traceback_on_bad_option(flext_proc) -> None:
    run = flext_proc("config", "show", "--profiel", "x")
    assert run.code == 2
    assert "Traceback" not in run.err


UPSTREAM_FLAT = """\
profile: staging
api_url: https://flext.example:8081
output_format: JSON
timeout: 30
debug: true
api_token: abc123-never-copied
"""

UPSTREAM_PROFILES = """\
current_profile: prod
defaults:
  output_format: yaml
profiles:
  dev:
    api_url: http://localhost:8081
  prod:
    api_url: https://prod.example
    max_retries: 5
"""


def test_config_import_of_an_upstream_config_yaml(flext, tmp_path) -> None:
    import tomllib

    upstream = tmp_path / "home" / ".flext" / "config.yaml"
    upstream.parent.mkdir(parents=True)
    upstream.write_text(UPSTREAM_FLAT)
    run = flext("config", "import", str(upstream), "-o", "json")
    assert run.code == 0, run
    assert run.json() == [
        {"profile": "staging", "key": "api_url", "setting": "api_url", "action": "imported"},
        {"profile": "staging", "key": "output_format", "setting": "output", "action": "imported"},
        {"profile": "staging", "key": "timeout", "setting": "timeout", "action": "imported"},
        {"profile": "staging", "key": "debug", "setting": None, "action": "skipped: no such setting in flext"},
        {"profile": "staging", "key": "api_token", "setting": None,
         "action": "skipped: a secret; store it with `flext -p staging secret set api_token`"},
    ]
    config_file = Path(flext("config", "path", "-o", "plain").out.strip())
    text = config_file.read_text()
    assert "abc123" not in text and "abc123" not in run.err
    assert tomllib.loads(text)["profiles"]["staging"] == {
        "api_url": "https://flext.example:8081", "output": "json", "timeout": 30.0, "backend": "http"}
    again = flext("config", "import", str(upstream))
    assert again.code == 7 and "pass --replace" in again.err

    upstream.write_text(UPSTREAM_PROFILES)
    assert flext("config", "import", str(upstream), "--use").code == 0
    doc = tomllib.loads(config_file.read_text())
    assert doc["current_profile"] == "prod"
    assert doc["defaults"]["output"] == "yaml"
    assert doc["profiles"]["prod"] == {"api_url": "https://prod.example", "retries": 5, "backend": "http"}


@pytest.mark.parametrize(("text", "error"), [
    ("profiles:\n  prod:\n    timeout: soon\n",
     ":3: profiles.prod.timeout: must be a number greater than 0 (seconds), got 'soon'"),
    ("api_url: [unclosed\n", ":2: not valid YAML: "),
    ("- just\n- a list\n", ": expected a mapping of settings (or `profiles:`), got a list"),
])
def test_config_import_refuses_a_bad_file_and_writes_nothing(flext, tmp_path, text: str, error: str) -> None:
    upstream = tmp_path / "config.yaml"
    upstream.write_text(text)
    run = flext("config", "import", str(upstream))
    assert run.code == 5, run
    assert run.err.startswith(f"error: {upstream}{error}")
    assert not Path(flext("config", "path", "-o", "plain").out.strip()).exists()
