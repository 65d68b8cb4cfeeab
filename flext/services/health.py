"""Health checks: every service at once, each within its own timeout.

up: 2xx and the body does not say otherwise; degraded: the body says so (`"status":
"degraded"`), the answer was slow, or the endpoint answered 4xx (alive, but the check
is refused or missing); down: 5xx, no answer, a malformed answer, or an open circuit.
Version comes from the JSON body (`version`, `build.version`, ...) or a header.
"""

from __future__ import annotations

import json
import math

from flext.services import breaker
from flext.services.http import get_many

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context
    from flext.services.http import Reply
    from flext.services.registry import Service

DEFAULT_TIMEOUT = 5.0
UP_WORDS = {"ok", "up", "healthy", "pass", "passing", "green", "alive", "ready", "running", "serving", "true"}
DEGRADED_WORDS = {"degraded", "warn", "warning", "yellow", "partial", "impaired", "slow"}
DOWN_WORDS = {"down", "fail", "failed", "failing", "unhealthy", "error", "red", "critical", "false", "not_serving"}
COLUMNS = ["name", "status", "latency_ms", "version", "detail"]
STYLES = {"status": {"up": "green", "degraded": "yellow", "down": "bold red", "skipped": "dim"}}


def slow_after(service: Service, timeout: float) -> float:
    """The latency above which an answer counts as degraded."""
    if service.degraded_latency is not None:
        return service.degraded_latency
    return max(0.25, min(1.0, timeout / 2))


def _body_json(reply: Reply) -> Any:
    body = reply.body.strip()
    if not body or body[:1] not in (b"{", b"["):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _version(data: Any, reply: Reply) -> str | None:
    if isinstance(data, dict):
        for path in (("version",), ("app_version",), ("build", "version"), ("info", "version"),
                     ("service", "version"), ("data", "version"), ("meta", "version")):
            node: Any = data
            for part in path:
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, (str, int, float)) and not isinstance(node, bool):
                return str(node)
    for header in ("x-version", "x-app-version", "x-service-version"):
        if header in reply.headers:
            return reply.headers[header]
    return None


def _said(data: Any) -> tuple[str | None, str | None]:
    """(up|degraded|down|None, detail) from a health body."""
    if not isinstance(data, dict):
        return None, None
    for key in ("status", "state", "health", "healthy", "ok"):
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, bool):
            return ("up" if value else "down"), None if value else f"{key}: false"
        word = str(value).strip().lower()
        if word in UP_WORDS:
            return "up", None
        if word in DEGRADED_WORDS:
            return "degraded", f"reports {value}"
        if word in DOWN_WORDS:
            return "down", f"reports {value}"
        return None, None
    return None, None


def classify(service: Service, reply: Reply, timeout: float) -> dict[str, Any]:
    """One row for a finished request."""
    row = _row(service)
    row["latency_ms"] = round(reply.latency * 1000, 1) if reply.latency is not None else None
    row["code"] = reply.status
    if reply.error is not None:
        row.update(status="down", detail=reply.error)
        return row
    data = _body_json(reply)
    row["version"] = _version(data, reply)
    status = reply.status or 0
    said, detail = _said(data)
    if status >= 500:
        row.update(status="down", detail=f"HTTP {status}" + (f", {detail}" if detail else ""))
    elif status >= 400:
        row.update(status="degraded", detail=f"HTTP {status} from {service.health_path}")
    elif said == "down":
        row.update(status="down", detail=detail)
    elif said == "degraded":
        row.update(status="degraded", detail=detail)
    elif reply.latency is not None and reply.latency > slow_after(service, timeout):
        row.update(status="degraded", detail=f"slow: {reply.latency:.2f}s")
    else:
        row.update(status="up", detail=None)
    return row


def _row(service: Service) -> dict[str, Any]:
    return {"name": service.name, "status": "down", "latency_ms": None, "version": None, "detail": None,
            "url": service.health_url or None, "code": None, "circuit": "closed"}


def check(ctx: Context, services: list[Service], timeout: float | None = None, *,
          use_breaker: bool = True, force: bool = False) -> list[dict[str, Any]]:
    """Rows for `services` (same order), checked concurrently.

    With `use_breaker`, every outcome is recorded in the service's circuit breaker, and an
    open circuit skips the request (status `skipped`) unless `force`: loops (dashboard,
    alert evaluation) use it so a dead service costs nothing; an explicit
    `flext service health` forces, so it always probes. Without `use_breaker` (start-up
    polling) nothing is read or written.
    """
    rows: list[dict[str, Any] | None] = []
    pending: list[tuple[int, Service, float, breaker.Breaker | None]] = []
    for index, service in enumerate(services):
        wait = timeout if timeout is not None else (service.timeout or DEFAULT_TIMEOUT)
        if not service.url:
            row = _row(service)
            row.update(status="down", detail="no url configured")
            rows.append(row)
            continue
        guard = breaker.for_url(ctx.paths.state_dir, service.health_url) if use_breaker else None
        if guard is not None and not force:
            try:
                guard.before()
            except breaker.CircuitOpen as exc:
                row = _row(service)  # not probed: shown as skipped, never as a fresh "down"
                row.update(status="skipped", circuit="open",
                           detail=f"not probed: circuit open after {exc.failures} failed checks; "
                                  f"next probe in {math.ceil(exc.retry_in)}s")
                rows.append(row)
                continue
        rows.append(None)
        pending.append((index, service, wait, guard))
    replies = get_many([(s.health_url, wait) for _, s, wait, _ in pending])
    for (index, service, wait, guard), reply in zip(pending, replies, strict=True):
        row = classify(service, reply, wait)
        rows[index] = row
        if guard is not None:
            try:
                if row["status"] == "down":
                    guard.failure()
                else:
                    guard.success()
                row["circuit"] = guard.state()
            except OSError:
                pass  # a read-only state dir must not turn a check into a failure
    return [r for r in rows if r is not None]


__all__ = ["COLUMNS", "DEFAULT_TIMEOUT", "STYLES", "check", "classify", "slow_after"]
