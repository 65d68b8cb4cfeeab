"""`flext serve`: start the server in the foreground; SIGTERM/SIGINT stop it gracefully.

Start-up: resolve the workspace once (every request then uses it), optionally create
the first admin and print its token (stdout, once), bind, start the scheduler and the
alert evaluator, and say where we listen on stderr. Stop: no new connections, in-flight
requests finish, log streams end with a `shutdown` marker, the alert evaluator and its
delivery worker stop, the scheduler lock is released; detached runs were started in
their own sessions and keep running.
"""

from __future__ import annotations

import os
import signal
import socket
import threading

from flext.core.errors import ConfigError, UsageError
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Args, Context


def serve(ctx: Context, args: Args) -> Result:
    from flext.engine.workspace import ensure_dot, from_context
    from flext.server.alerting import AlertLoop
    from flext.server.app import App
    from flext.server.scheduler import Scheduler
    from flext.server.wire import Limits

    host = str(args.get("host") or "127.0.0.1")
    port = args.get("port")
    port = 8081 if port is None else int(port)
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {port}")
    workers = int(args.get("workers") or 64)
    if not 1 <= workers <= 1024:
        raise UsageError("--workers must be between 1 and 1024")
    if host not in ("127.0.0.1", "localhost", "::1") and not ctx.quiet:
        ctx.warn(f"serving on {host} over plain HTTP: tokens cross the network in clear; "
                 "put a TLS proxy in front, or keep it on 127.0.0.1")
    ws = from_context(ctx)
    ensure_dot(ws)
    ctx.options["workspace"] = ws.root  # every request's backend uses this workspace
    read_timeout = float(args.get("read_timeout") or 10.0)
    if not 0 < read_timeout <= 3600:
        raise UsageError("--read-timeout must be more than 0 and at most 3600 seconds")
    limits = Limits(workers=workers, queue=workers, max_body=int(args.get("max_body") or 1 << 20),
                    read_timeout=read_timeout, idle_timeout=max(read_timeout, 15.0),
                    max_connections=_max_connections())
    app = App(ctx, ws.root, limits, log=ctx.io.stderr)
    app.check_files()  # a corrupt server file stops us here, before anything is written
    sock = _listen(host, port)
    if args.get("bootstrap_admin"):
        try:
            token, record = app.auth.bootstrap_admin()
        except BaseException:
            sock.close()
            raise
        ctx.io.out(token)
        ctx.io.stdout.flush()
        app.audit.record(user=record["user"], role="admin", action="serve bootstrap-admin", target=record["id"],
                         exit_code=0, correlation_id=ctx.correlation_id, source="cli")
        ctx.message(f"created admin user {record['user']!r} and token {record['id']} (shown once, above)")
    elif not app.auth.has_admin() and not ctx.quiet:
        ctx.warn("no admin exists yet: every route except /health needs a token; "
                 "restart with --bootstrap-admin to create the first one")
    app.learn_secrets()
    bound_host, bound_port = str(sock.getsockname()[0]), int(sock.getsockname()[1])
    scheduler = Scheduler(app)
    app.scheduler = scheduler
    scheduler.try_lock()
    alerts = AlertLoop(app)
    app.alerts = alerts
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    from flext.server.asgi import serve as start_http

    server, thread = start_http(app, sock, limits)
    try:
        while not server.started and thread.is_alive():
            thread.join(0.02)
        if not server.started:
            raise ConfigError(f"cannot serve on {host}:{port}", hint="see the log lines above")
        scheduler.start()
        alerts.start()
        ctx.message(f"flext serve: listening on http://{bound_host}:{bound_port} "
                    f"(workspace {ws.root}, scheduler {'active' if scheduler.active else 'standby'}, pid {os.getpid()})")
        app.log("info", "start", address=f"http://{bound_host}:{bound_port}", workspace=ws.root, pid=os.getpid(),
                workers=workers)
        while not stop.wait(0.5) and thread.is_alive():
            pass
    finally:
        app.log("info", "stopping", pid=os.getpid())
        app.stopping.set()
        server.should_exit = True  # uvicorn: stop accepting, finish in-flight requests, then return
        thread.join(limits.grace + 10.0)
        alerts.stop()
        scheduler.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        app.log("info", "stopped", pid=os.getpid())
    return Result()


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket, bound before anything else happens (so a taken port is exit 5 at once)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                          hint="is another server running there? pick another --port") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                          hint="is another server running there? pick another --port") from None
    return sock


def _max_connections() -> int:
    """Open connections allowed: what the file-descriptor limit leaves, at most 4096."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):
        return 1000
    if soft == resource.RLIM_INFINITY:
        return 4096
    return max(16, min(4096, soft - 128))


__all__ = ["serve"]
