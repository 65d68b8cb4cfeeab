"""`flext monitor ...`: a real Prometheus exporter, alert rules, performance, the dashboard."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services.receivers import JsonReceiver, receiver
from tests.services.servers import Servers, free_port, servers, services_toml, write_config

__all__ = ["receiver", "servers"]  # the fixtures

ROOT = Path(__file__).resolve().parents[2]

EXPORTER = textwrap.dedent('''
    import sys, time
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary, start_http_server

    registry = CollectorRegistry()
    requests = Counter("http_requests", "HTTP requests", ["code", "path"], registry=registry)
    requests.labels(code="500", path="/a").inc(7)
    requests.labels(code="500", path='/b"q"').inc(5)
    requests.labels(code="200", path="/a").inc(100)
    Gauge("queue_depth", "Queued jobs", registry=registry).set(3)
    latency = Histogram("latency_seconds", "Latency", buckets=(0.1, 1.0), registry=registry)
    latency.observe(0.05)
    latency.observe(0.5)
    Summary("payload_bytes", "Payload sizes", registry=registry).observe(512)
    start_http_server(int(sys.argv[1]), addr="127.0.0.1", registry=registry)
    print("ready", flush=True)
    while True:
        time.sleep(60)
''')


@pytest.fixture
def exporter(tmp_path: Path) -> Iterator[str]:
    """prometheus_client's own HTTP server, in a subprocess."""
    pytest.importorskip("prometheus_client")
    script = tmp_path / "exporter.py"
    script.write_text(EXPORTER)
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(script), str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_metrics_from_a_real_exporter(flext, env, exporter: str) -> None:
    write_config(env, services_toml({"exporter": exporter}))
    result = flext("monitor", "metrics", "exporter", "-o", "json")
    assert result.code == 0, result
    rows = json.loads(result.out)
    by = {(r["metric"], r["labels"]): r for r in rows}
    assert by[("http_requests_total", '{code="500",path="/a"}')]["value"] == 7
    assert by[("http_requests_total", '{code="500",path="/b\\"q\\""}')]["value"] == 5
    assert by[("http_requests_total", '{code="500",path="/a"}')]["type"] == "counter"
    assert by[("queue_depth", "")] == {"metric": "queue_depth", "type": "gauge", "labels": "", "value": 3,
                                       "help": "Queued jobs"}
    assert [(r["labels"], r["value"]) for r in rows if r["metric"] == "latency_seconds_bucket"] == [
        ('{le="0.1"}', 1), ('{le="1.0"}', 2), ('{le="+Inf"}', 2)]
    assert by[("latency_seconds_count", "")]["type"] == "histogram"
    assert by[("payload_bytes_sum", "")]["value"] == 512 and by[("payload_bytes_sum", "")]["type"] == "summary"
    table = flext("monitor", "metrics", "exporter", "--match", "queue")
    assert table.out.splitlines() == ["METRIC       TYPE   LABELS  VALUE", "queue_depth  gauge          3"]


def test_metrics_by_url_and_json_body(flext, env, servers: Servers) -> None:
    url = servers.http("j", {"/metrics": (200, json.dumps({"requests": {"total": 12, "failed": 2}, "up": True,
                                                               "name": "x"}).encode(), "application/json", 0.0)})
    result = flext("monitor", "metrics", url + "/metrics", "-o", "json")
    assert result.code == 0, result
    assert [(r["metric"], r["value"]) for r in json.loads(result.out)] == [
        ("requests.total", 12), ("requests.failed", 2), ("up", 1)]


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (b"# TYPE a gauge\na 1\nb{x=1} 2\n", 1, "not valid Prometheus text: line 3, column 5: expected '\"'"),
        (b"ok 1\nbroken\n", 1, "line 2, column 7: missing value for broken"),
    ],
)
def test_malformed_metrics_name_the_line(flext, env, servers: Servers, body: bytes, code: int, message: str) -> None:
    url = servers.http("bad", {"/metrics": (200, body, "text/plain", 0.0)})
    write_config(env, services_toml({"bad": url}))
    result = flext("monitor", "metrics", "bad")
    assert result.code == code, result
    assert message in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("kind", "code", "message"),
    [("refusing", 3, "connection refused"), ("hanging", 3, "timed out after 0.5s"), ("http500", 1, "answered HTTP 500")],
)
def test_metrics_of_a_broken_service(flext, env, servers: Servers, kind: str, code: int, message: str) -> None:
    if kind == "refusing":
        url = servers.refusing("s")
    elif kind == "hanging":
        url = servers.hanging("s")
    else:
        url = servers.http("s", {"/metrics": (500, b"oops", "text/plain", 0.0)})
    write_config(env, services_toml({"s": url}))
    result = flext("monitor", "metrics", "s", "--timeout", "0.5")
    assert result.code == code, result
    assert message in result.err


