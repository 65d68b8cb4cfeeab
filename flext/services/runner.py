"""The detached keeper of one supervised service: `python -m flext.services.runner SPEC`.

It daemonizes (fork, setsid: its own session and process group, reparented away from
the shell that started it), writes the pid file (its pid, its start time, the child's
pid), starts the service's command in its group, and turns the command's stdout and
stderr into JSONL log lines in a rotating log file. `service stop` signals the whole
group; the keeper outlives its child long enough to log how it ended.

The spec comes on stdin (`-`; or a 0600 file, deleted once read) and carries the
environment, so secret values never appear in any process's argv or on disk, and the
secret values the log must mask (`mask`): every line the command prints is masked in
every spelling (`flext.core.mask`) before it reaches the log file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

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
    from flext.services import pidfile
    from flext.services.logfile import Writer, decode, guess_level

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

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.append(signum)
        if child is not None and child.poll() is None:
            try:
                child.send_signal(signum)
            except OSError:
                pass

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    me = os.getpid()
    info = {"pid": me, "pgid": os.getpgid(0), "start_time": pidfile.start_time(me), "run_id": run_id,
            "started_at": iso(), "command": spec["command"], "log_file": spec["log_file"], "child_pid": None}
    try:
        child = subprocess.Popen(spec["command"], cwd=spec.get("cwd") or None, env=spec["env"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        log("error", "supervisor", f"cannot start {spec['command'][0]}: {exc.strerror or exc}")
        info["failed"] = str(exc.strerror or exc)
        pidfile.write(spec["pid_file"], info)  # tells the waiting `service start` what happened
        writer.close()
        return 127
    info["child_pid"] = child.pid
    pidfile.write(spec["pid_file"], info)
    import shlex

    log("info", "supervisor", f"started pid {child.pid}: {shlex.join(spec['command'])}")

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
    writer.close()
    # Leave the pid file saying how it ended (not deleted): a `service start` still
    # waiting for it learns the command died, instead of finding nothing.
    current = pidfile.read(spec["pid_file"])
    if current is not None and current.get("pid") == me:
        info["exited"] = code
        pidfile.write(spec["pid_file"], info)
    return code if code >= 0 else 128 - code


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
