"""HTTP for the remote backends: timeouts, retries, the circuit breaker, error mapping.

Rules (DESIGN.md section 4, issue "Remote"):
- every request has a timeout (the profile's `timeout`, default 10 s);
- idempotent requests (GET, PUT, DELETE, and a POST that carries an Idempotency-Key)
  are retried on connection errors, timeouts and 502/503/504 with exponential backoff
  and full jitter, `retries` times (profile setting, default 3);
- any other POST is retried only when the connection was never made (nothing reached
  the server), never after it may have been applied;
- a circuit breaker per base URL (flext.core.resilience, persisted so one-shot
  processes share it): while open, requests fail at once with exit 3 and a hint,
  without touching the network;
- every request carries `X-Correlation-ID` (the invocation's id), which the server logs
  and server-side failures show;
- HTTP errors map to flext exit codes: 401/403 -> 4, 404 -> 6, 409 -> 7, 400/422 -> 2 or
  5 by the error's type, 5xx -> 1; connection failures and timeouts -> 3.
httpx is imported on first use only.
"""

from __future__ import annotations

import json
import time

from flext.core.errors import (
    AuthError,
    ConfigError,
    Conflict,
    FlextError,
    NotFound,
    OperationFailed,
    Unreachable,
    UsageError,
)
from flext.core.http import describe

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 3
IDEMPOTENT = ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
STREAM_READ_TIMEOUT = 30.0  # the server sends a heartbeat every 5 s while a stream is quiet


