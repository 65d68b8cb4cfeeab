"""`flext pipeline ...` as a user types it: definitions, errors, logs, runs, state."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from flext.engine.cron import next_runs
from tests.engine.conftest import add_pipeline, log_lines, plugin_cache, workspace, write_jsonl

_ = (plugin_cache, workspace, log_lines)
JSONL = 'tap = "tap-jsonl"\ntap_config = { path = "data/*.jsonl", stream_name = "orders" }\ntarget = "target-jsonl"\ntarget_config = { destination_path = "out" }'


def toml(root: Path) -> dict[str, Any]:
    return tomllib.loads((root / "flext.toml").read_text())


def test_create_list_show_delete(workspace: Path, flext: Callable[..., Any]) -> None:
    created = flext("pipeline", "create", "orders", "--tap", "tap-jsonl", "--target", "target-duckdb",
                    "--schedule", "0 * * * *", "--retries", "2", "--timeout", "30m", "-o", "json")
    assert created.code == 0, created
    spec = created.json()
    expected_next = next_runs("0 * * * *")[0].isoformat(timespec="minutes")
    assert spec == {"name": "orders", "tap": "tap-jsonl", "target": "target-duckdb", "schedule": "0 * * * *",
                    "retries": 2, "timeout": "1800s", "next_run": expected_next}
    assert created.err == ("✓ created pipeline orders (tap-jsonl -> target-duckdb)\n"
                           f"  schedule '0 * * * *': next run {expected_next}\n")
    assert datetime.fromisoformat(expected_next).minute == 0
    assert toml(workspace)["pipelines"]["orders"] == {"tap": "tap-jsonl", "target": "target-duckdb",
                                                      "schedule": "0 * * * *", "retries": 2, "timeout": "1800s"}
    listed = flext("pipeline", "list")
    assert listed.out.splitlines() == [
        "NAME    TAP        TARGET         TRANSFORM  SCHEDULE   STATUS  LAST_RUN  RECORDS",
        "orders  tap-jsonl  target-duckdb  -          0 * * * *  never   -         -",
    ]
    shown = flext("pipeline", "show", "orders", "-o", "json").json()
    assert (shown["status"], shown["state"], shown["next_run"]) == ("never", None, expected_next)
    again = flext("pipeline", "create", "orders", "--tap", "tap-jsonl", "--target", "target-jsonl")
    assert again.code == 7
    assert again.err == "error: pipeline 'orders' already exists\nhint: change it with `flext pipeline edit orders ...`, or pass --replace\n"
    assert flext("pipeline", "create", "orders", "--tap", "tap-jsonl", "--target", "target-jsonl", "--replace").code == 0
    assert toml(workspace)["pipelines"]["orders"] == {"tap": "tap-jsonl", "target": "target-jsonl"}
    refused = flext("pipeline", "delete", "orders")
    assert refused.code == 2
    assert "pass --yes to confirm" in refused.err
    assert flext("pipeline", "delete", "orders", "--yes").code == 0
    assert "orders" not in toml(workspace).get("pipelines", {})


def test_comments_in_flext_toml_survive_edits(workspace: Path, flext: Callable[..., Any]) -> None:
    (workspace / "flext.toml").write_text('# my workspace\n[workspace]\nname = "test"  # keep me\n')
    assert flext("pipeline", "create", "a", "--tap", "tap-jsonl", "--target", "target-jsonl").code == 0
    assert flext("pipeline", "delete", "a", "--yes").code == 0
    assert (workspace / "flext.toml").read_text() == '# my workspace\n[workspace]\nname = "test"  # keep me\n'


@pytest.mark.parametrize(
    ("argv", "code", "err"),
    [
        (["--tap", "tap-jsnol", "--target", "target-jsonl"], 6,
         "error: unknown tap 'tap-jsnol': not in the catalog, not installed in workspace {ws}, not on PATH\n"
         "hint: did you mean 'tap-jsonl'?\n"),
        (["--tap", "tap-jsonl", "--target", "target-duckbd"], 6,
         "error: unknown target 'target-duckbd': not in the catalog, not installed in workspace {ws}, not on PATH\n"
         "hint: did you mean 'target-duckdb'?\n"),
        # a bad value typed on the command line is a usage error naming the option (`flext help exit-codes`)
        (["--tap", "target-jsonl", "--target", "target-jsonl"], 2,
         "error: --tap: 'target-jsonl' is a target, not a tap\nhint: see `flext pipeline create --help`\n"),
        (["--tap", "tap-jsonl", "--target", "target-jsonl", "--schedule", "* * *"], 2,
         "error: --schedule: '* * *' has 3 field(s); cron needs 5: minute hour day-of-month month day-of-week\n"
         "hint: cron has 5 fields, e.g. '0 * * * *' (hourly) or '@daily'\n"),
        (["--tap", "tap-jsonl", "--target", "target-jsonl", "--schedule", "bogus"], 2,
         "error: --schedule: 'bogus' has 1 field(s); cron needs 5: minute hour day-of-month month day-of-week\n"
         "hint: cron has 5 fields, e.g. '0 * * * *' (hourly) or '@daily'\n"),
        (["--tap", "tap-jsonl", "--target", "target-jsonl", "--retries", "101"], 2,
         "error: --retries: must be a whole number from 0 to 100\nhint: see `flext pipeline create --help`\n"),
        (["--tap", "tap-jsonl", "--target", "target-jsonl", "--timeout", "5x"], 2, None),
        (["--tap", "tap-jsonl", "--target", "target-jsonl", "--transform", "dbt/nope"], 6, None),
        (["--tap", "tap-jsonl"], 2, None),
    ],
)
def test_create_rejects_bad_input(workspace: Path, flext: Callable[..., Any], argv: list[str], code: int,
                                  err: str | None) -> None:
    before = (workspace / "flext.toml").read_text()
    result = flext("pipeline", "create", "p", *argv)
    assert result.code == code, result
    if err is not None:
        assert result.err == err.format(ws=workspace)
    elif code == 2:
        assert result.err.startswith(("error: missing --target", "error: --timeout expects a duration"))
    assert (workspace / "flext.toml").read_text() == before


EDITED = """# orders: nightly
[pipelines.orders]
tap = "tap-jsonl"  # the export
tap_config = { path = "data/*.jsonl", stream_name = "orders" }
target = "target-jsonl"
target_config = { destination_path = "out" }
"""


def test_edit_changes_what_is_named_and_keeps_the_rest(workspace: Path, flext: Callable[..., Any]) -> None:
    """Inline settings, comments and other keys stay; --unset removes; the pause goes with the schedule."""
    with (workspace / "flext.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n" + EDITED)
    got = flext("pipeline", "edit", "orders", "--schedule", "0 3 * * *", "--retries", "2", "--timeout", "30m")
    assert got.code == 0, got
    next_run = next_runs("0 3 * * *")[0].isoformat(timespec="minutes")
    assert got.err == f"✓ changed pipeline orders: schedule '0 3 * * *', retries 2, timeout '1800s'\n  next run {next_run}\n"
    assert (workspace / "flext.toml").read_text().endswith(
        EDITED + 'schedule = "0 3 * * *"\nretries = 2\ntimeout = "1800s"\n')
    assert flext("pipeline", "pause", "orders").code == 0
    assert toml(workspace)["pipelines"]["orders"]["paused"] is True
    again = flext("pipeline", "update", "orders", "--unset", "schedule", "--unset", "timeout", "-o", "json")
    assert again.code == 0, again
    assert again.err == "✓ changed pipeline orders: schedule removed, timeout removed\n"
    assert again.json() == {"name": "orders", "tap": "tap-jsonl", "target": "target-jsonl", "retries": 2,
                            "tap_config": {"path": "data/*.jsonl", "stream_name": "orders"},
                            "target_config": {"destination_path": "out"}, "next_run": None}
    assert (workspace / "flext.toml").read_text().endswith(EDITED + "retries = 2\n")
    (workspace / "other.json").write_text('{"destination_path": "elsewhere"}')
    moved = flext("pipeline", "edit", "orders", "--target-config", str(workspace / "other.json"), "--select", "orders")
    assert moved.code == 0, moved
    spec = toml(workspace)["pipelines"]["orders"]
    assert (spec["target_config_file"], spec["select"]) == ("other.json", ["orders"])  # relative: the workspace can move
    assert flext("pipeline", "edit", "orders", "--unset", "target-config", "--unset", "select").code == 0
    assert (workspace / "flext.toml").read_text().endswith(EDITED + "retries = 2\n")


@pytest.mark.parametrize(
    ("argv", "code", "err"),
    [
        ([], 2, "error: nothing to change in pipeline 'orders'\n"
                "hint: name what to change, e.g. flext pipeline edit NAME --schedule @daily\n"),
        (["--schedule", "* * *"], 2,
         "error: --schedule: '* * *' has 3 field(s); cron needs 5: minute hour day-of-month month day-of-week\n"
         "hint: cron has 5 fields, e.g. '0 * * * *' (hourly) or '@daily'\n"),
        (["--retries", "101"], 2,
         "error: --retries: must be a whole number from 0 to 100\nhint: see `flext pipeline edit --help`\n"),
        (["--tap", "target-jsonl"], 2,
         "error: --tap: 'target-jsonl' is a target, not a tap\nhint: see `flext pipeline edit --help`\n"),
        (["--tap", "tap-jsnol"], 6,
         "error: unknown tap 'tap-jsnol': not in the catalog, not installed in workspace {ws}, not on PATH\n"
         "hint: did you mean 'tap-jsonl'?\n"),
        (["--schedule", "@daily", "--unset", "schedule"], 2,
         "error: 'schedule' is both set and removed\nhint: give one of the two\n"),
        (["--unset", "tap"], 2,  # the tap and the target cannot be removed
         "error: --unset must be one of transform, schedule, select, tap-config, target-config, retries, timeout; "
         "got 'tap'\nhint: did you mean 'tap-config'?\n"),
    ],
)
def test_edit_rejects_bad_input_and_writes_nothing(workspace: Path, flext: Callable[..., Any], argv: list[str],
                                                   code: int, err: str) -> None:
    add_pipeline(workspace, "orders", JSONL)
    before = (workspace / "flext.toml").read_text()
    result = flext("pipeline", "edit", "orders", *argv)
    assert result.code == code, result
    assert result.err == err.format(ws=workspace)
    assert (workspace / "flext.toml").read_text() == before
    missing = flext("pipeline", "edit", "ordres", "--retries", "1")
    assert (missing.code, missing.err) == (6, f"error: pipeline 'ordres' does not exist in workspace {workspace}\n"
                                              "hint: did you mean 'orders'?\n")


@pytest.mark.parametrize(
    ("argv", "err"),
    [
        (["pipeline", "list"], "no pipelines yet (define one: flext pipeline create NAME --tap TAP --target TARGET)"),
        (["pipeline", "list", "--status", "failed"], "no pipelines with status failed"),
        (["pipeline", "runs", "orders"], "no runs of orders yet (start one: flext pipeline start orders)"),
        (["pipeline", "schedules"], "no scheduled pipelines (give one a schedule: flext pipeline edit NAME --schedule CRON)"),
        (["alias", "list"], "no aliases yet (define one: flext alias set NAME EXPANSION...)"),
        (["monitor", "alerts", "list"], "no alert rules (add one: flext monitor alerts add NAME --when 'pipeline_failed(NAME)')"),
        (["monitor", "alerts", "history"], "no alert history yet (`flext serve` records it as it evaluates)"),
        (["data", "taps", "list", "--installed"], "no taps installed (install one: flext data taps install NAME)"),
        (["history", "--failed"], "no commands match"),
    ],
)
def test_an_empty_table_says_what_is_empty_and_how_to_fill_it(tmp_path: Path, flext: Callable[..., Any],
                                                               argv: list[str], err: str) -> None:
    """Instead of "(no results)"; scripts (-o json) get an empty list and nothing on stderr."""
    root = tmp_path / "empty"
    root.mkdir()
    (root / "flext.toml").write_text("[workspace]\n")
    if argv[:2] == ["pipeline", "runs"] or (argv[:2] == ["pipeline", "list"] and len(argv) > 2):
        add_pipeline(root, "orders", JSONL)
    got = flext("-C", str(root), *argv)
    assert (got.code, got.out, got.err) == (0, "", err + "\n"), got
    scripted = flext("-C", str(root), *argv, "-o", "json")
    assert (scripted.code, scripted.out, scripted.err) == (0, "[]\n", ""), scripted


def test_unknown_pipeline_is_exit_6_with_a_guess(workspace: Path, flext: Callable[..., Any]) -> None:
    add_pipeline(workspace, "orders", JSONL)
    for argv in (["show", "ordres"], ["run", "ordres"], ["start", "ordres"], ["logs", "ordres"], ["state", "ordres"]):
        result = flext("pipeline", *argv)
        assert result.code == 6, (argv, result)
        assert result.err == f"error: pipeline 'ordres' does not exist in workspace {workspace}\nhint: did you mean 'orders'?\n"


def test_start_needs_names_or_all(workspace: Path, flext: Callable[..., Any]) -> None:
    result = flext("pipeline", "start")
    assert result.code == 2
    assert result.err == ("error: name the pipelines to start, or pass --all\n"
                          "hint: flext pipeline start NAME... | 'glob-*' | --all\n")


def test_run_logs_runs_state_after_real_runs(workspace: Path, flext: Callable[..., Any]) -> None:
    write_jsonl(workspace / "data" / "o.jsonl", 1, 25)
    add_pipeline(workspace, "orders", JSONL)
    assert flext("pipeline", "state", "orders").err == "orders has no saved state (the next run is a full one)\n"
    first = flext("pipeline", "run", "orders")
    assert first.code == 0, first
    assert first.err.startswith("✓ orders: run ") and ", 25 records in " in first.err
    waited = flext("pipeline", "start", "orders", "--wait", "-o", "json")
    assert waited.code == 0, waited
    record = waited.json()
    assert (record["status"], record["records"]) == ("succeeded", 25)
    assert "runner INFO     run succeeded\n" in waited.err
    assert waited.err.endswith(f"orders: run {record['id']} succeeded\n")
    runs = flext("pipeline", "runs", "orders", "-o", "json").json()
    assert [r["id"] for r in runs] == sorted((r["id"] for r in runs), reverse=True)
    assert len(runs) == 2 and runs[0]["id"] == record["id"]
    assert len(flext("pipeline", "runs", "orders", "--limit", "1", "-o", "json").json()) == 1
    tail = flext("pipeline", "logs", "orders", "--tail", "2", "-o", "jsonl")
    lines = [json.loads(x) for x in tail.out.splitlines()]
    assert [line["message"] for line in lines] == ["tap exited 0, target exited 0, 25 records", "run succeeded"]
    assert set(lines[0]) == {"ts", "level", "source", "run_id", "pipeline", "message"}
    older = flext("pipeline", "logs", "orders", "--run", runs[1]["id"], "-o", "json").json()
    assert older[0]["run_id"] == runs[1]["id"]
    assert flext("pipeline", "logs", "orders", "--run", "nope").code == 6
    followed = flext("pipeline", "logs", "orders", "-f", "--tail", "1")
    assert followed.code == 0 and followed.out.rstrip().endswith("run succeeded")
    state = flext("pipeline", "state", "orders", "-o", "json").json()
    assert "orders" in state["bookmarks"]
    status = flext("pipeline", "status", "-o", "json").json()
    assert [(s["pipeline"], s["status"], s["records"]) for s in status] == [("orders", "succeeded", 25)]
    assert set(status[0]) == {"pipeline", "status", "run", "started_at", "duration_s", "records", "error"}


def test_select_discovers_once_and_passes_a_catalog(workspace: Path, flext: Callable[..., Any], log_lines: Any) -> None:
    write_jsonl(workspace / "data" / "o.jsonl", 1, 5)
    add_pipeline(workspace, "orders", JSONL + '\nselect = ["orders"]')
    result = flext("pipeline", "run", "orders", "-o", "json")
    assert result.code == 0, result
    cached = workspace / ".flext" / "catalogs" / "orders.json"
    assert json.loads(cached.read_text())["catalog"]["streams"][0]["tap_stream_id"] == "orders"
    attempt = next(m["message"] for m in log_lines(workspace, "orders", result.json()["id"]) if m["message"].startswith("attempt"))
    assert " --catalog " in attempt
    add_pipeline(workspace, "wrong", JSONL + '\nselect = ["ordres"]')
    bad = flext("pipeline", "run", "wrong")
    assert bad.code == 5
    assert bad.err == "error: pipelines.wrong.select: the tap has no stream 'ordres'\nhint: did you mean 'orders'?\n"


def test_delete_refuses_a_running_pipeline(workspace: Path, flext: Callable[..., Any]) -> None:
    tap = workspace / "tap-slow"
    tap.write_text("#!/bin/sh\nexec sleep 60\n")
    tap.chmod(0o755)
    add_pipeline(workspace, "slow", f'tap = "{tap}"\ntarget = "target-jsonl"')
    started = flext("pipeline", "start", "slow", "-o", "json").json()
    result = flext("pipeline", "delete", "slow", "--yes")
    assert result.code == 7
    assert result.err.startswith(f"error: pipeline 'slow' is running (run {started['id']})")
    cleared = flext("pipeline", "state", "slow", "--clear", "--yes")
    assert cleared.code == 7
    assert flext("pipeline", "stop", "slow").code == 0
    assert flext("pipeline", "delete", "slow", "--yes").code == 0


def test_progress_line_only_on_a_terminal(workspace: Path, flext: Callable[..., Any]) -> None:
    write_jsonl(workspace / "data" / "o.jsonl", 1, 5)
    add_pipeline(workspace, "orders", JSONL)
    on_tty = flext("pipeline", "run", "orders", tty=True)
    assert on_tty.code == 0, on_tty
    assert "\r\x1b[Korders: " in on_tty.err and " records  " in on_tty.err
    assert on_tty.err.count("\r\x1b[K") >= 2  # drawn, then cleared before the result
    piped = flext("pipeline", "run", "orders")
    assert "\r" not in piped.err and "\x1b" not in piped.err


def test_missing_required_setting_is_exit_5_naming_the_key(workspace: Path, flext: Callable[..., Any]) -> None:
    add_pipeline(workspace, "orders", 'tap = "tap-jsonl"\ntap_config = { stream_name = "orders" }\ntarget = "target-jsonl"')
    result = flext("pipeline", "run", "orders")
    assert result.code == 5
    assert result.err == ("error: pipelines.orders.tap_config.path: required setting is missing\n"
                          "hint: set path in flext.toml under [pipelines.orders.tap_config] (or in its tap_config_file)\n")
    assert flext("pipeline", "list", "--status", "never", "-o", "json").json()[0]["name"] == "orders"


def test_discover_a_pipelines_tap_with_its_settings(workspace: Path, flext: Callable[..., Any]) -> None:
    write_jsonl(workspace / "data" / "o.jsonl", 1, 3)
    add_pipeline(workspace, "orders", JSONL)
    result = flext("data", "taps", "discover", "orders", "-o", "json")
    assert result.code == 0, result
    assert [r["stream"] for r in result.json()] == ["orders"]
    assert result.json()[0]["properties"] >= 4


# -- a new user's first day (issue 12) --------------------------------------------------


def test_status_exit_1_says_which_failed_and_help_says_so(workspace: Path, flext: Callable[..., Any]) -> None:
    add_pipeline(workspace, "broken", 'tap = "tap-csv-folder"\n'
                 'tap_config = { path = "data/none", read_mode = "no_such_mode" }\n'
                 'target = "target-jsonl"\ntarget_config = { destination_path = "out" }')
    add_pipeline(workspace, "orders", JSONL)
    assert flext("pipeline", "run", "broken").code == 1
    status = flext("pipeline", "status")
    assert status.code == 1
    assert status.err == "1 of 2 pipeline(s) failed their last run: broken (exit 1)\n"
    assert flext("pipeline", "status", "orders").code == 0  # never run: not a failure
    helped = flext("pipeline", "status", "--help").out
    assert "Exit status: 0 when no listed pipeline's last run failed; 1 when one did (stderr names them)" in \
        " ".join(helped.split())


def test_a_damaged_state_refuses_the_run_until_cleared(workspace: Path, flext: Callable[..., Any]) -> None:
    write_jsonl(workspace / "data" / "orders.jsonl", 1, 10)
    add_pipeline(workspace, "orders", JSONL)
    state_file = workspace / ".flext" / "state" / "orders.json"
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text('{"bookmarks": {"orders": \n')
    hint = ("hint: clear it with `flext pipeline state orders --clear` (the next run starts from scratch), "
            "or fix the file; `flext pipeline run orders --full-refresh` ignores it\n")
    for argv in (("run", "orders"), ("start", "orders"), ("state", "orders")):
        refused = flext("pipeline", *argv)
        assert (refused.code, refused.err) == (5, f"error: the saved state of 'orders' is damaged: {state_file}:2: "
                                                  f"not valid JSON: Expecting value (column 1)\n{hint}"), argv
    assert not (workspace / ".flext" / "runs" / "orders").exists() or not list(
        (workspace / ".flext" / "runs" / "orders").glob("*.json"))  # no run was even queued
    assert flext("pipeline", "show", "orders", "-o", "json").json()["state"] == "damaged"
    assert flext("pipeline", "state", "orders", "--clear", "--yes").code == 0
    ran = flext("pipeline", "run", "orders", "-o", "json")
    assert ran.code == 0, ran
    assert ran.json()["records"] == 10


def test_a_cancelled_run_says_cancelled_once(workspace: Path, flext: Callable[..., Any],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from flext.backend.local import LocalBackend

    def cancelled(self: Any, name: str, **_: Any) -> dict[str, Any]:
        return {"id": "20261127T100000Z-abc123", "status": "cancelled", "records": 40, "duration_s": 5.9}

    monkeypatch.setattr(LocalBackend, "run", cancelled)
    run = flext("pipeline", "run", "orders")
    assert run.code == 130
    assert run.err.splitlines()[0] == "error: orders: run 20261127T100000Z-abc123 cancelled, 40 records in 5.9s"
