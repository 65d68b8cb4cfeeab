"""A real HTTP server on 127.0.0.1 that answers from a script, for transport tests.

Each entry of `script` answers one request: `(status, body)` sends JSON, `"drop"`
closes the connection without answering, `("sleep", seconds)` waits then answers 200,
`("ndjson", [lines], complete)` streams lines chunked. Requests are recorded.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Scripted:
    def __init__(self, script: list[Any]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with lock:
                    outer.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                           "body": json.loads(body) if body else None})
                    step = outer.script.pop(0) if outer.script else (200, {})
                if step == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if isinstance(step, tuple) and step[0] == "sleep":
                    time.sleep(step[1])
                    step = (200, {})
                if isinstance(step, tuple) and step[0] == "ndjson":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/x-ndjson")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for line in step[1]:
                        piece = (json.dumps(line) + "\n").encode()
                        self.wfile.write(b"%x\r\n%b\r\n" % (len(piece), piece))
                    if step[2]:
                        self.wfile.write(b"0\r\n\r\n")
                    else:
                        self.close_connection = True
                    return
                status, doc = step
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


__all__ = ["Scripted"]
