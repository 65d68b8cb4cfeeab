"""`flext debug ...`."""

from __future__ import annotations

import json


def test_paths(flext, env) -> None:
    rows = json.loads(flext("debug", "paths", "-o", "json").out)
    by_name = {r["name"]: r["path"] for r in rows}
    assert by_name["config_file"] == env["FLEXT_CONFIG_DIR"] + "/config.toml"
    assert by_name["history_file"].startswith(env["FLEXT_DATA_DIR"])


def test_env_masks_secrets(flext) -> None:
    extra = {"FLEXT_TOKEN": "tok-very-secret", "FLEXT_API_URL": "http://user:pw@host:1/x", "FLEXT_OUTPUT": "json"}
    run = flext("debug", "env", "-o", "json", extra_env=extra)
    values = {r["name"]: r["value"] for r in json.loads(run.out)}
    assert values["FLEXT_TOKEN"] == "••••••"
    assert values["FLEXT_API_URL"] == "http://••••••@host:1/x"
    assert values["FLEXT_OUTPUT"] == "json"
    assert "tok-very-secret" not in run.out + run.err


def test_info_reports_config_validity(flext, env) -> None:
    data = json.loads(flext("debug", "info", "-o", "json").out)
    assert data["config"]["valid"] is True
    assert set(data["libraries"]) == {"prompt-toolkit", "rich", "httpx", "msgspec", "keyring"}
