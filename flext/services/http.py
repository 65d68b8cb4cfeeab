"""Concurrent GETs with a hard per-request deadline, on httpx (imported on first use).

Each request runs on its own daemon thread with httpx's own timeouts; the caller waits
at most `timeout` (plus a small grace) per request, so a server that accepts and never
answers, or drips one byte a second, costs one timeout in total, not one per service.
Errors become short phrases for a table row (`connection refused`, `timed out after
1s`), never exceptions.
"""

from __future__ import annotations

import threading
import time

from flext.core.http import client as new_client
from flext.core.http import describe, httpx_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

GRACE = 0.05
MAX_BODY = 1024 * 1024


class Reply:
    """The outcome of one GET."""

    __slots__ = ("body", "content_type", "error", "headers", "latency", "status", "url")

    def __init__(self, url: str) -> None:
        self.url = url
        self.status: int | None = None
        self.latency: float | None = None
        self.body: bytes = b""
        self.content_type = ""
        self.headers: dict[str, str] = {}
        self.error: str | None = None


_CLIENTS: dict[bool, Any] = {}
_LOCK = threading.Lock()


def _client(secure: bool) -> Any:
    """One pooled client per process; TLS set up only when an https URL needs it."""
    with _LOCK:
        client = _CLIENTS.get(secure)
        if client is None:
            limits = httpx_module().Limits(max_connections=256, max_keepalive_connections=64)
            client = new_client(verify=secure, limits=limits, follow_redirects=True,
                                accept="application/json, text/plain, */*")
            _CLIENTS[secure] = client
        return client


def _secs(value: float) -> str:
    return f"{value:g}s"


def _get(reply: Reply, timeout: float, max_body: int, done: threading.Event) -> None:
    """Fill `reply` (owned by this thread until `done` is set)."""
    started = time.monotonic()
    try:
        httpx = httpx_module()
        client = _client(reply.url.startswith("https://"))
        with client.stream("GET", reply.url, timeout=httpx.Timeout(timeout)) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= max_body or time.monotonic() - started > timeout:
                    break
            reply.body = b"".join(chunks)[:max_body]
            reply.status = response.status_code
            reply.content_type = response.headers.get("content-type", "")
            reply.headers = {k.lower(): v for k, v in response.headers.items()}
        reply.latency = time.monotonic() - started
        if reply.latency > timeout + GRACE:
            reply.error = f"timed out after {_secs(timeout)}"
    except Exception as exc:
        reply.latency = time.monotonic() - started
        reply.error = describe(exc, timeout)
    finally:
        done.set()


def get_many(requests: list[tuple[str, float]], *, max_body: int = MAX_BODY) -> list[Reply]:
    """GET every (url, timeout) at once; a reply per request, in order, within its deadline."""
    replies = [Reply(url) for url, _ in requests]
    events: list[threading.Event] = []
    out: list[Reply] = []
    started = time.monotonic()
    for secure in {url.startswith("https://") for url, _ in requests}:
        _client(secure)  # import and build once, before the clocks start
    for reply, (_, timeout) in zip(replies, requests, strict=True):
        done = threading.Event()
        events.append(done)
        thread = threading.Thread(target=_get, args=(reply, timeout, max_body, done), daemon=True,
                                  name=f"flext-get {reply.url}")
        thread.start()
    for reply, (_, timeout), done in zip(replies, requests, events, strict=True):
        remaining = started + timeout + GRACE - time.monotonic()
        if done.wait(max(0.0, remaining)):
            out.append(reply)
        else:  # the thread still owns `reply`; answer with a fresh one
            late = Reply(reply.url)
            late.latency = timeout
            late.error = f"timed out after {_secs(timeout)}"
            out.append(late)
    return out


def get(url: str, timeout: float, *, max_body: int = MAX_BODY) -> Reply:
    return get_many([(url, timeout)], max_body=max_body)[0]


__all__ = ["Reply", "describe", "get", "get_many", "httpx_module"]
