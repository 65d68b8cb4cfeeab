"""Real notification receivers on 127.0.0.1: an HTTP endpoint for Apprise's json:// and a
real SMTP server (aiosmtpd) for mailto://.

`JsonReceiver(fail_first=N)` answers 500 to the first N posts (a receiver that is down
for a while), then 200; it keeps every body it accepted, and counts every attempt.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        receiver: JsonReceiver = self.server.receiver  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with receiver.lock:
            receiver.attempts += 1
            failing = receiver.attempts <= receiver.fail_first
            if not failing:
                receiver.received.append({"path": self.path, "body": json.loads(body)})
        self.send_response(500 if failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class JsonReceiver:
    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.attempts = 0
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.receiver = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.port = int(self.server.server_address[1])

    def url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def messages(self) -> list[dict[str, Any]]:
        """What Apprise posted: {version, title, message, type, ...} per accepted post."""
        with self.lock:
            return [dict(r["body"]) for r in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpReceiver:
    """aiosmtpd on a free port; `mails` holds (from, to, message) of each delivered mail."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.mails: list[tuple[str, list[str], Any]] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                import email

                message = email.message_from_bytes(envelope.content)
                receiver.mails.append((envelope.mail_from, list(envelope.rcpt_tos), message))
                return "250 OK"

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        sock.close()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def url(self, to: str = "ops@example.com") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=flext@example.com&to={to}"

    def texts(self) -> list[str]:
        """The plain-text part of each mail."""
        out = []
        for _, _, message in self.mails:
            for part in message.walk():
                if part.get_content_type() == "text/plain":
                    out.append(part.get_payload(decode=True).decode())
                    break
        return out

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def receiver() -> Iterator[JsonReceiver]:
    found = JsonReceiver()
    yield found
    found.close()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    found = SmtpReceiver()
    yield found
    found.close()


__all__ = ["JsonReceiver", "SmtpReceiver", "receiver", "smtp"]
