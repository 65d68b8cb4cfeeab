"""Real Singer runs: taps and targets from the package index, piped by the engine.

Every test here uses the cached real plugins (see conftest). The few script "taps"
stand in only where no real tap can produce the failure under test (a malformed
Singer line, a tap that hangs), always feeding a real target.
"""

from __future__ import annotations

import json
import os
import signal
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import add_pipeline, duckdb_query, poll, read_record, write_jsonl

pytestmark = pytest.mark.slow

JSONL_TAP = 'tap = "tap-jsonl"\ntap_config = { path = "data/*.jsonl", stream_name = "orders", primary_keys = ["id"] }'
DUCKDB = 'target = "target-duckdb"\ntarget_config = { filepath = "warehouse.duckdb", default_target_schema = "raw", batch_size_rows = 2000 }'
JSONL_TARGET = 'target = "target-jsonl"\ntarget_config = { destination_path = "out" }'


def script_tap(root: Path, name: str, body: str) -> str:
    path = root / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def run_json(flext: Callable[..., Any], *argv: str) -> Any:
    result = flext(*argv, "-o", "json")
    assert result.code == 0, result
    return result.json()


def last_run(flext: Callable[..., Any], name: str) -> dict[str, Any]:
    runs: list[dict[str, Any]] = run_json(flext, "pipeline", "runs", name, "--limit", "1")
    return runs[0]


