"""`flext data taps|targets list/install/discover` and `data pipeline create FILE`."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import plugin_cache, workspace

_ = (plugin_cache, workspace)


def test_taps_list_is_the_catalog(flext: Callable[..., Any]) -> None:
    result = flext("data", "taps", "list", "-o", "json")
    assert result.code == 0
    rows = result.json()
    assert {r["name"] for r in rows} >= {"tap-jsonl", "tap-csv-folder", "tap-spreadsheets", "tap-jsonfile",
                                         "flext-tap-ldap", "flext-tap-ldif", "flext-tap-oracle",
                                         "flext-tap-oracle-oic", "flext-tap-oracle-wms"}
    assert all(r["kind"] == "tap" for r in rows)
    assert sorted(rows[0]) == ["description", "installed", "kind", "name", "pip_url", "source", "where"]
    targets = {r["name"] for r in flext("data", "targets", "list", "-o", "json").json()}
    assert targets >= {"target-jsonl", "target-duckdb", "target-csv", "flext-target-oracle-wms"}


def test_installed_lists_workspace_plugins_and_path_executables(
        workspace: Path, flext: Callable[..., Any], plugin_cache: dict[str, Path]) -> None:
    path = f"{plugin_cache['tap-jsonl'] / 'venv' / 'bin'}:/usr/bin:/bin"
    result = flext("data", "taps", "list", "--installed", "-o", "json", extra_env={"PATH": path})
    rows = {r["name"]: r for r in result.json()}
    assert set(rows) == {"tap-jsonl", "tap-jsonfile", "tap-csv-folder"}
    assert (rows["tap-jsonl"]["installed"], rows["tap-jsonl"]["where"]) == ("0.3.1", "workspace")
    assert rows["tap-csv-folder"]["installed"] == "0.0.1a1"
    # outside the workspace, the same tap is found on PATH with its version
    outside = flext("-C", str(workspace.parent), "data", "taps", "list", "--installed", "-o", "json",
                    extra_env={"PATH": path})
    found = {r["name"]: r for r in outside.json()}
    assert found["tap-jsonl"]["installed"] == "0.3.1"
    assert found["tap-jsonl"]["where"] == str(plugin_cache["tap-jsonl"] / "venv" / "bin" / "tap-jsonl")


def test_install_is_idempotent(workspace: Path, flext: Callable[..., Any]) -> None:
    result = flext("data", "targets", "install", "target-jsonl")
    assert result.code == 0, result
    assert result.err == "✓ target-jsonl 0.1.4 already installed\n"


@pytest.mark.slow
def test_install_failure_shows_pip_output(flext: Callable[..., Any], tmp_path: Path) -> None:
    assert flext("init").code == 0
    result = flext("data", "taps", "install", "tap-jsonl", "--pip-url", "/nonexistent/tap_jsonl-9.9.9.tar.gz")
    assert result.code == 1
    assert result.err.startswith("error: pip could not install tap-jsonl (/nonexistent/tap_jsonl-9.9.9.tar.gz) (exit 1):\n")
    assert "/nonexistent/tap_jsonl-9.9.9.tar.gz" in result.err.splitlines()[-2]
    assert not (tmp_path / "work" / ".flext" / "plugins" / "tap-jsonl").exists()


def test_install_unknown_name_is_exit_6(flext: Callable[..., Any]) -> None:
    result = flext("data", "taps", "install", "tap-jsnol")
    assert result.code == 6
    assert result.err == "error: unknown tap 'tap-jsnol'\nhint: did you mean 'tap-jsonl'?\n"


@pytest.mark.slow
def test_discover_streams(workspace: Path, flext: Callable[..., Any]) -> None:
    (workspace / "data").mkdir()
    (workspace / "data" / "a.jsonl").write_text('{"id": 1, "x": "y"}\n')
    (workspace / "tap.json").write_text(json.dumps({"path": "data/*.jsonl", "stream_name": "things", "primary_keys": ["id"]}))
    result = flext("data", "taps", "discover", "tap-jsonl", "--config", "tap.json", "-o", "json")
    assert result.code == 0, result
    [row] = result.json()
    assert (row["stream"], row["key_properties"]) == ("things", ["id"])
    assert row["properties"] >= 2


PIPELINES_TOML = """
[pipelines.a]
tap = "tap-jsonl"
target = "target-jsonl"
schedule = "@daily"

[pipelines.b]
tap = "tap-csv-folder"
target = "target-duckdb"
"""


def test_pipeline_file_creates_all(workspace: Path, flext: Callable[..., Any]) -> None:
    (workspace / "p.toml").write_text(PIPELINES_TOML)
    result = flext("data", "pipeline", "create", "p.toml", "-o", "json")
    assert result.code == 0, result
    assert [(r["name"], r["schedule"]) for r in result.json()] == [("a", "@daily"), ("b", None)]
    doc = tomllib.loads((workspace / "flext.toml").read_text())
    assert sorted(doc["pipelines"]) == ["a", "b"]


def test_pipeline_file_json_list(workspace: Path, flext: Callable[..., Any]) -> None:
    (workspace / "p.json").write_text(json.dumps([{"name": "j", "tap": "tap-jsonl", "target": "target-jsonl"}]))
    assert flext("data", "pipeline", "create", "p.json").code == 0
    assert "j" in tomllib.loads((workspace / "flext.toml").read_text())["pipelines"]


@pytest.mark.parametrize(
    ("body", "code", "error"),
    [
        (PIPELINES_TOML + '\n[pipelines.c]\ntap = "tap-jsonl"\ntarget = "target-jsonl"\nschedule = "61 * * * *"\n',
         5, "error: pipelines.c.schedule: minute: 61 is out of range 0-59"),
        (PIPELINES_TOML + '\n[pipelines.c]\ntap = "tap-jsnol"\ntarget = "target-jsonl"\n',
         6, "error: unknown tap 'tap-jsnol': not in the catalog, not installed in workspace "),
        (PIPELINES_TOML + '\n[pipelines.c]\ntap = "tap-jsonl"\n', 5, "error: pipelines.c.target: required"),
        (PIPELINES_TOML + '\n[pipelines.c]\ntap = "tap-jsonl"\ntarget = "target-jsonl"\nretires = 3\n',
         5, "error: pipelines.c.retires: unknown key"),
    ],
)
def test_pipeline_file_validates_all_before_writing_any(workspace: Path, flext: Callable[..., Any],
                                                        body: str, code: int, error: str) -> None:
    before = (workspace / "flext.toml").read_text()
    (workspace / "p.toml").write_text(body)
    result = flext("data", "pipeline", "create", "p.toml")
    assert result.code == code, result
    assert result.err.startswith(error)
    assert (workspace / "flext.toml").read_text() == before