# -- alerts -------------------------------------------------------------------

def test_alert_rules_add_list_firing(flext, env, servers: Servers, exporter: str, tmp_path: Path) -> None:
    servers.health("api", {"status": "ok"})
    servers.refusing("dead")
    write_config(env, services_toml({**servers.urls, "exporter": exporter}))
    ws = tmp_path / "ws"
    folder = ws / ".flext" / "runs" / "orders"
    folder.mkdir(parents=True)
    (ws / "flext.toml").write_text('[workspace]\nname = "w"\n')
    (folder / "20261127T100000Z-aaaaaa.json").write_text(json.dumps(
        {"id": "20261127T100000Z-aaaaaa", "pipeline": "orders", "status": "failed", "duration_s": 700.0, "records": 10}))
    rules = {
        "dead-down": "service_down(dead)",
        "api-down": "service_down(api)",
        "orders-failed": "pipeline_failed(orders)",
        "orders-slow": "run_duration(orders) > 10m",
        "errors": 'metric(exporter, "http_requests_total{code=\\"500\\"}") > 10',
        "few-errors": 'metric(exporter, "http_requests_total{code=\\"500\\",path=\\"/a\\"}") > 10',
        "missing": 'metric(exporter, "nope") > 1',
    }
    for name, rule in rules.items():
        added = flext("monitor", "alerts", "add", name, "--when", rule)
        assert added.code == 0, added
    result = flext("-C", str(ws), "monitor", "alerts", "list", "-o", "json")
    assert result.code == 0, result
    states = {r["name"]: (r["state"], r["detail"]) for r in json.loads(result.out)}
    assert states == {
        "dead-down": ("firing", None), "api-down": ("ok", None), "orders-failed": ("firing", None),
        "orders-slow": ("firing", None), "errors": ("firing", None), "few-errors": ("ok", None),
        "missing": ("unknown", "exporter has no metric nope"),
    }
    table = flext("-C", str(ws), "monitor", "alerts", "list")
    assert "4 firing" in table.err
    assert flext("monitor", "alerts", "add", "api-down", "--when", "service_up(api)").code == 7
    assert flext("monitor", "alerts", "add", "api-down", "--when", "service_up(api)", "--replace").code == 0
    assert flext("monitor", "alerts", "remove", "api-down", "--yes").code == 0
    names = [r["name"] for r in json.loads(flext("monitor", "alerts", "list", "--no-eval", "-o", "json").out)]
    assert "api-down" not in names and len(names) == 6


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("service_down(flexcore", "alert rule 'x' does not parse: expected ',' or ')' in the call of service_down, "
                                  "found the end of the rule at column 22"),
        ("run_duration(orders) >> 10m", "expected a value, found '>' at column 23 (near '> 10m')"),
        ('metric(flexcore, "http_requests_total{code=500}") > 10', "bad metric selector: expected '\"' to open the value of label 'code' at column 44"),
    ],
)
def test_bad_rule_rejected_at_add_time(flext, rule: str, message: str) -> None:
    result = flext("monitor", "alerts", "add", "x", "--when", rule)
    assert result.code == 2, result
    assert message in result.err
    assert flext("monitor", "alerts", "list", "--no-eval", "-o", "json").out.strip() == "[]"


