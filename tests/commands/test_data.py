"""`flext data taps|targets list/install/discover` and `data pipeline create FILE`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import installer_of, make_wheel, plugin_cache, uv_cache, workspace

_ = (plugin_cache, uv_cache, workspace)


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
@pytest.mark.parametrize(("flags", "installer", "hint"), [
    ((), "uv", "hint: check the package name and version, or pass --pip-url SPEC; --no-uv installs with pip"),
    (("--no-uv",), "pip", "hint: check the package name and version, or pass --pip-url SPEC"),
])
def test_install_failure_shows_the_installers_output(flext: Callable[..., Any], tmp_path: Path, uv_cache: Path,
                                                     flags: tuple[str, ...], installer: str, hint: str) -> None:
    assert flext("init").code == 0
    result = flext("data", "taps", "install", "tap-jsonl", "--pip-url", "/nonexistent/tap_jsonl-9.9.9.tar.gz", *flags,
                   extra_env={"FLEXT_CACHE_DIR": str(uv_cache)})
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == f"error: {installer} could not install tap-jsonl (/nonexistent/tap_jsonl-9.9.9.tar.gz) (exit 1):"
    assert any("/nonexistent/tap_jsonl-9.9.9.tar.gz" in line for line in lines[1:-1])
    assert lines[-1] == hint
    assert not (tmp_path / "work" / ".flext" / "plugins" / "tap-jsonl").exists()


def _about(executable: str) -> dict[str, Any]:
    proc = subprocess.run([executable, "--about", "--format", "json"], capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    about: dict[str, Any] = json.loads(proc.stdout)
    return about


@pytest.mark.slow
def test_uv_installs_into_a_second_workspace_from_the_shared_cache(
        flext: Callable[..., Any], tmp_path: Path, uv_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workspaces, one real tap from the index: both venvs are uv's, filled from one
    package cache under FLEXT_CACHE_DIR, and (on one filesystem) share the same files."""
    monkeypatch.delenv("UV_LINK_MODE", raising=False)
    monkeypatch.delenv("UV_CACHE_DIR", raising=False)
    cache = {"FLEXT_CACHE_DIR": str(uv_cache)}
    first, second = tmp_path / "work", tmp_path / "second"
    second.mkdir()
    assert flext("init").code == 0 and flext("init", str(second)).code == 0
    one = flext("data", "taps", "install", "tap-jsonl", "-o", "json", extra_env=cache)
    assert one.code == 0, one
    two = flext("-v", "-C", str(second), "data", "taps", "install", "tap-jsonl", "-o", "json", extra_env=cache)
    assert two.code == 0, two
    assert (one.json()["installer"], two.json()["installer"]) == ("uv", "uv")
    steps = two.err.splitlines()
    assert steps[:2] == ["creating the virtual environment for tap-jsonl", "resolving tap-jsonl==0.3.1"]
    assert re.fullmatch(r"installing \d+ packages", steps[2]), steps
    assert steps[-1] == "✓ tap-jsonl 0.3.1 installed with uv"
    venvs = [root / ".flext" / "plugins" / "tap-jsonl" / "venv" for root in (first, second)]
    assert [installer_of(v, "singer-sdk") for v in venvs] == ["uv", "uv"]
    for venv in venvs:
        assert _about(str(venv / "bin" / "tap-jsonl"))["name"] == "tap-jsonl"
    # the package cache flext gave uv holds singer_sdk; the second venv's copy is linked from it
    cached = sorted((uv_cache / "uv-cache").glob("archive-v*/*/singer_sdk/__init__.py"))
    assert cached, "uv did not use flext's cache dir"
    files = [next(v.glob("lib/python*/site-packages/singer_sdk/__init__.py")) for v in venvs]
    if os.stat(files[0]).st_dev == os.stat(cached[0]).st_dev:
        assert os.stat(files[0]).st_ino == os.stat(files[1]).st_ino
        assert os.stat(files[1]).st_ino in {os.stat(c).st_ino for c in cached}


@pytest.mark.parametrize(("flags", "config", "installer"), [
    ((), None, "uv"),
    (("--no-uv",), None, "pip"),
    ((), "pip", "pip"),
    ((), "uv", "uv"),
])
def test_no_uv_and_plugins_installer_choose_pip(flext: Callable[..., Any], tmp_path: Path, uv_cache: Path,
                                               flags: tuple[str, ...], config: str | None, installer: str) -> None:
    wheel = make_wheel(tmp_path / "wheels")
    assert flext("init").code == 0
    if config:
        assert flext("config", "set", "plugins.installer", config).code == 0
    result = flext("data", "taps", "install", "tap-tiny", "--pip-url", str(wheel), *flags, "-o", "json",
                   extra_env={"FLEXT_CACHE_DIR": str(uv_cache)})
    assert result.code == 0, result
    assert result.err == f"✓ tap-tiny 1.0 installed with {installer}\n"
    assert result.json()["installer"] == installer
    venv = tmp_path / "work" / ".flext" / "plugins" / "tap-tiny" / "venv"
    assert installer_of(venv, "tap-tiny") == installer
    assert json.loads((venv.parent / "plugin.json").read_text())["installer"] == installer


