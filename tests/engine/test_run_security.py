"""Issue 11, engine side: run records and logs masked at write (item 1), no plaintext
config on disk however a run ends (item 9), a run's whole process tree dies with it and
the next run starts (item 14), a malformed line found without running the tap again, and
a dead run's duration frozen.

Real taps and targets where a user would have them (tap-jsonl, target-jsonl,
target-duckdb from the package index); script taps only for what no real tap does on
purpose (print its password, emit a bad line, leave a child behind).
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from tests.engine.conftest import add_pipeline, duckdb_query, poll, read_record, write_jsonl
from tests.keyring.service import clean_keyring, secret_service

pytestmark = pytest.mark.slow
_ = (clean_keyring, secret_service)
JSONL_TARGET = 'target = "target-jsonl"\ntarget_config = { destination_path = "out" }'
SECRET = 'r4w"Pa/ss\\w@rd 42'
OTHER = "other-Secret-7781"


def spellings(value: str) -> list[str]:
    return [value, json.dumps(value)[1:-1], quote(value, safe=""), quote_plus(value), quote(value)]


def script(root: Path, name: str, body: str, *, python: bool = False) -> str:
    import sys

    path = root / "bin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text((f"#!{sys.executable}\n" if python else "#!/bin/sh\n") + body)
    path.chmod(0o755)
    return str(path)


def files_holding(roots: list[Path], values: list[str]) -> list[str]:
    found = []
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder, name)
                try:
                    data = path.read_bytes()
                except OSError:
                    continue
                found += [f"{path}: {v!r}" for v in values if v.encode() in data]
    return found


LEAKY_TAP = r'''
import json, os, sys, urllib.parse
config = json.load(open(sys.argv[sys.argv.index("--config") + 1]))
pw = config["password"]
print(f"connecting with password={pw}", file=sys.stderr)
print(json.dumps({"level": "error", "config": config}), file=sys.stderr)
print("url: https://u:" + urllib.parse.quote(pw, safe="") + "@db/ and " + urllib.parse.quote_plus(pw), file=sys.stderr)
print("env says " + os.environ.get("OTHER_PASSWORD", "?"), file=sys.stderr)
sys.exit(1)
'''


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
@pytest.mark.parametrize("how", ["run", "start"])
def test_a_failed_run_keeps_no_secret_in_its_record_or_log(workspace: Path, flext: Callable[..., Any], how: str) -> None:
    """Item 1: the tap's stderr tail (the run's `error`) and its log lines are masked at
    write, in every spelling, and so are the workspace's other secrets."""
    for name, value in (("tap-pass", SECRET), ("other-pass", OTHER)):
        assert flext("secret", "set", name, "--from-stdin", stdin=value).code == 0
    exe = script(workspace, "tap-leaky", LEAKY_TAP, python=True)
    add_pipeline(workspace, "leaky", f'tap = "{exe}"\ntap_config = {{ password = "secret:tap-pass" }}\n' + JSONL_TARGET)
    add_pipeline(workspace, "other", 'tap = "tap-jsonl"\ntap_config = { path = "x", token = "secret:other-pass" }\n'
                 + JSONL_TARGET)
    extra = {"OTHER_PASSWORD": OTHER}
    if how == "run":
        result = flext("pipeline", "run", "leaky", extra_env=extra)
        assert result.code == 1, result
    else:
        started = flext("pipeline", "start", "leaky", "-o", "json", extra_env=extra)
        assert started.code == 0, started
        run_id = started.json()["id"]
        poll(lambda: read_record(workspace, "leaky", run_id)["status"] == "failed", 60, "the run to fail")
    record = read_record(workspace, "leaky", flext("pipeline", "runs", "leaky", "-o", "json").json()[0]["id"])
    assert record["status"] == "failed"
    assert record["error"].startswith("tap exited with code 1\n  connecting with password=••••••")
    assert "env says ••••••" in record["error"]
    secrets = spellings(SECRET) + spellings(OTHER)
    assert files_holding([workspace], secrets) == []
    log = Path(record["log"]).read_text()
    assert log.count("••••••") >= 5
    shown = [flext("pipeline", "logs", "leaky", "-o", "json"), flext("pipeline", "status", "leaky", "-o", "json"),
             flext("pipeline", "runs", "leaky")]
    for out in shown:
        assert not [v for v in secrets if v in out.out + out.err], out


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_no_plaintext_config_on_disk_while_running_nor_after_a_kill(workspace: Path, flext: Callable[..., Any]) -> None:
    """Item 9: the resolved configs reach tap and target through memory (a memfd), the
    plan through a pipe; a killed runner's private dir is swept at the next start."""
    assert flext("secret", "set", "tap-pass", "--from-stdin", stdin=SECRET).code == 0
    exe = script(workspace, "tap-slow", 'cat "$2" > /dev/null\nsleep 60\n')
    add_pipeline(workspace, "slow", f'tap = "{exe}"\ntap_config = {{ password = "secret:tap-pass" }}\n' + JSONL_TARGET)
    started = flext("pipeline", "start", "slow", "-o", "json")
    assert started.code == 0, started
    record = poll(lambda: (r := read_record(workspace, "slow", started.json()["id"]))["pgid"] and r, 30, "the tap")
    argv = Path(f"/proc/{record['pgid']}/cmdline").read_bytes().split(b"\0")
    assert argv[2] == b"--config" and argv[3].startswith(b"/proc/self/fd/"), argv
    assert files_holding([workspace, Path(os.environ["FLEXT_STATE_DIR"]), Path(os.environ["FLEXT_DATA_DIR"])],
                         spellings(SECRET)) == []
    tmp = workspace / ".flext" / "tmp"
    before = sorted(p.name for p in tmp.iterdir())
    assert len(before) == 1
    os.kill(record["pid"], signal.SIGKILL)
    poll(lambda: flext("pipeline", "status", "slow", "-o", "json").json()[0]["status"] == "failed", 30, "the settle")
    again = flext("pipeline", "start", "slow", "-o", "json")
    assert again.code == 0, again
    now = sorted(p.name for p in tmp.iterdir())
    assert before[0] not in now and len(now) == 1  # the dead run's directory is gone, the live one's kept
    assert flext("pipeline", "stop", "slow").code == 0
    poll(lambda: not list(tmp.iterdir()), 30, "the stopped run to clean up")


