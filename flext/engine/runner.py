"""One pipeline run, exactly as DESIGN.md section 3 says.

The tap's stdout is joined to the target's stdin by an OS pipe: no Python touches the
data. This supervisor only reads the side channels: both stderrs (timestamped into
the run's JSONL log; singer-sdk METRIC lines counted), and the target's stdout, where
each line is a STATE the target has committed, saved atomically as it arrives (at most
once a second, and at the end). Tap and target share a new process group so one
signal reaches both. Retries, timeout, cancellation (SIGTERM/SIGINT) and the optional
dbt transform live here too.

Run in-process for `pipeline run`, or detached as `python -m flext.engine.runner PLAN`
for `pipeline start` (a new session: it survives the terminal closing). The plan is a
0600 JSON file in the run's private directory, removed with that directory at the end.
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
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.run_id = run_id
        self.pipeline = pipeline
        self.redact = sorted((v for v in redact if len(v) >= 4), key=len, reverse=True)

    def write(self, source: str, message: str, level: str | None = None, ts: float | None = None) -> None:
        import json

        from flext.core.clock import iso

        for secret in self.redact:
            if secret in message:
                message = message.replace(secret, "••••••")
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
        tap_argv = list(plan["tap"])
        if plan.get("use_state", True) and os.path.exists(state_file):
            tap_argv += ["--state", self._snapshot(state_file, attempt)]
        target_argv = list(plan["target"])
        self.log.write("runner", f"attempt {attempt}: {_show(tap_argv)} | {_show(target_argv)}")
        env = self._env()
        read_end, write_end = os.pipe()
        _widen(write_end)
        try:
            tap = subprocess.Popen(tap_argv, stdin=subprocess.DEVNULL, stdout=write_end, stderr=subprocess.PIPE,
                                   cwd=self.ws.root, env=env, process_group=0)
        except OSError as exc:
            os.close(read_end)
            os.close(write_end)
            out.error = f"cannot start the tap {tap_argv[0]}: {exc.strerror}"
            return out
        self.pgid = tap.pid
        try:
            target = subprocess.Popen(target_argv, stdin=read_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      cwd=self.ws.root, env=env, process_group=tap.pid)
        except OSError as exc:
            os.close(read_end)
            os.close(write_end)
            tap.kill()
            tap.wait()
            out.error = f"cannot start the target {target_argv[0]}: {exc.strerror}"
            return out
        os.close(read_end)
        os.close(write_end)
        self.record.update(pgid=tap.pid, pgid_start=procs.start_time(tap.pid))
        runs.write(self.ws, self.record)
        from flext.engine.resources import Sampler

        sampler = Sampler()
        sampler.watch("tap", tap.pid)
        sampler.watch("target", target.pid)
        sampler.start()
        if self.cancelled:  # a stop that arrived while we were spawning
            procs.signal_group(self.pgid, signal.SIGTERM)

        from flext.engine.metrics import Counter

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
        if pending_state is not None:
            self._save_state(state_file, pending_state)
        out.tap_rc, out.target_rc = tap.returncode, target.returncode
        self.log.write("runner", f"tap exited {out.tap_rc}, target exited {out.target_rc}"
                       + (f", {self.counter_total} records" if self.counter_total is not None else ""))
        out.error = self._diagnose(out, tap_argv, env)
        return out

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

    def _diagnose(self, out: Attempt, tap_argv: list[str], env: dict[str, str]) -> str | None:
        if self.cancelled:
            return "stopped by request"
        if out.timed_out:
            return f"timed out after {self.plan.get('timeout_s'):g}s"
        if out.tap_rc != 0 and not out.target_early:
            return f"tap exited with code {out.tap_rc}" + _tail(out.tap_tail)
        if out.target_rc != 0 or out.target_early:
            if out.parse_error:
                return self._malformed(tap_argv, env, out)
            what = "exited early" if out.target_early else "failed"
            return f"target {what} (code {out.target_rc})" + _tail(out.target_tail)
        return None

    def _malformed(self, tap_argv: list[str], env: dict[str, str], out: Attempt) -> str:
        """The target rejected a line. Find its number by re-reading the tap's output.

        The data path has no Python, so nothing counted lines during the run; the target
        reports only a position inside the line. A second, read-only pass of the tap
        (bounded in time) finds the first line that is not a Singer message.
        """
        found = find_bad_line(tap_argv, self.ws.root, env, limit_s=float(self.plan.get("diagnose_s", 60)))
        if found is None:
            where = "(its line number could not be found: a second read of the tap did not reproduce it)"
        else:
            number, content = found
            where = f"at line {number} of the tap's output: {content[:200]!r}"
        message = f"malformed Singer message {where}; the target exited with code {out.target_rc}"
        self.log.write("runner", message, "error")
        return message + _tail(out.target_tail)

    def _transform(self, transform: dict[str, Any]) -> str | None:
        from flext.engine import dbt

        self.log.write("runner", f"transform: dbt build in {transform['project']}")
        from flext.engine.resources import Sampler

        sampler = Sampler(others="dbt").start()  # dbt: the children of this process while it builds
        try:
            code, results = dbt.invoke(transform["dbt"], transform["project"], ["build"], self.ws.root,
                                       log=lambda line: self.log.write("dbt", line),
                                       cancelled=lambda: self.cancelled, env=self._env())
        except OSError as exc:
            return f"cannot run dbt: {exc.strerror}"
        finally:
            self._add_resources(sampler.stop())
        failed = [r for r in results if r["status"] in ("error", "fail")]
        if code != 0 or failed:
            names = ", ".join(r["node"] for r in failed[:5])
            return f"dbt build failed (exit {code})" + (f": {names}" if names else "")
        return None

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
        directory = self.plan.get("private_dir")
        if directory:
            import shutil

            shutil.rmtree(directory, ignore_errors=True)


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


def find_bad_line(argv: list[str], cwd: str, env: dict[str, str], limit_s: float = 60.0) -> tuple[int, str] | None:
    """Run the tap again and return (line number, content) of its first non-Singer line."""
    import json

    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                cwd=cwd, env=env, process_group=0)
    except OSError:
        return None
    deadline = time.monotonic() + limit_s
    found: tuple[int, str] | None = None
    assert proc.stdout is not None
    try:
        for number, raw in enumerate(proc.stdout, 1):
            try:
                message = json.loads(raw)
                ok = isinstance(message, dict) and isinstance(message.get("type"), str)
            except ValueError:
                ok = False
            if not ok:
                found = (number, raw.decode("utf-8", "replace").rstrip("\n"))
                break
            if time.monotonic() > deadline:
                break
    finally:
        procs.signal_group(proc.pid, signal.SIGKILL)
        proc.stdout.close()
        proc.wait()
    return found


def main(argv: list[str] | None = None) -> int:
    """`python -m flext.engine.runner PLAN.json`: the detached runner."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m flext.engine.runner PLAN.json\n")
        return 2
    with open(args[0], encoding="utf-8") as fh:
        plan = json.load(fh)
    # import now what the run imports later: a newer single-file build may retire the
    # extraction this runner was started from while it is still running
    import selectors  # noqa: F401

    from flext.core import clock  # noqa: F401
    from flext.engine import dbt, files, index, metrics, resources  # noqa: F401

    record = Supervisor(plan).run()
    return 0 if record["status"] == "succeeded" else 1


__all__ = ["GRACE_S", "LogWriter", "Supervisor", "find_bad_line", "main"]

if __name__ == "__main__":
    import sys

    sys.exit(main())
