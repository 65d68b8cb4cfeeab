"""`flext service ...` against real HTTP servers on 127.0.0.1 and a real supervised process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.services.servers import Servers, free_port, servers, services_toml, write_config

__all__ = ["servers"]  # the fixture

ROOT = Path(__file__).resolve().parents[2]


def rows_by_name(out: str) -> dict[str, dict[str, object]]:
    return {r["name"]: r for r in json.loads(out)}


# -- registry -----------------------------------------------------------------

def test_list_shows_builtins_with_their_ports(flext) -> None:
    result = flext("service", "list", "-o", "json")
    assert result.code == 0, result
    rows = rows_by_name(result.out)
    assert rows["flexcore"]["url"] == "http://127.0.0.1:8080"
    assert rows["flext-service"]["url"] == "http://127.0.0.1:8081"
    assert rows["flext-api"]["url"] == "http://127.0.0.1:8000"
    assert {r["origin"] for r in rows.values()} == {"built-in"}


def test_add_list_remove(flext, env) -> None:
    added = flext("service", "add", "billing", "--url", "http://127.0.0.1:9100", "--health-path", "/ping", "-o", "json")
    assert added.code == 0, added
    assert json.loads(added.out)["url"] == "http://127.0.0.1:9100"
    assert "registered service 'billing'" in added.err
    again = flext("service", "add", "billing", "--url", "http://127.0.0.1:9101")
    assert again.code == 7
    assert "pass --replace" in again.err
    rows = rows_by_name(flext("service", "list", "-o", "json").out)
    assert rows["billing"]["origin"] == "config"
    removed = flext("service", "remove", "billing", "--yes")
    assert removed.code == 0, removed
    assert "billing" not in rows_by_name(flext("service", "list", "-o", "json").out)


def test_remove_builtin_disables_it(flext) -> None:
    assert flext("service", "remove", "grafana", "--yes").code == 0
    assert "grafana" not in rows_by_name(flext("service", "list", "-o", "json").out)
    listed = rows_by_name(flext("service", "list", "--all", "-o", "json").out)
    assert listed["grafana"]["enabled"] is False


def test_remove_needs_yes_without_terminal(flext) -> None:
    flext("service", "add", "billing", "--url", "http://127.0.0.1:9100")
    result = flext("service", "remove", "billing")
    assert result.code == 2
    assert "pass --yes" in result.err


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["service", "add", "x", "--url", "ftp://h"], 2, "--url: expected a URL starting with http:// or https://"),
        (["service", "add", "x", "--url", "http://h", "--health-path", "health"], 2, "--health-path: expected a path"),
        (["service", "add", "bad name", "--url", "http://h"], 2, "invalid service name"),
        (["service", "add", "x"], 2, "--url"),
        (["service", "health", "nope"], 6, "service 'nope' is not registered"),
        (["service", "start", "flexcore"], 5, "has no command"),
    ],
)
def test_bad_input(flext, argv: list[str], code: int, message: str) -> None:
    result = flext(*argv)
    assert result.code == code, result
    assert message in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("body", "key", "message"),
    [
        ('[services.x]\nurl = "http://h"\nhealth_pth = "/h"\n', "services.x.health_pth", "unknown key"),
        ('[services.x]\nurl = "localhost:80"\n', "services.x.url", "expected a URL"),
        ('[services.x]\nurl = "http://h"\ntimeout = -1\n', "services.x.timeout", "expected seconds > 0"),
        ('[services.x]\nurl = "http://h"\nenv = "A=1"\n', "services.x.env", "expected a table"),
    ],
)
def test_invalid_service_config_is_exit_5_naming_the_key(flext, env, body: str, key: str, message: str) -> None:
    write_config(env, body)
    result = flext("service", "list")
    assert result.code == 5, result
    assert key in result.err and message in result.err
    assert "config.toml:" in result.err  # file and line


def test_workspace_services_override_config(flext, env, tmp_path: Path) -> None:
    write_config(env, '[services.api]\nurl = "http://127.0.0.1:1"\n')
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "flext.toml").write_text('[workspace]\nname = "w"\n[services.api]\nurl = "http://127.0.0.1:2"\n')
    rows = rows_by_name(flext("-C", str(ws), "service", "list", "-o", "json").out)
    assert rows["api"]["url"] == "http://127.0.0.1:2"
    assert rows["api"]["origin"] == "workspace"


# -- health ---------------------------------------------------------------------

@pytest.fixture
def fleet(servers: Servers, env: dict[str, str]) -> Servers:
    servers.health("healthy", {"status": "ok", "version": "1.2.3"})
    servers.health("degraded", {"status": "degraded", "build": {"version": "0.9"}})
    servers.health("slow", {"status": "ok"}, delay=0.6)
    servers.health("failing", {"status": "error"}, status=500)
    servers.hanging("hanging")
    servers.refusing("refusing")
    servers.malformed("malformed")
    write_config(env, services_toml(servers.urls, {"slow": "degraded_latency = 0.3\n"}))
    return servers


def test_health_classifies_every_kind_of_server(flext, fleet: Servers) -> None:
    result = flext("service", "health", "--timeout", "1.5", "-o", "json")
    assert result.code == 1, result  # some are down
    rows = rows_by_name(result.out)
    assert {n: r["status"] for n, r in rows.items()} == {
        "healthy": "up", "degraded": "degraded", "slow": "degraded", "failing": "down",
        "hanging": "down", "refusing": "down", "malformed": "down",
    }
    assert rows["healthy"]["version"] == "1.2.3"
    assert rows["degraded"]["version"] == "0.9"
    assert rows["degraded"]["detail"] == "reports degraded"
    assert str(rows["slow"]["detail"]).startswith("slow: ")
    assert rows["failing"]["detail"] == "HTTP 500, reports error"
    assert rows["hanging"]["detail"] == "timed out after 1.5s"
    assert rows["refusing"]["detail"] == "connection refused"
    assert str(rows["malformed"]["detail"]).startswith("malformed response")
    assert "Traceback" not in result.err


def test_health_exit_0_when_all_checked_are_up(flext, fleet: Servers) -> None:
    result = flext("service", "health", "healthy", "degraded")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "LATENCY_MS", "VERSION", "DETAIL"]
    assert lines[1].split()[:2] == ["healthy", "up"]


def test_health_exit_1_names_the_down_ones(flext, fleet: Servers) -> None:
    result = flext("service", "health", "healthy", "refusing")
    assert result.code == 1
    assert "1 of 2 down: refusing" in result.err


def test_an_explicit_check_always_probes_and_loops_skip_an_open_circuit(flext, env, fleet: Servers) -> None:
    from flext.core.context import Context
    from flext.services import registry
    from flext.services.health import check

    for _ in range(3):
        first = rows_by_name(flext("service", "health", "hanging", "--timeout", "0.3", "-o", "json").out)
        assert first["hanging"]["detail"] == "timed out after 0.3s"
    assert first["hanging"]["circuit"] == "open"
    again = rows_by_name(flext("service", "health", "hanging", "--timeout", "0.3", "-o", "json").out)
    assert (again["hanging"]["status"], again["hanging"]["detail"]) == ("down", "timed out after 0.3s")  # probed
    ctx = Context(env=env)
    looped = check(ctx, [registry.get(ctx, "hanging")], 0.3)  # a loop (dashboard, alerts) honours the breaker
    assert (looped[0]["status"], looped[0]["latency_ms"], looped[0]["circuit"]) == ("skipped", None, "open")
    assert str(looped[0]["detail"]).startswith("not probed: circuit open after 4 failed checks; next probe in ")


def test_a_service_that_answers_is_up_even_after_its_circuit_opened(flext, env, servers: Servers) -> None:
    from flext.core.paths import Paths
    from flext.services import breaker

    url = servers.health("svc", {"status": "ok"})
    write_config(env, services_toml(servers.urls))
    guard = breaker.for_url(Paths(env).state_dir, url + "/health")
    for _ in range(5):
        guard.failure()
    assert guard.state() == "open"
    got = rows_by_name(flext("service", "health", "svc", "-o", "json").out)
    assert (got["svc"]["status"], got["svc"]["circuit"]) == ("up", "closed")


def test_success_closes_the_circuit(flext, env, servers: Servers) -> None:
    from flext.core.paths import Paths
    from flext.services import breaker

    url = servers.health("svc", {"status": "ok"})
    write_config(env, services_toml(servers.urls))
    guard = breaker.for_url(Paths(env).state_dir, url + "/health")
    guard.failure()
    guard.failure()
    assert guard.entry() is not None and guard.entry()["failures"] == 2  # type: ignore[index]
    assert flext("service", "health", "svc").code == 0
    assert guard.entry() is None


def test_health_in_subprocess_has_no_traceback(flext_proc, fleet: Servers) -> None:
    result = flext_proc("service", "health", "hanging", "malformed", "refusing", "--timeout", "0.5")
    assert result.code == 1
    assert result.err.strip() == "3 of 3 down: hanging, malformed, refusing"
    assert [ln.split()[1] for ln in result.out.splitlines()[1:]] == ["down", "down", "down"]


# -- discover -------------------------------------------------------------------

def test_discover_reports_then_registers_with_yes(flext, env, servers: Servers) -> None:
    write_config(env)
    url = servers.health("x", {"status": "ok", "version": "2.0"})
    port = url.rsplit(":", 1)[1]
    dead = str(free_port())
    shown = flext("service", "discover", "--port", port, "--port", dead, "-o", "json")
    assert shown.code == 0, shown
    found = json.loads(shown.out)
    assert found == [{"name": f"service-{port}", "url": url, "status": "up", "version": "2.0",
                      "latency_ms": found[0]["latency_ms"], "registered": False}]
    assert "pass --yes to register them" in shown.err
    assert f"service-{port}" not in rows_by_name(flext("service", "list", "-o", "json").out)
    registered = flext("service", "discover", "--port", port, "--yes", "-o", "json")
    assert json.loads(registered.out)[0]["registered"] is True
    assert rows_by_name(flext("service", "list", "-o", "json").out)[f"service-{port}"]["url"] == url


def test_discover_asks_on_a_terminal(flext, env, servers: Servers) -> None:
    write_config(env)
    a = servers.health("a", {"status": "ok"}).rsplit(":", 1)[1]
    b = servers.health("b", {"status": "ok"}).rsplit(":", 1)[1]
    result = flext("service", "discover", "--port", a, "--port", b, stdin="2\n", tty=True)
    assert result.code == 0, result
    assert "Register which?" in result.err
    names = rows_by_name(flext("service", "list", "-o", "json").out)
    assert f"service-{b}" in names and f"service-{a}" not in names


# -- status ---------------------------------------------------------------------

def _run_record(ws: Path, pipeline: str, run_id: str, **fields: object) -> None:
    folder = ws / ".flext" / "runs" / pipeline
    folder.mkdir(parents=True, exist_ok=True)
    record = {"id": run_id, "pipeline": pipeline, **fields}
    (folder / f"{run_id}.json").write_text(json.dumps(record))


def _iso(offset: float = 0.0) -> str:
    from flext.core.clock import iso

    return iso(time.time() + offset)


def test_status_is_one_document(flext, env, servers: Servers, tmp_path: Path) -> None:
    servers.health("api", {"status": "ok"})
    servers.refusing("gone")
    write_config(env, services_toml(servers.urls) + '\n[alerts.gone-down]\nwhen = "service_down(gone)"\n'
                 '[alerts.api-down]\nwhen = "service_down(api)"\n')
    ws = tmp_path / "ws"
    (ws).mkdir()
    (ws / "flext.toml").write_text('[workspace]\nname = "w"\n')
    # the runner is alive (this test process), so the engine leaves the record running
    _run_record(ws, "orders", "20261127T100000Z-aaaaaa", status="running", started_at=_iso(-30), records=300,
                pid=os.getpid())
    # a runner that died without recording an end: settled as failed when read
    _run_record(ws, "crashed", "20261127T100000Z-cccccc", status="running", started_at=_iso(-30), records=1,
                pid=2**22 + 11)
    _run_record(ws, "users", "20261127T090000Z-bbbbbb", status="failed", started_at=_iso(-100),
                ended_at=_iso(-50), error="tap exited with 1", exit_codes={"tap": 1, "target": 0})
    result = flext("-C", str(ws), "service", "status", "-o", "json")
    assert result.code == 0, result
    doc = json.loads(result.out)
    assert [(s["name"], s["status"]) for s in doc["services"]] == [("api", "up"), ("gone", "down")]
    assert [(p["pipeline"], p["records"]) for p in doc["pipelines_running"]] == [("orders", 300)]
    failures = {f["pipeline"]: f["error"] for f in doc["recent_failures"]}
    assert failures["users"] == "tap exited with 1"
    assert "died without recording an end" in str(failures["crashed"])
    assert [a["name"] for a in doc["alerts_firing"]] == ["gone-down"]
    text = flext("-C", str(ws), "service", "status")
    assert "SERVICES  1 up, 0 degraded, 1 down" in text.out
    assert "RUNNING PIPELINES  1" in text.out and "FIRING ALERTS  1" in text.out


# -- supervision ------------------------------------------------------------------

SERVER = textwrap.dedent('''
    import json, sys, os
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"status": "ok", "version": os.environ.get("APP_VERSION", "?")}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    print("listening on", sys.argv[1], flush=True)
    print("ERROR this line goes to stderr", file=sys.stderr, flush=True)
    HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
''')


@pytest.fixture
def supervised(env: dict[str, str], tmp_path: Path) -> tuple[str, int]:
    script = tmp_path / "app.py"
    script.write_text(SERVER)
    port = free_port()
    write_config(env, f'[services.app]\nurl = "http://127.0.0.1:{port}"\n'
                      f'command = ["{sys.executable}", "{script}", "{port}"]\n'
                      'env = { APP_VERSION = "4.5.6" }\nstart_timeout = 20\n')
    return "app", port


def _stop(flext_proc) -> None:
    flext_proc("service", "stop", "app", "--force")


def test_supervised_lifecycle(flext_proc, supervised, env) -> None:
    try:
        started = flext_proc("service", "start", "app", "-o", "json")
        assert started.code == 0, started
        info = json.loads(started.out)
        assert info["status"] == "running" and info["health"] == "up"
        pid = info["pid"]
        os.kill(pid, 0)  # alive
        # its own process group, detached from ours
        assert os.getpgid(pid) != os.getpgid(0)
        again = flext_proc("service", "start", "app")
        assert again.code == 7 and "already running" in again.err
        health = rows_by_name(flext_proc("service", "health", "app", "-o", "json").out)
        assert health["app"]["status"] == "up" and health["app"]["version"] == "4.5.6"
        listed = rows_by_name(flext_proc("service", "list", "-o", "json").out)
        assert listed["app"]["process"] == "running"
        logs = flext_proc("service", "logs", "app", "-o", "json")
        lines = json.loads(logs.out)
        messages = [(ln["stream"], ln["level"], ln["message"]) for ln in lines]
        assert ("stdout", "info", f"listening on {supervised[1]}") in messages
        assert ("stderr", "error", "ERROR this line goes to stderr") in messages
        assert all(ln["run_id"] == info["run_id"] for ln in lines)
        restarted = flext_proc("service", "restart", "app", "-o", "json")
        assert restarted.code == 0, restarted
        new = json.loads(restarted.out)
        assert new["restarted"] is True and new["pid"] != pid
        _wait_gone(pid)
        stopped = flext_proc("service", "stop", "app", "-o", "json")
        assert stopped.code == 0, stopped
        assert json.loads(stopped.out)["signal"] == "SIGTERM"
        _wait_gone(new["pid"])
        down = flext_proc("service", "health", "app")
        assert down.code == 1
        tail = flext_proc("service", "logs", "app", "--tail", "1")
        assert "stopped by SIGTERM" in tail.out or "exited with code" in tail.out
        assert flext_proc("service", "stop", "app").err.strip() == "app is not running"
    finally:
        _stop(flext_proc)


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return
        except FileNotFoundError:
            return
        time.sleep(0.05)
    raise AssertionError(f"pid {pid} still alive")


def test_stale_pid_file_is_detected(flext_proc, supervised, env) -> None:
    from flext.core.paths import Paths
    from flext.services import pidfile

    state = Paths(env).state_dir
    path = os.path.join(state, "services", "app.pid")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # a pid reused by another program: our own pid with a different start time
    pidfile.write(path, {"pid": os.getpid(), "start_time": 1, "pgid": os.getpid()})
    listed = rows_by_name(flext_proc("service", "list", "-o", "json").out)
    assert listed["app"]["process"] == "stale"
    try:
        started = flext_proc("service", "start", "app")
        assert started.code == 0, started
        assert "removed a stale pid file" in started.err
    finally:
        _stop(flext_proc)
    # a pid that is gone
    pidfile.write(path, {"pid": 2**22 + 7, "start_time": 5})
    stopped = flext_proc("service", "stop", "app")
    assert stopped.code == 0 and "removed a stale pid file" in stopped.err
    assert not os.path.exists(path)


def test_start_reports_a_crashing_command(flext_proc, env) -> None:
    write_config(env, f'[services.crash]\nurl = "http://127.0.0.1:{free_port()}"\n'
                      f'command = ["{sys.executable}", "-c", "import sys; print(\\"boom: bad config\\", file=sys.stderr); sys.exit(3)"]\n')
    result = flext_proc("service", "start", "crash")
    assert result.code == 1, result
    assert "exited while starting" in result.err
    assert "see `flext service logs crash`" in result.err
    logs = flext_proc("service", "logs", "crash")
    assert "boom: bad config" in logs.out and "exited with code 3" in logs.out


def test_supervised_log_rotates(flext_proc, env) -> None:
    script = "import time\nfor n in range(300): print(f'line {n:03d}', flush=True)\ntime.sleep(60)\n"
    write_config(env, "[services.chatty]\n"  # no url: started once it stays alive
                 f'command = ["{sys.executable}", "-c", {json.dumps(script)}]\nlog_max_bytes = 4096\nlog_backups = 2\n')
    try:
        assert flext_proc("service", "start", "chatty").code == 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            out = flext_proc("service", "logs", "chatty", "--tail", "1", "-o", "jsonl").out
            if '"line 299"' in out:
                break
            time.sleep(0.2)
        log = Path(env["FLEXT_STATE_DIR"]) / "logs" / "services" / "chatty.jsonl"
        assert sorted(p.name for p in log.parent.iterdir()) == ["chatty.jsonl", "chatty.jsonl.1", "chatty.jsonl.2"]
        assert all(p.stat().st_size <= 4096 for p in log.parent.iterdir())
        lines = [json.loads(x)["message"] for x in flext_proc("service", "logs", "chatty", "-o", "jsonl").out.splitlines()]
        numbered = [m for m in lines if m.startswith("line ")]
        assert numbered[-1] == "line 299" and numbered == sorted(numbered)  # oldest rotated away, order kept
    finally:
        flext_proc("service", "stop", "chatty", "--force")


def test_start_times_out_when_health_never_passes(flext_proc, env) -> None:
    write_config(env, f'[services.mute]\nurl = "http://127.0.0.1:{free_port()}"\n'
                      f'command = ["{sys.executable}", "-c", "import time; time.sleep(60)"]\n')
    try:
        result = flext_proc("service", "start", "mute", "--timeout", "1")
        assert result.code == 1, result
        assert "did not pass its health check in time (last check: connection refused)" in result.err
        assert "it is still running" in result.err
        assert rows_by_name(flext_proc("service", "list", "-o", "json").out)["mute"]["process"] == "running"
    finally:
        stopped = flext_proc("service", "stop", "mute", "-o", "json")
    assert json.loads(stopped.out)["was_running"] is True


def test_start_reports_a_missing_executable(flext_proc, env) -> None:
    write_config(env, '[services.nothere]\nurl = "http://127.0.0.1:1"\ncommand = "/nonexistent/bin/app --flag"\n')
    result = flext_proc("service", "start", "nothere")
    assert result.code == 1
    assert "cannot start nothere: No such file or directory" in result.err


def test_service_logs_follows_rotation_and_truncation(env, tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_text('{"ts":"2026-11-27T10:00:00.000Z","level":"info","message":"old"}\n')
    write_config(env, f'[services.ext]\nurl = "http://127.0.0.1:1"\nlog_file = "{log}"\n')
    merged = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "flext", "service", "logs", "ext", "-f", "-o", "jsonl"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=merged, text=True)
    lines = Lines(proc)
    try:
        first = json.loads(lines.next())
        assert first["message"] == "old"

        def append(path: Path, message: str) -> None:
            with path.open("a") as fh:
                fh.write(json.dumps({"ts": "2026-11-27T10:00:01.000Z", "level": "info", "message": message}) + "\n")

        append(log, "before rotation")
        assert json.loads(lines.next())["message"] == "before rotation"
        os.rename(log, str(log) + ".1")
        append(Path(str(log) + ".1"), "late write to the old file")
        log.write_text("")
        append(log, "after rotation")
        got = {json.loads(lines.next())["message"] for _ in range(2)}
        assert got == {"late write to the old file", "after rotation"}
        log.write_text("")  # truncated in place
        append(log, "after truncation")
        assert json.loads(lines.next())["message"] == "after truncation"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert proc.returncode == 130


class Lines:
    """Lines of a child's stdout, read on a thread so a deadline can be kept."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        import queue
        import threading

        self.queue: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        stream = proc.stdout
        threading.Thread(target=lambda: [self.queue.put(line) for line in stream], daemon=True).start()

    def next(self, timeout: float = 10.0) -> str:
        import queue

        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no line within the deadline") from None


