"""The hardened HTTP layer of `flext serve` (standard library only).

`http.server` alone gives one unbounded thread per connection, no deadlines (a client
sending a byte every few seconds pins a thread forever) and HTML error pages. Here:
- a fixed pool of worker threads plus a bounded queue; beyond that a connection gets
  503 at once instead of a thread;
- a deadline for the whole request (line, headers and body) enforced on every recv,
  not per recv, so a slow client gets 408; an idle keep-alive connection is closed;
- a body size limit checked against Content-Length before reading (413); chunked
  request bodies are refused (411) rather than read without a bound;
- every error is JSON: `{"error": {"type", "message", "hint"?, "correlation_id"}}`;
- `X-Correlation-ID` taken from the request (when well-formed) or made up, echoed on
  every response and handed to the application for its logs;
- responses either whole (Content-Length) or streamed with chunked encoding, flushed
  as each piece comes (for `logs?follow=1`).

Graceful stop (`Server.stop`): stop accepting, close idle keep-alive connections,
let in-flight requests finish, then return.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

_CID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")
_ERROR_TYPES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    408: "timeout", 409: "conflict", 411: "length_required", 413: "payload_too_large", 414: "uri_too_long",
    415: "unsupported_media_type", 422: "config_error", 429: "too_many_requests", 431: "headers_too_large",
    500: "internal", 501: "not_implemented", 503: "unavailable", 505: "http_version",
}


class Limits:
    """Tunable bounds of the server (see `flext serve --help` for the defaults)."""

    __slots__ = ("idle_timeout", "max_body", "queue", "read_timeout", "workers", "write_timeout")

    def __init__(self, *, workers: int = 64, queue: int = 64, max_body: int = 1 << 20,
                 read_timeout: float = 10.0, idle_timeout: float = 15.0, write_timeout: float = 30.0) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self.max_body = max_body
        self.read_timeout = read_timeout
        self.idle_timeout = idle_timeout
        self.write_timeout = write_timeout


class ApiError(Exception):
    """An HTTP error answered as `{"error": {"type", "message", "hint"?}}`."""

    def __init__(self, status: int, message: str, *, type: str | None = None, hint: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.type = type or _ERROR_TYPES.get(status, "error")
        self.message = message
        self.hint = hint
        self.headers = headers or {}

    def body(self, correlation_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.hint:
            error["hint"] = self.hint
        error["correlation_id"] = correlation_id
        return {"error": error}


class Request:
    """One parsed request, as the application sees it."""

    __slots__ = (
        "_json",
        "body",
        "correlation_id",
        "headers",
        "method",
        "params",
        "path",
        "principal",
        "query",
        "remote",
        "route",
        "started",
    )

    def __init__(self, method: str, target: str, headers: Any, body: bytes, remote: str, correlation_id: str) -> None:
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(target)
        self.method = method
        self.path = parts.path or "/"
        try:
            self.query: dict[str, list[str]] = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False,
                                                        max_num_fields=100)
        except ValueError:
            raise ApiError(400, "too many query parameters") from None
        self.headers = headers
        self.body = body
        self.remote = remote
        self.correlation_id = correlation_id
        self.params: dict[str, str] = {}
        self.route = "unmatched"
        self.principal: Any = None
        self.started = time.monotonic()
        self._json: Any = None

    def json(self) -> Any:
        """The body as JSON (an empty body is `{}`); 400 when it does not parse."""
        if self._json is None:
            if not self.body.strip():
                self._json = {}
            else:
                import json

                ctype = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip().lower()
                if ctype not in ("application/json", "text/json", "application/*+json"):
                    raise ApiError(415, f"expected a JSON body, got Content-Type {ctype!r}")
                try:
                    self._json = json.loads(self.body)
                except (ValueError, RecursionError):
                    raise ApiError(400, "the request body is not valid JSON", type="bad_json") from None
        return self._json

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def args(self, name: str) -> list[str]:
        return list(self.query.get(name) or [])


class Response:
    """A whole JSON body, or a stream of byte pieces sent chunked as they come."""

    __slots__ = ("body", "content_type", "headers", "status", "stream")

    def __init__(self, status: int = 200, data: Any = None, *, raw: bytes | None = None,
                 content_type: str = "application/json", headers: dict[str, str] | None = None,
                 stream: Iterator[bytes] | None = None) -> None:
        self.status = status
        self.headers = dict(headers or {})
        self.content_type = content_type
        self.stream = stream
        if raw is not None:
            self.body = raw
        elif stream is not None:
            self.body = b""
        else:
            self.body = encode(data)


def encode(data: Any) -> bytes:
    import json

    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8")


class _Reader:
    """Reads lines and bytes from a socket, all before one deadline (not per recv)."""

    def __init__(self, sock: socket.socket, fallback: float) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.eof = False
        self.fallback = fallback
        self.deadline: float | None = None
        self.closed = False

    def _recv(self) -> bool:
        deadline = self.deadline if self.deadline is not None else time.monotonic() + self.fallback
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("request deadline passed")
        self.sock.settimeout(remaining)
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def wait(self, timeout: float) -> bool:
        """Data is ready (True) or the peer closed (False); TimeoutError after `timeout`."""
        if self.buf:
            return True
        if self.eof:
            return False
        self.deadline = time.monotonic() + timeout
        return self._recv()

    def readline(self, limit: int = -1) -> bytes:
        while True:
            at = self.buf.find(b"\n")
            if at >= 0 and (limit < 0 or at < limit):
                cut = at + 1
            elif 0 <= limit <= len(self.buf):
                cut = limit
            elif self.eof:
                cut = len(self.buf)
            else:
                self._recv()
                continue
            out = bytes(self.buf[:cut])
            del self.buf[:cut]
            return out

    def read(self, size: int) -> bytes:
        while len(self.buf) < size and not self.eof:
            self._recv()
        out = bytes(self.buf[:size])
        del self.buf[:size]
        return out

    def close(self) -> None:
        self.closed = True


class _Writer:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.closed = False

    def write(self, data: bytes) -> int:
        self.sock.sendall(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class Handler(BaseHTTPRequestHandler):
    """One connection: requests in a keep-alive loop, each under a deadline."""

    protocol_version = "HTTP/1.1"
    server: Server
    rfile: Any
    wfile: Any

    def version_string(self) -> str:
        from flext import __version__

        return f"flext/{__version__}"

    def setup(self) -> None:
        self.connection = self.request
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self.rfile = _Reader(self.connection, self.server.limits.read_timeout)
        self.wfile = _Writer(self.connection)
        self.served = 0
        self.correlation_id = os.urandom(8).hex()

    def finish(self) -> None:
        pass  # the server closes the socket

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the application logs one JSON line per request instead

    # -- one request -----------------------------------------------------------
    def handle_one_request(self) -> None:
        limits = self.server.limits
        self.close_connection = True
        first = self.served == 0
        if self.server.stopping.is_set():
            return
        self.server.idle(self, True)
        try:
            if not self.rfile.wait(limits.read_timeout if first else limits.idle_timeout):
                return  # the client closed the connection
        except TimeoutError:
            if first:  # connected and sent nothing: a slow (or idle) client
                self._quick_error(408, "no request arrived in time")
            return
        except OSError:
            return
        finally:
            self.server.idle(self, False)
        self.rfile.deadline = time.monotonic() + limits.read_timeout
        self.correlation_id = os.urandom(8).hex()
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = ""
                self.request_version = "HTTP/1.1"
                self.command = ""
                self.send_error(414, "request line too long")
                return
            if not self.raw_requestline:
                return
            if not self.parse_request():
                return
            self._one()
        except TimeoutError:
            self._quick_error(408, "the request did not arrive in time")
        except (ConnectionError, BrokenPipeError):
            self.close_connection = True
        except OSError:
            self.close_connection = True

    def _one(self) -> None:
        limits = self.server.limits
        cid = self.headers.get("X-Correlation-ID") or ""
        if cid and len(cid) <= 64 and set(cid) <= _CID_CHARS:
            self.correlation_id = cid
        self.served += 1
        if self.server.stopping.is_set():
            self.close_connection = True
        if self.headers.get("Transfer-Encoding"):
            self._quick_error(411, "chunked request bodies are not accepted; send Content-Length")
            return
        raw_length = self.headers.get("Content-Length")
        length = 0
        if raw_length is not None:
            if not raw_length.strip().isdigit():
                self._quick_error(400, "invalid Content-Length")
                return
            length = int(raw_length)
        if length > limits.max_body:
            self._quick_error(413, f"the request body is larger than {limits.max_body} bytes")
            return
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            self.close_connection = True
            return  # the client went away mid-body
        self.rfile.deadline = None
        remote = self.client_address[0] if isinstance(self.client_address, tuple) else str(self.client_address)
        try:
            request = Request(self.command, self.path, self.headers, body, remote, self.correlation_id)
        except ApiError as exc:
            self._send(Response(exc.status, exc.body(self.correlation_id), headers=exc.headers), None)
            return
        try:
            response = self.server.app(request)
        except Exception:  # the application answers its own errors; this is a last resort
            import traceback

            self.server.report(f"unhandled error (correlation id {self.correlation_id}):\n{traceback.format_exc()}")
            response = Response(500, ApiError(500, "internal server error").body(self.correlation_id))
        self._send(response, request)

    # -- writing ---------------------------------------------------------------
    def _send(self, response: Response, request: Request | None) -> None:
        self.connection.settimeout(self.server.limits.write_timeout)
        status = response.status
        ok = True
        try:
            self.send_response(status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("X-Correlation-ID", self.correlation_id)
            self.send_header("Cache-Control", "no-store")
            for key, value in response.headers.items():
                self.send_header(key, value)
            if self.server.stopping.is_set():
                self.close_connection = True
            if response.stream is None:
                self.send_header("Content-Length", str(len(response.body)))
                if self.close_connection:
                    self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)
            else:
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("X-Accel-Buffering", "no")
                self.end_headers()
                ok = self._stream(response.stream)
        except OSError:
            ok = False
            self.close_connection = True
        finally:
            if response.stream is not None:  # never started, or cut: its producer stops too
                close = getattr(response.stream, "close", None)
                if close is not None:
                    close()
            if request is not None:
                self.server.done(request, status, ok)

    def _stream(self, pieces: Iterator[bytes]) -> bool:
        """Send each piece as one chunk; on a write error stop the producer too."""
        self.server.streaming(self, True)
        try:
            for piece in pieces:
                if piece:
                    self.wfile.write(b"%x\r\n%b\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
            return True
        except OSError:
            self.close_connection = True
            return False
        except Exception:  # the producer failed: cut the stream so the client sees it broken
            self.close_connection = True
            self.server.report(f"stream failed (correlation id {self.correlation_id})")
            return False
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()
            self.server.streaming(self, False)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found by http.server itself (bad request line, header limits): JSON too."""
        phrase = self.responses.get(code, ("error",))[0]
        self._quick_error(code, message or phrase)

    def _quick_error(self, status: int, message: str) -> None:
        self.close_connection = True
        body = encode(ApiError(status, message).body(self.correlation_id))
        try:
            self.connection.settimeout(self.server.limits.write_timeout)
            head = (f"HTTP/1.1 {status} {self.responses.get(status, ('Error',))[0]}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                    f"X-Correlation-ID: {self.correlation_id}\r\nConnection: close\r\n\r\n")
            self.connection.sendall(head.encode("latin-1") + body)
        except OSError:
            pass
        self.server.rejected(status)

    def parse_request(self) -> bool:
        ok = super().parse_request()
        if ok and self.command not in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            self.send_error(501, f"method {self.command} is not supported")
            return False
        return ok


class Server(ThreadingHTTPServer):
    """ThreadingHTTPServer with a bounded pool instead of a thread per connection."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: Callable[[Request], Response], *, limits: Limits,
                 on_done: Callable[[Request, int, bool], None] | None = None,
                 on_reject: Callable[[int], None] | None = None,
                 on_report: Callable[[str], None] | None = None) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.app = app
        self.limits = limits
        self.stopping = threading.Event()
        self._on_done = on_done
        self._on_reject = on_reject
        self._on_report = on_report
        self._pool = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix="flext-http")
        self._slots = threading.BoundedSemaphore(limits.workers + limits.queue)
        self._lock = threading.Lock()
        self._idle: set[Handler] = set()
        self._streams: set[Handler] = set()
        super().__init__(address, Handler)

    # -- bounded dispatch ----------------------------------------------------------
    def process_request(self, request: Any, client_address: Any) -> None:
        if self.stopping.is_set() or not self._slots.acquire(blocking=False):
            self._busy(request)
            self.shutdown_request(request)
            return
        try:
            self._pool.submit(self._work, request, client_address)
        except RuntimeError:  # the pool is shutting down
            self._slots.release()
            self.shutdown_request(request)

    def _work(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self._slots.release()

    def _busy(self, request: socket.socket) -> None:
        body = encode({"error": {"type": "unavailable", "message": "the server is busy; retry shortly"}})
        head = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        try:
            request.settimeout(1.0)
            request.sendall(head + body)
        except OSError:
            pass
        if self._on_reject:
            self._on_reject(503)

    def handle_error(self, request: Any, client_address: Any) -> None:
        import traceback

        self.report("unhandled error in a connection:\n" + traceback.format_exc())

    # -- bookkeeping used by handlers ------------------------------------------------
    def idle(self, handler: Handler, waiting: bool) -> None:
        with self._lock:
            (self._idle.add if waiting else self._idle.discard)(handler)

    def streaming(self, handler: Handler, active: bool) -> None:
        with self._lock:
            (self._streams.add if active else self._streams.discard)(handler)

    def done(self, request: Request, status: int, ok: bool) -> None:
        if self._on_done:
            self._on_done(request, status, ok)

    def rejected(self, status: int) -> None:
        if self._on_reject:
            self._on_reject(status)

    def report(self, text: str) -> None:
        if self._on_report:
            self._on_report(text)

    # -- stopping ------------------------------------------------------------------------
    def stop(self, grace: float = 30.0) -> None:
        """Stop accepting, end idle connections and streams, wait for in-flight requests."""
        self.stopping.set()
        self.shutdown()  # serve_forever returns: nothing new is accepted
        try:
            self.socket.close()
        except OSError:
            pass
        with self._lock:
            waiting = list(self._idle) + list(self._streams)
        for handler in waiting:
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + grace
        done = threading.Event()

        def drain() -> None:
            self._pool.shutdown(wait=True)
            done.set()

        threading.Thread(target=drain, name="flext-drain", daemon=True).start()
        while not done.wait(0.1):
            if time.monotonic() > deadline:
                break
            with self._lock:
                late = list(self._idle)
            for handler in late:
                try:
                    handler.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def server_close(self) -> None:
        try:
            self.socket.close()
        except OSError:
            pass


def json_lines(items: Iterable[Any]) -> Iterator[bytes]:
    """NDJSON pieces for a streamed response."""
    for item in items:
        yield encode(item)


__all__ = ["ApiError", "Handler", "Limits", "Request", "Response", "Server", "encode", "json_lines"]
