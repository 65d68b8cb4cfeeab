"""`flext profile ...`."""

from __future__ import annotations

import json


def test_create_list_use_show_delete(flext) -> None:
    assert flext("profile", "create", "staging", "--api-url", "http://staging:8081").code == 0
    assert flext("profile", "create", "prod", "--inherit", "staging", "--danger").code == 0
    rows = json.loads(flext("profile", "list", "-o", "json").out)
    assert [r["name"] for r in rows] == ["default", "staging", "prod"]
    prod = rows[2]
    assert prod == {"name": "prod", "current": False, "inherit": "staging", "backend": "http",
                    "api_url": "http://staging:8081", "danger": True}
    assert flext("profile", "use", "prod").code == 0
    shown = json.loads(flext("profile", "show", "-o", "json").out)
    assert shown["name"] == "prod" and shown["chain"] == ["defaults", "staging", "prod"]
    assert shown["effective"]["api_url"] == "http://staging:8081"
    # a profile inherited by another cannot be deleted
    run = flext("profile", "delete", "staging", "--yes")
    assert run.code == 7 and "inherited by prod" in run.err
    # deleting needs confirmation; without a terminal and --yes it is a usage error
    run = flext("profile", "delete", "prod")
    assert run.code == 2 and "hint: pass --yes to confirm" in run.err
    assert flext("profile", "delete", "prod", "--yes").code == 0
    assert json.loads(flext("profile", "show", "-o", "json").out)["name"] == "default"


def test_errors(flext) -> None:
    assert flext("profile", "create", "bad name").code == 2
    flext("profile", "create", "staging")
    run = flext("profile", "create", "staging")
    assert run.code == 7 and run.err == "error: profile 'staging' already exists\nhint: see `flext profile show staging`\n"
    run = flext("profile", "use", "stagign")
    assert run.code == 6 and run.err == "error: profile 'stagign' does not exist\nhint: did you mean 'staging'?\n"
    assert flext("profile", "delete", "default", "--yes").code == 2


def test_profile_flag_beats_env(flext) -> None:
    flext("profile", "create", "a", "--api-url", "http://a:1")
    flext("profile", "create", "b", "--api-url", "http://b:1")
    out = flext("config", "get", "api_url", "-o", "plain", extra_env={"FLEXT_PROFILE": "a"}).out
    assert out == "http://a:1\n"
    out = flext("-p", "b", "config", "get", "api_url", "-o", "plain", extra_env={"FLEXT_PROFILE": "a"}).out
    assert out == "http://b:1\n"


def test_create_from_copies_settings(flext) -> None:
    flext("profile", "create", "a", "--api-url", "http://a:1")
    flext("-p", "a", "config", "set", "timeout", "7")
    assert flext("profile", "create", "c", "--from", "a").code == 0
    assert flext("-p", "c", "config", "get", "timeout", "-o", "plain").out == "7\n"