# -- self-healing ------------------------------------------------------------------


def _status(flext_proc, name: str) -> dict[str, object]:
    result = flext_proc("service", "status", name, "-o", "json")
    assert result.code == 0, result
    row: dict[str, object] = json.loads(result.out)
    return row


def _poll(check, timeout: float, what: str):
    from tests.engine.conftest import poll

    return poll(check, timeout=timeout, what=what)


def test_a_killed_service_is_restarted_and_answers_again(flext_proc, supervised, env) -> None:
    try:
        started = json.loads(flext_proc("service", "start", "app", "-o", "json").out)
        first = _status(flext_proc, "app")
        assert (first["process"], first["pid"], first["restarts"], first["last_exit"]) == (
            "running", started["pid"], 0, None)
        assert isinstance(first["rss_mb"], float) and first["rss_mb"] > 5  # a python http server
        assert isinstance(first["cpu_percent"], float) and first["open_files"] >= 3 and first["uptime_s"] >= 0
        os.kill(started["pid"], signal.SIGKILL)
        killed_at = time.monotonic()

        def up_again() -> dict[str, object] | None:
            row = rows_by_name(flext_proc("service", "health", "app", "-o", "json").out)["app"]
            return row if row["status"] == "up" else None

        _poll(up_again, timeout=15, what="the service to answer again after SIGKILL")
        assert time.monotonic() - killed_at < 15
        after = _status(flext_proc, "app")
        assert (after["process"], after["restarts"], after["last_exit"], after["restart"]) == (
            "running", 1, -9, "on-failure")
        assert after["pid"] != started["pid"] and isinstance(after["last_restart_at"], str)
        text = flext_proc("service", "status", "app").out
        assert "restarts:" in text and "last_exit:" in text and "-9" in text and "rss_mb:" in text
        logs = flext_proc("service", "logs", "app", "-o", "json").out
        assert f"pid {started['pid']} stopped by SIGKILL" in logs and "restarting in 1s" in logs
        overview = json.loads(flext_proc("service", "status", "-o", "json").out)
        [row] = [s for s in overview["services"] if s["name"] == "app"]
        assert row["restarts"] == 1 and row["cpu_percent"] is not None and row["rss_mb"] > 5
        assert overview["disk"]["free_gb"] > 0 and overview["disk"]["workspace_mb"] is not None
    finally:
        _stop(flext_proc)
    assert _status(flext_proc, "app")["process"] == "stopped"  # a stop is not a failure: no restart