def out_lines(root: Path, stream: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted((root / "out").glob(f"{stream}-*.jsonl")):
        rows.extend(json.loads(line) for line in path.read_text().splitlines())
    return rows


@pytest.mark.parametrize("target", ["jsonl", "duckdb"])
def test_tap_jsonl_into_real_targets(workspace: Path, flext: Callable[..., Any], log_lines: Any, target: str) -> None:
    write_jsonl(workspace / "data" / "orders.jsonl", 1, 300)
    add_pipeline(workspace, "orders", JSONL_TAP + "\n" + (DUCKDB if target == "duckdb" else JSONL_TARGET))
    record = run_json(flext, "pipeline", "run", "orders")
    assert (record["status"], record["records"], record["exit_codes"]) == ("succeeded", 300, {"tap": 0, "target": 0})
    assert record["attempt"] == 1 and record["trigger"] == "cli" and record["error"] is None
    if target == "duckdb":
        assert duckdb_query(workspace / "warehouse.duckdb", "select count(*), count(distinct id) from raw.orders") == [(300, 300)]
    else:
        assert sorted(r["id"] for r in out_lines(workspace, "orders")) == list(range(1, 301))
    state = json.loads((workspace / ".flext" / "state" / "orders.json").read_text())
    assert "orders" in state["bookmarks"]
    sources = {line["source"] for line in log_lines(workspace, "orders", record["id"])}
    assert sources == {"runner", "tap", "target"} or sources == {"runner", "tap"}
    # the resolved configs lived in a private dir that is gone now
    assert os.listdir(workspace / ".flext" / "tmp") == []


@pytest.mark.parametrize("target", ["jsonl", "duckdb"])
def test_tap_csv_folder_into_real_targets(workspace: Path, flext: Callable[..., Any], target: str) -> None:
    folder = workspace / "data" / "customers"
    folder.mkdir(parents=True)
    (folder / "customers.csv").write_text("id,name\n" + "".join(f"{i},name{i}\n" for i in range(1, 121)))
    add_pipeline(workspace, "customers", 'tap = "tap-csv-folder"\n'
                 'tap_config = { path = "data/customers", read_mode = "one_stream_per_file" }\n'
                 + (DUCKDB if target == "duckdb" else JSONL_TARGET))
    record = run_json(flext, "pipeline", "run", "customers")
    assert (record["status"], record["records"]) == ("succeeded", 120)
    if target == "duckdb":
        assert duckdb_query(workspace / "warehouse.duckdb", "select count(distinct id) from raw.customers") == [(120,)]
    else:
        assert sorted(int(r["id"]) for r in out_lines(workspace, "customers")) == list(range(1, 121))


def test_second_run_passes_the_saved_state(workspace: Path, flext: Callable[..., Any], log_lines: Any) -> None:
    write_jsonl(workspace / "data" / "orders.jsonl", 1, 200)
    add_pipeline(workspace, "orders", JSONL_TAP + "\n" + DUCKDB)
    first = run_json(flext, "pipeline", "run", "orders")
    state_file = workspace / ".flext" / "state" / "orders.json"
    saved = json.loads(state_file.read_text())
    assert run_json(flext, "pipeline", "state", "orders") == saved
    write_jsonl(workspace / "data" / "more.jsonl", 201, 50)
    second = run_json(flext, "pipeline", "run", "orders")
    assert second["status"] == "succeeded"
    attempt = [m["message"] for m in log_lines(workspace, "orders", second["id"]) if m["message"].startswith("attempt 1:")]
    assert "/state-in-1.json" in attempt[0].split("--state ", 1)[1]  # a snapshot of the saved state
    assert "--state" not in next(m["message"] for m in log_lines(workspace, "orders", first["id"]) if m["message"].startswith("attempt 1:"))
    assert json.loads(state_file.read_text()) != saved  # a new bookmark for the new file
    assert duckdb_query(workspace / "warehouse.duckdb", "select count(distinct id) from raw.orders") == [(250,)]
    # --full-refresh ignores the state for that run only
    third = run_json(flext, "pipeline", "run", "orders", "--full-refresh")
    assert third["full_refresh"] is True
    assert "--state" not in next(m["message"] for m in log_lines(workspace, "orders", third["id"]) if m["message"].startswith("attempt 1:"))
    # --clear forgets it
    assert flext("pipeline", "state", "orders", "--clear", "--yes").code == 0
    assert not state_file.exists()


def test_sigkill_mid_stream_never_tears_state_and_next_run_loads_everything(
        workspace: Path, flext: Callable[..., Any]) -> None:
    total = 40000
    write_jsonl(workspace / "data" / "orders.jsonl", 1, total, pad=200)
    add_pipeline(workspace, "orders", JSONL_TAP + "\n" + DUCKDB)
    state_file = workspace / ".flext" / "state" / "orders.json"
    started = run_json(flext, "pipeline", "start", "orders")
    poll(state_file.exists, 120, "a first STATE from the target")
    record = read_record(workspace, "orders", started["id"])
    os.killpg(record["pgid"], signal.SIGKILL)  # tap and target
    os.kill(record["pid"], signal.SIGKILL)  # and the runner: nothing gets to clean up
    poll(lambda: not Path(f"/proc/{record['pid']}").exists() or _zombie(record["pid"]), 10, "the runner to die")
    json.loads(state_file.read_text())  # old or new, never torn
    json.loads((workspace / ".flext" / "runs" / "orders" / f"{started['id']}.json").read_text())
    settled = last_run(flext, "orders")
    assert settled["status"] == "failed"
    assert "died without recording an end" in settled["error"]
    again = run_json(flext, "pipeline", "run", "orders")
    assert again["status"] == "succeeded"
    assert duckdb_query(workspace / "warehouse.duckdb", "select count(distinct id), min(id), max(id) from raw.orders") == [(total, 1, total)]


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_stop_cancels_the_run_and_keeps_the_last_confirmed_state(workspace: Path, flext: Callable[..., Any]) -> None:
    write_jsonl(workspace / "data" / "orders.jsonl", 1, 40000, pad=200)
    add_pipeline(workspace, "orders", JSONL_TAP + "\n" + DUCKDB)
    state_file = workspace / ".flext" / "state" / "orders.json"
    started = run_json(flext, "pipeline", "start", "orders")
    poll(state_file.exists, 120, "a first STATE from the target")
    confirmed = state_file.read_text()
    stopped = flext("pipeline", "stop", "orders")
    assert stopped.code == 0, stopped
    assert f"✓ stopped orders: run {started['id']} cancelled" in stopped.err
    record = read_record(workspace, "orders", started["id"])
    assert (record["status"], record["error"]) == ("cancelled", "stopped by request")
    poll(lambda: not _alive(record["pid"]), 10, "the runner to exit")
    assert not _alive(record["pgid"])
    now = json.loads(state_file.read_text())
    assert now == json.loads(confirmed) or "bookmarks" in now
    assert flext("pipeline", "stop", "orders").code == 6  # nothing running any more


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not _zombie(pid)


def test_failing_tap_fails_the_run_with_its_stderr(workspace: Path, flext: Callable[..., Any]) -> None:
    add_pipeline(workspace, "broken", 'tap = "tap-csv-folder"\n'
                 'tap_config = { path = "data/none", read_mode = "no_such_mode" }\n' + JSONL_TARGET)
    result = flext("pipeline", "run", "broken")
    assert result.code == 1, result
    assert "error: broken: run " in result.err
    assert ": tap exited with code 1" in result.err
    assert "no_such_mode" in result.err  # the tap's own complaint, from its stderr tail
    assert "hint: full log: flext pipeline logs broken --run " in result.err
    record = last_run(flext, "broken")
    assert record["status"] == "failed" and record["exit_codes"]["tap"] == 1
    assert flext("pipeline", "status", "broken").code == 1


def test_target_exiting_early_stops_the_tap(workspace: Path, flext: Callable[..., Any], log_lines: Any) -> None:
    write_jsonl(workspace / "data" / "orders.jsonl", 1, 40000, pad=200)
    (workspace / "out").write_text("a file, not a directory")
    add_pipeline(workspace, "orders", JSONL_TAP + "\n" + JSONL_TARGET)
    result = flext("pipeline", "run", "orders")
    assert result.code == 1, result
    record = read_record(workspace, "orders", last_run(flext, "orders")["id"])
    assert record["status"] == "failed"
    assert record["exit_codes"]["target"] == 1
    assert record["exit_codes"]["tap"] is not None  # stopped and reaped, not left running
    assert record["error"].startswith("target exited early (code 1): FileExistsError: [Errno 17] File exists: 'out'\n")
    assert record["error"].endswith("FileExistsError: [Errno 17] File exists: 'out'")
    messages = [m["message"] for m in log_lines(workspace, "orders", record["id"])]
    assert "target exited (code 1) before the tap finished: stopping the tap" in messages


def test_malformed_singer_line_fails_with_its_line_number(workspace: Path, flext: Callable[..., Any]) -> None:
    lines = [
        {"type": "SCHEMA", "stream": "s", "schema": {"properties": {"id": {"type": "integer"}}}, "key_properties": ["id"]},
        {"type": "RECORD", "stream": "s", "record": {"id": 1}},
        {"type": "RECORD", "stream": "s", "record": {"id": 2}},
    ]
    body = "".join(f"printf '%s\\n' '{json.dumps(m)}'\n" for m in lines) + "echo 'this is not JSON'\n"
    exe = script_tap(workspace, "tap-bad", body)
    add_pipeline(workspace, "bad", f'tap = "{exe}"\n' + JSONL_TARGET)
    result = flext("pipeline", "run", "bad")
    assert result.code == 1, result
    record = read_record(workspace, "bad", last_run(flext, "bad")["id"])
    assert record["error"].startswith("malformed Singer message at line 4 of the tap's output: 'this is not JSON'")
    log = (workspace / ".flext" / "runs" / "bad" / f"{record['id']}.log").read_text()
    assert "malformed Singer message at line 4" in log


def test_timeout_and_retries_with_backoff(workspace: Path, flext: Callable[..., Any], log_lines: Any) -> None:
    exe = script_tap(workspace, "tap-slow", "exec sleep 60\n")
    add_pipeline(workspace, "slow", f'tap = "{exe}"\n{JSONL_TARGET}\ntimeout = "1s"\nretries = 1\nretry_backoff = "0.1s"')
    result = flext("pipeline", "run", "slow")
    assert result.code == 1, result
    record = last_run(flext, "slow")
    assert (record["status"], record["attempt"], record["error"]) == ("failed", 2, "timed out after 1s")
    messages = [m["message"] for m in log_lines(workspace, "slow", record["id"])]
    assert "attempt 1 failed: timed out after 1s; retrying in 0.1s" in messages


def test_one_active_run_per_pipeline_and_dead_runner_found(workspace: Path, flext: Callable[..., Any]) -> None:
    exe = script_tap(workspace, "tap-slow", "exec sleep 60\n")
    add_pipeline(workspace, "slow", f'tap = "{exe}"\n{JSONL_TARGET}')
    started = run_json(flext, "pipeline", "start", "slow")
    second = flext("pipeline", "start", "slow")
    assert second.code == 7
    assert f"error: pipeline 'slow' is already running (run {started['id']}, " in second.err
    record = poll(lambda: (r := read_record(workspace, "slow", started["id"]))["pgid"] and r, 30, "the tap to start")
    os.kill(record["pid"], signal.SIGKILL)  # the runner dies; its children are left behind
    poll(lambda: not _alive(record["pid"]), 10, "the runner to die")
    looked = flext("pipeline", "status", "slow", "-o", "json")
    assert looked.code == 1  # a failed pipeline makes status exit non-zero
    status = looked.json()
    assert status[0]["status"] == "failed"
    assert status[0]["error"] == f"the runner process (pid {record['pid']}) died without recording an end"
    poll(lambda: not _alive(record["pgid"]), 10, "the orphaned tap to be killed")
    again = run_json(flext, "pipeline", "start", "slow")
    assert again["id"] != started["id"]
    assert flext("pipeline", "stop", "slow", "--force").code == 0


def test_bulk_start_status_stop_with_globs(workspace: Path, flext: Callable[..., Any]) -> None:
    exe = script_tap(workspace, "tap-slow", "exec sleep 60\n")
    for name in ("wms-a", "wms-b", "other"):
        add_pipeline(workspace, name, f'tap = "{exe}"\n{JSONL_TARGET}')
    rows = run_json(flext, "pipeline", "start", "wms-*")
    assert [(r["pipeline"], r["status"] in ("queued", "running")) for r in rows] == [("wms-a", True), ("wms-b", True)]
    again = flext("pipeline", "start", "wms-*", "other", "-o", "json")
    assert again.code == 7
    assert [(r["pipeline"], r["status"]) for r in json.loads(again.out)] == [
        ("wms-a", "error"), ("wms-b", "error"), ("other", "queued")]
    status = run_json(flext, "pipeline", "status", "wms-*")
    assert [r["pipeline"] for r in status] == ["wms-a", "wms-b"]
    listed = run_json(flext, "pipeline", "list", "--status", "running")
    assert [r["name"] for r in listed] == ["other", "wms-a", "wms-b"]
    stopped = run_json(flext, "pipeline", "stop", "--all")
    assert sorted((r["pipeline"], r["status"]) for r in stopped) == [
        ("other", "cancelled"), ("wms-a", "cancelled"), ("wms-b", "cancelled")]
    assert [r["name"] for r in run_json(flext, "pipeline", "list", "--status", "cancelled")] == ["other", "wms-a", "wms-b"]
    assert flext("pipeline", "start", "nope-*").code == 6


def test_settings_resolved_at_run_time_only(workspace: Path, flext: Callable[..., Any], log_lines: Any) -> None:
    write_jsonl(workspace / "data" / "orders.jsonl", 1, 10)
    add_pipeline(workspace, "orders", 'tap = "tap-jsonl"\ntap_config = { path = "${ORDERS_GLOB}", stream_name = "orders" }\n'
                 + JSONL_TARGET)
    missing = flext("pipeline", "run", "orders")
    assert missing.code == 5
    assert "error: pipelines.orders.tap_config.path: environment variable ORDERS_GLOB is not set" in missing.err
    result = flext("pipeline", "run", "orders", "-o", "json", extra_env={"ORDERS_GLOB": "data/*.jsonl"})
    assert result.code == 0, result
    ok = result.json()
    assert ok["records"] == 10
    assert "${ORDERS_GLOB}" in (workspace / "flext.toml").read_text()
    attempt = next(m["message"] for m in log_lines(workspace, "orders", ok["id"]) if m["message"].startswith("attempt"))
    assert "data/*.jsonl" not in attempt  # the value went into a 0600 file, not argv
    assert os.listdir(workspace / ".flext" / "tmp") == []
    state = workspace / ".flext" / "state" / "orders.json"
    assert stat.S_IMODE(state.stat().st_mode) == 0o600


def test_ctrl_c_cancels_a_foreground_run(workspace: Path, flext: Callable[..., Any], env: dict[str, str]) -> None:
    import subprocess
    import sys

    exe = script_tap(workspace, "tap-slow", "exec sleep 60\n")
    add_pipeline(workspace, "slow", f'tap = "{exe}"\n{JSONL_TARGET}')
    child_env = dict(env, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen([sys.executable, "-m", "flext", "pipeline", "run", "slow"], cwd=workspace, env=child_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    runs_dir = workspace / ".flext" / "runs" / "slow"
    record = poll(lambda: next((json.loads(p.read_text()) for p in runs_dir.glob("*.json")
                                if json.loads(p.read_text()).get("pgid")), None), 30, "the run to start")
    assert record["pid"] == proc.pid
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends to the foreground process
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert f"error: slow: run {record['id']} cancelled" in err
    final = read_record(workspace, "slow", record["id"])
    assert (final["status"], final["error"]) == ("cancelled", "stopped by request")
    assert not _alive(record["pgid"])


def test_detached_runner_has_its_own_session(workspace: Path, flext: Callable[..., Any]) -> None:
    exe = script_tap(workspace, "tap-slow", "exec sleep 60\n")
    add_pipeline(workspace, "slow", f'tap = "{exe}"\n{JSONL_TARGET}')
    started = run_json(flext, "pipeline", "start", "slow")
    record = poll(lambda: (r := read_record(workspace, "slow", started["id"]))["pgid"] and r, 30, "the tap to start")
    assert os.getsid(record["pid"]) == record["pid"] != os.getsid(0)  # no controlling terminal: no SIGHUP
    assert os.getpgid(record["pgid"]) == record["pgid"] != record["pid"]  # tap and target in their own group
    assert run_json(flext, "pipeline", "stop", "slow")["status"] == "cancelled"


# -- a new user's first day (issue 12) --------------------------------------------------


def test_zero_records_because_the_tap_found_nothing_says_why(workspace: Path, flext: Callable[..., Any]) -> None:
    add_pipeline(workspace, "empty", 'tap = "tap-jsonl"\n'
                 'tap_config = { path = "data/none/*.jsonl", stream_name = "orders" }\n' + JSONL_TARGET)
    result = flext("pipeline", "run", "empty")
    assert result.code == 0, result
    line = result.err.splitlines()[-1]
    assert line.startswith("✓ empty: run ") and ", 0 records in " in line
    assert line.endswith("; the tap warned: No files found for data/none/*.jsonl")
    assert last_run(flext, "empty")["warnings"] == ["No files found for data/none/*.jsonl"]


def test_a_target_rejecting_a_schema_names_its_own_error(workspace: Path, flext: Callable[..., Any]) -> None:
    """singer-sdk's InvalidInputLine looked like a parse error and was reported as a
    'malformed Singer message' whose line could not be found; every line is a Singer
    message here, so the target's own error is the cause."""
    schema = {"type": "SCHEMA", "stream": "s", "schema": {"type": "object"}, "key_properties": []}
    exe = script_tap(workspace, "tap-schema", f"printf '%s\\n' '{json.dumps(schema)}'\n")
    add_pipeline(workspace, "rejected", f'tap = "{exe}"\ntarget = "target-csv"\ntarget_config = {{ output_path = "out" }}')
    result = flext("pipeline", "run", "rejected")
    assert result.code == 1, result
    record = last_run(flext, "rejected")
    first = record["error"].splitlines()[0]
    assert first == ("target failed (code 1): InvalidInputLine: Line is missing required properties key(s): "
                     "{'type': 'object'}")
    assert "malformed" not in record["error"]


def test_a_resumed_run_emits_only_new_records(workspace: Path, flext: Callable[..., Any]) -> None:
    """The example tap resumes by file: unchanged files are not read again (tap-jsonl
    0.3.1 re-sent every record once per saved file, 10x the data for 10 files)."""
    for index, name in enumerate(("a", "b", "c")):
        write_jsonl(workspace / "data" / f"{name}.jsonl", index * 100, 100)
    add_pipeline(workspace, "orders", 'tap = "tap-jsonfile"\n'
                 'tap_config = { paths = ["data/*.jsonl"], stream_name = "orders", '
                 'stream_maps = { orders = { __key_properties__ = ["id"] } } }\n' + JSONL_TARGET)
    first = run_json(flext, "pipeline", "run", "orders")
    assert first["records"] == 300
    write_jsonl(workspace / "data" / "d.jsonl", 300, 25)
    second = run_json(flext, "pipeline", "run", "orders")
    assert second["records"] == 25
    third = run_json(flext, "pipeline", "run", "orders")
    assert third["records"] == 0
    assert sorted(r["id"] for r in out_lines(workspace, "orders")) == list(range(325))
