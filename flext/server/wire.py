"""The types the HTTP layer and the application share: limits, requests, responses, errors.

No sockets here: `flext.server.asgi` serves these over uvicorn (h11). What they promise:
- every error is JSON: `{"error": {"type", "message", "hint"?, "correlation_id"}}`;
- `X-Correlation-ID` taken from the request (when well-formed) or made up, echoed on
  every response and handed to the application for its logs;
- a response is either whole (Content-Length) or a stream of NDJSON lines (`Stream`),
  sent chunked as they come, with heartbeats while a followed log is quiet.
"""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

CID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")
ERROR_TYPES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    408: "timeout", 409: "conflict", 411: "length_required", 413: "payload_too_large", 414: "uri_too_long",
    415: "unsupported_media_type", 422: "config_error", 429: "too_many_requests", 431: "headers_too_large",
    500: "internal", 501: "not_implemented", 503: "unavailable", 505: "http_version",
}


class Limits:
    """Tunable bounds of the server (see `flext serve --help` for the defaults).

    `workers` threads run the (blocking) backend calls; `queue` more requests may wait for
    one, beyond that a request is answered 503 at once. Connections cost no thread: up to
    `max_connections` may be open, idle or not.
    """

    __slots__ = ("grace", "idle_timeout", "max_body", "max_connections", "queue", "read_timeout", "workers",
                 "write_timeout")

    def __init__(self, *, workers: int = 64, queue: int = 64, max_body: int = 1 << 20,
                 read_timeout: float = 10.0, idle_timeout: float = 15.0, write_timeout: float = 30.0,
                 max_connections: int = 4096, grace: float = 30.0) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self.max_body = max_body
        self.read_timeout = read_timeout
        self.idle_timeout = idle_timeout
        self.write_timeout = write_timeout
        self.max_connections = max(1, max_connections)
        self.grace = grace


class ApiError(Exception):
    """An HTTP error answered as `{"error": {"type", "message", "hint"?}}`."""

    def __init__(self, status: int, message: str, *, type: str | None = None, hint: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.type = type or ERROR_TYPES.get(status, "error")
        self.message = message
        self.hint = hint
        self.headers = headers or {}

    def body(self, correlation_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.hint:
            error["hint"] = self.hint
        error["correlation_id"] = correlation_id
        return {"error": error}


class Headers:
    """Request headers by case-insensitive name (the first value of a repeated one)."""

    __slots__ = ("_items",)

    def __init__(self, raw: Iterable[tuple[bytes, bytes]]) -> None:
        items: dict[str, str] = {}
        for name, value in raw:
            items.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
        self._items = items

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._items.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __len__(self) -> int:
        return len(self._items)


def correlation_id(given: str | None) -> str:
    """The client's X-Correlation-ID when well-formed (up to 64 of [A-Za-z0-9-_.:]), else a new one."""
    if given and len(given) <= 64 and set(given) <= CID_CHARS:
        return given
    import random

    return f"{random.getrandbits(64):016x}"  # an id, not a secret: no system call on the event loop


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

    def __init__(self, method: str, path: str, query: str, headers: Headers, body: bytes, remote: str,
                 correlation_id: str) -> None:
        from urllib.parse import parse_qs

        self.method = method
        self.path = path or "/"
        try:
            self.query: dict[str, list[str]] = parse_qs(query, keep_blank_values=True, strict_parsing=False,
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
                    self._json = json.loads(self.body, parse_constant=_not_json)
                except _NotJson:
                    raise ApiError(400, "the request body is not valid JSON (NaN and Infinity are not JSON)",
                                   type="bad_json") from None
                except (ValueError, RecursionError):
                    raise ApiError(400, "the request body is not valid JSON", type="bad_json") from None
        return self._json

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def args(self, name: str) -> list[str]:
        return list(self.query.get(name) or [])


class _NotJson(ValueError):
    pass


def _not_json(constant: str) -> Any:
    raise _NotJson(constant)  # Python's json reads NaN and Infinity; JSON has neither


class Stream:
    """A streamed answer: log lines (dicts) produced by a blocking iterator.

    The HTTP layer runs `lines` on a thread of its own, sends each line as NDJSON, adds
    `{"_heartbeat": ...}` while a followed log is quiet and a last `{"_end": ...}` line,
    and calls `close` (which gives `release` back once) however the stream ends.
    """

    __slots__ = ("_release", "follow", "lines")

    def __init__(self, lines: Iterator[dict[str, Any]], *, follow: bool, release: Callable[[], None]) -> None:
        self.lines = lines
        self.follow = follow
        self._release: Callable[[], None] | None = release

    def close(self) -> None:
        """Give the stream's slot back (once; later calls do nothing)."""
        release, self._release = self._release, None
        if release is not None:
            release()


class Response:
    """A whole body, or a Stream of NDJSON lines sent chunked as they come.

    `filter` (set by the application) rewrites every byte of body that leaves the server:
    whole bodies and each streamed line alike.
    """

    __slots__ = ("body", "content_type", "filter", "headers", "status", "stream")

    def __init__(self, status: int = 200, data: Any = None, *, raw: bytes | None = None,
                 content_type: str = "application/json", headers: dict[str, str] | None = None,
                 stream: Stream | None = None) -> None:
        self.status = status
        self.headers = dict(headers or {})
        self.content_type = content_type
        self.stream = stream
        self.filter: Callable[[bytes], bytes] | None = None
        if raw is not None:
            self.body = raw
        elif stream is not None:
            self.body = b""
        else:
            self.body = encode(data)


def encode(data: Any) -> bytes:
    import json

    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8")


__all__ = ["ERROR_TYPES", "ApiError", "Headers", "Limits", "Request", "Response", "Stream", "correlation_id",
           "encode"]
