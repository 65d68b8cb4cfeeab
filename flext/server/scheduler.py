"""Cron schedules of the workspace's pipelines, run by `flext serve`.

Rules, and how they hold:
- One scheduler per workspace: the process holding an exclusive `flock` on
  `.flext/scheduler.lock` schedules; any other server on the same workspace serves
  requests but stays on standby, and tries to take over every tick (so when the active
  one dies, the kernel drops its lock and another server carries on).
- A slot runs at most once: per pipeline we persist `checked` (the last minute we
  looked at) atomically *before* starting the run. If the process dies in between, the
  slot is lost rather than doubled.
- A missed slot runs once at start-up: when `checked` is older than the latest slot
  (the server was down), the pipeline starts once, however many slots it missed.
- A new or changed schedule starts at its next slot (nothing fires for the past).
- A slot that does not run leaves a run record with status `skipped` and the reason:
  the plugin is missing, the last run is still going, or the server was down (the
  slots after the one caught up at start-up, in one record that counts them).
What is scheduled: the pipelines of flext.toml, the command lines plugins deployed
(`.flext/schedules.json`, keyed `job:NAME`), and the Meltano project's own schedules
(meltano.yml, keyed `meltano:NAME`, runs recorded as `meltano.NAME`).
Schedules use the server's local time, like cron.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.server.app import App

TICK_S = 5.0
MAX_COUNTED_SLOTS = 10_000  # counting the slots an outage skipped stops here


class Scheduler:
    def __init__(self, app: App, *, clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.clock = clock
        dot = os.path.join(app.root, ".flext")
        self.lock_path = os.path.join(dot, "scheduler.lock")
        self.state_path = os.path.join(app.dir, "schedule.json")
        self.active = False
        self.ticks = 0  # completed ticks (tests and /health: "has it looked since start-up?")
        self._fd: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bad: dict[str, str] = {}  # pipeline -> expression already reported invalid
        self._jobs: dict[str, dict[str, Any]] = {}  # job:NAME -> deployed command line (schedules.json)
        self._procs: list[Any] = []  # command jobs started, kept to reap them
        self._meltano: dict[str, dict[str, Any]] = {}  # meltano:NAME -> {"cron", "argv", "project"}
        self._missed: dict[str, tuple[int, float, float]] = {}  # key -> (slots skipped, first, last)
        self._bad_meltano: str | None = None

    # -- the lock ------------------------------------------------------------------------
    def try_lock(self) -> bool:
        if self.active:
            return True
        os.makedirs(os.path.dirname(self.lock_path), mode=0o700, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        self.active = True
        self.app.log("info", "scheduler", state="active", workspace=self.app.root)
        return True

    def release(self) -> None:
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
            self._fd = None
        self.active = False

    # -- state ------------------------------------------------------------------------
    def load(self) -> dict[str, dict[str, Any]]:
        """The slots looked at; ConfigError (exit 5) when the file is damaged (a tick then
        logs it and starts nothing: a forgotten slot could run twice)."""
        from flext.server import files

        data = files.read(self.state_path, files.object_of_objects)
        return dict(data) if data is not None else {}

    def save(self, state: dict[str, dict[str, Any]]) -> None:
        from flext.core.fsutil import atomic_write

        atomic_write(self.state_path, json.dumps(state, indent=1, sort_keys=True) + "\n", 0o600)

    # -- one tick ---------------------------------------------------------------------
    def due(self, now: float | None = None) -> list[tuple[str, float, bool]]:
        """Record and return the pipelines whose slot has come: (name, slot, missed)."""
        from datetime import datetime, timedelta

        from flext.engine.cron import CronError, parse

        now = self.clock() if now is None else now
        minute = datetime.fromtimestamp(now).replace(second=0, microsecond=0)
        try:
            ws = self.app.backend().ws
            table = dict(ws.pipelines) if ws.exists else {}
        except Exception as exc:  # a broken flext.toml: log, keep serving, try again next tick
            self.app.log("error", "scheduler", error=f"cannot read the workspace: {exc}")
            return []
        # command lines that plugins deployed (gruponos/algar jobs): .flext/schedules.json
        self._jobs = self.command_jobs()
        table.update({key: {"schedule": job["cron"]} for key, job in self._jobs.items()})
        self._meltano = self.meltano_jobs()
        table.update({key: {"schedule": job["cron"]} for key, job in self._meltano.items()})
        state = self.load()
        changed = False
        fire: list[tuple[str, float, bool]] = []
        for name, spec in sorted(table.items()):
            expr = spec.get("schedule")
            if not expr or spec.get("paused") is True:  # a paused schedule resumes at its next slot
                if name in state:
                    del state[name]
                    changed = True
                continue
            try:
                cron = parse(str(expr))
            except CronError as exc:
                if self._bad.get(name) != expr:
                    self._bad[name] = str(expr)
                    self.app.log("error", "scheduler", pipeline=name, error=f"invalid schedule {expr!r}: {exc}")
                continue
            entry = state.get(name)
            if entry is None or entry.get("expr") != expr:
                state[name] = {"expr": expr, "checked": minute.timestamp(), "fired": None}
                changed = True
                continue
            checked = datetime.fromtimestamp(float(entry.get("checked") or 0))
            slot = cron.next_after(checked)
            if slot > minute:
                continue
            missed = minute - slot >= timedelta(minutes=1)
            if missed:
                self._missed[name] = _later_slots(cron, slot, minute)
            state[name] = {**entry, "checked": minute.timestamp(), "fired": slot.timestamp()}
            changed = True
            fire.append((name, slot.timestamp(), missed))
        for name in [n for n in state if n not in table]:
            del state[name]
            changed = True
        if changed:
            self.save(state)  # before starting anything: a crash loses a slot, never doubles one
        return fire

    def tick(self, now: float | None = None) -> list[str]:
        """Take the lock if free; fire what is due. Returns the run ids started."""
        self.app.reap()
        if not self.try_lock():
            return []
        started = []
        for name, slot, missed in self.due(now):
            run_id = self.fire(name, slot, missed)
            if run_id:
                started.append(run_id)
        return started

    def command_jobs(self) -> dict[str, dict[str, Any]]:
        """Enabled entries of `.flext/schedules.json`, keyed `job:NAME` (never a pipeline name)."""
        from flext.plugins import schedules

        jobs: dict[str, dict[str, Any]] = {}
        for name, entry in schedules.load(self.app.root).items():
            command = entry.get("command")
            if entry.get("enabled", True) and entry.get("cron") and isinstance(command, list) and command:
                jobs[f"job:{name}"] = {"cron": str(entry["cron"]), "command": [str(c) for c in command]}
        return jobs

    def meltano_jobs(self) -> dict[str, dict[str, Any]]:
        """The Meltano project's schedules (meltano.yml), keyed `meltano:NAME`; a broken
        meltano.yml is logged once and schedules nothing."""
        from flext.core.errors import FlextError
        from flext.plugins import meltano_exec as mx

        try:
            project = mx.scheduled_project(self.app.ctx, self.app.root)
            found = mx.read_schedules(project) if project else {}
        except FlextError as exc:
            if self._bad_meltano != exc.message:
                self._bad_meltano = exc.message
                self.app.log("error", "scheduler", meltano=exc.message)
            return {}
        self._bad_meltano = None
        return {f"meltano:{name}": {**job, "project": project} for name, job in found.items()}

    # -- slots that do not run --------------------------------------------------------
    @staticmethod
    def record_name(key: str) -> str:
        """Where a schedule's runs are recorded: the pipeline, `meltano.NAME`, or the job's name."""
        if key.startswith("meltano:"):
            return f"meltano.{key[8:]}"
        return key[4:] if key.startswith("job:") else key

    def skip(self, key: str, slot: float, reason: str, **extra: Any) -> dict[str, Any] | None:
        """A run record with status `skipped`, and the reason, for a slot that did not run."""
        from flext.core.clock import iso, new_run_id
        from flext.engine import runs
        from flext.engine.workspace import Workspace

        name = self.record_name(key)
        try:
            record = runs.skipped(Workspace(self.app.root), name, new_run_id(), slot=slot, reason=reason, **extra)
        except OSError as exc:
            self.app.log("error", "schedule", pipeline=name, slot=iso(slot), error=f"cannot record the skip: {exc}")
            return None
        self.app.log("warning", "skip", pipeline=name, slot=iso(slot), reason=reason, run=record["id"])
        return record

    def _skipped_by_outage(self, key: str) -> None:
        """The slots an outage skipped after the one that runs now: one record counting them."""
        from flext.core.clock import iso

        count, first, last = self._missed.pop(key, (0, 0.0, 0.0))
        if count <= 0:
            return
        span = iso(first) if count == 1 else f"{iso(first)} to {iso(last)}"
        more = "+" if count >= MAX_COUNTED_SLOTS else ""
        self.skip(key, first, f"the server was down: {count}{more} slot(s) did not run ({span}); "
                              f"one catch-up run started at start-up instead", slots=count, last_slot=iso(last))

    def fire_meltano(self, key: str, slot: float, missed: bool) -> str | None:
        """Run a Meltano schedule's job detached, recorded like a pipeline run (`meltano.NAME`)."""
        from flext.core.clock import iso
        from flext.core.errors import FlextError
        from flext.plugins import meltano_exec as mx

        job = self._meltano[key]
        try:
            record, proc = mx.start_recorded(self.app.ctx, self.app.root, key[8:], job["argv"], job["project"])
        except FlextError as exc:
            self.skip(key, slot, exc.message + (f" ({exc.hint})" if exc.hint else ""))
            return None
        self._procs = [p for p in self._procs if p.poll() is None] + [proc]
        self.app.metrics.fired(self.record_name(key))
        self.app.log("info", "schedule", meltano=key[8:], slot=iso(slot), missed=missed, run=record["id"])
        self.app.audit.record(user="scheduler", role=None, action="meltano " + " ".join(job["argv"]),
                              target=key[8:], exit_code=0, correlation_id=os.urandom(8).hex(), source="schedule")
        return str(record["id"])

    def fire_command(self, key: str, slot: float, missed: bool) -> str | None:
        """Run a deployed command line detached: `flext -C ROOT --no-input COMMAND...`."""
        import subprocess
        import sys

        import flext
        from flext.core.clock import iso

        job = self._jobs[key]
        logs = os.path.join(self.app.root, ".flext", "logs", "schedules")
        os.makedirs(logs, mode=0o700, exist_ok=True)
        env = dict(os.environ, FLEXT_TRIGGER="schedule", FLEXT_NO_INPUT="1")
        env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(flext.__file__)))
        env.pop("PYTHONHOME", None)
        argv = [sys.executable, "-m", "flext", "-C", self.app.root, "--no-input", *job["command"]]
        with open(os.path.join(logs, key[4:] + ".log"), "ab") as log:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    cwd=self.app.root, env=env, start_new_session=True, close_fds=True)
        self._procs = [p for p in getattr(self, "_procs", []) if p.poll() is None] + [proc]
        self.app.log("info", "schedule", job=key[4:], slot=iso(slot), missed=missed, pid=proc.pid)
        self.app.audit.record(user="scheduler", role=None, action=" ".join(job["command"][:2]), target=key[4:],
                              exit_code=0, correlation_id=os.urandom(8).hex(), source="schedule")
        return f"{key[4:]}:{proc.pid}"

    def fire(self, name: str, slot: float, missed: bool) -> str | None:
        from flext.core.clock import iso
        from flext.core.errors import FlextError

        self._skipped_by_outage(name)
        if name.startswith("job:"):
            return self.fire_command(name, slot, missed)
        if name.startswith("meltano:"):
            return self.fire_meltano(name, slot, missed)

        backend = self.app.backend()
        try:
            record = backend.start(name, trigger="schedule")
        except FlextError as exc:
            self.skip(name, slot, exc.message)
            self.app.audit.record(user="scheduler", role=None, action="pipeline start", target=name,
                                  exit_code=exc.exit_code, correlation_id=os.urandom(8).hex(), source="schedule")
            return None
        finally:
            self.app.adopt(backend)
        self.app.metrics.fired(name)
        self.app.log("info", "schedule", pipeline=name, slot=iso(slot), missed=missed, run=record["id"])
        self.app.audit.record(user="scheduler", role=None, action="pipeline start", target=name, exit_code=0,
                              correlation_id=os.urandom(8).hex(), source="schedule")
        return str(record["id"])

    # -- the thread ----------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="flext-scheduler", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # never let the scheduler die silently
                self.app.log("error", "scheduler", error=f"{type(exc).__name__}: {exc}")
            self.ticks += 1
            now = self.clock()
            to_next_minute = 60.0 - (now % 60.0) + 0.05
            self._stop.wait(min(TICK_S, to_next_minute))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.release()


def _later_slots(cron: Any, first: Any, minute: Any) -> tuple[int, float, float]:
    """(how many slots came after `first` up to `minute`, the first and last of them)."""
    count = 0
    start = last = first
    slot = cron.next_after(first)
    while slot <= minute and count < MAX_COUNTED_SLOTS:
        if count == 0:
            start = slot
        last = slot
        count += 1
        slot = cron.next_after(slot)
    return count, start.timestamp(), last.timestamp()


__all__ = ["Scheduler"]