def test_real_taps_and_targets_read_their_config_from_memory(workspace: Path, flext: Callable[..., Any],
                                                             log_lines: Any) -> None:
    write_jsonl(workspace / "data" / "orders.jsonl", 1, 25)
    add_pipeline(workspace, "orders", 'tap = "tap-jsonl"\ntap_config = { path = "data/*.jsonl", stream_name = "orders", primary_keys = ["id"] }\n'
                 + 'target = "target-duckdb"\ntarget_config = { filepath = "w.duckdb", default_target_schema = "raw" }')
    result = flext("pipeline", "run", "orders", "-o", "json")
    assert result.code == 0, result
    assert result.json()["records"] == 25
    assert duckdb_query(workspace / "w.duckdb", "select count(*) from raw.orders") == [(25,)]
    attempt = next(m["message"] for m in log_lines(workspace, "orders", result.json()["id"])
                   if m["message"].startswith("attempt 1:"))
    assert attempt.count("--config /proc/self/fd/") == 2, attempt
    assert os.listdir(workspace / ".flext" / "tmp") == []


def test_the_fallback_config_file_is_private_and_removed(tmp_path: Path) -> None:
    from flext.engine import settings

    handed = settings.handover({"password": SECRET}, str(tmp_path), "tap.json", memory=False)
    try:
        assert handed.path == str(tmp_path / "tap.json") and handed.fds == ()
        assert oct(os.stat(handed.path).st_mode & 0o777) == "0o600"
        assert json.loads(Path(handed.path).read_text()) == {"password": SECRET}
    finally:
        handed.close()
    assert not (tmp_path / "tap.json").exists()
    in_memory = settings.handover({"password": SECRET}, str(tmp_path), "tap.json")
    try:
        assert in_memory.path.startswith("/proc/self/fd/") and list(tmp_path.iterdir()) == []
    finally:
        in_memory.close()


