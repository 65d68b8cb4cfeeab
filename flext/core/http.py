"""The one way flext makes an HTTP client, and says in a few words why a request failed.

Shared by the API client (`flext.backend.transport`: one base URL, auth, retries, a
breaker) and the probes of services (`flext.services.http`: many URLs at once, hard
deadlines). httpx is imported on first use only, without its optional command-line
entry point (click + rich cost ~100 ms).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def httpx_module() -> Any:
    """httpx, imported once, without `httpx._main`."""
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    import httpx

    return httpx


def client(*, accept: str = "application/json", **options: Any) -> Any:
    """An httpx.Client with flext's defaults: its User-Agent, no proxy or netrc from the
    environment (`trust_env=False`: a profile's URL means that URL), and `options`."""
    from flext import __version__

    httpx = httpx_module()
    headers = {"User-Agent": f"flext/{__version__}", "Accept": accept, **options.pop("headers", {})}
    return httpx.Client(trust_env=False, headers=headers, **options)


def describe(exc: BaseException, timeout: float) -> str:
    """A short phrase for a failed request (`connection refused`, `timed out after 1s`)."""
    httpx = httpx_module()
    text = (str(exc) or type(exc).__name__).splitlines()[0][:160]
    low = text.lower()
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g}s"
    if isinstance(exc, httpx.ConnectError):
        if "refused" in low:
            return "connection refused"
        if "name or service not known" in low or "nodename nor servname" in low or "name resolution" in low:
            return "cannot resolve the host name"
        if "unreachable" in low:
            return "network unreachable"
        if "certificate" in low or "ssl" in low:
            return f"TLS error: {text[:120]}"
        return f"cannot connect ({text[:120]})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"malformed response: {text[:120]}"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"the connection broke ({text[:120]})"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"invalid URL: {text[:120]}"
    return f"{type(exc).__name__}: {text}"


__all__ = ["client", "describe", "httpx_module"]
