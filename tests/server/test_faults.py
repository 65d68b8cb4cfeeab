"""Faults: the server killed mid-follow, restarted, refused; a dropped response; SIGTERM.

Nothing here measures time: "fails fast" is shown by counting connection attempts
(none are made while the breaker is open), waits are polls with deadlines.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Run
from tests.engine.conftest import add_pipeline, write_jsonl
from tests.server.conftest import Client, Server, http, wait_until

pytestmark = pytest.mark.slow  # real taps and targets, a real server


WAIT_TAP = """#!/bin/sh
echo '{"type": "SCHEMA", "stream": "ticks", "schema": {"properties": {"n": {"type": "integer"}}}, "key_properties": ["n"]}'
echo "tap: waiting" >&2
exec sleep 600
"""


def _waits(root: Path) -> None:
    tap = root / "bin" / "tap-wait"
    tap.parent.mkdir(exist_ok=True)
    tap.write_text(WAIT_TAP)
    tap.chmod(0o755)
    add_pipeline(root, "waits", f'tap = "{tap}"\ntarget = "target-jsonl"\ntarget_config = {{ destination_path = "output" }}\n')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _running(client: Client, name: str) -> str:
    def check() -> str | None:
        row = client("pipeline", "status", name, "-o", "json").json()[0]  # type: ignore[index]
        return str(row["run"]) if row["status"] == "running" else None

    return str(wait_until(check, what=f"{name} to run"))


def _local(root: Path, env: dict[str, str], *argv: str) -> Run:
    run_env = dict(env, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "flext", *argv], capture_output=True, text=True, env=run_env,
                          cwd=str(root), timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr)


# -- killed mid-follow ---------------------------------------------------------------------------
def test_server_killed_mid_follow(workspace: Path, env: dict[str, str], start_server: Callable[..., Server],
                                  tmp_path: Path) -> None:
    _waits(workspace)
    server = start_server(workspace)
    client = Client(tmp_path / "client", server.url, server.token, env)
    assert client("pipeline", "start", "waits").code == 0
    run_id = _running(client, "waits")
    follower = subprocess.Popen([sys.executable, "-m", "flext", "pipeline", "logs", "waits", "-f"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=client.env,
                                cwd=str(client.home / "cwd"))
    assert follower.stdout is not None
    first = follower.stdout.readline()  # the follow is live: a line has arrived
    assert f"run {run_id} of waits started" in first
    server.kill()
    out, err = follower.communicate(timeout=60)
    assert follower.returncode == 3, (out, err)
    assert err.startswith(f"error: lost the connection to {server.url} while streaming")
    assert "Traceback" not in err
    # the run itself was detached from the server: it is still going; stop it locally
    stopped = _local(workspace, env, "pipeline", "stop", "waits", "--force")
    assert stopped.code == 0, stopped


# -- restarted -------------------------------------------------------------------------------------
def _seed_missed_slot(root: Path, pipeline: str, expr: str) -> None:
    state = root / ".flext" / "server" / "schedule.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    two_years_ago = time.time() - 2 * 366 * 86400
    state.write_text(json.dumps({pipeline: {"expr": expr, "checked": two_years_ago - two_years_ago % 60,
                                            "fired": None}}))


def _ticked(server: Server, at_least: int) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        status, body, _ = http("GET", server.url + "/health")
        return body if status == 200 and body["scheduler_ticks"] >= at_least else None

    result: dict[str, Any] = wait_until(check, what="the scheduler to tick")
    return result


def _schedule_runs(root: Path, pipeline: str) -> list[dict[str, Any]]:
    folder = root / ".flext" / "runs" / pipeline
    records = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []
    return [r for r in records if r.get("trigger") == "schedule" and r.get("status") != "skipped"]


def _skipped(root: Path, pipeline: str) -> list[dict[str, Any]]:
    folder = root / ".flext" / "runs" / pipeline
    records = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []
    return [r for r in records if r.get("status") == "skipped"]


def test_server_restarted_keeps_runs_and_does_not_double_schedules(
        workspace: Path, env: dict[str, str], start_server: Callable[..., Server], tmp_path: Path) -> None:
    _waits(workspace)
    write_jsonl(workspace / "data" / "orders.jsonl", 1, 3)
    add_pipeline(workspace, "yearly", """
