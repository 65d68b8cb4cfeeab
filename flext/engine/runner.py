"""One pipeline run, exactly as DESIGN.md section 3 says.

The tap's stdout reaches the target's stdin through a relay thread that only moves
bytes (OS pipes on both sides, 1 MiB reads, no parsing): it counts lines as they pass
and keeps a bounded tail, so a malformed Singer line is found by its number without
running the tap again. This supervisor otherwise reads the side channels: both stderrs
(timestamped into the run's JSONL log; singer-sdk METRIC lines counted), and the
target's stdout, where each line is a STATE the target has committed, saved atomically
as it arrives (at most once a second, and at the end). Tap and target share a new
process group so one signal reaches both, and die with the runner (PR_SET_PDEATHSIG
where the runner is single-threaded; the next look at the record reaps what is left:
`runs.reap`). Retries, timeout, cancellation (SIGTERM/SIGINT) and the optional dbt
transform live here too.

Secrets. Resolved settings reach tap and target in memory (`settings.handover`: a memfd
named `/proc/self/fd/N`; a 0600 file removed after the attempt where that is not
possible). The log, the record and the run's `error` are masked at write with every
value the plan names (`redact`: what was resolved plus every secret the workspace's
config refers to) in every spelling (`flext.core.mask`).

Run in-process for `pipeline run`, or detached as `python -m flext.engine.runner -` for
`pipeline start` (a new session: it survives the terminal closing), reading its plan
from stdin: the plan never touches the disk. Its private directory (state snapshots, the
selected catalog) is removed at the end, or swept at the next start if the runner dies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

from flext.engine import procs, runs
from flext.engine import state as state_mod
from flext.engine.workspace import Workspace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

GRACE_S = 5.0  # SIGTERM -> SIGKILL
STATE_EVERY_S = 1.0
RECORD_EVERY_S = 2.0
STDERR_TAIL = 20
PARSE_ERRORS = ("Unable to parse", "JSONDecodeError", "InvalidInputLine", "Expecting value",
                "Unterminated string", "Extra data", "not valid JSON")


class LogWriter:
    """Appends JSONL lines to the run log through one O_APPEND descriptor."""

    def __init__(self, path: str, run_id: str, pipeline: str, redact: list[str]) -> None:
        from flext.core import mask

        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.run_id = run_id
        self.pipeline = pipeline
        mask.remember_all(redact)  # this process masks them from now on, in every sink
        self.mask = mask.mask

    def write(self, source: str, message: str, level: str | None = None, ts: float | None = None) -> None:
        import json

        from flext.core.clock import iso

        message = self.mask(message)
        line = {"ts": iso(time.time() if ts is None else ts), "level": level or _level(message), "source": source,
                "run_id": self.run_id, "pipeline": self.pipeline, "message": message}
        try:
            os.write(self.fd, (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
        except OSError:
            pass  # a full disk loses log lines, never the run

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


_LEVELS = {"CRITICAL": "error", "FATAL": "error", "ERROR": "error", "Traceback": "error",
           "WARNING": "warning", "WARN": "warning", "DEBUG": "debug"}


def _level(message: str) -> str:
    """The level a plugin printed near the start of its line (`| ERROR |`, `level=ERROR`)."""
    import re

    found = re.search(r"\b(CRITICAL|FATAL|ERROR|Traceback|WARNING|WARN|DEBUG)\b(?![=:]\d)", message[:100])
    return _LEVELS[found.group(1)] if found else "info"


class Attempt:
    """The outcome of one tap | target execution."""

    def __init__(self) -> None:
        self.tap_rc: int | None = None
        self.target_rc: int | None = None
        self.error: str | None = None
        self.tap_tail: list[str] = []
        self.tap_warnings: list[str] = []  # what the tap warned about (shown when nothing was loaded)
        self.target_tail: list[str] = []
        self.parse_error = False
        self.timed_out = False
        self.target_early = False


class Supervisor:
    def __init__(self, plan: dict[str, Any], *, on_progress: Callable[[int | None, float], None] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.plan = plan
        self.base_env = dict(os.environ if env is None else env)
        self.ws = Workspace(plan["workspace"])
        self.pipeline = plan["pipeline"]
        self.run_id = plan["run_id"]
        self.on_progress = on_progress
        self.cancelled = False
        self.pgid: int | None = None
        self.record: dict[str, Any] = runs.read(self.ws, self.pipeline, self.run_id) or runs.new_record(
            self.ws, self.pipeline, self.run_id, full_refresh=bool(plan.get("full_refresh")),
            trigger=plan.get("trigger", "cli"))
        self.log = LogWriter(self.record["log"], self.run_id, self.pipeline, plan.get("redact", []))
        self.counter_total: int | None = None
        self.started = time.monotonic()
        self._last_record_write = 0.0
        self.resources: dict[str, dict[str, Any]] = {}  # role -> peak memory, CPU seconds (all attempts)
        self._last_beat = 0.0
        self._handed: list[Any] = []  # this attempt's configs (settings.Handed)
        self.relay: Relay | None = None

    # -- signals -------------------------------------------------------------
    def cancel(self, *_: object) -> None:
        """SIGTERM/SIGINT: stop the children; the run ends `cancelled`."""
        if not self.cancelled:
            self.cancelled = True
            self.log.write("runner", "cancel requested: stopping tap and target", "warning")
        procs.signal_group(self.pgid, signal.SIGTERM)

    def install_signals(self) -> dict[int, Any]:
        import threading

        if threading.current_thread() is not threading.main_thread():
            return {}
        old: dict[int, Any] = {}
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            old[sig] = signal.signal(sig, self.cancel)
        return old

    # -- the run ---------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        old = self.install_signals()
        try:
            return self._run()
        except BaseException as exc:  # a bug or an interrupt here must not leave the run "running"
            procs.signal_group(self.pgid, signal.SIGKILL)
            try:
                runs.finish(self.ws, self.record, "failed", f"the runner stopped: {type(exc).__name__}: {exc}")
            except OSError:
                pass
            raise
        finally:
            for sig, handler in old.items():
                signal.signal(sig, handler)
            self.log.close()
            self._cleanup()

    def _run(self) -> dict[str, Any]:
        plan = self.plan
        record = self.record
        record.update(status="running", pid=os.getpid(), pid_start=procs.start_time(os.getpid()))
        runs.write(self.ws, record)
        retries = int(plan.get("retries") or 0)
        backoff = float(plan.get("backoff_s") or 5.0)
        self.log.write("runner", f"run {self.run_id} of {self.pipeline} started (trigger {record['trigger']}"
                       + (", full refresh" if record["full_refresh"] else "") + ")")
        outcome = Attempt()
        for attempt in range(1, retries + 2):
            record["attempt"] = attempt
            if attempt > 1:
                runs.write(self.ws, record)
            outcome = self._attempt(attempt)
            if outcome.error is None or self.cancelled or attempt > retries:
                break
            delay = backoff * (2 ** (attempt - 1))
            self.log.write("runner", f"attempt {attempt} failed: {outcome.error}; retrying in {delay:g}s", "warning")
            if self._sleep(delay):
                break
        record["exit_codes"] = {"tap": outcome.tap_rc, "target": outcome.target_rc}
        record["records"] = self.counter_total
        self._keep_resources()
        if self.cancelled:
            status, error = "cancelled", "stopped by request"
        elif outcome.error is not None:
            status, error = "failed", outcome.error
        else:
            status, error = "succeeded", None
            transform = plan.get("transform")
            if transform:
                error = self._transform(transform)
                if self.cancelled:
                    status, error = "cancelled", "stopped by request"
                elif error:
                    status = "failed"
                self._keep_resources()
        if status == "succeeded" and not self.counter_total and outcome.tap_warnings:
            record["warnings"] = outcome.tap_warnings[:3]  # 0 records: say what the tap said about it
        self.log.write("runner", f"run {status}" + (f": {error}" if error else ""), "error" if status == "failed" else "info")
        runs.write(self.ws, record, durable=False)
        final = runs.finish(self.ws, record, status, error)
        from flext.engine import index

        index.refresh(self.ws)
        return final

    def _sleep(self, seconds: float) -> bool:
        """Wait between attempts; True when cancelled meanwhile."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.cancelled:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        return self.cancelled

    def _env(self) -> dict[str, str]:
        env = dict(self.base_env)
        for key in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"):
            env.pop(key, None)
        env["FLEXT_WORKSPACE"] = self.ws.root
        env["FLEXT_RUN_ID"] = self.run_id
        return env

    def _attempt(self, attempt: int) -> Attempt:
        import selectors

        plan = self.plan
        out = Attempt()
        if self.cancelled:
            out.error = "stopped by request"
            return out
        state_file = plan["state_file"]
        tap_cfg, target_cfg = self._configs()
        tap_argv = [plan["tap"][0], "--config", tap_cfg.path, *plan["tap"][1:]]
        if plan.get("use_state", True) and os.path.exists(state_file):
            tap_argv += ["--state", self._snapshot(state_file, attempt)]
        target_argv = [plan["target"][0], "--config", target_cfg.path, *plan["target"][1:]]
        self.log.write("runner", f"attempt {attempt}: {_show(tap_argv)} | {_show(target_argv)}")
        env = self._env()
        die_with_me = _die_with_me()
        tap_read, tap_write = os.pipe()  # tap -> relay
        target_read, target_write = os.pipe()  # relay -> target
        for fd in (tap_write, target_write):
            _widen(fd)
        try:
            tap = subprocess.Popen(tap_argv, stdin=subprocess.DEVNULL, stdout=tap_write, stderr=subprocess.PIPE,
                                   cwd=self.ws.root, env=env, process_group=0, pass_fds=tap_cfg.fds,
                                   preexec_fn=die_with_me)
        except OSError as exc:
            for fd in (tap_read, tap_write, target_read, target_write):
                os.close(fd)
            out.error = f"cannot start the tap {tap_argv[0]}: {exc.strerror}"
            return out
        self.pgid = tap.pid
        try:
            target = subprocess.Popen(target_argv, stdin=target_read, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      cwd=self.ws.root, env=env, process_group=tap.pid, pass_fds=target_cfg.fds,
                                      preexec_fn=die_with_me)
        except OSError as exc:
            for fd in (tap_read, tap_write, target_read, target_write):
                os.close(fd)
            tap.kill()
            tap.wait()
            out.error = f"cannot start the target {target_argv[0]}: {exc.strerror}"
            return out
        os.close(tap_write)
        os.close(target_read)
        for handed in (tap_cfg, target_cfg):
            if handed.fds:  # a memfd: the child's inherited copy is all it needs
                handed.close()
        relay = self.relay = Relay(tap_read, target_write)
        relay.start()
        self.record.update(pgid=tap.pid, pgid_start=procs.start_time(tap.pid),
                           target_pid=target.pid, target_start=procs.start_time(target.pid))
        runs.write(self.ws, self.record)
        from flext.engine.resources import Sampler

        sampler = Sampler()
        sampler.watch("tap", tap.pid)
        sampler.watch("target", target.pid)
        sampler.start()
        if self.cancelled:  # a stop that arrived while we were spawning
            procs.signal_group(self.pgid, signal.SIGTERM)

        from flext.engine.progress import Counter

        counter = Counter()
        sel = selectors.DefaultSelector()
        assert tap.stderr and target.stderr and target.stdout
        buffers: dict[int, bytearray] = {}
        roles = {tap.stderr.fileno(): "tap", target.stderr.fileno(): "target", target.stdout.fileno(): "state"}
        for fd in roles:
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
            buffers[fd] = bytearray()
        pending_state: bytes | None = None
        last_state_save = 0.0
        last_progress = 0.0
        timeout = plan.get("timeout_s")
        begun = time.monotonic()
        kill_at: float | None = None

        def handle(role: str, raw: bytes) -> None:
            nonlocal pending_state
            text = raw.decode("utf-8", "replace").rstrip("\r")
            if role == "state":
                if text.strip():
                    if text.lstrip().startswith("{"):
                        pending_state = raw
                    else:
                        self.log.write("target", text, "info")
                return
            if role == "tap":
                if counter.feed(text):
                    self.counter_total = counter.total
                elif _level(text) == "warning" and len(out.tap_warnings) < 5:
                    out.tap_warnings.append(text.rsplit(" | ", 1)[-1].strip())
                out.tap_tail.append(text)
                del out.tap_tail[:-STDERR_TAIL]
            else:
                out.target_tail.append(text)
                del out.target_tail[:-STDERR_TAIL]
                if any(p in text for p in PARSE_ERRORS):
                    out.parse_error = True
            self.log.write(role, text)

        while sel.get_map():
            for key, _ in sel.select(0.25):
                fd = key.fd
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                buf = buffers[fd]
                if not chunk:
                    sel.unregister(fd)
                    if buf:
                        handle(roles[fd], bytes(buf))
                        buf.clear()
                    continue
                buf.extend(chunk)
                while True:
                    nl = buf.find(b"\n")
                    if nl < 0:
                        break
                    handle(roles[fd], bytes(buf[:nl]))
                    del buf[: nl + 1]
            now = time.monotonic()
            if pending_state is not None and now - last_state_save >= STATE_EVERY_S:
                if self._save_state(state_file, pending_state):
                    last_state_save = now
                pending_state = None
            if self.on_progress and now - last_progress >= 0.5:
                last_progress = now
                self.on_progress(self.counter_total, now - self.started)
            if now - self._last_record_write >= RECORD_EVERY_S and self.counter_total != self.record.get("records"):
                self._last_record_write = now
                self.record["records"] = self.counter_total
                try:
                    runs.write(self.ws, self.record)
                except OSError:
                    pass  # progress only; the final write says the rest
            if now - self._last_beat >= RECORD_EVERY_S:  # alive: a killed run ends about here (runs.last_seen)
                self._last_beat = now
                _touch(self.record["log"])
            if timeout and not out.timed_out and now - begun > float(timeout):
                out.timed_out = True
                self.log.write("runner", f"timed out after {timeout:g}s: stopping tap and target", "error")
                procs.signal_group(self.pgid, signal.SIGTERM)
                kill_at = now + GRACE_S
            if not out.target_early and target.poll() is not None and tap.poll() is None:
                out.target_early = True
                self.log.write("runner", f"target exited (code {target.returncode}) before the tap finished: stopping the tap", "error")
                tap.terminate()
                kill_at = now + GRACE_S
            if self.cancelled and kill_at is None:
                kill_at = now + GRACE_S
            if kill_at is not None and now > kill_at:
                procs.signal_group(self.pgid, signal.SIGKILL)
                kill_at = now + 3600
        sel.close()
        self._add_resources(sampler.stop())  # a last look before they are reaped: a zombie keeps its CPU time
        for proc in (tap, target):
            try:
                proc.wait(timeout=GRACE_S)
            except subprocess.TimeoutExpired:
                procs.signal_group(self.pgid, signal.SIGKILL)
                proc.wait()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
        relay.join(GRACE_S)
        if relay.alive():  # a child of the tap still holds its stdout: end the group
            procs.signal_group(self.pgid, signal.SIGKILL)
            relay.join(GRACE_S)
        self._close_configs()
        if pending_state is not None:
            self._save_state(state_file, pending_state)
        out.tap_rc, out.target_rc = tap.returncode, target.returncode
        self.log.write("runner", f"tap exited {out.tap_rc}, target exited {out.target_rc}"
                       + (f", {self.counter_total} records" if self.counter_total is not None else ""))
        out.error = self._diagnose(out)
        return out

    def _configs(self) -> tuple[Any, Any]:
        """This attempt's tap and target settings, handed over in memory where possible."""
        from flext.engine import settings

        self._close_configs()
        configs = self.plan.get("configs") or {}
        directory = self.plan.get("private_dir") or self.ws.path("tmp")
        for role in ("tap", "target"):
            self._handed.append(settings.handover(configs.get(role) or {}, directory, f"{role}.json"))
        return self._handed[0], self._handed[1]

    def _close_configs(self) -> None:
        for handed in self._handed:
            handed.close()
        self._handed = []

    def _snapshot(self, state_file: str, attempt: int) -> str:
        """A private copy of the state this attempt starts from.

        The live file moves on as the target confirms STATE; the tap (and a diagnostic
        re-read after a malformed line) must see the state the attempt began with.
        """
        import shutil

        directory = self.plan.get("private_dir") or os.path.dirname(state_file)
        copy = os.path.join(directory, f"state-in-{attempt}.json")
        shutil.copyfile(state_file, copy)
        os.chmod(copy, 0o600)
        return copy

    def _save_state(self, path: str, line: bytes) -> bool:
        """Save a confirmed STATE; a full disk keeps the previous file whole and is logged."""
        try:
            return state_mod.save_line(path, line)
        except OSError as exc:
            self.log.write("runner", f"could not save the state: {exc.strerror}; the previous state is kept", "error")
            return False

    def _diagnose(self, out: Attempt) -> str | None:
        if self.cancelled:
            return "stopped by request"
        if out.timed_out:
            return f"timed out after {self.plan.get('timeout_s'):g}s"
        if out.tap_rc != 0 and not out.target_early:
            return f"tap exited with code {out.tap_rc}" + _tail(out.tap_tail)
        if out.target_rc != 0 or out.target_early:
            if out.parse_error:
                found = self._malformed(out)
                if found is not None:
                    return found
            what = "exited early" if out.target_early else "failed"
            cause = plugin_cause(out.target_tail)
            return f"target {what} (code {out.target_rc})" + (f": {cause}" if cause else "") + _tail(out.target_tail)
        return None

    def _malformed(self, out: Attempt) -> str | None:
        """The target complained about a line. Its number comes from the relay, which counted
        the lines as they passed and kept the last few MiB: the target stopped at the first
        line that is not a Singer message, so it is in that tail. The tap is not run again
        (a second run would extract from the source again). When every kept line is a
        Singer message, the target rejected a well-formed one (a SCHEMA it cannot take,
        say): None, and the caller names the target's own error instead."""
        found = self.relay.first_bad_line() if self.relay is not None else None
        if found is None:
            self.log.write("runner", "the target reported a parse error, but the tap's lines are Singer "
                           "messages: the target rejected one of them", "warning")
            return None
        number, content = found
        where = f"at line {number} of the tap's output: {content[:200]!r}"
        message = f"malformed Singer message {where}; the target exited with code {out.target_rc}"
        self.log.write("runner", message, "error")
        return message + _tail(out.target_tail)

    def _transform(self, transform: dict[str, Any]) -> str | None:
        from flext.engine import dbt

        self.log.write("runner", f"transform: dbt build in {transform['project']}")
        from flext.engine.resources import Sampler

        lines: list[str] = []

        def log(line: str) -> None:
            lines.append(line)
            del lines[:-200]
            self.log.write("dbt", line)

        sampler = Sampler(others="dbt").start()  # dbt: the children of this process while it builds
        try:
            code, results = dbt.invoke(transform["dbt"], transform["project"], ["build"], self.ws.root,
                                       log=log, cancelled=lambda: self.cancelled, env=self._env())
        except OSError as exc:
            return f"cannot run dbt: {exc.strerror}"
        finally:
            self._add_resources(sampler.stop())
        return dbt.failure(code, results, lines)

    def _add_resources(self, figures: dict[str, dict[str, Any]]) -> None:
        from flext.engine.resources import merge

        merge(self.resources, figures)

    def _keep_resources(self) -> None:
        """Peak memory and CPU seconds per process (tap, target, dbt) and in all, into the record."""
        from flext.engine.resources import totals

        if self.resources:
            self.record["resources"] = {role: dict(f) for role, f in self.resources.items()}
            self.record["cpu_s"], self.record["peak_rss_mb"] = totals(self.resources)

    def _cleanup(self) -> None:
        self._close_configs()
        directory = self.plan.get("private_dir")
        if directory:
            from flext.engine import settings

            settings.release(directory, self.plan.get("private_lock_fd"))