class Transport:
    """One base URL: a keep-alive client, its breaker, and the error mapping."""

    def __init__(self, ctx: Any, base: str, *, token: Callable[[], str | None] | None = None,
                 errors: Callable[[Any, str], FlextError] | None = None) -> None:
        from flext.core.resilience import breaker_for

        self.ctx = ctx
        self.base = base.rstrip("/")
        settings = ctx.settings if ctx.has_config else {}
        self.timeout = float(settings.get("timeout") or DEFAULT_TIMEOUT)
        retries = settings.get("retries")
        self.retries = DEFAULT_RETRIES if retries is None else int(retries)
        self.breaker = breaker_for(ctx.paths.state_dir, self.base)
        self._token = token
        self._errors = errors or flext_error
        self._client: Any = None
        self.sleep: Callable[[float], None] = time.sleep

    # -- plumbing ------------------------------------------------------------------------
    def client(self) -> Any:
        if self._client is None:
            from flext.core.http import client, httpx_module

            self._client = client(base_url=self.base, timeout=httpx_module().Timeout(self.timeout),
                                  follow_redirects=False)
        return self._client

    def headers(self, auth: bool, extra: dict[str, str] | None = None) -> dict[str, str]:
        out = {"X-Correlation-ID": str(self.ctx.correlation_id)}
        if auth and self._token is not None:
            token = self._token()
            if token:
                out["Authorization"] = f"Bearer {token}"
        out.update(extra or {})
        return out

    def _open(self) -> None:
        """Fail fast (exit 3) while the breaker is open: no connection is attempted."""
        from flext.core.resilience import CircuitOpen

        try:
            self.breaker.before()
        except CircuitOpen as exc:
            raise Unreachable(
                f"cannot reach {self.base}: circuit open after {exc.failures} failed attempts",
                hint=f"not trying again for {int(exc.retry_in) + 1}s; check the server "
                     f"(`curl {self.base}/health`) or the profile's api_url") from None

    # -- one call ------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None,
                auth: bool = True, headers: dict[str, str] | None = None, timeout: float | None = None,
                idempotent: bool | None = None) -> Any:
        """The decoded JSON answer, or a FlextError with the right exit code."""
        from flext.core.resilience import delays

        self._open()  # an open circuit fails here, before httpx is even imported
        import httpx

        retry_safe = method in IDEMPOTENT if idempotent is None else idempotent
        attempts = 1 + max(0, self.retries)
        waits = delays(attempts)
        wait_timeout = timeout or self.timeout
        last: BaseException | None = None
        for attempt in range(attempts):
            if attempt:
                self.sleep(next(waits, 0.0))
                self._open()
            try:
                response = self.client().request(
                    method, path, params=params, json=body, headers=self.headers(auth, headers),
                    timeout=httpx.Timeout(wait_timeout, connect=min(wait_timeout, self.timeout)))
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                self.breaker.failure()  # nothing reached the server: safe to retry anything
                last = exc
                continue
            except httpx.TransportError as exc:
                self.breaker.failure()
                last = exc
                if retry_safe:
                    continue
                raise Unreachable(
                    f"lost the connection to {self.base} during {method} {path}: {describe(exc, wait_timeout)}",
                    hint=f"the change may or may not have been applied; check before retrying "
                         f"(correlation id {self.ctx.correlation_id})") from None
            if _server_down(response):
                self.breaker.failure()
                last = _StatusError(response)
                if retry_safe and attempt + 1 < attempts:
                    continue
                raise self._errors(response, self.base)
            self.breaker.success()
            if response.status_code >= 400:
                raise self._errors(response, self.base)
            return _decode(response)
        assert last is not None
        if isinstance(last, _StatusError):
            raise self._errors(last.response, self.base)
        raise Unreachable(f"cannot reach {self.base}: {describe(last, wait_timeout)}",
                          hint=f"is the server running? check the profile's api_url, or retry later "
                               f"(correlation id {self.ctx.correlation_id})")

    def stream(self, path: str, params: dict[str, Any] | None = None,
               on_end: Callable[[dict[str, Any]], None] | None = None) -> Iterator[dict[str, Any]]:
        """NDJSON objects of a streamed GET until the server's `_end` marker.

        The request is made here, so an error answer (404, 401, ...) raises before the
        caller starts printing. A stream that stops without the marker (the server died,
        the network broke) is an Unreachable error (exit 3), never a silent end.
        """
        self._open()
        import httpx

        timeout = httpx.Timeout(self.timeout, read=max(self.timeout, STREAM_READ_TIMEOUT))
        client = self.client()
        request = client.build_request("GET", path, params=params, headers=self.headers(True), timeout=timeout)
        try:
            response = client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            self.breaker.failure()
            raise Unreachable(f"cannot reach {self.base}: {describe(exc, self.timeout)}",
                              hint="is the server running? check the profile's api_url") from None
        except httpx.TransportError as exc:
            self.breaker.failure()
            raise Unreachable(f"cannot reach {self.base}: {describe(exc, self.timeout)}",
                              hint=f"correlation id {self.ctx.correlation_id}") from None
        try:
            if _server_down(response):
                self.breaker.failure()
                response.read()
                raise self._errors(response, self.base)
            self.breaker.success()
            if response.status_code >= 400:
                response.read()
                raise self._errors(response, self.base)
        except BaseException:
            response.close()
            raise
        return self._lines(response, f"{path} from {self.base}", on_end)

    def _lines(self, response: Any, what: str,
               on_end: Callable[[dict[str, Any]], None] | None) -> Iterator[dict[str, Any]]:
        import httpx

        try:
            for raw in response.iter_lines():
                if not raw.strip():
                    continue
                try:
                    item = json.loads(raw)
                except ValueError:
                    raise OperationFailed(f"unreadable line in the stream of {what}") from None
                if not isinstance(item, dict) or "_heartbeat" in item:
                    continue
                if "_end" in item:
                    _ended(item, what, self.ctx.correlation_id)
                    if on_end is not None:
                        on_end(item)
                    return
                yield item
        except httpx.TransportError as exc:
            raise Unreachable(f"lost the connection to {self.base} while streaming: {describe(exc, self.timeout)}",
                              hint=f"the server may have stopped; try again when it is back "
                                   f"(correlation id {self.ctx.correlation_id})") from None
        finally:
            response.close()
        raise Unreachable(f"the stream of {what} ended early",
                          hint=f"the server may have stopped (correlation id {self.ctx.correlation_id})")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class _StatusError(Exception):
    def __init__(self, response: Any) -> None:
        super().__init__(response.status_code)
        self.response = response



