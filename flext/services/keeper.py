"""The detached keeper of one supervised service: `python -m flext.services.keeper SPEC`.

It daemonizes (fork, setsid: its own session and process group, reparented away from
the shell that started it), writes the pid file (its pid, its start time, the child's
pid), starts the service's command in its group, and turns the command's stdout and
stderr into JSONL log lines in a rotating log file. `service stop` signals the whole
group; the keeper outlives its child long enough to log how it ended.

The spec comes on stdin (`-`; or a 0600 file, deleted once read) and carries the
environment, so secret values never appear in any process's argv or on disk, and the
secret values the log must mask (`mask`): every line the command prints is masked in
every spelling (`flext.core.mask`) before it reaches the log file.

It also heals: with `restart` on-failure (a non-zero exit or a signal) or always, a
dead child is started again after a back-off that doubles from `restart_backoff` up to
a minute (and starts over once a child has run for a minute); more than
`restart_limit` restarts within `restart_window` seconds and it gives up, leaving the
pid file in state `crashloop`. The pid file says how many restarts there were, the
last exit code and when the last restart was, for `service status`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any


def _daemonize() -> None:
    if os.fork() > 0:
        os._exit(0)
    os.setsid()


def run(spec: dict[str, Any]) -> int:
    from flext.core import mask
    from flext.core.clock import iso
    from flext.engine.logfile import Writer, decode, guess_level
    from flext.services import pidfile

    name = spec["name"]
    run_id = spec["run_id"]
    writer = Writer(spec["log_file"], int(spec["max_bytes"]), int(spec["backups"]))
    lock = threading.Lock()
    mask.remember_all(spec.get("mask") or [])

    def log(level: str, stream: str, message: str, ts: str | None = None) -> None:
        record = {"ts": ts or iso(), "level": level, "source": stream, "service": name, "run_id": run_id,
                  "message": mask.mask(message)}
        with lock:
            writer.write(record)

    child: subprocess.Popen[bytes] | None = None
    stopping: list[int] = []
    wake = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.append(signum)
        wake.set()
        if child is not None and child.poll() is None:
            try:
                child.send_signal(signum)
            except OSError:
                pass

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    me = os.getpid()
    info: dict[str, Any] = {
        "pid": me, "pgid": os.getpgid(0), "start_time": pidfile.start_time(me), "run_id": run_id,
        "started_at": iso(), "command": spec["command"], "log_file": spec["log_file"], "child_pid": None,
        "restart": spec.get("restart") or "no", "restarts": 0, "last_exit": None, "last_restart_at": None,
        "phase": "running"}
    import shlex

    def pump(stream: IO[bytes], label: str) -> None:
        for raw in iter(stream.readline, b""):
            if raw[:1] == b"{":
                line = decode(raw)
                log(line.get("level") or "info", label, str(line.get("message", "")), line.get("ts"))
            else:
                text = raw.rstrip(b"\r\n").decode("utf-8", "replace")
                if text:
                    log(guess_level(text) or "info", label, text)
        stream.close()

    def once(child: subprocess.Popen[bytes]) -> int:
        """Record the child in the pid file, turn its output into log lines, wait for it."""
        info.update(child_pid=child.pid, child_started_at=info.get("last_restart_at") or info["started_at"])
        _save(spec["pid_file"], info, me)
        log("info", "supervisor", f"started pid {child.pid}: {shlex.join(spec['command'])}")
        assert child.stdout is not None and child.stderr is not None
        threads = [threading.Thread(target=pump, args=(child.stdout, "stdout"), daemon=True),
                   threading.Thread(target=pump, args=(child.stderr, "stderr"), daemon=True)]
        for t in threads:
            t.start()
        code = child.wait()
        for t in threads:
            t.join(timeout=5)
        if code < 0:
            log("info" if stopping else "error", "supervisor", f"pid {child.pid} stopped by {signal.Signals(-code).name}")
        else:
            level = "info" if code == 0 or stopping else "error"
            log(level, "supervisor", f"pid {child.pid} exited with code {code}")
        return code

    policy = str(spec.get("restart") or "no")
    backoff = float(spec.get("restart_backoff") or 1.0)
    limit = int(spec.get("restart_limit") or 5)
    window = float(spec.get("restart_window") or 300.0)
    restarted: list[float] = []  # when the restarts within the window happened (monotonic)
    delay = backoff
    code = 0
    while True:
        began = time.monotonic()
        try:
            child = subprocess.Popen(spec["command"], cwd=spec.get("cwd") or None, env=spec["env"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            log("error", "supervisor", f"cannot start {spec['command'][0]}: {exc.strerror or exc}")
            if not info["restarts"]:
                info["failed"] = str(exc.strerror or exc)
                pidfile.write(spec["pid_file"], info)  # tells the waiting `service start` what happened
                writer.close()
                return 127
            child, code = None, 127
        if child is not None:
            code = once(child)
        if stopping or policy == "no" or (policy == "on-failure" and code == 0):
            break
        now = time.monotonic()
        if now - began >= min(60.0, window):
            delay = backoff  # it ran a good while: a new failure, not the same one again
        restarted = [t for t in restarted if now - t < window]
        info.update(last_exit=code, child_pid=None)
        if len(restarted) >= limit:
            log("error", "supervisor", f"crashloop: {len(restarted)} restarts in the last {window:g}s; not restarting "
                                       f"(fix it, then `flext service start {name}`)")
            info.update(crashloop=True, phase="crashloop")
            break
        info.update(phase="backoff", next_restart_at=iso(time.time() + delay))
        _save(spec["pid_file"], info, me)
        log("warning", "supervisor", f"restarting in {delay:g}s (restart {len(restarted) + 1}; more than {limit} "
                                     f"in {window:g}s is a crashloop)")
        if wake.wait(delay) or stopping:
            break
        restarted.append(time.monotonic())
        delay = min(60.0, delay * 2)
        info.update(restarts=info["restarts"] + 1, last_restart_at=iso(), phase="running")
        info.pop("next_restart_at", None)
    writer.close()
    # Leave the pid file saying how it ended (not deleted): a `service start` still
    # waiting for it learns the command died, instead of finding nothing.
    current = pidfile.read(spec["pid_file"])
    if current is not None and current.get("pid") == me:
        info.update(exited=code, last_exit=code, child_pid=None)
        if info.get("phase") != "crashloop":
            info["phase"] = "stopped"
        pidfile.write(spec["pid_file"], info)
    return code if code >= 0 else 128 - code


def _save(path: str, info: dict[str, Any], me: int) -> None:
    """Rewrite our pid file (unless another keeper took it over meanwhile)."""
    from flext.services import pidfile

    current = pidfile.read(path)
    if current is None or current.get("pid") == me:
        pidfile.write(path, info)


def main(argv: list[str]) -> int:
    path = argv[0]
    if path == "-":
        spec = json.loads(sys.stdin.buffer.read())
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
    else:
        with open(path, "rb") as fh:
            spec = json.loads(fh.read())
        os.unlink(path)
    _daemonize()
    err = spec.get("runner_err")
    if err:  # our own tracebacks, if any, land here instead of a closed terminal
        fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 2)
        os.close(fd)
    return run(spec)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
