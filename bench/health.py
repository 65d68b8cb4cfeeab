"""Bench: `flext service health` over 50 services of which 5 hang, timeout 1 s.

Goal: total wall time <= 1.3 s, where checking one by one costs 5 s or more (each
hanging service burns its whole timeout). Everything runs on 127.0.0.1: 45 healthy
HTTP servers and 5 sockets that accept and never answer, in a helper process.
Prints lines; run with `python bench/health.py`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEALTHY, HANGING, TIMEOUT, RUNS = 45, 5, 1.0, 5

FLEET = textwrap.dedent('''
    import json, socket, sys, threading, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"status": "ok", "version": "1.0"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *a):
            pass

    ports = {"up": [], "hang": []}
    for _ in range(int(sys.argv[1])):
        server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ports["up"].append(server.server_address[1])
    held = []
    for _ in range(int(sys.argv[2])):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(128)  # the kernel accepts; nobody ever answers
        held.append(s)
        ports["hang"].append(s.getsockname()[1])
    print(json.dumps(ports), flush=True)
    sys.stdin.read()
''')


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    return time.perf_counter() - started, proc


def sequential(urls: list[str]) -> float:
    """The same checks one after another, with the same HTTP client flext uses."""
    sys.path.insert(0, str(ROOT))
    from flext.services.http import get

    started = time.perf_counter()
    for url in urls:
        get(url, TIMEOUT)
    return time.perf_counter() - started


def main() -> int:
    fleet = subprocess.Popen([sys.executable, "-c", FLEET, str(HEALTHY), str(HANGING)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert fleet.stdout is not None
        ports = json.loads(fleet.stdout.readline())
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, FLEXT_CONFIG_DIR=f"{tmp}/c", FLEXT_DATA_DIR=f"{tmp}/d", FLEXT_STATE_DIR=f"{tmp}/s",
                       FLEXT_CACHE_DIR=f"{tmp}/cache", HOME=tmp, PYTHONPATH=str(ROOT), FLEXT_NO_HISTORY="1")
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # warm runs, with .pyc files, as users get them
            from flext.services.builtin import BUILTIN

            lines = [f'[services."{n}"]\nenabled = false\n' for n in BUILTIN]
            urls = []
            for kind, plist in (("up", ports["up"]), ("hang", ports["hang"])):
                for port in plist:
                    lines.append(f'[services.{kind}-{port}]\nurl = "http://127.0.0.1:{port}"\n')
                    urls.append(f"http://127.0.0.1:{port}/health")
            os.makedirs(f"{tmp}/c")
            Path(f"{tmp}/c/config.toml").write_text("\n".join(lines))
            argv = [sys.executable, "-m", "flext", "service", "health", "--timeout", str(TIMEOUT), "-o", "json"]
            breakers = Path(f"{tmp}/s/breakers.json")  # flext.core.resilience keeps every breaker here
            timed(argv, env)  # warm-up: compile .pyc, fill the config cache
            walls = []
            for _ in range(RUNS):
                breakers.unlink(missing_ok=True)  # every run probes everything
                wall, proc = timed(argv, env)
                rows = json.loads(proc.stdout)
                up = sum(r["status"] == "up" for r in rows)
                down = sum(r["status"] == "down" for r in rows)
                assert (up, down, proc.returncode) == (HEALTHY, HANGING, 1), (up, down, proc.returncode, proc.stderr)
                walls.append(wall)
            for _ in range(3):  # three failed checks open the hanging services' circuits
                timed(argv, env)
            open_wall, proc = timed(argv, env)
            opened = sum(r["circuit"] == "open" for r in json.loads(proc.stdout))
            base, _ = timed([sys.executable, "-c", "pass"], env)
            version, _ = timed([sys.executable, "-m", "flext", "--version"], env)
            one_by_one = sequential(urls)
    finally:
        fleet.kill()
        fleet.wait()
    best, median = min(walls), statistics.median(walls)
    print(f"health: {HEALTHY + HANGING} services ({HANGING} hang), timeout {TIMEOUT:g}s: "
          f"`flext service health` wall {best:.2f}s best, {median:.2f}s median of {RUNS} (goal <= 1.30s: "
          f"{'met' if best <= 1.3 else 'NOT met'})")
    print(f"health: one by one, same client, same services: {one_by_one:.2f}s "
          f"({one_by_one / median:.1f}x the concurrent median)")
    print(f"health: with {opened} circuits open (after {3} failed checks): {open_wall:.2f}s")
    print(f"health: baselines in the same run: python -c pass {base:.3f}s, flext --version {version:.3f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