LINGERING_TAP = """printf '%s\\n' '{"type": "SCHEMA", "stream": "s", "schema": {"properties": {"id": {"type": "integer"}, "v": {"type": "string"}}}, "key_properties": ["id"]}'
printf '%s\\n' '{"type": "RECORD", "stream": "s", "record": {"id": 1, "v": "x"}}'
sleep 600 &
echo "child $!" >&2
exit 0
"""
DUCKDB = 'target = "target-duckdb"\ntarget_config = { filepath = "w.duckdb", default_target_schema = "raw" }'


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.fixture
def reaped() -> Iterator[list[int]]:
    """Pids a test leaves behind on failure are killed (by pid, never by name)."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_killed_runner_takes_its_target_along_and_the_next_run_starts(
        workspace: Path, flext: Callable[..., Any], log_lines: Any, reaped: list[int]) -> None:
    """Item 14: the tap has ended (its child lingers), the target still holds the DuckDB
    file; the runner is killed. Nothing of the run may survive it, and the next run works."""
    exe = script(workspace, "tap-lingers", LINGERING_TAP)
    add_pipeline(workspace, "linger", f'tap = "{exe}"\n' + DUCKDB)
    started = flext("pipeline", "start", "linger", "-o", "json")
    assert started.code == 0, started
    run_id = started.json()["id"]

    def lines() -> list[dict[str, Any]]:
        try:
            return list(log_lines(workspace, "linger", run_id))
        except FileNotFoundError:
            return []

    def child() -> int | None:
        for line in lines():
            if line["message"].startswith("child "):
                return int(line["message"].split()[1])
        return None

    lingering = poll(child, 30, "the tap's child")
    reaped.append(lingering)
    poll(lambda: any("Creating" in m["message"] for m in lines()), 60,
         "the target to open the warehouse")
    record = read_record(workspace, "linger", run_id)
    target = [int(p) for p in os.listdir("/proc") if p.isdigit() and p != str(record["pgid"])
              and _pgid(int(p)) == record["pgid"] and int(p) != lingering]
    reaped.extend(target)
    assert len(target) == 1, target  # the target, in the run's group
    os.kill(record["pid"], signal.SIGKILL)
    poll(lambda: _gone(target[0]), 30, "the target to die with its runner")
    once = LINGERING_TAP.replace('"id": 1', '"id": 2').replace("sleep 600 &\n", "").replace('echo "child $!" >&2\n', "")
    (workspace / "flext.toml").write_text((workspace / "flext.toml").read_text().replace(exe, script(
        workspace, "tap-once", once)))
    again = flext("pipeline", "run", "linger", "-o", "json")
    assert again.code == 0, again
    assert again.json()["status"] == "succeeded"
    assert _gone(lingering)  # the settle at the next start killed what was left of the old group
    assert read_record(workspace, "linger", run_id)["status"] == "failed"
    assert duckdb_query(workspace / "w.duckdb", "select count(*) from raw.s where id = 2") == [(1,)]


def _pgid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def test_a_malformed_line_is_found_without_running_the_tap_again(workspace: Path, flext: Callable[..., Any]) -> None:
    """Item 14: the line number comes from counting lines as they pass; the tap (which
    extracts from the source) runs exactly once."""
    good = [{"type": "SCHEMA", "stream": "s", "schema": {"properties": {"id": {"type": "integer"}}}, "key_properties": ["id"]}]
    good += [{"type": "RECORD", "stream": "s", "record": {"id": i}} for i in range(1, 3001)]
    (workspace / "lines.jsonl").write_text("".join(json.dumps(m) + "\n" for m in good) + "this is not JSON\n"
                                           + json.dumps(good[1]) + "\n")
    exe = script(workspace, "tap-bad", f'echo run >> "{workspace}/tap-runs"\ncat "{workspace}/lines.jsonl"\n')
    add_pipeline(workspace, "bad", f'tap = "{exe}"\n' + JSONL_TARGET)
    result = flext("pipeline", "run", "bad", "-o", "json")
    assert result.code == 1, result
    record = read_record(workspace, "bad", flext("pipeline", "runs", "bad", "-o", "json").json()[0]["id"])
    assert record["error"].startswith("malformed Singer message at line 3002 of the tap's output: 'this is not JSON'")
    assert (workspace / "tap-runs").read_text() == "run\n"


def test_a_dead_runs_duration_is_frozen_at_its_last_sign_of_life(workspace: Path, flext: Callable[..., Any]) -> None:
    """Item 14: a killed run ends when its runner was last seen alive (its heartbeat), not
    whenever someone happens to look; looking again changes nothing."""
    from flext.core.clock import iso, parse_iso

    exe = script(workspace, "tap-slow", "exec sleep 60\n")
    add_pipeline(workspace, "slow", f'tap = "{exe}"\n' + JSONL_TARGET)
    started = flext("pipeline", "start", "slow", "-o", "json").json()
    record = poll(lambda: (r := read_record(workspace, "slow", started["id"]))["pgid"] and r, 30, "the tap")
    os.kill(record["pid"], signal.SIGKILL)
    poll(lambda: _gone(record["pid"]), 10, "the runner to die")
    # as if it had started an hour ago and died 7.25 s later (its last heartbeat)
    started_at = iso(time.time() - 3600)
    path = workspace / ".flext" / "runs" / "slow" / f"{record['id']}.json"
    path.write_text(json.dumps({**read_record(workspace, "slow", record["id"]), "started_at": started_at}))
    last_seen = parse_iso(started_at) + 7.25
    for touched in (Path(record["log"]), path):
        os.utime(touched, (last_seen, last_seen))
    first = flext("pipeline", "status", "slow", "-o", "json").json()[0]
    assert (first["status"], first["duration_s"]) == ("failed", 7.25)
    assert flext("pipeline", "status", "slow", "-o", "json").json()[0]["duration_s"] == 7.25
    assert read_record(workspace, "slow", record["id"])["ended_at"] == flext(
        "pipeline", "runs", "slow", "-o", "json").json()[0]["ended_at"]
