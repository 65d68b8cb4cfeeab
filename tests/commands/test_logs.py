"""`flext logs search/tail/export` over run logs of pipelines and logs of services."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from flext.core.clock import iso
from tests.commands.test_service import Lines
from tests.services.servers import write_config

ROOT = Path(__file__).resolve().parents[2]
BASE = 1_800_000_000.0  # 2027-01-15T08:00:00Z


def line(n: float, message: str, level: str = "info", source: str = "tap", run_id: str = "r1", **extra: object) -> str:
    return json.dumps({"ts": iso(BASE + n), "level": level, "source": source, "run_id": run_id,
                       "pipeline": "orders", "message": message, **extra}) + "\n"


@pytest.fixture
def ws(env: dict[str, str], tmp_path: Path) -> Path:
    """A workspace with two pipelines' run logs and one service log."""
    root = tmp_path / "ws"
    (root / ".flext" / "runs" / "orders").mkdir(parents=True)
    (root / ".flext" / "runs" / "users").mkdir(parents=True)
    (root / "flext.toml").write_text('[workspace]\nname = "w"\n')
    runs = root / ".flext" / "runs"
    (runs / "orders" / "20270115T080000Z-aaaaaa.log").write_text(
        line(1, "starting tap") + line(3, "connection timeout to db", "error") + line(5, "done", source="runner"))
    (runs / "orders" / "20270115T090000Z-bbbbbb.log").write_text(line(3600, "second run ok", run_id="r2"))
    (runs / "users" / "20270115T080000Z-cccccc.log").write_text(
        line(2, "users begin", source="target") + line(4, "Timeout while writing", "warning", source="target"))
    service_log = root / "svc.jsonl"
    service_log.write_text(line(2.5, "GET /health 200", source="stderr") + line(4.5, "upstream timeout", "critical", source="stderr"))
    write_config(env, f'[services.api]\nurl = "http://127.0.0.1:1"\nlog_file = "{service_log}"\n')
    os.chdir(root)
    return root


def messages(out: str) -> list[str]:
    return [json.loads(ln)["message"] for ln in out.splitlines()]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["timeout"], ["connection timeout to db", "upstream timeout"]),
        (["timeout", "-i"], ["connection timeout to db", "Timeout while writing", "upstream timeout"]),
        (["time(out| )", "--regex", "-i"], ["connection timeout to db", "Timeout while writing", "upstream timeout"]),
        (["timeout", "-i", "--level", "error"], ["connection timeout to db", "upstream timeout"]),
        (["timeout", "-i", "--source", "users"], ["Timeout while writing"]),
        (["timeout", "-i", "--source", "api", "--source", "orders"], ["connection timeout to db", "upstream timeout"]),
        (["o", "--source", "runner"], ["done"]),  # a line-level source
        (["run", "--since", iso(BASE + 1000)], ["second run ok"]),
        (["t", "--until", iso(BASE + 2)], ["starting tap"]),
        (["r2"], ["second run ok"]),  # run ids match
        (["nothing"], []),
    ],
)
def test_search(flext, ws: Path, argv: list[str], expected: list[str]) -> None:
    result = flext("logs", "search", *argv, "-o", "jsonl")
    assert result.code == 0, result
    assert messages(result.out) == expected


def test_search_table_marks_sources(flext, ws: Path) -> None:
    result = flext("logs", "search", "timeout")
    assert result.out.splitlines() == [
        f"{iso(BASE + 3)} orders/tap ERROR    connection timeout to db",
        f"{iso(BASE + 4.5)} api/stderr CRITICAL upstream timeout",
    ]


def test_search_json_is_one_document_and_count(flext, ws: Path) -> None:
    doc = json.loads(flext("logs", "search", "timeout", "-o", "json").out)
    assert [(r["source"], r["stream"], r["level"], r["run_id"]) for r in doc] == [
        ("orders", "tap", "error", "r1"), ("api", "stderr", "critical", "r1")]
    assert json.loads(flext("logs", "search", "zzz", "-o", "json").out) == []
    counted = flext("logs", "search", "timeout", "-i", "--count")
    assert counted.out == "3\n"
    assert json.loads(flext("logs", "search", "timeout", "--count", "-o", "json").out) == {"query": "timeout", "count": 2}
    assert messages(flext("logs", "search", "o", "--limit", "2", "-o", "jsonl").out) == [
        "connection timeout to db", "Timeout while writing"]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["logs", "search", "x", "--since", "yesterday"], 2, "--since expects a duration or a timestamp"),
        (["logs", "search", "(", "--regex"], 2, "invalid --regex pattern"),
        (["logs", "search", "x", "--level", "loud"], 2, "--level must be one of"),
        (["logs", "tail", "ordres"], 6, "did you mean 'orders'?"),
    ],
)
def test_bad_input(flext, ws: Path, argv: list[str], code: int, message: str) -> None:
    result = flext(*argv)
    assert result.code == code, result
    assert message in result.err


def test_tail_merges_sources_in_time_order(flext, ws: Path) -> None:
    result = flext("logs", "tail", "orders", "api", "-n", "2", "-o", "jsonl")
    assert result.code == 0, result
    rows = [json.loads(ln) for ln in result.out.splitlines()]
    assert [(r["source"], r["message"]) for r in rows] == [
        ("api", "GET /health 200"), ("api", "upstream timeout"), ("orders", "done"), ("orders", "second run ok")]


def test_export_jsonl_and_csv(flext, ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    result = flext("logs", "export", "--out", str(out))
    assert result.code == 0, result
    assert "wrote 8 log lines" in result.err
    rows = [json.loads(ln) for ln in out.read_text().splitlines()]
    assert [r["ts"] for r in rows] == sorted(r["ts"] for r in rows)
    assert set(rows[0]) == {"ts", "source", "stream", "level", "run_id", "message"}
    text = flext("logs", "export", "--format", "csv", "--since", iso(BASE + 4)).out
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [r["message"] for r in parsed] == ["Timeout while writing", "upstream timeout", "done", "second run ok"]
    assert list(parsed[0]) == ["ts", "source", "stream", "level", "run_id", "message"]


def test_tail_follow_picks_up_a_new_run(ws: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "flext", "logs", "tail", "orders", "-f", "-n", "1", "-o", "jsonl"],
                            cwd=ws, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    lines = Lines(proc)
    try:
        assert json.loads(lines.next())["message"] == "second run ok"
        with (ws / ".flext" / "runs" / "orders" / "20270115T090000Z-bbbbbb.log").open("a") as fh:
            fh.write(line(3601, "appended to the current run", run_id="r2"))
        assert json.loads(lines.next())["message"] == "appended to the current run"
        (ws / ".flext" / "runs" / "orders" / "20270115T100000Z-dddddd.log").write_text(line(7200, "a new run", run_id="r3"))
        got = json.loads(lines.next())
        assert (got["message"], got["run_id"]) == ("a new run", "r3")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert proc.returncode == 130