def plugin_cause(lines: list[str]) -> str | None:
    """The error a plugin ended with, from its stderr tail: the last Python exception line
    (`KeyError: 'schema'`, `singer_sdk...InvalidInputLine: Line is missing ...`, shown
    with the exception's own name only), else its last ERROR/CRITICAL log line."""
    import re

    exception = re.compile(r"^(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*(?:Error|Exception)|[A-Z]\w*)(?:: (.*))?$")
    for line in reversed(lines):
        text = line.strip()
        found = exception.match(text)
        if found and (found.group(2) is not None or found.group(1).endswith(("Error", "Exception"))) \
                and ("." in text.split(":", 1)[0] or found.group(1).endswith(("Error", "Exception"))):
            name, detail = found.group(1), found.group(2)
            return (f"{name}: {detail}" if detail else name)[:300]
    for line in reversed(lines):
        if _level(line) == "error" and not line.lstrip().startswith(("Traceback", "File ")):
            return line.strip()[:300]
    return None


def _tail(lines: list[str]) -> str:
    return ("\n" + "\n".join("  " + line for line in lines[-STDERR_TAIL:])) if lines else ""


def _show(argv: list[str]) -> str:
    import shlex

    return " ".join(shlex.quote(os.path.basename(a) if i == 0 else a) for i, a in enumerate(argv))


