"""Malformed and hostile requests get a 4xx (or a 503 when full) and the server stays up.

Raw sockets where a client library would fix the request for us (paths with `..`,
bodies that never arrive, a byte every few hundred milliseconds).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import add_pipeline
from tests.server.conftest import Server, http, wait_until


def raw(port: int, data: bytes, *, read: bool = True, timeout: float = 30) -> tuple[int, dict[str, Any] | None, bytes]:
    """Send bytes, read the whole answer (the server closes after an error)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return _answer(sock) if read else (0, None, b"")


def _answer(sock: socket.socket) -> tuple[int, dict[str, Any] | None, bytes]:
    chunks = []
    while True:
        try:
            piece = sock.recv(65536)
        except ConnectionResetError:
            break
        if not piece:
            break
        chunks.append(piece)
        whole = b"".join(chunks)
        head, _, body = whole.partition(b"\r\n\r\n")
        if b"Content-Length:" in head:
            length = int(head.split(b"Content-Length:")[1].split(b"\r\n")[0])
            if len(body) >= length:
                break
    whole = b"".join(chunks)
    head, _, body = whole.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/") else 0
    try:
        doc = json.loads(body) if body else None
    except ValueError:
        doc = None
    return status, doc, head


@pytest.fixture
def hardened(workspace: Path, start_server: Callable[..., Server]) -> Server:
    add_pipeline(workspace, "orders", 'tap = "tap-jsonl"\ntarget = "target-jsonl"\n')
    return start_server(workspace, extra=("--read-timeout", "1"))


