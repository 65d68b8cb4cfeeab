"""The HTTP layer of `flext serve`: uvicorn (h11) and a small plain-ASGI app.

uvicorn owns the sockets, the event loop, HTTP/1.1 parsing (h11), keep-alive and the
graceful stop; a connection costs no thread, so hundreds of idle connections delay
nobody. What flext adds, in two pieces:

`protocol_class()` — uvicorn's h11 protocol with the hardening flext documents:
- a deadline for the whole request (line, headers and body) from its first byte, not
  per read: a client trickling bytes, or connecting and saying nothing, gets 408;
- the request head checked before h11 sees it: a request line over 64 KiB is 414,
  more than 100 headers or a head over 64 KiB 431, a repeated Content-Length 400;
- malformed requests answered in JSON with the error type (h11's status hint: 400,
  431, 501), and at most `max_connections` open connections (503 beyond).

`Asgi` — the ASGI app: version and method checks (505, 501), the body limit from
Content-Length before reading (413; chunked bodies 411), a bounded thread pool for the
application's blocking calls (`workers` threads plus `queue` waiting; beyond that 503
with Retry-After at once, except `/health`, answered on the loop), whole and streamed
answers (NDJSON, heartbeats, `{"_end": ...}`, a vanished client noticed at once and its
stream slot given back however the stream ends), a write deadline, and the access log
written off the loop.

Why plain ASGI and not Starlette: the application already has the parts Starlette would
bring (a route table that also drives roles, audit, metric labels and the OpenAPI
document; request/response types; JSON errors), so Starlette would add routing,
middleware and anyio that nothing here would use, and more to ship in the zipapp.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import Server as UvicornServer

from flext.core.errors import FlextError, OperationFailed
from flext.server.wire import ERROR_TYPES, ApiError, Headers, Request, Response, correlation_id, encode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from socket import socket
    from typing import Any

    from flext.server.app import App
    from flext.server.wire import Limits

MAX_LINE = 64 * 1024  # the request line
MAX_HEAD = 64 * 1024  # request line and headers together
MAX_HEADERS = 100
HEARTBEAT_S = 5.0
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
INLINE = frozenset({"/health"})  # answered on the event loop: cheap, and never waits for a worker


def _phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_bytes(status: int, message: str, cid: str, *, server: str, extra: dict[str, str] | None = None) -> bytes:
    """A whole HTTP/1.1 JSON error answer that closes the connection (written raw, outside h11)."""
    body = encode(ApiError(status, message).body(cid))
    lines = [f"HTTP/1.1 {status} {_phrase(status)}", "Content-Type: application/json",
             f"Content-Length: {len(body)}", f"X-Correlation-ID: {cid}", "Cache-Control: no-store",
             f"Server: {server}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def check_head(buffer: bytes) -> tuple[int, str] | None:
    """A problem with the request head received so far (status, message), or None.

    h11 merges a repeated Content-Length with the same value; a request carrying two is
    ambiguous (request smuggling through a proxy that reads the other one), so it is refused.
    """
    data = buffer.lstrip(b"\r\n")
    line_end = data.find(b"\n")
    if (line_end < 0 and len(data) > MAX_LINE) or line_end > MAX_LINE:
        return 414, f"the request line is longer than {MAX_LINE} bytes"
    end = data.find(b"\r\n\r\n")
    if end < 0:
        end = data.find(b"\n\n")
    if end < 0:
        if len(data) > MAX_HEAD:
            return 431, f"the request head is larger than {MAX_HEAD} bytes"
        return None
    if end > MAX_HEAD:
        return 431, f"the request head is larger than {MAX_HEAD} bytes"
    fields = [line for line in data[:end].split(b"\n")[1:] if line.strip()]
    if len(fields) > MAX_HEADERS:
        return 431, f"more than {MAX_HEADERS} headers"
    lengths = [line for line in fields if line.split(b":", 1)[0].strip().lower() == b"content-length"]
    if len(lengths) > 1 or any(b"," in line for line in lengths):
        return 400, "more than one Content-Length"
    return None


class _Connection(h11.Connection):
    """h11's connection, remembering the protocol error it raised (for a precise answer)."""

    last_error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as exc:
            self.last_error = exc
            raise


