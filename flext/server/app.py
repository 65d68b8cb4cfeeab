"""The application behind the wire: routing, auth, roles, audit, errors, access log.

Every request: match the route (404/405, names validated), authenticate (401), check
the role (403), run the handler, map a `FlextError` to its HTTP status (so the client
can map it back to the same exit code and message), audit mutating routes (refused
ones too), count it, and log one JSON line with the correlation id.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

from flext.core.errors import (
    AuthError,
    ConfigError,
    Conflict,
    FlextError,
    Interrupted,
    NotFound,
    OperationFailed,
    Unreachable,
    Unsupported,
    UsageError,
)
from flext.server.wire import ApiError, Request, Response, Stream

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import IO, Any

    from flext.backend.local import LocalBackend
    from flext.server.alerting import AlertLoop
    from flext.server.auth import Principal
    from flext.server.scheduler import Scheduler
    from flext.server.wire import Limits

# FlextError class -> (HTTP status, error type). The client maps these back.
_STATUS: list[tuple[type[FlextError], int, str]] = [
    (UsageError, 400, "usage_error"),
    (ConfigError, 422, "config_error"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (Unreachable, 502, "unreachable"),
    (Interrupted, 500, "interrupted"),
    (Unsupported, 501, "unsupported"),
    (OperationFailed, 500, "operation_failed"),
]


def error_status(exc: FlextError) -> tuple[int, str]:
    from flext.server.auth import TooManyAttempts

    if isinstance(exc, TooManyAttempts):
        return 429, "too_many_requests"
    if isinstance(exc, AuthError):
        return 403, "forbidden"
    for cls, status, kind in _STATUS:
        if isinstance(exc, cls):
            return status, kind
    return 500, "operation_failed"


def exit_for_status(status: int) -> int:
    if status < 400:
        return 0
    return {400: 2, 401: 4, 403: 4, 404: 6, 405: 2, 409: 7, 413: 2, 415: 2, 422: 5, 429: 4}.get(status, 1)


class App:
    """State shared by all requests of one `flext serve` process."""

    def __init__(self, ctx: Any, root: str, limits: Limits, *, log: IO[str] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        from flext.server.api import ROUTES
        from flext.server.audit import AuditLog
        from flext.server.auth import AuthStore
        from flext.server.idempotency import IdempotencyStore
        from flext.server.metrics import Metrics
        from flext.server.routes import Table

        self.ctx = ctx
        self.root = root
        self.limits = limits
        self.dir = os.path.join(root, ".flext", "server")
        self.auth = AuthStore(os.path.join(self.dir, "auth.json"), clock=clock)
        self.audit = AuditLog(os.path.join(self.dir, "audit.jsonl"))
        self.idempotency = IdempotencyStore(os.path.join(self.dir, "idempotency.json"))
        self.metrics = Metrics()
        self.table = Table(ROUTES)
        self.stopping = threading.Event()
        self.started = time.time()
        self.scheduler: Scheduler | None = None
        self.alerts: AlertLoop | None = None
        self._log = log if log is not None else sys.stderr
        self._log_lock = threading.Lock()
        self._children: list[Any] = []
        self._children_lock = threading.Lock()
        self._streams = 0
        self._streams_lock = threading.Lock()
        self._parsed: tuple[tuple[int, int, int], str, Any] | None = None
        from flext.server.masking import Relativizer

        self._relative = Relativizer(root, ctx.env.get("HOME"))
        self._learn_lock = threading.Lock()
        self._learned: tuple[Any, Any] | None = None

    # -- start-up ------------------------------------------------------------------------
    def check_files(self) -> None:
        """Refuse to start on a damaged server file (exit 5 naming it and the line); nothing is rewritten."""
        from flext.server import files

        self.auth.check()
        self.idempotency.check()
        files.read(os.path.join(self.dir, "schedule.json"), files.object_of_objects)
        files.read(os.path.join(self.dir, "alerts.json"), files.object_of_objects)

    def poke_alerts(self) -> None:
        """Evaluate the alert rules now (a rule or a state changed through the API)."""
        if self.alerts is not None:
            self.alerts.poke()

    def learn_secrets(self) -> None:
        """Know the workspace's secret values (flext.toml references, the profile's index),
        so every response masks them; again whenever either file changes."""
        from flext.server.masking import learn

        idents = (_ident(os.path.join(self.root, "flext.toml")), _ident(self.ctx.paths.secret_index))
        with self._learn_lock:
            if idents == self._learned:
                return
            self._learned = idents
            ws = self.workspace()
            try:
                doc = ws.doc if ws.exists else {}
            except FlextError:
                doc = {}
            missing = learn(self.ctx, doc)
        if missing:
            self.log("warning", "secrets", unreadable=missing,
                     note="these secrets cannot be read here, so responses cannot mask their values")

    def privileged(self, request: Request) -> bool:
        """Operators and admins; viewers (and the unauthenticated) get paths made relative."""
        principal = request.principal
        return principal is not None and bool(principal.allows("operator"))

    def outgoing(self, request: Request, response: Response) -> Callable[[bytes], bytes]:
        """The filter every byte of a response body goes through: secrets masked, and for
        viewers the server's absolute paths made relative.

        JSON (and each NDJSON line) is masked string by string before it is encoded again,
        so a secret that a string holds already escaped (a tap printing JSON to stderr)
        is caught in every spelling the masking function knows, not one escape level off.
        """
        from flext.server.masking import known, mask, mask_tree

        relative = None if self.privileged(request) else self._relative
        structured = response.content_type in ("application/json", "application/x-ndjson")

        def out(data: bytes) -> bytes:
            secrets = known()
            if not secrets and relative is None:
                return data
            if secrets and structured:
                data = _remask(data, mask_tree)
            text = data.decode("utf-8", "surrogateescape")
            if secrets:
                text = mask(text)
            if relative is not None:
                text = relative(text)
            return text.encode("utf-8", "surrogateescape")

        return out

    # -- the engine ------------------------------------------------------------------
    def backend(self) -> LocalBackend:
        """A fresh LocalBackend per request, on the workspace as flext.toml is now.

        Edits by other processes (the CLI, another server) are seen at once: the parsed
        document is reused only while the file is the same (inode, mtime, size), which
        saves parsing the TOML on every request. Requests only read that document; a
        write goes through Workspace.write_text, which drops it.
        """
        from flext.backend.local import LocalBackend

        backend = LocalBackend(self.ctx)
        backend._ws = self.workspace()
        return backend

    def workspace(self) -> Any:
        from flext.engine.workspace import Workspace

        ws = Workspace(self.root)
        try:
            st = os.stat(ws.toml_path)
        except OSError:
            return ws
        ident = (st.st_ino, st.st_mtime_ns, st.st_size)
        cached = self._parsed
        if cached is not None and cached[0] == ident:
            ws._text, ws._doc = cached[1], cached[2]
            return ws
        ws.reload()
        if ident == _ident(ws.toml_path):  # unchanged while we read it
            self._parsed = (ident, ws._text, ws._doc)
        return ws

    def adopt(self, backend: Any) -> None:
        """Keep the runner processes a backend spawned, to reap them (no zombies)."""
        children = getattr(backend, "_children", None)
        if children:
            with self._children_lock:
                self._children.extend(children)

    def reap(self) -> None:
        with self._children_lock:
            self._children = [p for p in self._children if p.poll() is None]

    @property
    def runs_root(self) -> str:
        return os.path.join(self.root, ".flext", "runs")

    # -- one request -------------------------------------------------------------------
    def __call__(self, request: Request) -> Response:
        self.metrics.begin()
        route = None
        principal: Principal | None = None
        exit_code = 0
        try:
            route, params = self.table.resolve(request.method, request.path)
            request.route = route.pattern
            request.params = params
            if route.role is not None:
                self.learn_secrets()  # cheap unless flext.toml or the secret index changed
                principal = self.authenticate(request)
                request.principal = principal
                if not principal.allows(route.role):
                    raise ApiError(403, f"this needs the {route.role} role; your token has {principal.role}",
                                   type="forbidden", hint="ask an admin for a token with that role")
            result = route.handler(self, request)
            response = result if isinstance(result, Response) else Response(200, result)
        except ApiError as exc:
            response = Response(exc.status, exc.body(request.correlation_id), headers=exc.headers)
            exit_code = exit_for_status(exc.status)
        except FlextError as exc:
            status, kind = error_status(exc)
            error: dict[str, Any] = {"type": kind, "message": self.ctx.redact(exc.message)}
            if exc.hint:
                error["hint"] = self.ctx.redact(exc.hint)
            error["exit_code"] = exc.exit_code
            error["correlation_id"] = request.correlation_id
            headers = {"Retry-After": str(exc.retry_after)} if hasattr(exc, "retry_after") else {}
            response = Response(status, {"error": error}, headers=headers)
            exit_code = exc.exit_code
        except Exception as exc:  # a bug: log it whole, answer without details
            import traceback

            self.log("error", "unhandled", correlation_id=request.correlation_id,
                     error=self.ctx.redact(f"{type(exc).__name__}: {exc}"),
                     traceback=self.ctx.redact(traceback.format_exc()))
            response = Response(500, ApiError(500, "internal server error").body(request.correlation_id))
            exit_code = 1
        if route is not None and route.mutating:
            self._audit(request, route, principal, response.status, exit_code)
        response.filter = self.outgoing(request, response)
        return response

    def authenticate(self, request: Request) -> Principal:
        header = request.headers.get("Authorization") or ""
        scheme, _, token = header.partition(" ")
        challenge = {"WWW-Authenticate": 'Bearer realm="flext"'}
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "authentication required", type="unauthenticated", headers=challenge,
                           hint="log in with `flext auth login`, or set FLEXT_TOKEN")
        principal = self.auth.verify(token.strip())
        if principal is None:
            raise ApiError(401, "the token is invalid, expired or revoked", type="unauthenticated", headers=challenge,
                           hint="log in again with `flext auth login`")
        return principal

    def _audit(self, request: Request, route: Any, principal: Principal | None, status: int, exit_code: int) -> None:
        target = request.params.get(route.target) if route.target else None
        if target is None and route.target:
            target = _body_field(request, route.target)
        result = "denied" if status in (401, 403) else None
        self.audit.record(user=principal.user if principal else None, role=principal.role if principal else None,
                          action=str(route.action), target=target, exit_code=exit_code,
                          correlation_id=request.correlation_id, session=request.remote,
                          method=request.method, path=request.path, status=status, result=result)

    def done(self, request: Request, status: int, ok: bool) -> None:
        """After the response went out (or failed to): metrics and the access log."""
        elapsed = time.monotonic() - request.started
        self.metrics.observe(request.route, request.method, status, elapsed)
        principal = request.principal
        self.log("info" if status < 500 else "error", "request", method=request.method, path=request.path,
                 route=request.route, status=status, ms=round(elapsed * 1000, 1),
                 user=principal.user if principal else None, remote=request.remote,
                 correlation_id=request.correlation_id, **({} if ok else {"sent": False}))

    def log(self, level: str, event: str, **fields: Any) -> None:
        from flext.core.clock import iso_now

        line = json.dumps({"ts": iso_now(), "level": level, "event": event, **fields}, ensure_ascii=False, default=str)
        with self._log_lock:
            try:
                self._log.write(line + "\n")
                self._log.flush()
            except (OSError, ValueError):
                pass

    # -- streams -------------------------------------------------------------------------
    def stream(self, lines: Iterator[dict[str, Any]], *, follow: bool) -> Response:
        """NDJSON of `lines`, ended by `{"_end": "complete"|"shutdown"|"error"}` (see flext.server.asgi).

        At most workers/2 streams at once: each holds a thread reading its log.
        """
        with self._streams_lock:
            if self._streams >= max(1, self.limits.workers // 2):
                close = getattr(lines, "close", None)
                if close is not None:
                    close()
                raise ApiError(503, "too many log streams are open; retry later", type="unavailable",
                               headers={"Retry-After": "5"})
            self._streams += 1
        return Response(200, stream=Stream(lines, follow=follow, release=self._release_stream),
                        content_type="application/x-ndjson")

    def _release_stream(self) -> None:
        with self._streams_lock:
            self._streams -= 1


def _ident(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _remask(data: bytes, mask_tree: Callable[[Any], Any]) -> bytes:
    """JSON text (one document per line) with every string masked; unchanged if it is not JSON."""
    from flext.server.wire import encode

    out = []
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except ValueError:
            return data
        out.append(encode(mask_tree(doc)))
    return b"".join(out) if out else data


def _body_field(request: Request, field: str) -> str | None:
    try:
        data = request.json()
    except ApiError:
        return None
    if isinstance(data, dict) and isinstance(data.get(field), str):
        return str(data[field])[:128]
    return None


__all__ = ["App", "error_status", "exit_for_status"]