def _req(method: str, path: str, token: str, body: bytes = b"", extra: str = "") -> bytes:
    head = (f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n")
    return head.encode() + body


@pytest.mark.parametrize(("method", "path", "body", "status", "kind", "message"), [
    ("POST", "/api/v1/pipelines", b"{bad", 400, "bad_json", "the request body is not valid JSON"),
    ("POST", "/api/v1/pipelines", b"[1, 2]", 400, "usage_error", "the request body must be a JSON object, got list"),
    ("POST", "/api/v1/pipelines/orders/run", b'{"full_refresh": "yes"}', 400, "usage_error",
     "full_refresh must be a boolean, got str"),
    ("POST", "/api/v1/pipelines/orders/run", b'{"full": true}', 400, "usage_error", "unknown field 'full'"),
    ("POST", "/api/v1/pipelines/orders/stop", b'{"force": 1}', 400, "usage_error", "force must be a boolean, got int"),
    ("POST", "/api/v1/auth/tokens", b'{"role": "root"}', 400, "usage_error", "unknown role 'root'"),
    ("POST", "/api/v1/auth/tokens", b'{"role": ["admin"]}', 400, "usage_error", "role must be a string, got list"),
    ("GET", "/api/v1/pipelines/orders/runs?limit=lots", b"", 400, "usage_error",
     "query parameter limit must be an integer, got 'lots'"),
    ("GET", "/api/v1/pipelines?status=weird", b"", 400, "usage_error",
     "query parameter status must be one of running, succeeded, failed, cancelled, never; got 'weird'"),
    ("GET", "/api/v1/pipelines/..%2F..%2Fetc%2Fpasswd", b"", 400, "usage_error", "invalid name '../../etc/passwd'"),
    ("GET", "/api/v1/pipelines/%2e%2e", b"", 400, "usage_error", "invalid name '..'"),
    ("GET", "/api/v1/pipelines/orders/runs/..%2F..%2Fx", b"", 400, "usage_error", "invalid run_id '../../x'"),
    ("GET", "/api/v1/pipelines/orders/logs?run=../../x", b"", 400, "usage_error", "invalid run '../../x'"),
    ("GET", "/api/v1/pipelines/../../etc/passwd", b"", 404, "not_found", "no such endpoint: GET /api/v1/pipelines/../../etc/passwd"),
    ("GET", "/api/v1/pipelines/%ff", b"", 400, "bad_request", "the path is not valid UTF-8"),
    ("DELETE", "/api/v1/openapi.json", b"", 405, "method_not_allowed", "method DELETE is not allowed on /api/v1/openapi.json"),
    ("GET", "/api/v1/nothing", b"", 404, "not_found", "no such endpoint: GET /api/v1/nothing"),
])
def test_bad_requests_get_4xx(hardened: Server, method: str, path: str, body: bytes, status: int, kind: str,
                              message: str) -> None:
    got, doc, head = raw(hardened.port, _req(method, path, hardened.token, body))
    assert doc is not None, head
    assert (got, doc["error"]["type"], doc["error"]["message"]) == (status, kind, message)
    assert b"X-Correlation-ID: " in head
    assert http("GET", hardened.url + "/health")[0] == 200


@pytest.mark.parametrize(("data", "status", "kind"), [
    (b"POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n", 413, "payload_too_large"),
    (b"POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411,
     "length_required"),
    (b"POST /api/v1/pipelines HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "bad_request"),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414, "uri_too_long"),
    (b"GET /health HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n", 431,
     "headers_too_large"),
    (b"BREW /health HTTP/1.1\r\nHost: x\r\n\r\n", 501, "not_implemented"),
    (b"GARBAGE\r\n\r\n", 400, "bad_request"),
    (b"GET /health HTTP/9.9\r\n\r\n", 505, "http_version"),
])
def test_protocol_abuse_gets_4xx(hardened: Server, data: bytes, status: int, kind: str) -> None:
    got, doc, _ = raw(hardened.port, data)
    assert doc is not None
    assert (got, doc["error"]["type"]) == (status, kind)
    assert http("GET", hardened.url + "/health")[0] == 200


def test_slow_client_gets_408_by_the_deadline(hardened: Server) -> None:
    """A byte every 0.3 s would keep a per-recv timeout happy forever; the deadline is for
    the whole request (1 s here), so the server answers 408 and frees the worker."""
    with socket.create_connection(("127.0.0.1", hardened.port), timeout=30) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\n")
        sent = 0
        got = b""
        sock.settimeout(0.3)
        while sent < 200:  # at most a minute of dribbling; the server stops us long before
            try:
                sock.sendall(b"X")
            except OSError:
                break
            sent += 1
            try:
                got = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if got:
                break
        sock.settimeout(30)
        rest = b""
        try:
            while piece := sock.recv(65536):
                rest += piece
        except OSError:
            pass
    answer = got + rest
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["error"]["type"] == "timeout"
    assert sent < 200
    assert http("GET", hardened.url + "/health")[0] == 200


def test_body_that_never_arrives_gets_408(hardened: Server) -> None:
    head = _req("POST", "/api/v1/pipelines", hardened.token, b"", "")
    head = head.replace(b"Content-Length: 0", b"Content-Length: 100")
    status, doc, _ = raw(hardened.port, head + b'{"na')
    assert (status, doc["error"]["type"] if doc else None) == (408, "timeout")


def test_silent_connection_gets_408(hardened: Server) -> None:
    with socket.create_connection(("127.0.0.1", hardened.port), timeout=30) as sock:
        status, doc, _ = _answer(sock)
    assert (status, doc["error"]["type"] if doc else None) == (408, "timeout")


class Gate:
    """An HTTP service whose answers wait until the test opens the gate (no sleeps):
    a request to it keeps a server worker busy for as long as the test wants."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.open = threading.Event()
        self.entered = 0
        lock = threading.Lock()
        gate = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with lock:
                    gate.entered += 1
                gate.open.wait(120)  # bounded: a broken test still ends
                body = b'{"status": "ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.open.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def test_full_pool_answers_503_and_recovers(workspace: Path, start_server: Callable[..., Server]) -> None:
    """2 workers + 2 queued: of 5 requests in flight at once exactly one is refused at once
    with 503 (whichever arrived last), not queued forever; /health still answers meanwhile,
    and when the workers are free again everyone is served."""
    gate = Gate()
    try:
        with (workspace / "flext.toml").open("a") as fh:
            fh.write(f'\n[services.gate]\nurl = "http://127.0.0.1:{gate.port}"\ntimeout = 120\n')
        server = start_server(workspace, extra=("--workers", "2"))
        answers: list[tuple[int, dict[str, str]]] = []

        def ask() -> None:
            status, _, headers = http("GET", server.url + "/api/v1/services/health?name=gate&timeout=120",
                                      token=server.token, timeout=180)
            answers.append((status, headers))

        askers = [threading.Thread(target=ask) for _ in range(5)]
        for asker in askers:
            asker.start()
        refused = wait_until(lambda: [a for a in answers if a[0] == 503], what="a 503")
        assert refused[0][1]["retry-after"] == "1"
        wait_until(lambda: gate.entered == 2, what="two requests at work")  # two at work, two waiting, one refused
        assert http("GET", server.url + "/health")[0] == 200  # never waits for a worker
        gate.open.set()
        for asker in askers:
            asker.join(timeout=120)
        assert sorted(a[0] for a in answers) == [200, 200, 200, 200, 503]
        assert http("GET", server.url + "/api/v1/pipelines", token=server.token)[0] == 200
        status, text, _ = http("GET", server.url + "/metrics", token=server.token)
        assert status == 200
        assert 'flext_http_rejected_total{status="503"} 1' in text
    finally:
        gate.close()


@pytest.mark.parametrize("idle", [128, 300])
def test_idle_connections_starve_nobody(server: Server, idle: int) -> None:
    """Issue 11 item 12: idle TCP connections cost no worker; /health and the API answer
    while they stay open (the latency is measured by bench/serve_load.py, not here)."""
    held = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(idle)]
    try:
        assert http("GET", server.url + "/health", timeout=60)[0] == 200
        assert http("GET", server.url + "/api/v1/pipelines", token=server.token, timeout=60)[0] == 200
        for sock in held:  # none of them was turned away as "busy"
            sock.setblocking(False)
            try:
                early = sock.recv(64)
            except BlockingIOError:
                continue
            assert not early.startswith(b"HTTP/1.1 503"), early
    finally:
        for sock in held:
            sock.close()


@pytest.mark.parametrize(("lengths", "message"), [
    (["\u00b2"], "malformed request: bad Content-Length"),
    (["\u0661"], "malformed request: bad Content-Length"),  # an Arabic-Indic one
    (["0", "0"], "more than one Content-Length"),
    (["0", "5"], "more than one Content-Length"),
    (["0, 0"], "more than one Content-Length"),
])
def test_odd_content_lengths_are_400(hardened: Server, lengths: list[str], message: str) -> None:
    """Issue 11 item 10: unicode digits must not kill the connection's handler, and a
    repeated Content-Length (a request-smuggling tool) is refused, not merged."""
    head = "GET /health HTTP/1.1\r\nHost: x\r\n" + "".join(f"Content-Length: {n}\r\n" for n in lengths) + "\r\n"
    status, doc, _ = raw(hardened.port, head.encode("utf-8"))
    assert doc is not None
    assert (status, doc["error"]["type"], doc["error"]["message"]) == (400, "bad_request", message)
    assert http("GET", hardened.url + "/health")[0] == 200


def test_errors_carry_the_correlation_id(hardened: Server) -> None:
    status, body, headers = http("GET", hardened.url + "/api/v1/pipelines/nope", token=hardened.token,
                                 headers={"X-Correlation-ID": "abc-123"})
    assert status == 404
    assert headers["x-correlation-id"] == "abc-123"
    assert body["error"]["correlation_id"] == "abc-123"
    assert body["error"]["exit_code"] == 6
    logged = wait_until(lambda: [e for e in hardened.events("request") if e["correlation_id"] == "abc-123"],
                        what="the access log line")
    assert [(e["status"], e["route"]) for e in logged] == [(404, "/api/v1/pipelines/{name}")]
    _, _, made_up = http("GET", hardened.url + "/health", headers={"X-Correlation-ID": "bad id with spaces"})
    assert made_up["x-correlation-id"] != "bad id with spaces"


WAIT_TAP = """#!/bin/sh
echo '{"type": "SCHEMA", "stream": "ticks", "schema": {"properties": {"n": {"type": "integer"}}}, "key_properties": ["n"]}'
echo "tap: waiting" >&2
exec sleep 600
"""


def test_follow_streams_beat_give_their_slot_back_and_end_on_shutdown(
        workspace: Path, env: dict[str, str], start_server: Callable[..., Server]) -> None:
    """A followed log: heartbeats while quiet; a client that goes away gives its stream slot
    back at once (2 workers: one stream at a time); SIGTERM ends a stream with the shutdown
    marker and the server exits 0."""
    import signal
    import subprocess
    import sys

    import httpx

    from tests.conftest import ROOT

    tap = workspace / "bin" / "tap-wait"
    tap.parent.mkdir(exist_ok=True)
    tap.write_text(WAIT_TAP)
    tap.chmod(0o755)
    add_pipeline(workspace, "waits", f'tap = "{tap}"\ntarget = "target-jsonl"\ntarget_config = {{ destination_path = "output" }}\n')
    server = start_server(workspace, extra=("--workers", "2"))
    auth = {"Authorization": f"Bearer {server.token}"}
    assert http("POST", server.url + "/api/v1/pipelines/waits/run", token=server.token, body={})[0] == 202
    wait_until(lambda: http("GET", server.url + "/api/v1/pipelines/waits/status", token=server.token)[1]["status"]
               == "running", what="the run to start")
    url = server.url + "/api/v1/pipelines/waits/logs?follow=1"
    with httpx.Client(timeout=60) as first, first.stream("GET", url, headers=auth) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"] == "application/x-ndjson"
        seen = []
        lines = stream.iter_lines()  # kept: a dropped iterator would close the connection
        for line in lines:  # bounded by the heartbeat, 5 s after the run went quiet
            seen.append(json.loads(line))
            if "_heartbeat" in seen[-1]:
                break
        assert seen[0]["message"].startswith("run ") and isinstance(seen[-1]["_heartbeat"], float)
        busy = http("GET", url, token=server.token)
        assert (busy[0], busy[2]["retry-after"]) == (503, "5")  # the one slot is taken
    # the first client went away mid-stream: its slot comes back without waiting for a write
    def reopened() -> Any:
        client = httpx.Client(timeout=60)
        opened = client.stream("GET", url, headers=auth)  # kept: dropping it would close the stream
        stream = opened.__enter__()
        if stream.status_code == 200:
            return client, opened, stream
        stream.close()
        client.close()
        return None

    client, _opened, stream = wait_until(reopened, what="the stream slot to come back")
    try:
        lines = stream.iter_lines()
        assert json.loads(next(lines))["message"].startswith("run ")
        server.proc.send_signal(signal.SIGTERM)
        rest = [json.loads(line) for line in lines]
        assert rest[-1] == {"_end": "shutdown"}
    finally:
        stream.close()
        client.close()
    assert server.proc.wait(timeout=60) == 0
    stopped = subprocess.run([sys.executable, "-m", "flext", "-C", str(workspace), "pipeline", "stop", "waits",
                              "--force"], env=dict(env, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                             timeout=120)
    assert stopped.returncode == 0, stopped.stderr