class _Coalescing:
    """A transport whose writes within one turn of the event loop go out as one send.

    uvicorn writes a response's head and body separately; on a loaded server each send
    costs the loop thread a wait for the GIL when it returns, so one send per answer,
    not two, is what keeps it responsive. Everything else is the real transport's.
    """

    def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(bytes(data))

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class Hooks:
    """What the protocol needs from the server: limits, the Server header, counters."""

    def __init__(self, limits: Limits, server: str, rejected: Callable[[int], None]) -> None:
        self.limits = limits
        self.server = server
        self.rejected = rejected


def protocol_class(hooks: Hooks) -> type[H11Protocol]:
    """uvicorn's h11 protocol with flext's deadlines, head checks and JSON errors."""

    class FlextProtocol(H11Protocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.conn = _Connection(h11.SERVER, MAX_HEAD + 1024)
            self._deadline: asyncio.TimerHandle | None = None
            self._head: bytearray | None = None  # the request head received so far (None: not reading one)
            self._scanned = 0
            self._served = 0
            self._closed_by_us = False
            app = self.app

            async def bound(scope: Any, receive: Any, send: Any) -> None:
                scope["extensions"] = {**(scope.get("extensions") or {}), "flext.connection": self}
                await app(scope, receive, send)

            self.app = bound

        # -- the request deadline ------------------------------------------------------
        def _arm(self, seconds: float) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            cycle = self.cycle
            if cycle is not None and cycle.response_started:
                return  # the request arrived whole and is being answered
            if self._served == 0 and not self.conn.trailing_data[0] and cycle is None:
                self.reject(408, "no request arrived in time")
            else:
                self.reject(408, "the request did not arrive in time")

        def reject(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
            """Answer a JSON error and close, whatever h11's state (the request is abandoned)."""
            if self._closed_by_us or self.transport.is_closing():
                return
            self._closed_by_us = True
            self._disarm()
            self._unset_keepalive_if_required()
            given = None
            if self.cycle is not None and not self.cycle.response_complete:
                given = Headers(self.cycle.scope["headers"]).get("x-correlation-id")
                self.cycle.disconnected = True  # the app, if waiting for the body, sees a disconnect
                self.cycle.message_event.set()
            self.transport.write(error_bytes(status, message, correlation_id(given), server=hooks.server,
                                             extra=headers))
            self.transport.close()
            hooks.rejected(status)

        # -- uvicorn's protocol --------------------------------------------------------
        def connection_made(self, transport: Any) -> None:
            super().connection_made(_Coalescing(transport, self.loop))  # type: ignore[arg-type]
            if len(self.connections) > hooks.limits.max_connections:
                self.reject(503, "the server has too many open connections; retry shortly", {"Retry-After": "1"})
                return
            self._arm(hooks.limits.read_timeout)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._closed_by_us:
                return
            if self.conn.their_state is h11.IDLE and self._head is not None:
                self._head += data
            super().data_received(data)

        def handle_events(self) -> None:
            if self._closed_by_us:
                return
            if self.conn.their_state is h11.IDLE:
                if self._head is None:  # a new request: start from what h11 holds already (pipelining)
                    self._head = bytearray(self.conn.trailing_data[0])
                    self._scanned = 0
                if self._head:
                    if self._deadline is None:  # the first bytes of the next request
                        self._arm(hooks.limits.read_timeout)
                    problem = self._check_head()
                    if problem is not None:
                        self.reject(*problem)
                        return
            super().handle_events()
            if self.conn.their_state is not h11.IDLE:
                self._head = None
            if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE) and self.cycle is not None:
                self._disarm()  # the whole request is in; answering it has its own deadline

        def _check_head(self) -> tuple[int, str] | None:
            """check_head once the head is complete or too long (not on every packet: a
            client sending a byte at a time must not make us rescan 64 KiB each time)."""
            head = self._head
            assert head is not None
            start = max(0, self._scanned - 3)
            self._scanned = len(head)
            if head.find(b"\n\n", start) >= 0 or head.find(b"\r\n\r\n", start) >= 0 or len(head) > MAX_LINE:
                return check_head(bytes(head))
            return None

        def on_response_complete(self) -> None:
            self._served += 1
            super().on_response_complete()

        def send_400_response(self, msg: str) -> None:
            error: h11.RemoteProtocolError | None = getattr(self.conn, "last_error", None)
            status = error.error_status_hint if error is not None else 400
            if status not in ERROR_TYPES or status < 400:
                status = 400
            reason = str(error).split(":", 1)[0].strip() if error is not None else ""
            self.reject(status, f"malformed request: {reason}" if reason else "malformed request")

    return FlextProtocol


class FlextServer(UvicornServer):
    """uvicorn's Server, telling flext the moment a stop begins (streams end with `shutdown`)."""

    def __init__(self, config: Any, on_stopping: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_stopping = on_stopping

    async def shutdown(self, sockets: list[socket] | None = None) -> None:
        self.on_stopping()
        await super().shutdown(sockets)


class Asgi:
    """The ASGI app: HTTP in, `App` (blocking, on the worker pool) in the middle, HTTP out."""

    def __init__(self, app: App, limits: Limits, server: str) -> None:
        self.app = app
        self.limits = limits
        self.server = server
        self.pool = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix="flext-http")
        self.log_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flext-log")
        self.busy = 0  # requests given to the pool and not done (touched on the loop only)
        self.stopping = asyncio.Event()

    def begin_stop(self) -> None:
        """On the loop, as the graceful stop begins."""
        self.app.stopping.set()
        self.stopping.set()

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.log_pool.shutdown(wait=True)

    # -- one request ---------------------------------------------------------------------
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = Headers(scope["headers"])
        cid = correlation_id(headers.get("x-correlation-id"))
        method = str(scope["method"])
        closing = self.stopping.is_set()
        try:
            if scope.get("http_version") not in ("1.0", "1.1"):
                raise ApiError(505, f"HTTP version {scope.get('http_version')} is not supported")
            if method not in METHODS:
                raise ApiError(501, f"method {method} is not supported")
            if "transfer-encoding" in headers:
                raise ApiError(411, "chunked request bodies are not accepted; send Content-Length")
            length = int(headers.get("content-length") or 0)  # h11 checked it is digits
            if length > self.limits.max_body:
                raise ApiError(413, f"the request body is larger than {self.limits.max_body} bytes")
        except ApiError as exc:
            await self._whole(send, Response(exc.status, exc.body(cid), headers=exc.headers), cid, close=True)
            self.app.metrics.reject(exc.status)
            return
        body = bytearray()
        while length:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # gone mid-body (or the read deadline answered 408)
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        client = scope.get("client")
        remote = str(client[0]) if client else "-"
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        try:
            request = Request(method, raw_path.decode("latin-1"), scope.get("query_string", b"").decode("latin-1"),
                              headers, bytes(body), remote, cid)
        except ApiError as exc:
            await self._whole(send, Response(exc.status, exc.body(cid), headers=exc.headers), cid, close=closing)
            return
        if method in ("GET", "HEAD") and request.path in INLINE:
            response = self._call(request)
        elif self.busy >= self.limits.workers + self.limits.queue:
            self.app.metrics.reject(503)
            busy = ApiError(503, "the server is busy; retry shortly", headers={"Retry-After": "1"})
            await self._whole(send, Response(503, busy.body(cid), headers=busy.headers), cid, close=closing)
            return
        else:
            self.busy += 1
            try:
                response = await asyncio.get_running_loop().run_in_executor(self.pool, self._call, request)
            finally:
                self.busy -= 1
        ok = True
        try:
            if response.stream is None:
                ok = await self._whole(send, response, cid, close=closing or self.stopping.is_set())
            else:
                ok = await self._stream(scope, receive, send, response, cid)
        finally:
            if response.stream is not None:
                response.stream.close()  # its slot is given back once, however it ended
            asyncio.get_running_loop().run_in_executor(self.log_pool, self.app.done, request, response.status, ok)

    def _call(self, request: Request) -> Response:
        try:
            return self.app(request)
        except Exception:  # the application answers its own errors; this is a last resort
            import traceback

            self.app.log("error", "unhandled", correlation_id=request.correlation_id,
                         traceback=self.app.ctx.redact(traceback.format_exc()))
            return Response(500, ApiError(500, "internal server error").body(request.correlation_id))

    def _head(self, response: Response, cid: str, *, close: bool) -> list[tuple[bytes, bytes]]:
        head = [(b"Content-Type", response.content_type.encode("latin-1")), (b"X-Correlation-ID", cid.encode()),
                (b"Cache-Control", b"no-store")]
        head += [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in response.headers.items()]
        if close:
            head.append((b"Connection", b"close"))
        return head

    async def _send(self, send: Any, *messages: dict[str, Any]) -> bool:
        """ASGI sends under the write deadline (no task per send: one turn of the loop, one
        TCP send for a whole answer); False when the deadline passes."""
        try:
            async with asyncio.timeout(self.limits.write_timeout):
                for message in messages:
                    await send(message)
        except TimeoutError:
            return False
        return True

    async def _whole(self, send: Any, response: Response, cid: str, *, close: bool) -> bool:
        body = response.body
        if response.filter is not None:
            body = response.filter(body)
        head = self._head(response, cid, close=close)
        head.append((b"Content-Length", str(len(body)).encode()))
        return await self._send(send, {"type": "http.response.start", "status": response.status, "headers": head},
                                {"type": "http.response.body", "body": body, "more_body": False})

    # -- streams ---------------------------------------------------------------------------
    async def _stream(self, scope: Any, receive: Any, send: Any, response: Response, cid: str) -> bool:
        """Send the stream's lines as chunks; True when it ended with an `_end` line."""
        stream = response.stream
        assert stream is not None
        loop = asyncio.get_running_loop()
        box: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        room = threading.Semaphore(1000)  # lines read ahead of the client, at most
        cancel = threading.Event()
        log = self.app.log

        def put(item: tuple[str, Any]) -> None:
            try:
                loop.call_soon_threadsafe(box.put_nowait, item)
            except RuntimeError:  # the loop is gone
                cancel.set()

        def pump() -> None:
            lines = stream.lines
            try:
                for line in lines:
                    while not room.acquire(timeout=0.5):
                        if cancel.is_set():
                            return
                    if cancel.is_set():
                        return
                    put(("line", line))
                put(("end", None))
            except FlextError as exc:
                put(("error", exc))
            except Exception as exc:
                put(("error", OperationFailed(f"reading the log failed: {type(exc).__name__}")))
                log("error", "stream", error=f"{type(exc).__name__}: {exc}")
            finally:
                close = getattr(lines, "close", None)
                if close is not None:
                    try:
                        close()
                    except Exception:
                        pass

        filt = response.filter or (lambda piece: piece)
        head = self._head(response, cid, close=False)
        head.append((b"X-Accel-Buffering", b"no"))
        connection = (scope.get("extensions") or {}).get("flext.connection")
        waiters: set[asyncio.Task[Any]] = set()
        getter: asyncio.Task[Any] | None = None

        async def gone() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass

        async def piece(data: Any, *, last: bool = False) -> bool:
            sent = await self._send(send, {"type": "http.response.body", "body": filt(encode(data)),
                                           "more_body": not last})
            if not sent and connection is not None:
                connection.transport.abort()
            return sent

        threading.Thread(target=pump, name="flext-stream", daemon=True).start()
        try:
            if not await self._send(send, {"type": "http.response.start", "status": response.status,
                                           "headers": head}):
                return False
            disconnected = asyncio.ensure_future(gone())
            waiters.add(disconnected)
            stopping = asyncio.ensure_future(self.stopping.wait()) if stream.follow else None
            if stopping is not None:
                waiters.add(stopping)
            quiet = loop.time()
            while True:
                getter = asyncio.ensure_future(box.get())
                timeout = max(0.0, quiet + HEARTBEAT_S - loop.time()) if stream.follow else None
                done, _ = await asyncio.wait({getter, *waiters}, timeout=timeout,
                                             return_when=asyncio.FIRST_COMPLETED)
                if disconnected in done:
                    return False
                if getter in done:
                    kind, item = getter.result()
                    getter = None
                    room.release()
                    quiet = loop.time()
                    if kind == "line":
                        if not await piece(item):
                            return False
                        continue
                    if kind == "end":
                        return await piece({"_end": "complete"}, last=True)
                    return await piece({"_end": "error", "error": _error_doc(item)}, last=True)
                getter.cancel()
                getter = None
                if stopping is not None and stopping in done:
                    return await piece({"_end": "shutdown"}, last=True)
                quiet = loop.time()
                if not await piece({"_heartbeat": round(time.time(), 3)}):
                    return False
        finally:
            cancel.set()
            if getter is not None:
                getter.cancel()
            for waiter in waiters:
                waiter.cancel()
            stream.close()


def _error_doc(exc: FlextError) -> dict[str, Any]:
    from flext.server.app import error_status

    status, kind = error_status(exc)
    doc: dict[str, Any] = {"type": kind, "message": exc.message, "exit_code": exc.exit_code, "status": status}
    if exc.hint:
        doc["hint"] = exc.hint
    return doc


def serve(app: App, sock: socket, limits: Limits) -> tuple[FlextServer, threading.Thread]:
    """Start uvicorn on `sock` in a thread of its own (signals stay with the main thread).

    Returns (server, thread): set `server.should_exit = True` to stop gracefully, then join.
    """
    import uvicorn

    from flext import __version__

    name = f"flext/{__version__}"
    asgi = Asgi(app, limits, name)
    hooks = Hooks(limits, name, app.metrics.reject)
    _route_uvicorn_logs(app)
    config = uvicorn.Config(
        asgi, http=protocol_class(hooks), ws="none", lifespan="off", loop="asyncio", interface="asgi3",
        log_config=None, access_log=False, proxy_headers=False, server_header=False, date_header=True,
        headers=[("server", name)], timeout_keep_alive=int(max(1, limits.idle_timeout)),
        timeout_graceful_shutdown=int(max(1, limits.grace)), h11_max_incomplete_event_size=MAX_HEAD + 1024,
        backlog=2048,
    )
    server = FlextServer(config, asgi.begin_stop)

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # pragma: no cover - a bug in the serving loop
            app.log("error", "server", error=f"{type(exc).__name__}: {exc}")
        finally:
            asgi.close()

    thread = threading.Thread(target=run, name="flext-serve", daemon=True)
    thread.start()
    return server, thread


def _route_uvicorn_logs(app: App) -> None:
    """uvicorn's warnings and errors become flext's JSON log lines (nothing else on stderr)."""
    import logging

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                text = record.getMessage()
                fields: dict[str, Any] = {"error": app.ctx.redact(text)}
                if record.exc_info:
                    import traceback

                    fields["traceback"] = app.ctx.redact("".join(traceback.format_exception(*record.exc_info)))
                app.log("error" if record.levelno >= logging.ERROR else "warning", "server", **fields)
            except Exception:
                pass

    for name in ("uvicorn", "uvicorn.error", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        logger.handlers = [Handler(level=logging.WARNING)] if name == "uvicorn" else []
        logger.propagate = name != "uvicorn"
        logger.setLevel(logging.WARNING)


__all__ = ["Asgi", "FlextServer", "Hooks", "check_head", "error_bytes", "protocol_class", "serve"]