def _widen(fd: int) -> None:
    """A 1 MiB pipe lets tap and target run ahead of each other in bursts (Linux only)."""
    try:
        import fcntl

        fcntl.fcntl(fd, 1031, 1 << 20)  # F_SETPIPE_SZ
    except (OSError, ImportError):
        pass


def _touch(path: str) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _die_with_me() -> Callable[[], None] | None:
    """A preexec function making the child die (SIGKILL) when this runner dies, on Linux,
    when this process has one thread (PR_SET_PDEATHSIG follows the forking thread, and a
    preexec function is only safe without other threads); None otherwise: `runs.reap`
    then kills what is left at the next look."""
    import sys
    import threading

    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the runner died before the line above took effect
            os._exit(1)

    return preexec


class Relay:
    """Moves the tap's stdout to the target's stdin (bytes only, never parsed), counting
    lines as they pass and keeping the last TAIL_BYTES, from which `first_bad_line` finds
    the line the target choked on. When the target goes away the tap's side is closed
    too, so the tap sees a broken pipe as it did when the two shared one pipe."""

    TAIL_BYTES = 4 << 20
    CHUNK = 1 << 20

    def __init__(self, source: int, sink: int) -> None:
        import collections
        import threading

        self.source = source
        self.sink = sink
        self.lines = 0  # complete lines passed
        self.bytes = 0
        self._tail: collections.deque[tuple[int, bool, bytes]] = collections.deque()  # (line no., at a line start, data)
        self._tail_size = 0
        self._at_line_start = True
        self._thread = threading.Thread(target=self._run, name="flext-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            while True:
                chunk = os.read(self.source, self.CHUNK)
                if not chunk:
                    return
                self._keep(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(self.sink, view):]
        except OSError:  # the target is gone (EPIPE): the tap will see its broken pipe
            return
        finally:
            for fd in (self.source, self.sink):
                try:
                    os.close(fd)
                except OSError:
                    pass

    def _keep(self, chunk: bytes) -> None:
        self._tail.append((self.lines + 1, self._at_line_start, chunk))
        self._tail_size += len(chunk)
        self.lines += chunk.count(b"\n")
        self.bytes += len(chunk)
        self._at_line_start = chunk.endswith(b"\n")
        while self._tail_size - len(self._tail[0][2]) >= self.TAIL_BYTES:
            self._tail_size -= len(self._tail.popleft()[2])

    def first_bad_line(self) -> tuple[int, str] | None:
        """(number, content) of the first line in the kept tail that is not a Singer message."""
        import json

        if not self._tail:
            return None
        number, at_start, _ = self._tail[0]
        data = b"".join(part for _, _, part in self._tail)
        if not at_start:  # the tail begins inside a line: start at the next one
            cut = data.find(b"\n")
            if cut < 0:
                return None
            data, number = data[cut + 1 :], number + 1
        lines = data.split(b"\n")
        if data.endswith(b"\n"):
            lines.pop()
        for offset, raw in enumerate(lines):
            try:
                message = json.loads(raw)
                ok = isinstance(message, dict) and isinstance(message.get("type"), str)
            except ValueError:
                ok = False
            if not ok:
                return number + offset, raw.decode("utf-8", "replace").rstrip("\r")
        return None


def main(argv: list[str] | None = None) -> int:
    """`python -m flext.engine.runner -` (the plan on stdin): the detached runner."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m flext.engine.runner - < PLAN.json\n")
        return 2
    if args[0] == "-":  # the plan holds resolved settings: it comes through a pipe, never a file
        plan = json.loads(sys.stdin.buffer.read())
    else:
        with open(args[0], encoding="utf-8") as fh:
            plan = json.load(fh)
    # import now what the run imports later: a newer single-file build may retire the
    # extraction this runner was started from while it is still running
    import selectors  # noqa: F401

    from flext.core import clock  # noqa: F401
    from flext.engine import dbt, files, index, logfile, progress, resources, runlog  # noqa: F401

    record = Supervisor(plan).run()
    return 0 if record["status"] == "succeeded" else 1


__all__ = ["GRACE_S", "LogWriter", "Relay", "Supervisor", "main", "plugin_cause"]

if __name__ == "__main__":
    import sys

    sys.exit(main())
