"""`flext meltano ...` against the real meltano, offline, with executable-only plugins."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.plugins.tools import gruponos_project, meltano_exe, singer_tools  # noqa: F401  (fixtures)

Flext = Callable[..., Run]
pytestmark = pytest.mark.slow


@pytest.fixture
def configured(flext: Flext, meltano_exe: Path) -> Flext:  # noqa: F811
    assert flext("config", "set", "meltano.executable", str(meltano_exe)).code == 0
    return flext


def test_missing_meltano_is_exit_5_with_the_install_command(flext: Flext, tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "meltano.yml").write_text("version: 1\n")
    run = flext("meltano", "run", "x", "--project", str(tmp_path / "p"), extra_env={"PATH": "/nonexistent"})
    assert (run.code, run.err) == (5, "error: meltano is not installed\n"
                                      "hint: `flext meltano install` puts it in its own venv "
                                      "(or `flext config set meltano.executable PATH`)\n")
    bad = flext("meltano", "run", "x", "--project", str(tmp_path / "p"),
                extra_env={"FLEXT_MELTANO__EXECUTABLE": "/nowhere/meltano"})
    assert bad.code == 5 and bad.err.startswith("error: meltano.executable = '/nowhere/meltano' is not an executable")


def test_no_project_here_is_not_found(configured: Flext) -> None:
    run = configured("meltano", "schedule", "list")
    assert (run.code, run.err) == (6, "error: no Meltano project here (no meltano.yml in this folder or above)\n"
                                      "hint: pass --project DIR, or create one with `flext meltano project init DIR`\n")


def test_workspace_venv_is_used(flext: Flext, tmp_path: Path, meltano_exe: Path) -> None:  # noqa: F811
    work = Path.cwd()
    (work / "flext.toml").write_text('[workspace]\nname = "w"\n')
    venv_bin = work / ".flext" / "plugins" / "meltano" / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "meltano").symlink_to(meltano_exe)
    run = flext("meltano", "project", "init", "proj", extra_env={"PATH": "/usr/bin:/bin"})
    assert run.code == 0, run
    assert (work / "proj" / "meltano.yml").is_file()


def test_the_default_workspace_venv_is_found_from_any_workspace(flext: Flext, tmp_path: Path,
                                                                 meltano_exe: Path) -> None:  # noqa: F811
    """`flext meltano install` outside a workspace installs into the default one; every workspace uses it."""
    venv_bin = Path(os.environ["FLEXT_DATA_DIR"]) / "workspace" / ".flext" / "plugins" / "meltano" / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "meltano").symlink_to(meltano_exe)
    (Path.cwd() / "flext.toml").write_text('[workspace]\nname = "other"\n')
    run = flext("meltano", "project", "init", "proj", extra_env={"PATH": "/usr/bin:/bin"})
    assert run.code == 0, run
    assert (Path.cwd() / "proj" / "meltano.yml").is_file()


def test_init_add_run_schedule_test(configured: Flext, tmp_path: Path, singer_tools: tuple[Path, Path]) -> None:  # noqa: F811
    tap, target = singer_tools
    project = tmp_path / "elt"
    run = configured("meltano", "project", "init", str(project))
    assert run.code == 0, run
    assert "Meltano" in run.err  # meltano's own output, streamed
    again = configured("meltano", "project", "init", str(project))
    assert (again.code, again.err) == (7, f"error: {project} already holds a Meltano project\nhint: choose another folder\n")
    os.chdir(project)
    data = tmp_path / "in"
    data.mkdir()
    (data / "orders.jsonl").write_text('{"id": 1}\n{"id": 2}\n{"id": 3}\n')
    assert configured("meltano", "add", "extractor", "tap-orders", "--executable", str(tap)).code == 0
    assert configured("meltano", "add", "loader", "target-files", "--executable", str(target)).code == 0
    text = (project / "meltano.yml").read_text()
    assert f"executable: {tap}" in text and "pip_url" not in text
    # plugin config beside the definitions meltano wrote
    text = text.replace(f"executable: {tap}\n", f"executable: {tap}\n    config:\n      path: {data}/*.jsonl\n"
                        "      stream_name: orders\n")
    text = text.replace(f"executable: {target}\n", f"executable: {target}\n    config:\n"
                        f"      destination_path: {tmp_path / 'out'}\n      do_timestamp_file: false\n")
    (project / "meltano.yml").write_text(text)
    done = configured("meltano", "run", "tap-orders", "target-files", "-o", "json")
    assert done.code == 0, done
    assert json.loads(done.out) == {"command": "meltano run tap-orders target-files", "project": str(project), "exit_code": 0}
    assert "Block run completed" in done.err
    assert [json.loads(line)["id"] for line in (tmp_path / "out" / "orders.jsonl").read_text().splitlines()] == [1, 2, 3]
    # the exit code of a failing meltano is passed through
    failed = configured("meltano", "run", "tap-orders", "target-nothing")
    assert failed.code == 1 and failed.err.endswith("meltano exited with code 1\n")
    # schedules
    (project / "meltano.yml").write_text((project / "meltano.yml").read_text() + textwrap_jobs())
    bad = configured("meltano", "schedule", "add", "s", "--job", "orders-job", "--interval", "61 * * * *")
    assert bad.code == 2 and bad.err.startswith("error: invalid --interval '61 * * * *'")
    added = configured("meltano", "schedule", "add", "orders-hourly", "--job", "orders-job", "--interval", "0 * * * *")
    assert added.code == 0, added
    listed = configured("meltano", "schedule", "list", "-o", "json")
    assert listed.json() == [{"name": "orders-hourly", "job": "orders-job", "interval": "0 * * * *", "cron": "0 * * * *"}]
    # tests: none defined is a success; a plugin's `test` command runs
    assert configured("meltano", "test").code == 0


def textwrap_jobs() -> str:
    return "jobs:\n- name: orders-job\n  tasks:\n  - tap-orders target-files\n"


def test_plugin_tests_run_through_meltano(configured: Flext, tmp_path: Path,
                                          singer_tools: tuple[Path, Path]) -> None:  # noqa: F811
    project = gruponos_project(tmp_path / "gn", *singer_tools)
    run = configured("meltano", "test", "tap-oracle-wms-full", "--project", str(project))
    assert run.code == 0, run
    assert "1 test(s) successful" in run.out + run.err
