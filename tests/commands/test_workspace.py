"""`flext init`: flext.toml, a git-ignored .flext/, the example, and how commands find it."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def test_init_writes_toml_and_ignored_dot_dir(flext: Callable[..., Any], tmp_path: Path) -> None:
    result = flext("init", "etl", "-o", "json")
    assert result.code == 0, result
    root = tmp_path / "work" / "etl"
    assert result.json() == {"workspace": str(root), "name": "etl", "created": ["flext.toml", ".flext/"], "example": False}
    assert result.err == f"✓ created workspace 'etl' in {root}\n"
    assert tomllib.loads((root / "flext.toml").read_text()) == {"workspace": {"name": "etl"}}
    assert (root / ".flext" / ".gitignore").read_text() == "*\n"
    assert (root / ".gitignore").read_text() == ".flext/\n"


def test_init_name_and_current_directory(flext: Callable[..., Any], tmp_path: Path) -> None:
    assert flext("init", "--name", "sales").code == 0
    assert tomllib.loads((tmp_path / "work" / "flext.toml").read_text())["workspace"]["name"] == "sales"


def test_init_refuses_an_existing_workspace(flext: Callable[..., Any], tmp_path: Path) -> None:
    assert flext("init", "w").code == 0
    again = flext("init", "w")
    assert again.code == 7
    assert again.err == (f"error: {tmp_path / 'work' / 'w' / 'flext.toml'} already exists\n"
                         "hint: edit it, or choose another directory\n")


def test_init_keeps_an_existing_gitignore(flext: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "work" / ".gitignore").write_text("*.pyc")
    assert flext("init").code == 0
    assert (tmp_path / "work" / ".gitignore").read_text() == "*.pyc\n.flext/\n"


def test_init_example(flext: Callable[..., Any], tmp_path: Path) -> None:
    result = flext("init", "demo", "--example")
    assert result.code == 0, result
    root = tmp_path / "work" / "demo"
    doc = tomllib.loads((root / "flext.toml").read_text())
    assert sorted(doc["pipelines"]) == ["customers", "orders"]
    assert doc["pipelines"]["orders"]["transform"] == "transform"
    assert len((root / "data" / "orders.jsonl").read_text().splitlines()) == 1000
    first = json.loads((root / "data" / "orders.jsonl").read_text().splitlines()[0])
    assert sorted(first) == ["amount", "created_at", "customer", "id"]
    assert (root / "data" / "customers" / "customers.csv").read_text().startswith("id,name,city\nc001,Customer 1,")
    assert (root / "transform" / "dbt_project.yml").exists() and (root / "transform" / "profiles.yml").exists()
    listed = flext("-C", str(root), "pipeline", "list", "-o", "json")
    assert [(p["name"], p["status"]) for p in listed.json()] == [("customers", "never"), ("orders", "never")]


def test_commands_find_the_workspace_by_walking_up(flext: Callable[..., Any], tmp_path: Path) -> None:
    assert flext("init", "w", "--example").code == 0
    deep = tmp_path / "work" / "w" / "data" / "customers"
    os.chdir(deep)
    names = [p["name"] for p in flext("pipeline", "list", "-o", "json").json()]
    assert names == ["customers", "orders"]


def test_without_a_workspace_the_default_one_is_used(flext: Callable[..., Any], env: dict[str, str]) -> None:
    assert flext("pipeline", "list", "-o", "json").json() == []
    default = Path(env["FLEXT_DATA_DIR"]) / "workspace"
    assert not default.exists()  # nothing is created by reading
    created = flext("pipeline", "create", "p", "--tap", "tap-jsonl", "--target", "target-jsonl")
    assert created.code == 0, created
    assert tomllib.loads((default / "flext.toml").read_text())["pipelines"]["p"] == {"tap": "tap-jsonl", "target": "target-jsonl"}


# -- a new user's first day (issue 12) --------------------------------------------------


def test_not_found_names_the_workspace_searched(flext: Callable[..., Any], env: dict[str, str],
                                                tmp_path: Path) -> None:
    default = Path(env["FLEXT_DATA_DIR"]) / "workspace"
    outside = flext("pipeline", "run", "orders")
    assert (outside.code, outside.err) == (6, (
        f"error: pipeline 'orders' does not exist in the default workspace ({default})\n"
        "hint: no flext.toml in this directory or above it, so the default workspace was used: "
        "cd into your workspace, or pass -C DIR\n"))
    assert flext("init", "w").code == 0
    root = tmp_path / "work" / "w"
    inside = flext("-C", str(root), "pipeline", "show", "orders")
    assert inside.err.splitlines()[0] == f"error: pipeline 'orders' does not exist in workspace {root}"
    glob = flext("-C", str(root), "pipeline", "start", "wms-*")
    assert glob.err.splitlines()[0] == f"error: no pipeline matches 'wms-*' in workspace {root}"


def test_creating_in_the_default_workspace_says_so(flext: Callable[..., Any], env: dict[str, str],
                                                  tmp_path: Path) -> None:
    default = Path(env["FLEXT_DATA_DIR"]) / "workspace"
    made = flext("pipeline", "create", "p", "--tap", "tap-jsonl", "--target", "target-jsonl")
    assert made.code == 0, made
    assert made.err.splitlines()[0] == (f"note: no flext.toml in this directory or above: pipeline p goes into "
                                        f"the default workspace ({default})")
    assert flext("init", "w").code == 0
    here = flext("-C", str(tmp_path / "work" / "w"), "pipeline", "create", "p", "--tap", "tap-jsonl",
                 "--target", "target-jsonl")
    assert here.err == "✓ created pipeline p (tap-jsonl -> target-jsonl)\n"


@pytest.mark.parametrize(("edit", "line", "error", "hint"), [
    (("target = ", "targt = "), 6, "pipelines.orders.targt: unknown key", "did you mean 'target'?"),
    (('tap = "tap-jsonl"', "tap = 3"), 5, "pipelines.orders.tap: must be a tap name (text), got 3",
     'for example tap = "tap-jsonl"'),
    (("[workspace]", "[worksapce]"), 1, "worksapce: unknown key", "did you mean 'workspace'?"),
    (("retries = 2", "retries = -1"), 7, "pipelines.orders.retries: must be a whole number from 0 to 100",
     "fix it in an editor; flext did not change the file"),
    (("retries = 2", 'timeout = "soon"'), 7,
     "pipelines.orders.timeout: TIMEOUT_MESSAGE", "durations look like 30s, 10m, 1h or 1h30m"),
    (("retries = 2", "schedule = 5"), 7, "pipelines.orders.schedule: must be a cron expression (text), got 5",
     "cron has 5 fields, e.g. '0 * * * *' (hourly) or '@daily'"),
])
def test_a_broken_flext_toml_is_exit_5_with_file_line_key(flext: Callable[..., Any], tmp_path: Path,
                                                          edit: tuple[str, str], line: int, error: str,
                                                          hint: str) -> None:
    assert flext("init", "w").code == 0
    root = tmp_path / "work" / "w"
    toml_path = root / "flext.toml"
    toml_path.write_text('[workspace]\nname = "w"\n\n[pipelines.orders]\ntap = "tap-jsonl"\ntarget = "target-jsonl"\n'
                         "retries = 2\n")
    assert flext("-C", str(root), "pipeline", "list").code == 0
    toml_path.write_text(toml_path.read_text().replace(*edit))
    if "TIMEOUT_MESSAGE" in error:
        from flext.core.durations import parse_duration

        with pytest.raises(ValueError) as info:
            parse_duration("soon")
        error = error.replace("TIMEOUT_MESSAGE", str(info.value))
    for argv in (("pipeline", "list"), ("pipeline", "run", "orders"), ("pipeline", "show", "orders")):
        run = flext("-C", str(root), *argv)
        assert (run.code, run.err) == (5, f"error: {toml_path}:{line}: {error}\nhint: {hint}\n"), argv
    check = flext("-C", str(root), "debug", "check", "-o", "json")
    assert check.code == 1
    row = next(r for r in check.json() if r["check"] == "workspace")
    assert row == {"check": "workspace", "ok": False, "detail": f"{toml_path}:{line}: {error}"}
    before = toml_path.read_bytes()
    refused = flext("-C", str(root), "pipeline", "create", "x", "--tap", "tap-jsonl", "--target", "target-jsonl")
    assert refused.code == 5 and toml_path.read_bytes() == before  # never written over


def test_non_utf8_flext_toml_names_the_line(flext: Callable[..., Any], tmp_path: Path) -> None:
    assert flext("init", "w").code == 0
    root = tmp_path / "work" / "w"
    (root / "flext.toml").write_bytes(b'[workspace]\nname = "w"\n# caf\xe9\n')
    run = flext("-C", str(root), "pipeline", "list")
    assert run.code == 5
    assert run.err == (f"error: {root / 'flext.toml'}:3: not UTF-8 text (byte 28)\n"
                       "hint: fix the file in an editor, or move it away; flext did not change it\n")


def test_flext_toml_is_checked_once_per_version(flext: Callable[..., Any], tmp_path: Path) -> None:
    """The check runs when the file changed: its stat key is remembered after it passed."""
    assert flext("init", "w").code == 0
    root = tmp_path / "work" / "w"
    assert flext("-C", str(root), "pipeline", "list").code == 0
    st = (root / "flext.toml").stat()
    assert (root / ".flext" / "flext.toml.ok").read_text() == f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}\n"
    with (root / "flext.toml").open("a") as fh:
        fh.write("\n[pipelines.x]\ntap = 1\n")
    assert flext("-C", str(root), "pipeline", "list").code == 5  # changed: checked again


@pytest.mark.parametrize(("given", "stored"), [
    ("conf/tap.json", "conf/tap.json"),
    ("./conf/../conf/tap.json", "conf/tap.json"),
    ("{root}/conf/tap.json", "conf/tap.json"),  # inside the workspace: made relative
    ("{outside}/tap.json", "{outside}/tap.json"),  # outside: stays absolute
])
def test_config_paths_are_kept_relative_to_the_workspace(flext: Callable[..., Any], tmp_path: Path,
                                                         given: str, stored: str) -> None:
    assert flext("init", "w").code == 0
    root = tmp_path / "work" / "w"
    outside = tmp_path / "elsewhere"
    for folder in (root / "conf", outside):
        folder.mkdir()
        (folder / "tap.json").write_text("{}")
    os.chdir(root)
    path = given.format(root=root, outside=outside)
    made = flext("pipeline", "create", "p", "--tap", "tap-jsonl", "--target", "target-jsonl", "--tap-config", path)
    assert made.code == 0, made
    assert tomllib.loads((root / "flext.toml").read_text())["pipelines"]["p"]["tap_config_file"] == \
        stored.format(outside=outside)
    moved = tmp_path / "moved"
    (root).rename(moved)
    if "outside" not in given:
        assert flext("-C", str(moved), "pipeline", "show", "p").code == 0  # the workspace moved: still valid


def test_init_example_names_complete_at_once(flext: Callable[..., Any], tmp_path: Path) -> None:
    assert flext("init", "w", "--example").code == 0
    index = json.loads((tmp_path / "work" / "w" / ".flext" / "index.json").read_text())
    assert index["pipelines"] == ["customers", "orders"]


def test_a_flext_toml_that_does_not_parse_never_hints_config_edit(flext: Callable[..., Any], tmp_path: Path) -> None:
    assert flext("init", "w").code == 0
    root = tmp_path / "work" / "w"
    (root / "flext.toml").write_text('[workspace]\nname = "w"\n[pipelines.orders\n')
    run = flext("-C", str(root), "pipeline", "list")
    assert run.code == 5
    assert run.err.startswith(f"error: {root / 'flext.toml'}: invalid TOML: ")
    assert run.err.splitlines()[-1] == "hint: fix the file in an editor, or move it away; flext did not change it"


def test_a_bad_schedule_is_left_to_the_scheduler_but_debug_check_reports_it(flext: Callable[..., Any],
                                                                           tmp_path: Path) -> None:
    """One bad cron expression must not stop the other pipelines (the scheduler skips it and
    logs it once), so reading flext.toml accepts any text there; debug check parses it."""
    assert flext("init", "w").code == 0
    root = tmp_path / "work" / "w"
    toml_path = root / "flext.toml"
    toml_path.write_text('[workspace]\nname = "w"\n\n[pipelines.orders]\ntap = "tap-jsonl"\ntarget = "target-jsonl"\n'
                         'schedule = "every day"\n')
    assert flext("-C", str(root), "pipeline", "list").code == 0
    check = flext("-C", str(root), "debug", "check", "-o", "json")
    row = next(r for r in check.json() if r["check"] == "workspace")
    assert row == {"check": "workspace", "ok": False, "detail": (
        f"{toml_path}:7: pipelines.orders.schedule: 'every day' has 2 field(s); cron needs 5: "
        "minute hour day-of-month month day-of-week")}