def test_unknown_service_in_rule_warns(flext) -> None:
    result = flext("monitor", "alerts", "add", "x", "--when", "service_down(ghost)")
    assert result.code == 0
    assert "service 'ghost' is not registered (yet)" in result.err


# -- performance ----------------------------------------------------------------

def test_performance_percentiles_and_records_per_second(flext, env, tmp_path: Path) -> None:
    history = Path(env["FLEXT_DATA_DIR"]) / "history.jsonl"
    history.parent.mkdir(parents=True, exist_ok=True)
    now = time.time()
    entries = [{"ts": now, "line": "pipeline status orders", "exit": 0, "duration_ms": d} for d in range(10, 110, 10)]
    entries += [{"ts": now, "line": "-o json service health flexcore", "exit": 1, "duration_ms": 1000}]
    history.write_text("".join(json.dumps(e) + "\n" for e in entries))
    ws = tmp_path / "ws"
    folder = ws / ".flext" / "runs" / "orders"
    folder.mkdir(parents=True)
    (ws / "flext.toml").write_text('[workspace]\nname = "w"\n')
    (folder / "20261127T100000Z-aaaaaa.json").write_text(json.dumps(
        {"id": "20261127T100000Z-aaaaaa", "pipeline": "orders", "status": "succeeded", "duration_s": 4.0,
         "records": 1000, "started_at": "2026-11-27T10:00:00.000Z", "cpu_s": 2.5, "peak_rss_mb": 61.2}))
    result = flext("-C", str(ws), "monitor", "performance", "-o", "json")
    assert result.code == 0, result
    doc = json.loads(result.out)
    status = next(r for r in doc["commands"] if r["command"] == "pipeline status")
    assert status == {"command": "pipeline status", "count": 10, "failed": 0, "p50_ms": 55.0, "p90_ms": 91.0,
                      "p99_ms": 99.1, "max_ms": 100.0}
    health = next(r for r in doc["commands"] if r["command"] == "service health")
    assert (health["count"], health["failed"]) == (1, 1)
    assert doc["runs"] == [{"pipeline": "orders", "run_id": "20261127T100000Z-aaaaaa", "status": "succeeded",
                            "records": 1000, "duration_s": 4.0, "records_per_s": 250.0, "cpu_s": 2.5,
                            "peak_rss_mb": 61.2}]
    text = flext("-C", str(ws), "monitor", "performance").out
    assert "COMMAND LATENCY" in text and "PIPELINE RUNS" in text and "250" in text
    assert "61.2" in text and "2.5" in text  # peak memory (MiB) and CPU seconds of the run


# -- dashboard ------------------------------------------------------------------

def test_dashboard_prints_one_snapshot_when_piped(flext, env, servers: Servers) -> None:
    servers.health("api", {"status": "ok", "version": "7"})
    write_config(env, services_toml(servers.urls))
    result = flext("monitor", "dashboard", "--interval", "1")
    assert result.code == 0, result
    assert result.out.startswith("SERVICES  1 up, 0 degraded, 0 down\n")
    assert "api" in result.out and "RUNNING PIPELINES  0" in result.out