def test_unknown_installer_typed_in_config_set_is_a_usage_error(flext: Callable[..., Any]) -> None:
    result = flext("config", "set", "plugins.installer", "conda")  # typed: exit 2 (`flext help exit-codes`)
    assert result.code == 2, result
    assert result.err == ("error: plugins.installer must be one of: uv, pip, got 'conda'\n"
                          "hint: nothing was written; see `flext config show` for the current value\n")


def test_pip_is_the_fallback_when_uv_cannot_be_fetched(flext: Callable[..., Any], tmp_path: Path) -> None:
    """No uv on PATH, none in the (fresh) cache, an index that refuses connections: one
    warning line, then pip installs (the wheel needs no index)."""
    wheel = make_wheel(tmp_path / "wheels")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    offline = {"PATH": str(empty), "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_EXTRA_INDEX_URL": "",
               "PIP_FIND_LINKS": "", "PIP_CONFIG_FILE": os.devnull, "PIP_RETRIES": "0"}
    assert flext("init").code == 0
    result = flext("data", "taps", "install", "tap-tiny", "--pip-url", str(wheel), extra_env=offline)
    assert result.code == 0, result
    warning, done = result.err.splitlines()
    assert warning.startswith("warning: uv is not available (pip could not download uv ")
    assert warning.endswith("); installing tap-tiny with pip")
    assert done == "✓ tap-tiny 1.0 installed with pip"
    assert installer_of(tmp_path / "work" / ".flext" / "plugins" / "tap-tiny" / "venv", "tap-tiny") == "pip"
    assert not list((tmp_path / "cache" / "uv").glob("[0-9]*"))  # nothing half-fetched left behind


@pytest.mark.slow
def test_pip_url_installs_a_tap_the_catalog_does_not_list(flext: Callable[..., Any], tmp_path: Path,
                                                          uv_cache: Path) -> None:
    """A real tap from the index that the catalog does not know: installed, listed, usable."""
    cache = {"FLEXT_CACHE_DIR": str(uv_cache)}
    assert flext("init").code == 0
    assert flext("data", "taps", "list", "-o", "json").json()  # the catalog ...
    assert "tap-stackexchange" not in {r["name"] for r in flext("data", "taps", "list", "-o", "json").json()}
    unknown = flext("data", "taps", "install", "tap-stackexchange")
    assert unknown.code == 6, unknown
    result = flext("data", "taps", "install", "tap-stackexchange", "--pip-url", "tap-stackexchange==0.1.2",
                   "-o", "json", extra_env=cache)
    assert result.code == 0, result
    info = result.json()
    assert (info["name"], info["kind"], info["version"], info["installer"]) == ("tap-stackexchange", "tap", "0.1.2", "uv")
    assert _about(info["executable"])["name"] == "tap-stackexchange"
    listed = {r["name"]: r for r in flext("data", "taps", "list", "--installed", "-o", "json").json()}
    assert (listed["tap-stackexchange"]["installed"], listed["tap-stackexchange"]["where"]) == ("0.1.2", "workspace")
    created = flext("pipeline", "create", "questions", "--tap", "tap-stackexchange", "--target", "target-jsonl")
    assert created.code == 0, created
    assert tomllib.loads((tmp_path / "work" / "flext.toml").read_text())["pipelines"]["questions"]["tap"] == \
        "tap-stackexchange"
    again = flext("data", "taps", "install", "tap-stackexchange", "--pip-url", "tap-stackexchange==0.1.2")
    assert again.err == "✓ tap-stackexchange 0.1.2 already installed\n"


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


@pytest.mark.slow
def test_discover_failure_is_one_line_with_the_taps_own_error(workspace: Path, flext: Callable[..., Any]) -> None:
    alone = flext("data", "taps", "discover", "tap-jsonfile")  # it needs `paths` to discover anything
    assert (alone.code, alone.out) == (1, ""), alone
    assert alone.err == ("error: discovery failed: tap-jsonfile exited with code 1: KeyError: 'paths'\n"
                         "hint: a tap discovers with its settings: name a pipeline that uses it "
                         "(flext data taps discover PIPELINE), or pass --config FILE\n")
    (workspace / "tap.json").write_text(json.dumps({"paths": 3}))
    given = flext("data", "taps", "discover", "tap-jsonfile", "--config", "tap.json")
    assert given.code == 1 and given.err.count("\n") == 2 and "Traceback" not in given.err, given
    assert given.err.splitlines()[1] == "hint: run it by hand to see all it printed: tap-jsonfile --config FILE --discover"
