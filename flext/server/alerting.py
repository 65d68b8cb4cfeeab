"""Alert rules evaluated by `flext serve`, and their notifications sent.

Every `alerts.interval` seconds (default 30), and as soon as a run record or a
supervised service's pid file changes (or config.toml, or an alert is added through
the API), the rules of `[alerts.NAME]` are evaluated with the server's own engine.
`flext.services.alertstate.step` decides what is told: one notification when a rule
starts firing, one when it resolves, a reminder every `alerts.repeat` (default 4h)
while it fires, never a storm. What was told is kept in `.flext/server/alerts.json`
(changed under a lock and replaced atomically, like the server's other files; a
damaged file stops the server at start-up and, later, stops notifications rather than
repeating them). Transitions and every delivery attempt go to the alert history
(flext.services.alertlog). Deliveries run on their own worker with retries
(flext.services.notify.Deliveries), so a slow or failing receiver never holds up
evaluation. Only the server that holds the scheduler lock evaluates and notifies: two
servers on one workspace never notify twice.
"""

from __future__ import annotations

import os
import threading
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.server.app import App

INTERVAL_S = 30.0
REPEAT_S = 4 * 3600.0
WATCH_S = 0.5  # how often the files whose change triggers an evaluation are looked at


def settings(ctx: Any) -> tuple[float, float, int]:
    """(interval, repeat, retries) from `alerts.*` in config.toml; ConfigError when wrong."""
    from flext.core.errors import ConfigError
    from flext.services.notify import RETRIES

    found = (ctx.settings.get("alerts") or {}) if ctx.has_config else {}
    interval = float(found.get("interval") or INTERVAL_S)
    repeat_text = found.get("repeat")
    repeat = REPEAT_S
    if repeat_text is not None:
        from flext.core.durations import parse_duration

        try:
            repeat = 0.0 if str(repeat_text).strip() == "0" else parse_duration(str(repeat_text))
        except ValueError as exc:
            raise ConfigError(f"alerts.repeat: {exc}", hint='e.g. "4h", "30m", or "0" for no reminders') from None
    retries = found.get("retries")
    return interval, repeat, int(retries) if isinstance(retries, int) else RETRIES