def test_restart_no_leaves_a_killed_service_down(flext_proc, supervised, env) -> None:
    config = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    config.write_text(config.read_text().replace("start_timeout = 20\n", 'start_timeout = 20\nrestart = "no"\n'))
    try:
        started = json.loads(flext_proc("service", "start", "app", "-o", "json").out)
        os.kill(started["pid"], signal.SIGKILL)
        row = _poll(lambda: (r := _status(flext_proc, "app"))["process"] == "stopped" and r, 10, "the keeper to end")
        assert (row["restarts"], row["last_exit"], row["restart"]) == (0, -9, "no")
    finally:
        _stop(flext_proc)


def test_a_service_that_always_crashes_ends_in_crashloop(flext_proc, env) -> None:
    def configure(code: str) -> None:
        write_config(env, f'[services.flaky]\ncommand = ["{sys.executable}", "-c", "{code}"]\n'
                          'restart_backoff = 0.05\nrestart_limit = 3\nrestart_window = 120\n'
                          '[alerts.flaky-loop]\nwhen = "service_crashloop(flaky)"\n'
                          '[alerts.flaky-restarts]\nwhen = "service_restarts(flaky) >= 3"\n')

    configure("import time; print('up', flush=True); time.sleep(0.8); raise SystemExit(3)")
    try:
        assert flext_proc("service", "start", "flaky").code == 0  # no url: started once it stays alive
        row = _poll(lambda: (r := _status(flext_proc, "flaky"))["process"] == "crashloop" and r, 30,
                    "the keeper to give up")
        assert (row["restarts"], row["last_exit"], row["pid"]) == (3, 3, None)
        assert rows_by_name(flext_proc("service", "list", "-o", "json").out)["flaky"]["process"] == "crashloop"
        logs = flext_proc("service", "logs", "flaky", "--tail", "1").out
        assert "crashloop: 3 restarts in the last 120s; not restarting" in logs
        alerts = rows_by_name(flext_proc("monitor", "alerts", "list", "-o", "json").out)
        assert (alerts["flaky-loop"]["state"], alerts["flaky-loop"]["value"]) == ("firing",
                                                                                   "service_crashloop(flaky)=true")
        assert (alerts["flaky-restarts"]["state"], alerts["flaky-restarts"]["value"]) == ("firing",
                                                                                         "service_restarts(flaky)=3")
        configure("import time; print('up', flush=True); time.sleep(60)")  # the fix: it stays up now
        again = flext_proc("service", "start", "flaky")  # a fresh start from crashloop counts from zero
        assert again.code == 0, again
        assert _status(flext_proc, "flaky")["restarts"] == 0
    finally:
        flext_proc("service", "stop", "flaky", "--force")


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["service", "add", "w", "--url", "http://127.0.0.1:1", "--restart", "always"], 2,
     "error: --restart needs --command: flext restarts only what it runs"),
    (["service", "add", "w", "--url", "http://127.0.0.1:1", "--command", "x", "--restart", "sometimes"], 2,
     "error: --restart must be one of no, on-failure, always; got 'sometimes'"),
])
def test_restart_option_errors(flext, argv: list[str], code: int, message: str) -> None:
    result = flext(*argv)
    assert result.code == code, result
    assert result.err.splitlines()[0].startswith(message), result.err


def test_restart_is_stored_and_shown(flext, env) -> None:
    write_config(env)
    added = flext("service", "add", "w", "--url", "http://127.0.0.1:1", "--command", "sleep 1", "--restart", "always",
                  "-o", "json")
    assert added.code == 0, added
    assert json.loads(added.out)["restart"] == "always"
    assert 'restart = "always"' in (Path(env["FLEXT_CONFIG_DIR"]) / "config.toml").read_text()
    bad = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    bad.write_text(bad.read_text().replace('restart = "always"', 'restart = "sometimes"'))
    listed = flext("service", "list")
    assert listed.code == 5 and "services.w.restart: expected no, on-failure or always, got 'sometimes'" in listed.err