def _server_down(response: Any) -> bool:
    """A gateway error or a busy server (worth retrying), not an answer from flext about the work."""
    if response.status_code not in (502, 503, 504):
        return False
    kind = (_error_obj(response) or {}).get("type")
    return kind not in ("unreachable", "operation_failed")


def _decode(response: Any) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    ctype = response.headers.get("content-type", "")
    if "json" not in ctype:
        return response.text
    try:
        return response.json()
    except ValueError:
        raise OperationFailed(f"the server answered {response.request.method} {response.request.url.path} "
                              f"with invalid JSON") from None


def json_body(response: Any) -> Any:
    """The answer's JSON, or None when it carries none (an HTML error page, an empty body)."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


_BY_STATUS: dict[int, type[FlextError]] = {401: AuthError, 403: AuthError, 404: NotFound, 409: Conflict,
                                           400: UsageError, 422: UsageError}


def status_error(status: int, message: str, hints: dict[int, str | None], otherwise: str) -> FlextError:
    """An engine's HTTP error as flext's own: 401/403 auth, 404 not found, 409 conflict,
    400/422 usage, anything else failed (with `otherwise` as its hint)."""
    cls = _BY_STATUS.get(status, OperationFailed)
    return cls(message, hint=hints.get(status) if status in _BY_STATUS else otherwise)


def _error_obj(response: Any) -> dict[str, Any] | None:
    data = json_body(response)
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return dict(data["error"])
    return None


def _ended(item: dict[str, Any], what: str, cid: str) -> None:
    end = item.get("_end")
    if end == "complete":
        return
    if end == "shutdown":
        raise Unreachable(f"the server shut down while streaming {what}",
                          hint="the run keeps going on the server; follow it again when the server is back")
    raw = item.get("error")
    error: dict[str, Any] = raw if isinstance(raw, dict) else {}
    raise _from_doc(int(error.get("status") or 500), error, cid)


def _from_doc(status: int, error: dict[str, Any], cid: str) -> FlextError:
    kind = str(error.get("type") or "")
    message = str(error.get("message") or f"HTTP {status}")
    hint = error.get("hint")
    cls: type[FlextError]
    if status in (401, 403, 429):
        cls = AuthError
        if status == 401 and not hint:
            hint = "log in with `flext auth login`, or set FLEXT_TOKEN"
    elif status == 404:
        cls = NotFound
    elif status == 409:
        cls = Conflict
    elif status == 400:
        cls = ConfigError if kind == "config_error" else UsageError
    elif status == 422:
        cls = UsageError if kind == "usage_error" else ConfigError
    elif status == 502 and kind == "unreachable":
        cls = Unreachable
    elif status == 501 and kind == "unsupported":
        cls = OperationFailed  # the server's engine cannot: its message names what, exit 8 comes with it
    elif status >= 500:
        cls = OperationFailed
        hint = f"{hint + '; ' if hint else ''}the server's log has details (correlation id {cid})"
    else:
        cls = UsageError
    exc = cls(message, hint=str(hint) if hint else None)
    code = error.get("exit_code")
    if isinstance(code, int) and not isinstance(code, bool) and 0 < code < 256:
        exc.exit_code = code
    return exc


def flext_error(response: Any, base: str) -> FlextError:
    """Map an error answer of `flext serve` (or anything else) to a FlextError."""
    status = int(response.status_code)
    error = _error_obj(response)
    cid = response.headers.get("x-correlation-id") or response.request.headers.get("x-correlation-id") or "-"
    if error is None:
        text = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
        error = {"message": f"HTTP {status} from {base}{response.request.url.path}" + (f": {text}" if text else "")}
        if status == 404:
            error["hint"] = f"is {base} a flext server? check the profile's api_url"
    if status == 429:
        retry = response.headers.get("retry-after")
        if retry and not error.get("hint"):
            error["hint"] = f"try again in {retry}s"
    return _from_doc(status, error, cid)


__all__ = ["DEFAULT_RETRIES", "DEFAULT_TIMEOUT", "Transport", "describe", "flext_error", "json_body", "status_error"]