class AlertLoop:
    def __init__(self, app: App, *, clock: Callable[[], float] = time.time) -> None:
        from flext.services.notify import Deliveries

        self.app = app
        self.clock = clock
        self.state_path = os.path.join(app.dir, "alerts.json")
        self.evaluations = 0  # completed (tests and /health: "has it looked since start-up?")
        self.deliveries = Deliveries(self._deliver, self._record, clock=clock)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._said: str | None = None  # the last evaluation error, logged once
        self._health: dict[str, dict[str, Any]] = {}  # the last health checks, reused when only runs changed

    # -- files ---------------------------------------------------------------------------
    def check(self) -> None:
        """ConfigError (exit 5, file and line) when alerts.json is damaged."""
        from flext.server import files

        files.read(self.state_path, files.object_of_objects)

    def _record(self, entry: dict[str, Any]) -> None:
        from flext.services import alertlog

        entry = {k: (self.app.ctx.redact(v) if isinstance(v, str) else v) for k, v in entry.items()}
        try:
            alertlog.append(self.app.root, entry)
        except OSError as exc:
            self.app.log("error", "alerts", error=f"cannot write the alert history: {exc}")
        if entry.get("kind") == "delivery":
            level = "info" if entry.get("ok") else "warning"
            self.app.log(level, "notify", alert=entry.get("alert"), notification=entry.get("event"), url=entry.get("url"),
                         attempt=entry.get("attempt"), ok=entry.get("ok"), error=entry.get("error"),
                         retry_in_s=entry.get("retry_in_s"), correlation_id=entry.get("correlation_id"))

    def _deliver(self, url: str, note: Any) -> str | None:
        from flext.services.notify import send

        secrets = self.app.ctx.secrets
        error = send(url, note, lambda ref: str(secrets.resolve(f"secret:{ref}")))
        return self.app.ctx.redact(error) if error else None

    # -- one evaluation --------------------------------------------------------------
    def tick(self, now: float | None = None, *, probe: bool = True) -> list[dict[str, Any]]:
        """Evaluate every rule once and act on what changed; the events (see alertstate.step).

        `probe` False (only run records changed) reuses the last health checks: services are
        probed once per interval or when a supervised one changes, not on every run record."""
        from flext.core.clock import iso
        from flext.core.errors import FlextError
        from flext.server import files
        from flext.services import alertstate
        from flext.services.evaluate import evaluate
        from flext.services.notify import Notification

        scheduler = self.app.scheduler
        if scheduler is not None and not scheduler.active:
            return []  # the active server of this workspace evaluates and notifies
        now = self.clock() if now is None else now
        ctx = self.app.ctx.derive()  # config.toml as it is now (rules added by the CLI too)
        try:
            interval, repeat, retries = settings(ctx)
            checked: dict[str, dict[str, Any]] = {}
            rows = evaluate(ctx, timeout=max(0.5, min(3.0, interval)), health=None if probe else self._health,
                            checked=checked)
            self._health = checked
            events: list[dict[str, Any]] = files.update(
                self.state_path,
                lambda doc: alertstate.step(doc, rows, now, repeat=repeat, new_id=lambda: os.urandom(8).hex()),
                check=files.object_of_objects)
        except FlextError as exc:
            if self._said != exc.message:
                self._said = exc.message
                self.app.log("error", "alerts", error=exc.message, hint=exc.hint)
            return []
        self._said = None
        self.deliveries.retries = retries
        for event in events:
            if event["kind"] == "transition":
                self._record({"ts": iso(now), **event})
                continue
            note = Notification(event["alert"], event["event"], when=str(event["when"]), value=event["value"],
                                detail=event["detail"], at=iso(now), correlation_id=str(event["correlation_id"]),
                                description=event.get("description"))
            if not event["notify"]:
                self.app.log("info", "alerts", alert=event["alert"], notification=event["event"], note="notifies no one")
            for url in event["notify"]:
                self.deliveries.submit(url, note)
        return events

    # -- the thread ----------------------------------------------------------------------
    def fingerprint(self) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """(runs, services and config.toml): what changes when a run or a supervised service
        changes state, or when rules or services are edited."""
        def folder(path: str) -> list[Any]:
            try:
                entries = sorted(os.scandir(path), key=lambda e: e.name)
            except OSError:
                return [None]
            found: list[Any] = []
            for entry in entries:
                try:
                    found.append((entry.name, entry.stat().st_mtime_ns))
                except OSError:
                    continue
            return found

        services = folder(os.path.join(self.app.ctx.paths.state_dir, "services"))
        try:
            services.append(os.stat(self.app.ctx.paths.config_file).st_mtime_ns)
        except OSError:
            services.append(None)
        return tuple(folder(self.app.runs_root)), tuple(services)

    def poke(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self.deliveries.start()
        self._thread = threading.Thread(target=self._loop, name="flext-alerts", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        last = self.fingerprint()
        probe = True
        deadline = 0.0
        while not self._stop.is_set():
            try:
                self.tick(probe=probe)
            except Exception as exc:  # never let the evaluator die silently
                self.app.log("error", "alerts", error=f"{type(exc).__name__}: {exc}")
            self.evaluations += 1
            if probe:
                try:
                    interval = settings(self.app.ctx.derive())[0]
                except Exception:
                    interval = INTERVAL_S
                deadline = time.monotonic() + interval
            probe = False
            while not self._stop.is_set():
                if self._wake.wait(min(WATCH_S, max(0.0, deadline - time.monotonic()))):
                    self._wake.clear()
                    probe = True
                    break
                now = self.fingerprint()
                if time.monotonic() >= deadline or now[1] != last[1]:
                    probe = True
                    break
                if now[0] != last[0]:
                    break  # only runs changed: the last health checks still hold
            last = self.fingerprint()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.deliveries.stop()


__all__ = ["INTERVAL_S", "REPEAT_S", "AlertLoop", "settings"]