@pytest.mark.parametrize("quit_key", ["q", "ctrl-c"])
def test_dashboard_live_on_a_terminal_quits(env, servers: Servers, tmp_path: Path, quit_key: str) -> None:
    pexpect = pytest.importorskip("pexpect")
    servers.health("api", {"status": "ok", "version": "7"})
    servers.refusing("gone")
    write_config(env, services_toml(servers.urls))
    ws = tmp_path / "ws"
    folder = ws / ".flext" / "runs" / "orders"
    folder.mkdir(parents=True)
    (ws / "flext.toml").write_text('[workspace]\nname = "w"\n')
    record = folder / "20261127T100000Z-aaaaaa.json"
    from flext.core.clock import iso

    record.write_text(json.dumps({"id": "20261127T100000Z-aaaaaa", "pipeline": "orders", "status": "running",
                                  "started_at": iso(time.time() - 5), "records": 1234, "pid": os.getpid()}))
    child = pexpect.spawn(sys.executable, ["-m", "flext", "-C", str(ws), "monitor", "dashboard", "--interval", "0.3"],
                          env=dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm", COLUMNS="120", LINES="40"),
                          dimensions=(40, 120), encoding="utf-8", timeout=20,
                          codec_errors="replace")  # Ctrl-C may cut a box-drawing character in two
    try:
        child.expect("flext dashboard")
        child.expect("1 up")
        child.expect("1234")  # live record count of the running pipeline
        record.write_text(json.dumps({"id": "20261127T100000Z-aaaaaa", "pipeline": "orders", "status": "running",
                                      "started_at": iso(time.time() - 5), "records": 98765, "pid": os.getpid()}))
        child.expect("98765")  # refreshed in place
        if quit_key == "q":
            child.send("q")
        else:
            child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


# -- notifications on a local profile -------------------------------------------------------------

def test_alert_notifications_on_a_local_profile(flext, env, tmp_path: Path, receiver: JsonReceiver) -> None:
    """No server: `alerts test` sends from here, and `alerts history` shows what this machine recorded."""
    write_config(env, f'[services.gone]\nurl = "http://127.0.0.1:{free_port()}"\n')
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "flext.toml").write_text('[workspace]\nname = "w"\n')
    bad = flext("-C", str(ws), "monitor", "alerts", "add", "gone-down", "--when", "service_down(gone)",
                "--notify", "nope://x")
    assert (bad.code, bad.err.splitlines()[0]) == (
        2, "error: Apprise cannot send to 'nope://x' (unknown scheme 'nope' or a malformed URL)")
    added = flext("-C", str(ws), "monitor", "alerts", "add", "gone-down", "--when", "service_down(gone)")
    assert added.code == 0, added
    lonely = flext("-C", str(ws), "monitor", "alerts", "test", "gone-down")
    assert (lonely.code, lonely.err) == (2, "error: alert 'gone-down' notifies no one\nhint: add a URL: flext monitor "
                                            "alerts notify gone-down --add json://HOST:PORT/PATH\n")
    refused = f"json://127.0.0.1:{free_port()}/hook"  # nothing listens there
    assert flext("-C", str(ws), "monitor", "alerts", "notify", "gone-down", "--add", receiver.url(),
                 "--add", refused).code == 0
    tested = flext("-C", str(ws), "monitor", "alerts", "test", "gone-down", "-o", "json")
    assert tested.code == 1, tested  # one of the two deliveries failed
    rows = json.loads(tested.out)
    assert [(r["url"], r["ok"]) for r in rows] == [(receiver.url(), True), (refused, False)]
    assert rows[1]["error"].startswith("A Connection error occurred sending JSON notification")
    assert tested.err == "✗ 1 of 2 deliveries failed\n"
    [message] = receiver.messages()
    assert message["title"] == "[flext] TEST: gone-down" and "value: service_down(gone)=true" in message["message"]
    history = flext("-C", str(ws), "monitor", "alerts", "history", "-o", "json")
    assert [(r["alert"], r["kind"], r["event"], r["ok"]) for r in json.loads(history.out)] == [
        ("gone-down", "delivery", "test", True), ("gone-down", "delivery", "test", False)]
    assert flext("-C", str(ws), "monitor", "alerts", "notify", "gone-down", "--remove", refused).code == 0
    listed = json.loads(flext("-C", str(ws), "monitor", "alerts", "list", "-o", "json").out)
    assert [(r["name"], r["state"], r["notify"]) for r in listed] == [("gone-down", "firing", [receiver.url()])]
    gone = flext("-C", str(ws), "monitor", "alerts", "notify", "gone-down", "--remove", refused)
    assert gone.code == 6 and f"alert 'gone-down' does not notify '{refused}'" in gone.err
    nothing = flext("-C", str(ws), "monitor", "alerts", "history", "nope")
    assert nothing.code == 6 and "alert 'nope' does not exist" in nothing.err