tap = "tap-jsonl"
target = "target-jsonl"
schedule = "0 0 1 1 *"
tap_config = { path = "data/orders.jsonl", stream_name = "orders", primary_keys = ["id"] }
target_config = { destination_path = "output" }
""")
    _seed_missed_slot(workspace, "yearly", "0 0 1 1 *")
    first = start_server(workspace)
    client = Client(tmp_path / "client", first.url, first.token, env)
    assert client("pipeline", "start", "waits").code == 0
    run_id = _running(client, "waits")
    wait_until(lambda: _schedule_runs(workspace, "yearly"), what="the missed slot to run")
    assert [e["pipeline"] for e in first.events("schedule")] == ["yearly"]
    assert first.events("schedule")[0]["missed"] is True
    # two yearly slots went by while no server ran: the first runs now, the other is on record as skipped
    skipped = _skipped(workspace, "yearly")
    assert [(r["status"], r["trigger"]) for r in skipped] == [("skipped", "schedule")]
    assert skipped[0]["slots"] >= 1  # how many depends on today's date
    assert skipped[0]["error"].startswith(f"the server was down: {skipped[0]['slots']} slot(s) did not run (")
    assert skipped[0]["error"].endswith("); one catch-up run started at start-up instead")
    assert [e["pipeline"] for e in first.events("skip")] == ["yearly"]
    record = json.loads((workspace / ".flext" / "runs" / "waits" / f"{run_id}.json").read_text())
    assert first.stop() == 0  # SIGTERM: graceful
    os.kill(int(record["pid"]), 0)  # the detached run survived the server

    second = start_server(workspace, bootstrap=False)
    assert _ticked(second, 2)["scheduler"] == "active"
    again = Client(tmp_path / "client", second.url, first.token, env)
    status = again("pipeline", "status", "waits", "-o", "json").json()[0]  # type: ignore[index]
    assert (status["run"], status["status"]) == (run_id, "running")
    assert len(_schedule_runs(workspace, "yearly")) == 1  # the slot ran once, not again after the restart
    assert second.events("schedule") == []
    stopped = again("pipeline", "stop", "waits")
    assert (stopped.code, stopped.err) == (0, f"✓ stopped waits: run {run_id} cancelled\n")


def test_two_servers_schedule_once(workspace: Path, env: dict[str, str], start_server: Callable[..., Server]) -> None:
    write_jsonl(workspace / "data" / "orders.jsonl", 1, 3)
    add_pipeline(workspace, "yearly", """
tap = "tap-jsonl"
target = "target-jsonl"
schedule = "@yearly"
tap_config = { path = "data/orders.jsonl", stream_name = "orders", primary_keys = ["id"] }
target_config = { destination_path = "output" }
""")
    _seed_missed_slot(workspace, "yearly", "@yearly")
    one = start_server(workspace)
    two = start_server(workspace, bootstrap=False)
    states = sorted([_ticked(one, 2)["scheduler"], _ticked(two, 2)["scheduler"]])
    assert states == ["active", "standby"]
    wait_until(lambda: _schedule_runs(workspace, "yearly"), what="the missed slot to run")
    assert len(_schedule_runs(workspace, "yearly")) == 1
    assert len(one.events("schedule")) + len(two.events("schedule")) == 1
    # the standby takes over when the active one goes away
    active, standby = (one, two) if _ticked(one, 0)["scheduler"] == "active" else (two, one)
    active.stop()
    wait_until(lambda: http("GET", standby.url + "/health")[1]["scheduler"] == "active", what="a takeover")


# -- connection refused: the breaker --------------------------------------------------------------
def test_breaker_opens_and_then_no_connection_is_attempted(flext: Callable[..., Run], env: dict[str, str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    port = _free_port()  # nothing listens there: connection refused
    config = Path(env["FLEXT_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(f'[profiles.gone]\napi_url = "http://127.0.0.1:{port}"\nretries = 1\n')
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def counting(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[1] == port:
            attempts.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", counting)
    from flext.core.resilience import THRESHOLD

    runs = []
    while True:
        got = flext("-p", "gone", "pipeline", "list", extra_env={"FLEXT_TOKEN": "flxt_x_y"})
        assert got.code == 3, got
        runs.append(got)
        if "circuit open" in got.err:
            break
        assert got.err.startswith(f"error: cannot reach http://127.0.0.1:{port}: connection refused\n")
        assert len(runs) <= THRESHOLD
    assert len(attempts) == THRESHOLD  # each failed attempt counted, then the circuit opened
    breakers = json.loads((Path(env["FLEXT_STATE_DIR"]) / "breakers.json").read_text())
    assert breakers[f"http://127.0.0.1:{port}"]["failures"] == THRESHOLD
    before = len(attempts)
    fast = flext("-p", "gone", "pipeline", "status", extra_env={"FLEXT_TOKEN": "flxt_x_y"})
    assert fast.code == 3
    assert fast.err.startswith(f"error: cannot reach http://127.0.0.1:{port}: circuit open after {THRESHOLD} failed attempts\n")
    assert "hint: not trying again for " in fast.err
    assert len(attempts) == before  # no connection was even tried


# -- a dropped response: the retried start starts one run ------------------------------------------
class DropFirstStartResponse:
    """A TCP proxy that forwards everything but swallows the response to the first
    `POST .../run` and closes the client's connection, as a network failure would."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream = upstream_port
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.dropped = 0
        self.starts = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            up = socket.create_connection(("127.0.0.1", self.upstream))
            state = {"drop": False}
            threading.Thread(target=self._pump_up, args=(conn, up, state), daemon=True).start()
            threading.Thread(target=self._pump_down, args=(up, conn, state), daemon=True).start()

    def _pump_up(self, conn: socket.socket, up: socket.socket, state: dict[str, bool]) -> None:
        try:
            while data := conn.recv(65536):
                if b"POST /api/v1/pipelines/" in data and b"/run " in data:
                    with self._lock:
                        self.starts += 1
                        if self.dropped == 0:
                            state["drop"] = True
                up.sendall(data)
        except OSError:
            pass
        finally:
            up.close()

    def _pump_down(self, up: socket.socket, conn: socket.socket, state: dict[str, bool]) -> None:
        try:
            while data := up.recv(65536):
                if state["drop"]:
                    with self._lock:
                        self.dropped += 1
                    conn.shutdown(socket.SHUT_RDWR)
                    return
                conn.sendall(data)
        except OSError:
            pass
        finally:
            conn.close()
            up.close()

    def close(self) -> None:
        self.listener.close()


