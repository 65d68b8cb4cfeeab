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


def test_check_reports_the_workspace_disk_with_a_warning_threshold(flext, tmp_path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "flext.toml").write_text('[workspace]\nname = "w"\n')
    run = flext("-C", str(ws), "debug", "check", "-o", "json")
    disk = {r["check"]: r for r in json.loads(run.out)}["disk"]
    assert disk["ok"] is True, run
    assert disk["detail"].startswith("workspace ") and f" MiB at {ws}; " in disk["detail"]
    assert "GiB free (" in disk["detail"] and disk["detail"].endswith("% of the disk used, warning from 90%)")
    assert flext("config", "set", "disk.warn_percent", "0.01").code == 0  # any disk is fuller than that
    run = flext("-C", str(ws), "debug", "check", "-o", "json")
    disk = {r["check"]: r for r in json.loads(run.out)}["disk"]
    assert run.code == 1 and disk["ok"] is False
    assert disk["detail"].startswith(f"the disk holding {ws} is ") and "`disk.warn_percent`" in disk["detail"]


def test_check_says_why_the_keyring_cannot_be_used(flext, monkeypatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    run = flext("debug", "check", "-o", "json",
                extra_env={"PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"})
    keyring = {r["check"]: r for r in json.loads(run.out)}["keyring"]
    assert run.code == 1 and keyring["ok"] is False
    assert keyring["detail"] == ("no usable keyring backend: keyring.backends.SecretService.Keyring (from PYTHON_KEYRING_BACKEND): "
                                 "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
