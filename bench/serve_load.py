#!/usr/bin/env python3
"""Load on `flext serve`: 32 concurrent clients, 30 s of mixed reads and starts, on loopback.

    python bench/serve_load.py                 # 32 clients, 30 s
    python bench/serve_load.py --clients 8 --seconds 5

A real `flext serve` (subprocess, free port, its own workspace) gets keep-alive clients
spread over a few processes (stdlib http.client, so the client side costs little). Each client loops until
the deadline (the loop is bounded; the bench stops by itself): mostly reads (health,
pipeline list/show/status/runs, a run record, whoami, now and then /metrics) and, when
its own pipeline's last run has ended, a start of it with an Idempotency-Key. Pipelines
run for real (the engine's runner, a tap and a target as processes); the tap and target
are tiny shell scripts so the machine's time goes to the server, not to Singer SDK start-up.

Prints requests/second, p50/p99 latency (all, reads, starts) and errors: transport
failures, 5xx, and any 4xx (none is expected). Exit 1 when there was any error.

Then the idle-connections scenario (`--idle N`, default 300; 0 skips it): N TCP
connections are opened and left silent (as a crowd of idle keep-alive clients, or an
attacker, would), and `/health` is asked 50 times on fresh connections while they stay
open; its latency is printed next to the same 50 asked with no idle connection, measured
in the same run, and every answer that is not a 200 counts as an error.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, isolated_env

sys.path.insert(0, str(ROOT))

TAP = """#!/bin/sh
echo '{"type": "SCHEMA", "stream": "items", "schema": {"properties": {"id": {"type": "integer"}}}, "key_properties": ["id"]}'
echo '{"type": "RECORD", "stream": "items", "record": {"id": 1}}'
echo '{"type": "RECORD", "stream": "items", "record": {"id": 2}}'
echo '{"type": "STATE", "value": {"done": true}}'
"""
TARGET = """#!/bin/sh
while read -r line; do case "$line" in *'"STATE"'*) echo '{"done": true}';; esac; done
"""


def _workspace(root: Path, pipelines: int) -> None:
    (root / "bin").mkdir(parents=True)
    for name, body in (("tap-bench", TAP), ("target-bench", TARGET)):
        path = root / "bin" / name
        path.write_text(body)
        path.chmod(0o755)
    lines = ['[workspace]', 'name = "bench"', ""]
    for index in range(pipelines):
        lines += [f"[pipelines.p{index:02d}]", f'tap = "{root}/bin/tap-bench"', f'target = "{root}/bin/target-bench"', ""]
    (root / "flext.toml").write_text("\n".join(lines))


class _Http:
    """A keep-alive HTTP/1.1 connection (http.client: the lightest client, so the load is
    limited by the server, not by the client's own parsing); reconnects after an error."""

    def __init__(self, url: str, token: str) -> None:
        import http.client

        host, _, port = url.removeprefix("http://").partition(":")
        self.make = lambda: http.client.HTTPConnection(host, int(port), timeout=30)
        self.conn = self.make()
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        import json

        sent = dict(self.headers, **(headers or {}))
        if body is not None:
            sent["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=body, headers=sent)
            reply = self.conn.getresponse()
            data = reply.read()
        except Exception:
            self.conn.close()
            self.conn = self.make()
            raise
        if reply.getheader("Content-Type", "").startswith("application/json"):
            return reply.status, json.loads(data)
        return reply.status, data


def _client(args: tuple[str, str, list[int], float, float]) -> dict[str, Any]:
    """One process: a thread per client index, each with its own keep-alive connection."""
    url, token, indexes, deadline, start_every = args
    results: list[dict[str, Any]] = []

    def one(index: int) -> None:
        pipeline = f"p{index:02d}"
        lat: dict[str, list[float]] = {"read": [], "start": []}
        errors: list[str] = []
        starts = 0
        finished = 0
        last_run: str | None = None
        http = _Http(url, token)
        reads = ["/health", "/api/v1/pipelines", f"/api/v1/pipelines/{pipeline}", "/api/v1/status",
                 f"/api/v1/pipelines/{pipeline}/runs?limit=5", "/api/v1/auth/user",
                 f"/api/v1/pipelines/{pipeline}/status"]
        step = 0
        next_start = time.monotonic() + (index % 10) * start_every / 10  # spread the clients' first starts
        while time.monotonic() < deadline:  # bounded: stops at the deadline
            step += 1
            if last_run is not None and step % 5 == 0:
                path = f"/api/v1/pipelines/{pipeline}/runs/{last_run}"
                began = time.perf_counter()
                try:
                    status, doc = http.call("GET", path)
                except Exception as exc:
                    errors.append(f"GET run: {type(exc).__name__}: {exc}")
                    continue
                lat["read"].append(time.perf_counter() - began)
                if status != 200:
                    errors.append(f"GET run: {status}")
                elif doc["status"] in ("succeeded", "failed", "cancelled"):
                    finished += 1
                    if doc["status"] != "succeeded":
                        errors.append(f"run {last_run} {doc['status']}: {doc.get('error')}")
                    last_run = None
                continue
            if last_run is None and start_every > 0 and time.monotonic() >= next_start:
                next_start = time.monotonic() + start_every
                key = f"bench-{os.getpid()}-{index}-{step}"
                began = time.perf_counter()
                try:
                    status, doc = http.call("POST", f"/api/v1/pipelines/{pipeline}/run", b"{}",
                                            {"Idempotency-Key": key})
                except Exception as exc:
                    errors.append(f"POST run: {type(exc).__name__}: {exc}")
                    continue
                lat["start"].append(time.perf_counter() - began)
                if status != 202:
                    errors.append(f"POST run: {status} {str(doc)[:120]}")
                else:
                    starts += 1
                    last_run = doc["id"]
                continue
            path = "/metrics" if step % 97 == 0 else reads[step % len(reads)]
            began = time.perf_counter()
            try:
                status, _ = http.call("GET", path)
            except Exception as exc:
                errors.append(f"GET {path}: {type(exc).__name__}: {exc}")
                continue
            lat["read"].append(time.perf_counter() - began)
            if status != 200:
                errors.append(f"GET {path}: {status}")
        results.append({"lat": lat, "errors": errors, "starts": starts, "finished": finished})

    threads = [threading.Thread(target=one, args=(i,)) for i in indexes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged: dict[str, Any] = {"read": [], "start": [], "errors": [], "starts": 0, "finished": 0}
    for item in results:
        merged["read"] += item["lat"]["read"]
        merged["start"] += item["lat"]["start"]
        merged["errors"] += item["errors"]
        merged["starts"] += item["starts"]
        merged["finished"] += item["finished"]
    return merged


def _open_circuit_ms(where: Path) -> float:
    """`flext pipeline list` against a base URL whose breaker is open: the whole command,
    in-process (parse, context, the breaker check, the error line), without interpreter
    start-up. The issue's budget for it is 50 ms."""
    import io
    import shutil

    from flext.cli import main as flext_main
    from flext.core.io import IO
    from flext.core.resilience import THRESHOLD, breaker_for

    env = isolated_env(where)
    url = "http://127.0.0.1:9"  # nothing is ever sent there: the breaker is opened first
    (where / "config" / "config.toml").write_text(f'[profiles.gone]\napi_url = "{url}"\n')
    breaker = breaker_for(env["FLEXT_STATE_DIR"], url)
    for _ in range(THRESHOLD):
        breaker.failure()
    samples = []
    for _ in range(50):
        out, err = io.StringIO(), io.StringIO()
        began = time.perf_counter()
        code = flext_main(["-p", "gone", "pipeline", "list"], io=IO(io.StringIO(), out, err, env=env), env=env)
        samples.append((time.perf_counter() - began) * 1000)
        if code != 3 or "circuit open" not in err.getvalue():
            raise SystemExit(f"error: expected an open circuit, got exit {code}: {err.getvalue()}")
    shutil.rmtree(where, ignore_errors=True)
    return statistics.median(samples[5:])


def _health_ms(url: str, count: int) -> tuple[list[float], list[str]]:
    """`GET /health` `count` times, each on a fresh connection: latencies and failures."""
    import http.client

    host, _, port = url.removeprefix("http://").partition(":")
    samples: list[float] = []
    failures: list[str] = []
    for _ in range(count):  # bounded
        began = time.perf_counter()
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            conn.request("GET", "/health")
            reply = conn.getresponse()
            reply.read()
            status = reply.status
        except Exception as exc:
            failures.append(f"GET /health: {type(exc).__name__}: {exc}")
            continue
        finally:
            conn.close()
        samples.append(time.perf_counter() - began)
        if status != 200:
            failures.append(f"GET /health: {status}")
    return samples, failures


def _idle_scenario(url: str, idle: int) -> tuple[list[float], list[float], list[str]]:
    """/health with no idle connection (baseline), then with `idle` silent connections open."""
    import socket

    host, _, port = url.removeprefix("http://").partition(":")
    baseline, _ = _health_ms(url, 50)
    held: list[socket.socket] = []
    try:
        for _ in range(idle):
            held.append(socket.create_connection((host, int(port)), timeout=30))
        crowded, failures = _health_ms(url, 50)
    finally:
        for sock in held:
            sock.close()
    return baseline, crowded, failures


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=max(2, min(4, os.cpu_count() or 2)),
                        help="client processes the clients are spread over")
    parser.add_argument("--workers", type=int, default=64, help="the server's worker threads")
    parser.add_argument("--idle", type=int, default=300, metavar="N",
                        help="idle TCP connections held open while /health is measured (0: skip)")
    parser.add_argument("--start-every", type=float, default=10.0, metavar="S",
                        help="each client starts its pipeline at most every S seconds, once the last run ended "
                             "(0: reads only)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 99 or not 0 < args.seconds <= 3600:
        parser.error("--clients must be 1..99 and --seconds 0..3600")
    if not 0 <= args.idle <= 1000:
        parser.error("--idle must be 0..1000")
    with tempfile.TemporaryDirectory(prefix="flext-serve-load-") as tmp:
        where = Path(tmp)
        env = isolated_env(where)
        env["PYTHONPATH"] = str(ROOT)
        workspace = where / "ws"
        _workspace(workspace, args.clients)
        log = (where / "server.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "flext", "-C", str(workspace), "serve", "--port", "0", "--bootstrap-admin",
             "--workers", str(args.workers)],
            stdout=subprocess.PIPE, stderr=log, text=True, env=env, start_new_session=True)
        try:
            assert server.stdout is not None
            token = server.stdout.readline().strip()
            url = None
            limit = time.monotonic() + 60
            while url is None and time.monotonic() < limit and server.poll() is None:
                found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", (where / "server.log").read_text())
                url = found.group(1) if found else None
                if url is None:
                    time.sleep(0.05)
            if url is None:
                print("error: the server did not start:\n" + (where / "server.log").read_text(), file=sys.stderr)
                return 1
            groups = [list(range(args.clients))[i::args.processes] for i in range(args.processes)]
            groups = [g for g in groups if g]
            began = time.monotonic()
            deadline = began + args.seconds
            with ProcessPoolExecutor(max_workers=len(groups)) as pool:
                parts = list(pool.map(_client, [(url, token, g, deadline, args.start_every) for g in groups]))
            elapsed = time.monotonic() - began
            idle = _idle_scenario(url, args.idle) if args.idle else None
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
    circuit = _open_circuit_ms(Path(tempfile.mkdtemp(prefix="flext-breaker-")))
    reads = [x for p in parts for x in p["read"]]
    starts = [x for p in parts for x in p["start"]]
    errors = [x for p in parts for x in p["errors"]]
    total = len(reads) + len(starts)
    every = reads + starts
    print(f"serve_load: {args.clients} clients x {args.seconds:g} s of mixed reads and starts on 127.0.0.1 "
          f"({len(groups)} client processes, server with {args.workers} workers, {os.cpu_count()} CPUs)")
    print(f"requests      {total} in {elapsed:.1f} s = {total / elapsed:.1f} requests/second")
    print(f"latency all   p50 {_pct(every, 0.50):.1f} ms   p99 {_pct(every, 0.99):.1f} ms   "
          f"mean {statistics.fmean(every) * 1000:.1f} ms")
    print(f"latency reads p50 {_pct(reads, 0.50):.1f} ms   p99 {_pct(reads, 0.99):.1f} ms   ({len(reads)} requests)")
    print(f"latency start p50 {_pct(starts, 0.50):.1f} ms   p99 {_pct(starts, 0.99):.1f} ms   ({len(starts)} starts, "
          f"{sum(p['finished'] for p in parts)} runs seen to the end)")
    print(f"open circuit  a command fails in {circuit:.2f} ms in-process (median of 50; no connection attempted)")
    if idle is not None:
        baseline, crowded, idle_errors = idle
        print(f"idle conns    /health with {args.idle} idle connections open: p50 {_pct(crowded, 0.50):.1f} ms   "
              f"p99 {_pct(crowded, 0.99):.1f} ms   max {max(crowded, default=float('nan')) * 1000:.1f} ms   "
              f"({_pct(crowded, 0.50) / _pct(baseline, 0.50):.1f}x the p50 of {_pct(baseline, 0.50):.1f} ms "
              f"with none; {len(crowded) - sum(1 for e in idle_errors if e.split(': ')[1].isdigit())}/50 answered 200)")
        errors += [f"idle: {e}" for e in idle_errors]
    print(f"errors        {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
