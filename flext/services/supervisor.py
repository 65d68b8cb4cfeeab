"""Start, stop and inspect services that run on this machine (those with a `command`).

A started service runs detached under `flext.services.keeper` in its own process group,
with a pid file `<state>/services/NAME.pid` and a rotating JSONL log file
(`<state>/logs/services/NAME.jsonl` unless `log_file` says otherwise).
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time

from flext.core.errors import ConfigError, Conflict, OperationFailed
from flext.engine.procs import group_alive
from flext.services import pidfile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context
    from flext.services.registry import Service

POLL = 0.05


def services_dir(ctx: Context) -> str:
    return os.path.join(ctx.paths.state_dir, "services")


def pid_path(ctx: Context, name: str) -> str:
    return os.path.join(services_dir(ctx), f"{name}.pid")


def log_path(ctx: Context, service: Service) -> str:
    return service.log_file or os.path.join(ctx.paths.logs_dir, "services", f"{service.name}.jsonl")


def process(ctx: Context, service: Service) -> tuple[str, dict[str, Any] | None]:
    """(running | stale | stopped | crashloop, pid file content)."""
    info = pidfile.read(pid_path(ctx, service.name))
    state = pidfile.state(info)
    if state == "stopped" and info is not None and info.get("crashloop"):
        return "crashloop", info  # the keeper gave up restarting it
    return state, info


def _environment(ctx: Context, service: Service) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in service.env.items():
        if value.startswith("secret:"):
            resolve = getattr(ctx.secrets, "resolve", None)
            if resolve is None:
                raise ConfigError(f"services.{service.name}.env.{key}: secret references need the secret store",
                                  hint="set the value directly, or install the secrets support")
            value = str(resolve(value))
        env[key] = value
    return env


def _flext_root() -> str:
    import flext

    return os.path.dirname(os.path.dirname(os.path.abspath(flext.__file__)))


def _lock(ctx: Context, name: str) -> int:
    os.makedirs(services_dir(ctx), mode=0o700, exist_ok=True)
    fd = os.open(os.path.join(services_dir(ctx), f"{name}.lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def start(ctx: Context, service: Service, *, wait: float | None = None) -> dict[str, Any]:
    """Start the service detached and wait until its health check passes (or it dies)."""
    if not service.supervised:
        raise ConfigError(f"service {service.name!r} has no command, so flext cannot start it",
                          hint=f"add one: flext service add {service.name} --url URL --command CMD --replace")
    lock = _lock(ctx, service.name)
    try:
        return _start_locked(ctx, service, wait)
    finally:
        os.close(lock)


def _start_locked(ctx: Context, service: Service, wait: float | None) -> dict[str, Any]:
    from flext.core.clock import iso

    state, info = process(ctx, service)
    if state == "running" and info is not None:
        raise Conflict(f"service {service.name!r} is already running (pid {info.get('child_pid') or info['pid']})",
                       hint=f"use `flext service restart {service.name}` to restart it")
    if state == "stale" and info is not None:
        pidfile.remove(pid_path(ctx, service.name))
        ctx.message(f"removed a stale pid file of {service.name} (pid {info['pid']} is gone or now another program)")
    elif info is not None:
        pidfile.remove(pid_path(ctx, service.name))  # the record of how the last run ended
    if service.url:
        from flext.services.health import check

        row = check(ctx, [service], timeout=0.5, use_breaker=False)[0]
        if row["status"] != "down":
            raise Conflict(f"something already answers at {service.url} ({row['status']})",
                           hint="stop that process, or change the service's url/port")
    log_file = log_path(ctx, service)
    os.makedirs(os.path.dirname(log_file), mode=0o700, exist_ok=True)
    from flext.core.clock import new_run_id

    run_id = new_run_id()
    folder = services_dir(ctx)
    err_path = os.path.join(folder, f"{service.name}.runner.err")
    import json

    from flext.core import mask

    spec = {
        "name": service.name, "command": service.command, "cwd": service.cwd, "env": _environment(ctx, service),
        "log_file": log_file, "max_bytes": service.log_max_bytes, "backups": service.log_backups,
        "pid_file": pid_path(ctx, service.name), "run_id": run_id, "runner_err": err_path,
        "restart": service.restart, "restart_limit": service.restart_limit,
        "restart_window": service.restart_window, "restart_backoff": service.restart_backoff,
        # the secret values its log must mask (its env's secret:NAME values among them)
        "mask": mask.known_values(),
    }
    runner_env = dict(os.environ)
    runner_env["PYTHONPATH"] = _flext_root() + (os.pathsep + runner_env["PYTHONPATH"] if runner_env.get("PYTHONPATH") else "")
    started = time.monotonic()
    # the spec holds resolved secrets: it reaches the keeper through a pipe, never a file or argv
    launcher = subprocess.Popen([sys.executable, "-m", "flext.services.keeper", "-"], env=runner_env,
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, launch_err = launcher.communicate(input=json.dumps(spec).encode("utf-8"), timeout=30)
    if launcher.returncode != 0:
        raise OperationFailed(f"cannot launch the keeper of {service.name}: "
                              + (launch_err.decode(errors="replace").strip().splitlines() or ["unknown error"])[-1])
    info = _await_pidfile(ctx, service, run_id, err_path)
    if info.get("exited") is not None:
        pidfile.remove(pid_path(ctx, service.name))
        line = _last_log_line(ctx, service)
        raise OperationFailed(f"service {service.name!r} exited while starting" + (f": {line}" if line else ""),
                              hint=f"see `flext service logs {service.name}`")
    if info.get("failed"):
        pidfile.remove(pid_path(ctx, service.name))
        raise OperationFailed(f"cannot start {service.name}: {info['failed']}",
                              hint=f"check the command: {' '.join(service.command or [])}")
    ctx.message(f"started {service.name} (pid {info.get('child_pid')}); waiting for it to become healthy…")
    limit = wait if wait is not None else service.start_timeout
    healthy = _await_health(ctx, service, info, started + limit)
    from flext.services import breaker

    try:
        breaker.for_url(ctx.paths.state_dir, service.health_url).reset()  # it is up: forget past failures
    except OSError:
        pass
    return {
        "name": service.name, "status": "running", "pid": info.get("child_pid"), "keeper_pid": info["pid"],
        "run_id": run_id, "url": service.url or None, "health": healthy["status"] if healthy else None,
        "log_file": log_file, "started_at": info.get("started_at") or iso(),
        "seconds": round(time.monotonic() - started, 2),
    }


def _await_pidfile(ctx: Context, service: Service, run_id: str, err_path: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        info = pidfile.read(pid_path(ctx, service.name))
        if info is not None and info.get("run_id") == run_id:
            return info
        time.sleep(POLL)
    detail = ""
    try:
        with open(err_path, encoding="utf-8", errors="replace") as fh:
            lines = [ln for ln in fh.read().splitlines() if ln.strip()]
        detail = lines[-1] if lines else ""
    except OSError:
        pass
    raise OperationFailed(f"the keeper of {service.name} did not start" + (f": {detail}" if detail else ""),
                          hint=f"see {err_path}")


def _last_log_line(ctx: Context, service: Service) -> str | None:
    from flext.engine.logfile import decode, tail_lines

    for raw in reversed(tail_lines(log_path(ctx, service), 5)):
        line = decode(raw)
        if line.get("source") != "supervisor" or "exited" in line["message"] or "stopped" in line["message"]:
            return str(line["message"])
    return None


def _await_health(ctx: Context, service: Service, info: dict[str, Any], deadline: float) -> dict[str, Any] | None:
    from flext.services.health import check

    last: dict[str, Any] | None = None
    alive_since = time.monotonic()
    while True:
        now_info = pidfile.read(pid_path(ctx, service.name)) or info
        if now_info.get("pid") == info["pid"] and (now_info.get("restarts") or now_info.get("last_exit") is not None):
            # the command died while starting: the keeper would restart it; a failed start is no restart
            pidfile.remove(pid_path(ctx, service.name), info["pid"])
            _signal(int(info.get("pgid") or info["pid"]), signal.SIGTERM)
            line = _last_log_line(ctx, service)
            raise OperationFailed(f"service {service.name!r} exited while starting"
                                  + (f": {line}" if line else ""),
                                  hint=f"see `flext service logs {service.name}`")
        if pidfile.state(info) != "running":
            pidfile.remove(pid_path(ctx, service.name), info["pid"])
            line = _last_log_line(ctx, service)
            raise OperationFailed(f"service {service.name!r} exited while starting"
                                  + (f": {line}" if line else ""),
                                  hint=f"see `flext service logs {service.name}`")
        remaining = deadline - time.monotonic()
        if not service.url:
            if time.monotonic() - alive_since >= min(0.5, max(remaining, 0)):
                return None
        else:
            last = check(ctx, [service], timeout=max(0.2, min(1.0, remaining)), use_breaker=False)[0]
            if last["status"] != "down":
                return last
        if remaining <= 0:
            why = f" (last check: {last['detail']})" if last and last.get("detail") else ""
            raise OperationFailed(
                f"service {service.name!r} did not pass its health check in time{why}",
                hint=f"it is still running (pid {info.get('child_pid')}); see `flext service logs {service.name}` "
                     f"or stop it with `flext service stop {service.name}`")
        time.sleep(0.1)


def stop(ctx: Context, service: Service, *, grace: float | None = None, force: bool = False) -> dict[str, Any]:
    """SIGTERM the service's process group, SIGKILL after the grace period."""
    lock = _lock(ctx, service.name)
    try:
        state, info = process(ctx, service)
        if state != "running" or info is None:
            if state == "stale" and info is not None:
                ctx.message(f"removed a stale pid file of {service.name} (pid {info['pid']} is gone or now another program)")
            if info is not None:
                pidfile.remove(pid_path(ctx, service.name))
            return {"name": service.name, "status": "stopped", "was_running": False, "pid": None, "signal": None,
                    "seconds": 0.0}
        started = time.monotonic()
        pgid = int(info.get("pgid") or info["pid"])
        sent = "SIGKILL" if force else "SIGTERM"
        _signal(pgid, signal.SIGKILL if force else signal.SIGTERM)
        limit = grace if grace is not None else service.stop_timeout
        if not _wait_gone(info, pgid, started + limit) and not force:
            sent = "SIGKILL"
            _signal(pgid, signal.SIGKILL)
            _wait_gone(info, pgid, time.monotonic() + 5)
        pidfile.remove(pid_path(ctx, service.name))
        return {"name": service.name, "status": "stopped", "was_running": True, "pid": info.get("child_pid"),
                "signal": sent, "seconds": round(time.monotonic() - started, 2)}
    finally:
        os.close(lock)


def _signal(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _wait_gone(info: dict[str, Any], pgid: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if pidfile.state(info) != "running" and not group_alive(pgid):
            return True
        time.sleep(POLL)
    return pidfile.state(info) != "running" and not group_alive(pgid)


__all__ = ["log_path", "pid_path", "process", "services_dir", "start", "stop"]
