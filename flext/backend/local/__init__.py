"""The embedded engine behind the Backend protocol (the default backend).

Thin: it finds the workspace, resolves names, and delegates to `flext.engine.*`.
Run preparation (plugins found, settings resolved, catalog selected, dbt located, the
secret values the run must mask gathered) happens here, in the process that owns the
Context and the secret store, so a detached runner never needs the keyring; the resolved
settings stay in memory (a pipe to the detached runner, a memfd to each plugin).
"""

from __future__ import annotations

import os
import time
from typing import Any

from flext.backend.local.identity import IdentityVerbs
from flext.backend.local.logs import LogVerbs
from flext.backend.local.monitor import MonitorVerbs
from flext.backend.local.services import ServiceVerbs
from flext.core.errors import ConfigError, Conflict, NotFound, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

STOP_GRACE_S = 10.0


class LocalBackend(ServiceVerbs, LogVerbs, MonitorVerbs, IdentityVerbs):
    """Pipelines, runs, state, schedules, taps and dbt here; services, logs, monitoring and
    identity in the parts it inherits (flext/backend/local/*.py)."""

    @property
    def _path(self) -> str | None:
        """PATH of this invocation (the REPL or a test may differ from os.environ)."""
        value = self.ctx.env.get("PATH")
        return str(value) if value is not None else None

    # -- pipelines -----------------------------------------------------------
    def _row(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        from flext.engine import runs

        last = runs.shown(self.ws, name)
        return {
            "name": name,
            "tap": spec.get("tap"),
            "target": spec.get("target"),
            "transform": spec.get("transform"),
            "schedule": spec.get("schedule"),
            "status": last["status"] if last else "never",
            "last_run": last["id"] if last else None,
            "last_started": last["started_at"] if last else None,
            "records": last.get("records") if last else None,
        }

    def list_pipelines(self, status: str | None = None) -> list[dict[str, Any]]:
        table = self.ws.pipelines if self.ws.exists else {}
        rows = [self._row(name, spec) for name, spec in sorted(table.items())]
        if status:
            wanted = ("queued", "running") if status == "running" else (status,)
            rows = [r for r in rows if r["status"] in wanted]
        return rows

    def get_pipeline(self, name: str) -> dict[str, Any]:
        from flext.engine import pipelines, state

        spec = pipelines.get(self.ws, name)
        out = dict(spec)
        row = self._row(name, spec)
        out.update({k: row[k] for k in ("status", "last_run", "last_started", "records")})
        out["state"] = state.status(self.ws, name)
        out["next_run"] = _next_run(spec.get("schedule"))
        out["workspace"] = self.ws.root
        return out

    def create_pipeline(self, spec: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        return self.create_pipelines([spec], replace=replace)[0]

    def create_pipelines(self, specs: list[dict[str, Any]], *, replace: bool = False) -> list[dict[str, Any]]:
        from flext.engine import pipelines

        names = [str(s.get("name")) for s in specs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ConfigError(f"pipeline {dupes[0]!r} is declared more than once", hint="nothing was written")
        valid = [pipelines.validate(self.ws, spec, path=self._path) for spec in specs]  # all, before writing any
        self._note_default("pipelines" if len(valid) > 1 else f"pipeline {valid[0]['name']}" if valid else "")
        pipelines.write(self.ws, valid, replace=replace)
        for spec in valid:
            spec["next_run"] = _next_run(spec.get("schedule"))
        return valid

    def edit_pipeline(self, name: str, changes: dict[str, Any], *, unset: tuple[str, ...] = ()) -> dict[str, Any]:
        from flext.engine import pipelines

        edited = pipelines.edit(self.ws, name, changes, unset, path=self._path)
        edited["next_run"] = None if edited.get("paused") else _next_run(edited.get("schedule"))
        return edited

    def delete_pipeline(self, name: str) -> dict[str, Any]:
        from flext.engine import pipelines, runs

        pipelines.get(self.ws, name)
        running = runs.active(self.ws, name)
        if running:
            raise Conflict(f"pipeline {name!r} is running (run {running['id']})",
                           hint=f"stop it first: flext pipeline stop {name}")
        pipelines.delete(self.ws, name)
        return {"name": name, "deleted": True}

    def match_pipelines(self, patterns: list[str], *, all_: bool = False) -> list[str]:
        """Names, shell globs ('wms-*') or all: each literal must exist, each glob must match."""
        from flext.backend.base import match_names
        from flext.engine import pipelines

        known = sorted(self.ws.pipelines) if self.ws.exists else []
        return match_names(patterns, known, all_=all_, check=lambda name: pipelines.get(self.ws, name),
                           where=self.ws.describe())

    # -- runs: preparation -------------------------------------------------------
    def _plan(self, name: str, run_id: str, *, full_refresh: bool, trigger: str,
              tap_only: bool = False) -> dict[str, Any]:
        from flext.engine import catalog, discover, pipelines, plugins, settings, state

        ws = self.ws
        spec = pipelines.get(ws, name)
        if not full_refresh and not tap_only:
            state.load(ws, name)  # a damaged state file refuses the run (exit 5) before anything starts
        roles = ("tap",) if tap_only else ("tap", "target")
        tap_exe = plugins.executable_for(ws, spec["tap"], "tap", self._path)
        target_exe = "" if tap_only else plugins.executable_for(ws, spec["target"], "target", self._path)
        table = catalog.merged(ws.plugin_overrides)
        seen: list[str] = []

        def secret(value: str) -> str:
            resolved = str(self.ctx.secrets.resolve(value))
            seen.append(resolved)
            return resolved

        resolved: dict[str, dict[str, Any]] = {}
        for role in roles:
            raw = settings.raw_config(ws, spec, role)
            entry = table.get(spec[role])
            if entry:
                settings.check_required(raw, list(entry.get("required_settings") or []), f"pipelines.{name}.{role}_config")
            resolved[role] = settings.resolve(raw, key=f"pipelines.{name}.{role}_config", secret=secret, env=self.ctx.env)
        transform = None
        if spec.get("transform") and not tap_only:
            from flext.engine import dbt

            project = dbt.project_dir(ws, str(spec["transform"]))
            transform = {"dbt": dbt.executable(ws, self._dbt_setting(), self._path), "project": project}
        private = settings.private_dir(ws)
        try:
            tap_argv = [tap_exe]
            if spec.get("select") and not tap_only:
                with settings.handover(resolved["tap"], private, "discover.json") as handed:
                    found = discover.cached(ws, name, tap_exe, resolved["tap"], handed.path, pass_fds=handed.fds)
                chosen = discover.select(found, list(spec["select"]), key=f"pipelines.{name}.select")
                tap_argv += ["--catalog", settings.write_private(private, "catalog.json", chosen)]
        except BaseException:
            settings.release(private)
            raise
        return {
            "workspace": ws.root, "pipeline": name, "run_id": run_id, "trigger": trigger,
            "tap": tap_argv, "target": [target_exe],
            # resolved settings travel in memory only (a pipe to a detached runner, a memfd to the plugin)
            "configs": {"tap": resolved["tap"], "target": resolved.get("target", {})},
            "state_file": state.path(ws, name), "use_state": not full_refresh, "full_refresh": full_refresh,
            "transform": transform,
            "retries": int(spec.get("retries") or 0),
            "backoff_s": pipelines.seconds(spec.get("retry_backoff") or "5s", "retry_backoff"),
            "timeout_s": pipelines.seconds(spec["timeout"], "timeout") if spec.get("timeout") else None,
            "private_dir": private, "private_lock_fd": settings.lock_fd(private), "redact": self._mask_values(seen),
        }

    def _mask_values(self, seen: list[str]) -> list[str]:
        """What a run must mask: the values it resolved, plus every secret the workspace's
        config refers to (a tap may print one it found elsewhere), read once from the keyring."""
        from flext.core import mask

        mask.remember_all(seen)
        try:
            names = mask.references(self.ws.doc) if self.ws.exists else set()
        except Exception:  # a damaged flext.toml failed the run earlier; nothing more to learn here
            names = set()
        if names:
            mask.learn(self.ctx.secrets, names)
        return mask.known_values()

    def _dbt_setting(self) -> str | None:
        try:
            value = self.ctx.settings.get("dbt", {})
        except Exception:
            return None
        return str(value.get("executable")) if isinstance(value, dict) and value.get("executable") else None

    def _begin(self, name: str, *, full_refresh: bool, trigger: str, idempotency_key: str | None,
               detached: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Under the pipeline lock: refuse a second active run, write the queued record."""
        from flext.core import clock
        from flext.engine import runs
        from flext.engine.workspace import ensure_dot

        ws = self.ws
        from flext.engine import pipelines

        pipelines.get(ws, name)
        ensure_dot(ws)
        with runs.lock(ws, name):
            if idempotency_key:
                for record in runs.history(ws, name, 20):
                    if record.get("idempotency_key") == idempotency_key:
                        return runs.public(record), None
            running = runs.active(ws, name)
            if running:
                raise Conflict(f"pipeline {name!r} is already running (run {running['id']}, {running['status']})",
                               hint=f"follow it with `flext pipeline logs {name} -f`, or stop it with `flext pipeline stop {name}`")
            run_id = clock.new_run_id()
            plan = self._plan(name, run_id, full_refresh=full_refresh, trigger=trigger)
            try:
                record = runs.new_record(ws, name, run_id, full_refresh=full_refresh, trigger=trigger)
                if idempotency_key:
                    record["idempotency_key"] = idempotency_key
                if not detached:
                    record.update(pid=os.getpid(), pid_start=_start(os.getpid()))
                runs.write(ws, record)
                if detached:
                    record = self._spawn(plan, record)
            except BaseException:
                from flext.engine import settings

                if settings.lock_fd(plan["private_dir"]) is not None:  # not handed to a runner yet
                    settings.release(plan["private_dir"])
                raise
        from flext.engine import index

        index.refresh(ws)
        return record, plan

    def _spawn(self, plan: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
        import json
        import subprocess
        import sys

        from flext.engine import runs, settings

        env = dict(self.ctx.env)
        import flext

        env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(flext.__file__)))
        env.pop("PYTHONHOME", None)
        lock = plan.get("private_lock_fd")
        try:
            # the plan (resolved settings included) goes through a pipe: never a file, never argv
            proc = subprocess.Popen(
                [sys.executable, "-m", "flext.engine.runner", "-"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                cwd=self.ws.root, env=env, start_new_session=True, close_fds=True,
                pass_fds=(lock,) if lock is not None else (),
            )
            assert proc.stdin is not None
            try:
                proc.stdin.write(json.dumps(plan).encode("utf-8"))
                proc.stdin.close()
            except BrokenPipeError:  # it died at once; the record's settle says so
                pass
        except BaseException:
            settings.release(plan["private_dir"])
            raise
        settings.forget(plan["private_dir"])  # the runner holds the directory's lock now
        record.update(pid=proc.pid, pid_start=_start(proc.pid))
        # the runner may already have written `running`; only fill in what we know
        current = runs.read(self.ws, record["pipeline"], record["id"]) or record
        if current.get("pid") is None:
            current.update(pid=proc.pid, pid_start=record["pid_start"])
            runs.write(self.ws, current)
        # keep the Popen (no "still running" warning), and reap runners that have ended, so a
        # long-lived caller such as `flext serve` collects no zombies
        self._children = [p for p in getattr(self, "_children", []) if p.poll() is None]
        self._children.append(proc)
        return runs.public(current)

    # -- runs: operations ----------------------------------------------------------
    def start(self, name: str, *, full_refresh: bool = False, trigger: str = "cli",
              idempotency_key: str | None = None) -> dict[str, Any]:
        record, _ = self._begin(name, full_refresh=full_refresh, trigger=trigger,
                                idempotency_key=idempotency_key, detached=True)
        from flext.engine import runs

        return runs.public(record)

    def run(self, name: str, *, full_refresh: bool = False, trigger: str = "cli",
            on_progress: Callable[[int | None, float], None] | None = None) -> dict[str, Any]:
        record, plan = self._begin(name, full_refresh=full_refresh, trigger=trigger,
                                   idempotency_key=None, detached=False)
        from flext.engine import runs

        if plan is None:
            return runs.public(record)
        from flext.engine.runner import Supervisor

        return runs.public(Supervisor(plan, on_progress=on_progress, env=dict(self.ctx.env)).run())

    def wait(self, name: str, run_id: str, *, timeout: float | None = None) -> dict[str, Any]:
        from flext.engine import runs

        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.05
        while True:
            record = self.get_run(name, run_id)
            if record["status"] in runs.FINAL:
                return record
            if deadline is not None and time.monotonic() > deadline:
                return record
            time.sleep(delay)
            delay = min(0.5, delay * 1.5)

    def stop(self, name: str, *, force: bool = False) -> dict[str, Any]:
        """SIGTERM the runner and the run's process group; SIGKILL after a grace period."""
        import signal

        from flext.engine import pipelines, procs, runs

        pipelines.get(self.ws, name)
        record = runs.active(self.ws, name)
        if record is None:
            last = runs.latest(self.ws, name)
            raise NotFound(f"pipeline {name!r} is not running",
                           hint=f"its last run {last['id']} {last['status']}" if last else "it has never run")
        if record["status"] == "queued":  # the runner is still starting: signal it once it can take it
            deadline = time.monotonic() + STOP_GRACE_S
            while record["status"] == "queued" and time.monotonic() < deadline:
                time.sleep(0.02)
                record = self.get_run(name, record["id"])
            if record["status"] in runs.FINAL:
                return record
        pid, pgid = record.get("pid"), record.get("pgid")
        runner_ok = procs.alive(pid, record.get("pid_start"))
        group_ok = bool(pgid) and procs.alive(pgid, record.get("pgid_start"))
        sig = signal.SIGKILL if force else signal.SIGTERM
        if runner_ok and pid != os.getpid():
            procs.signal_pid(pid, sig)
        if group_ok:
            procs.signal_group(pgid, sig)
        if not force:
            final = self.wait(name, record["id"], timeout=STOP_GRACE_S)
            if final["status"] in runs.FINAL:
                return final
            # the runner did not finish in time: force it
            if procs.alive(pid, record.get("pid_start")):
                procs.signal_pid(pid, signal.SIGKILL)
            if pgid:
                procs.signal_group(pgid, signal.SIGKILL)
        else:
            deadline = time.monotonic() + 5
            while procs.alive(pid, record.get("pid_start")) and time.monotonic() < deadline:
                time.sleep(0.02)
        done = runs.finish(self.ws, record, "cancelled", "stopped by request" + (" (forced)" if force else ""))
        return runs.public(done)

    def status(self, names: list[str] | None) -> list[dict[str, Any]]:
        from flext.engine import runs

        chosen = names if names else (sorted(self.ws.pipelines) if self.ws.exists else [])
        rows = []
        for name in chosen:
            last = runs.shown(self.ws, name)
            rows.append({
                "pipeline": name,
                "status": last["status"] if last else "never",
                "run": last["id"] if last else None,
                "started_at": last["started_at"] if last else None,
                "duration_s": last.get("duration_s") if last else None,
                "records": last.get("records") if last else None,
                "error": _first_line(last.get("error")) if last else None,
            })
        return rows

    def runs(self, name: str, limit: int = 20) -> list[dict[str, Any]]:
        from flext.engine import pipelines, runs

        if name not in (self.ws.pipelines if self.ws.exists else {}) and not runs.ids(self.ws, name):
            pipelines.get(self.ws, name)
        from flext.engine.resources import live_runs

        records = list(runs.history(self.ws, name, limit))
        live_runs(records)  # what the running one's tap and target use now
        return [runs.public(r) for r in records]

    def get_run(self, name: str, run_id: str) -> dict[str, Any]:
        from flext.engine import runs

        record = runs.read(self.ws, name, run_id)
        if record is None:
            from flext.core.suggest import closest

            known = runs.ids(self.ws, name)
            if not known and name not in (self.ws.pipelines if self.ws.exists else {}):
                from flext.engine import pipelines

                pipelines.get(self.ws, name)
            guess = closest(run_id, known)
            raise NotFound(f"pipeline {name!r} has no run {run_id!r} in {self.ws.describe()}",
                           hint=f"did you mean {guess!r}?" if guess else f"see `flext pipeline runs {name}`")
        return runs.public(runs.settle(self.ws, record))

    def logs(self, name: str, run_id: str | None = None, tail: int | None = None,
             follow: bool = False) -> Iterator[dict[str, Any]]:
        from flext.engine import runs
        from flext.engine.runlog import read as read_log

        if run_id is None:
            last = runs.latest(self.ws, name)
            if last is None:
                from flext.engine import pipelines

                pipelines.get(self.ws, name)
                raise NotFound(f"pipeline {name!r} has no runs yet", hint=f"start one: flext pipeline start {name}")
            run_id = last["id"]
        record = self.get_run(name, run_id)
        return read_log(self.ws, record, tail=tail, follow=follow)

    def state(self, name: str) -> dict[str, Any] | None:
        from flext.engine import pipelines, state

        pipelines.get(self.ws, name)
        return state.load(self.ws, name)

    def clear_state(self, name: str) -> dict[str, Any]:
        from flext.engine import pipelines, runs, state

        pipelines.get(self.ws, name)
        running = runs.active(self.ws, name)
        if running:
            raise Conflict(f"pipeline {name!r} is running (run {running['id']})",
                           hint="clear the state when the run has ended")
        return {"pipeline": name, "cleared": state.clear(self.ws, name)}

    # -- schedules ------------------------------------------------------------------
    def schedules(self) -> list[dict[str, Any]]:
        table = self.ws.pipelines if self.ws.exists else {}
        return [{"name": name, "schedule": spec["schedule"], "paused": bool(spec.get("paused")),
                 "next_run": None if spec.get("paused") else _next_run(spec["schedule"])}
                for name, spec in sorted(table.items()) if spec.get("schedule")]

    def pause(self, name: str) -> dict[str, Any]:
        from flext.engine import pipelines

        return pipelines.set_paused(self.ws, name, True)

    def resume(self, name: str) -> dict[str, Any]:
        from flext.engine import pipelines

        out = pipelines.set_paused(self.ws, name, False)
        out["next_run"] = _next_run(out["schedule"])
        return out

    # -- plugins, discovery, dbt ---------------------------------------------------
    def list_plugins(self, kind: str | None = None, installed_only: bool = False) -> list[dict[str, Any]]:
        from flext.engine import catalog, plugins

        ws = self.ws
        rows: dict[str, dict[str, Any]] = {}
        for name, entry in catalog.merged(ws.plugin_overrides if ws.exists else {}).items():
            rows[name] = {"name": name, "kind": entry["kind"], "installed": None, "source": entry.get("source"),
                          "description": entry.get("description"), "pip_url": entry.get("pip_url")}
        for manifest in plugins.installed(ws):
            row = rows.setdefault(manifest["name"], {"name": manifest["name"], "kind": manifest.get("kind"),
                                                     "source": "workspace", "description": None})
            row.update(installed=manifest.get("version") or "yes", pip_url=manifest.get("pip_url"),
                       where="workspace")
        prefixes = {"tap": ("tap-", "flext-tap-"), "target": ("target-", "flext-target-")}
        wanted = [kind] if kind in prefixes else list(prefixes) if kind is None else []
        found = plugins.on_path(tuple(p for k in wanted for p in prefixes[k]), self._path)
        if found:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=8) as pool:
                versions = dict(zip(found, pool.map(plugins.path_version, found.values()), strict=True))
            for exe, path in found.items():
                row = rows.setdefault(exe, {"name": exe, "kind": catalog.kind_of(exe), "source": "path",
                                            "description": None, "pip_url": None})
                if row.get("installed") is None:
                    row.update(installed=versions.get(exe) or "yes", where=path)
        out = [r for r in rows.values() if (kind is None or r["kind"] == kind) and (not installed_only or r["installed"])]
        for row in out:
            row.setdefault("where", None)
        return sorted(out, key=lambda r: (r["installed"] is None, r["name"]))

    def install_plugin(self, name: str, kind: str, pip_url: str | None = None,
                       on_status: Callable[[str], None] | None = None,
                       installer: str | None = None) -> dict[str, Any]:
        """`installer`: "uv" or "pip"; None reads plugins.installer (default "uv")."""
        from flext.engine import catalog, plugins

        overrides = self.ws.plugin_overrides if self.ws.exists else {}
        try:
            entry = catalog.lookup(name, kind, overrides)
        except NotFound:
            if not pip_url:
                raise
            entry = {"name": name, "kind": kind, "executable": name, "pip_url": pip_url}
        self._note_default(name)
        chosen = installer or (self.ctx.settings.get("plugins") or {}).get("installer") or "uv"
        return plugins.install(self.ws, entry, pip_url=pip_url, on_status=on_status, installer=str(chosen),
                               cache_dir=self.ctx.paths.cache_dir, env=self.ctx.env)

    def _note_default(self, what: str) -> None:
        """Creating something where no flext.toml was found says so: it lands in the
        user's default workspace, which may not be what they meant."""
        if what and self.ws.origin == "default":
            self.ctx.message(f"note: no flext.toml in this directory or above: {what} goes into {self.ws.describe()}")

    def discover(self, tap: str, *, config_file: str | None = None) -> list[dict[str, Any]]:
        """Streams of a tap: NAME is a pipeline (its tap and settings) or a tap with --config."""
        from flext.engine import discover, plugins, settings

        ws = self.ws
        pipelines = ws.pipelines if ws.exists else {}
        if tap in pipelines and not config_file:
            plan = self._plan(tap, "discover", full_refresh=True, trigger="cli", tap_only=True)
            try:
                with settings.handover(plan["configs"]["tap"], plan["private_dir"], "tap.json") as handed:
                    catalog = discover.run_discovery(plan["tap"][0], handed.path, ws.root, pass_fds=handed.fds,
                                                     hint=f"check the tap's settings: flext pipeline show {tap}")
            finally:
                settings.release(plan["private_dir"])
            return discover.rows(catalog)
        exe = plugins.executable_for(ws, tap, "tap", self._path)
        config: dict[str, Any] = settings.load_file(os.path.abspath(config_file), "--config") if config_file else {}
        config = settings.resolve(config, key="config", secret=lambda v: str(self.ctx.secrets.resolve(v)), env=self.ctx.env)
        private = settings.private_dir(ws)
        try:
            with settings.handover(config, private, "tap.json") as handed:
                hint = None if config_file else (
                    "a tap discovers with its settings: name a pipeline that uses it "
                    "(flext data taps discover PIPELINE), or pass --config FILE")
                return discover.rows(discover.run_discovery(exe, handed.path, ws.root, pass_fds=handed.fds, hint=hint))
        finally:
            settings.release(private)

    def dbt(self, project: str, command: str, *, select: str | None = None,
            target: str | None = None) -> dict[str, Any]:
        from flext.engine import dbt

        if command not in ("run", "test", "build"):
            raise UsageError(f"unknown dbt command {command!r}")
        path = dbt.project_dir(self.ws, project)
        exe = dbt.executable(self.ws, self._dbt_setting(), self._path)
        args = [command]
        if select:
            args += ["--select", select]
        if target:
            args += ["--target", target]
        lines: list[str] = []

        def log(line: str) -> None:
            lines.append(line)
            if self.ctx.verbose:
                self.ctx.io.err(line)

        code, nodes = dbt.invoke(exe, path, args, self.ws.root, log=log, env=dict(self.ctx.env))
        return {"project": os.path.relpath(path, self.ws.root), "command": command, "exit_code": code,
                "nodes": nodes, "output_tail": [self.ctx.redact(x) for x in lines[-20:]]}


def _start(pid: int) -> int | None:
    from flext.engine.procs import start_time

    return start_time(pid)


def _first_line(text: Any) -> str | None:
    return str(text).splitlines()[0] if text else None


def _next_run(schedule: Any) -> str | None:
    if not schedule:
        return None
    from flext.engine.cron import CronError, next_runs

    try:
        return next_runs(str(schedule))[0].isoformat(timespec="minutes")
    except CronError:
        return None


__all__ = ["LocalBackend"]