def test_retried_start_after_a_dropped_response_starts_one_run(
        workspace: Path, env: dict[str, str], start_server: Callable[..., Server], tmp_path: Path) -> None:
    _waits(workspace)
    server = start_server(workspace)
    proxy = DropFirstStartResponse(server.port)
    try:
        client = Client(tmp_path / "client", f"http://127.0.0.1:{proxy.port}", server.token, env)
        started = client("pipeline", "start", "waits")
        assert started.code == 0, started
        assert (proxy.starts, proxy.dropped) == (2, 1)  # sent twice, the first answer lost
    finally:
        proxy.close()
    run_id = started.out.strip()
    runs = sorted((workspace / ".flext" / "runs" / "waits").glob("*.json"))
    assert [p.stem for p in runs] == [run_id]  # exactly one run
    replays = [e for e in server.events("request") if e["route"] == "/api/v1/pipelines/{name}/run"]
    assert [e["status"] for e in replays] == [202, 202]
    Client(tmp_path / "direct", server.url, server.token, env)("pipeline", "stop", "waits", "--force")


# -- SIGTERM: in-flight requests finish, new ones are refused ----------------------------------------
class SlowHealth:
    """An HTTP server whose /health answers after `delay` seconds (the request we keep in flight)."""

    def __init__(self, delay: float) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        entered = threading.Event()
        self.entered = entered

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                entered.set()
                time.sleep(delay)
                body = b'{"status": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_sigterm_finishes_in_flight_requests(workspace: Path, env: dict[str, str],
                                             start_server: Callable[..., Server]) -> None:
    slow = SlowHealth(delay=2.0)
    try:
        with (workspace / "flext.toml").open("a") as fh:
            fh.write(f'\n[services.slow]\nurl = "http://127.0.0.1:{slow.port}"\ntimeout = 30\n')
        server = start_server(workspace)
        result: dict[str, Any] = {}

        def ask() -> None:
            result["reply"] = http("GET", server.url + "/api/v1/services/health?name=slow&timeout=30",
                                   token=server.token, timeout=60)

        asking = threading.Thread(target=ask)
        asking.start()
        assert slow.entered.wait(30)  # the request is in flight on the server
        server.proc.send_signal(signal.SIGTERM)
        wait_until(lambda: server.events("stopping"), what="the server to begin stopping")
        def refused() -> bool:
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
            except OSError:
                return True
            return False

        wait_until(refused, what="the listener to close")  # no new connections once stopping...
        assert asking.is_alive()  # ...while the in-flight request is still being answered
        asking.join(timeout=60)
        status, body, _ = result["reply"]
        assert status == 200 and [r["status"] for r in body] == ["degraded"]  # answered (slowly)
        assert server.proc.wait(timeout=60) == 0
    finally:
        slow.close()
