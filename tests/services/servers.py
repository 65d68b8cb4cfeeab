"""Real HTTP servers on 127.0.0.1 for the services tests, and a config without built-ins.

Each server runs in a thread of the test process: healthy, degraded, slow, 500,
hanging (accepts, never answers), refusing (nothing listens), malformed (not HTTP).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flext.services.builtin import BUILTIN


class Handler(BaseHTTPRequestHandler):
    """Answers from the server's `routes`: path -> (status, body, content type, delay)."""

    def do_GET(self) -> None:
        routes = self.server.routes  # type: ignore[attr-defined]
        status, body, ctype, delay = routes.get(self.path, (404, b"not found", "text/plain", 0.0))
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Servers:
    def __init__(self) -> None:
        self.urls: dict[str, str] = {}
        self._stop: list[Callable[[], None]] = []

    def http(self, name: str, routes: dict[str, tuple[int, bytes, str, float]]) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.routes = routes  # type: ignore[attr-defined]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self._stop.append(server.shutdown)
        self._stop.append(server.server_close)
        url = f"http://127.0.0.1:{server.server_address[1]}"
        self.urls[name] = url
        return url

    def health(self, name: str, body: object, status: int = 200, delay: float = 0.0) -> str:
        raw = json.dumps(body).encode() if not isinstance(body, bytes) else body
        return self.http(name, {"/health": (status, raw, "application/json", delay)})

    def hanging(self, name: str) -> str:
        """Accepts connections and never answers."""
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        held: list[socket.socket] = []
        stop = threading.Event()

        def accept() -> None:
            sock.settimeout(0.2)
            while not stop.is_set():
                try:
                    conn, _ = sock.accept()
                    held.append(conn)
                except OSError:
                    continue

        threading.Thread(target=accept, daemon=True).start()

        def close() -> None:
            stop.set()
            for conn in held:
                conn.close()
            sock.close()

        self._stop.append(close)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.urls[name] = url
        return url

    def malformed(self, name: str) -> str:
        """Answers every connection with bytes that are not HTTP."""
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        stop = threading.Event()

        def serve() -> None:
            sock.settimeout(0.2)
            while not stop.is_set():
                try:
                    conn, _ = sock.accept()
                except OSError:
                    continue
                try:
                    conn.recv(4096)
                    conn.sendall(b"HELLO THERE\r\n\r\n")
                finally:
                    conn.close()

        threading.Thread(target=serve, daemon=True).start()
        self._stop.append(lambda: (stop.set(), sock.close()))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.urls[name] = url
        return url

    def refusing(self, name: str) -> str:
        """A port nothing listens on."""
        url = f"http://127.0.0.1:{free_port()}"
        self.urls[name] = url
        return url

    def close(self) -> None:
        for stop in reversed(self._stop):
            try:
                stop()
            except OSError:
                pass


def free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return int(port)


@pytest.fixture
def servers() -> Iterator[Servers]:
    found = Servers()
    yield found
    found.close()


def write_config(env: dict[str, str], body: str = "", *, builtins: bool = False) -> Path:
    """config.toml with the built-in services disabled (unless asked) plus `body`."""
    path = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [] if builtins else [f'[services."{name}"]\nenabled = false\n' for name in BUILTIN]
    path.write_text(body + "\n" + "\n".join(lines))
    return path


def services_toml(urls: dict[str, str], extra: dict[str, str] | None = None) -> str:
    out = []
    for name, url in urls.items():
        out.append(f'[services.{name}]\nurl = "{url}"\n' + (extra or {}).get(name, ""))
    return "\n".join(out)


@pytest.fixture
def configure(env: dict[str, str]) -> Callable[..., Path]:
    def write(body: str = "", *, builtins: bool = False) -> Path:
        return write_config(env, body, builtins=builtins)

    return write
