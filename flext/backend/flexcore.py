"""The Backend protocol mapped onto FlexCore's own routes (`backend = "flexcore"`).

FlexCore (the Go runtime of FLEXT) runs pipelines as *orchestrations* of a runtime
(Meltano): it knows runs, not pipeline definitions. What maps:
  pipeline start NAME   POST /api/v1/orchestration/execute  {name, runtime_type: "meltano",
                        command: "run", args: [NAME], config, timeout, priority, metadata}
  pipeline stop NAME    the running orchestration of NAME -> POST /api/v1/orchestration/{id}/cancel
  pipeline list/status  GET /api/v1/orchestration/list?limit=  (latest orchestration per name)
  pipeline runs NAME    the same list, filtered by name, newest first
  pipeline logs NAME    GET /api/v1/orchestration/{id} -> its `logs` (polled with -f)
  data taps list        GET /api/v1/plugins/list
What does not (definitions, state, installs, discovery, dbt, the audit) fails with
exit 2 and a hint to use a `flext serve` profile or the local engine.
Errors come as `{"error", "details"}`. Orchestration statuses map to flext's:
pending/submitted -> queued, running, completed -> succeeded, failed/timeout -> failed,
cancelled. Tested against a small fake server answering the documented shapes
(tests/backend/fake_flexcore.py), since FlexCore itself cannot be built here.
"""

from __future__ import annotations

import time

from flext.backend.base import RemoteBackend
from flext.core.clock import normalise
from flext.core.errors import (
    FlextError,
    NotFound,
    OperationFailed,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any


V1 = "/api/v1"
STATUS = {"pending": "queued", "submitted": "queued", "queued": "queued", "running": "running",
          "completed": "succeeded", "succeeded": "succeeded", "success": "succeeded", "failed": "failed",
          "timeout": "failed", "error": "failed", "cancelled": "cancelled", "canceled": "cancelled"}
FINAL = ("succeeded", "failed", "cancelled")
RUN_TIMEOUT_NS = 3600 * 10**9
LIST_LIMIT = 1000


def flexcore_error(response: Any, base: str) -> FlextError:
    """FlexCore answers `{"error": "...", "details": "..."}`."""
    from flext.backend.transport import json_body, status_error

    status = int(response.status_code)
    data = json_body(response)
    message = f"HTTP {status} from {base}{response.request.url.path}"
    if isinstance(data, dict) and data.get("error"):
        message = f"FlexCore: {data['error']}" + (f": {data['details']}" if data.get("details") else "")
    hint = "log in with `flext auth login`, or set FLEXT_TOKEN"
    return status_error(status, message, {401: hint, 403: hint}, otherwise="see FlexCore's log")


def _iso(value: Any) -> str | None:
    """RFC 3339 from Go (`2026-11-27T10:00:00.123456789+01:00`) as flext's UTC `...123Z`;
    Go's zero time is no time."""
    if not value or not isinstance(value, str) or value.startswith("0001-01-01"):
        return None
    return normalise(value)


def to_run(orch: dict[str, Any]) -> dict[str, Any]:
    status = STATUS.get(str(orch.get("status") or "").lower(), "queued")
    duration = orch.get("duration")
    seconds = round(duration / 1e9, 3) if isinstance(duration, (int, float)) and status in FINAL else None
    raw_meta = orch.get("metadata")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    return {
        "id": orch.get("id") or orch.get("orchestration_id"), "pipeline": orch.get("name"), "status": status,
        "started_at": _iso(orch.get("start_time")), "ended_at": _iso(orch.get("end_time")), "duration_s": seconds,
        "records": None, "exit_codes": {"tap": None, "target": None}, "log": None, "pid": None, "pgid": None,
        "error": orch.get("error") or None, "full_refresh": bool(meta.get("full_refresh")), "attempt": 1,
        "trigger": meta.get("trigger") or "flexcore", "job_id": orch.get("job_id") or None,
        "progress": orch.get("progress"),
    }


class FlexCoreBackend(RemoteBackend):
    """FlexCore's own routes for the verbs it has: runs Meltano jobs by name. It stores no
    pipeline definitions, no Singer state and installs nothing; those verbs are refused."""

    KIND = "flexcore"
    HINT = "use a `flext serve` profile (backend = \"http\") or the local engine for this"

    PORT = 8080

    def errors(self, response: Any, base: str) -> FlextError:
        return flexcore_error(response, base)

    # -- reading orchestrations -------------------------------------------------------------
    def _orchestrations(self, status: str | None = None) -> list[dict[str, Any]]:
        params = {"limit": LIST_LIMIT, **({"status": status} if status else {})}
        data = self.http.request("GET", f"{V1}/orchestration/list", params=params)
        items = data.get("orchestrations") if isinstance(data, dict) else None
        rows = [to_run(o) for o in items or [] if isinstance(o, dict)]
        return sorted(rows, key=lambda r: (r["started_at"] or "", str(r["id"])), reverse=True)

    def _latest(self) -> dict[str, dict[str, Any]]:
        latest: dict[str, dict[str, Any]] = {}
        for run in self._orchestrations():
            latest.setdefault(str(run["pipeline"]), run)
        return latest

    def _row(self, name: str, last: dict[str, Any] | None) -> dict[str, Any]:
        return {"name": name, "tap": None, "target": None, "transform": None, "schedule": None,
                "status": last["status"] if last else "never", "last_run": last["id"] if last else None,
                "last_started": last["started_at"] if last else None, "records": None}

    # -- pipelines -----------------------------------------------------------------------------
    def list_pipelines(self, status: str | None = None) -> list[dict[str, Any]]:
        rows = [self._row(name, run) for name, run in sorted(self._latest().items())]
        if status:
            wanted = ("queued", "running") if status == "running" else (status,)
            rows = [r for r in rows if r["status"] in wanted]
        return rows

    def get_pipeline(self, name: str) -> dict[str, Any]:
        last = self._latest().get(name)
        if last is None:
            raise NotFound(f"pipeline {name!r} has no runs on FlexCore",
                           hint=f"FlexCore knows pipelines by their runs: start one with `flext pipeline start {name}`")
        return {**self._row(name, last), "backend": "flexcore", "server": self.base}

    def match_pipelines(self, patterns: list[str], *, all_: bool = False) -> list[str]:
        from flext.backend.base import match_names

        globbing = all_ or any(any(c in p for c in "*?[") for p in patterns)
        known = sorted(self._latest()) if globbing else []
        return match_names(patterns, known, all_=all_, check=lambda name: None)  # any Meltano job may start




    # -- runs ------------------------------------------------------------------------------------
    def start(self, name: str, *, full_refresh: bool = False, trigger: str = "cli",
              idempotency_key: str | None = None) -> dict[str, Any]:
        args = [name] + (["--full-refresh"] if full_refresh else [])
        body = {"name": name, "runtime_type": "meltano", "command": "run", "args": args, "config": {},
                "timeout": RUN_TIMEOUT_NS, "priority": "normal",
                "metadata": {"source": "flext", "trigger": trigger, "full_refresh": full_refresh,
                             "correlation_id": str(self.ctx.correlation_id),
                             **({"idempotency_key": idempotency_key} if idempotency_key else {})}}
        # FlexCore has no idempotency keys: never retried once the request may have arrived
        data = self.http.request("POST", f"{V1}/orchestration/execute", body=body, idempotent=False)
        run_id = data.get("orchestration_id") if isinstance(data, dict) else None
        if not run_id:
            raise OperationFailed("FlexCore accepted the run but returned no orchestration id")
        return to_run({"id": run_id, "name": name, "status": data.get("status"), "start_time": data.get("start_time"),
                       "job_id": data.get("job_id"), "metadata": body["metadata"]})



    def stop(self, name: str, *, force: bool = False) -> dict[str, Any]:
        active = [r for r in self._orchestrations() if r["pipeline"] == name and r["status"] in ("queued", "running")]
        if not active:
            raise NotFound(f"pipeline {name!r} is not running on FlexCore")
        run_id = str(active[0]["id"])
        self.http.request("POST", f"{V1}/orchestration/{_q(run_id)}/cancel", body={}, idempotent=False)
        return self.get_run(name, run_id)

    def status(self, names: list[str] | None) -> list[dict[str, Any]]:
        latest = self._latest()
        chosen = names if names else sorted(latest)
        rows = []
        for name in chosen:
            last = latest.get(name)
            rows.append({"pipeline": name, "status": last["status"] if last else "never",
                         "run": last["id"] if last else None, "started_at": last["started_at"] if last else None,
                         "duration_s": last["duration_s"] if last else None, "records": None,
                         "error": (str(last["error"]).splitlines()[0] if last and last["error"] else None)})
        return rows

    def runs(self, name: str, limit: int = 20) -> list[dict[str, Any]]:
        rows = [r for r in self._orchestrations() if r["pipeline"] == name]
        if not rows:
            self.get_pipeline(name)
        return rows[:limit]

    def _orchestration(self, run_id: str) -> dict[str, Any]:
        data = self.http.request("GET", f"{V1}/orchestration/{_q(run_id)}")
        orch = data.get("orchestration") if isinstance(data, dict) else None
        if not isinstance(orch, dict):
            raise OperationFailed(f"FlexCore answered without an orchestration for {run_id!r}")
        return orch

    def get_run(self, name: str, run_id: str) -> dict[str, Any]:
        orch = self._orchestration(run_id)
        if orch.get("name") != name:
            raise NotFound(f"pipeline {name!r} has no run {run_id!r}")
        return to_run(orch)

    def logs(self, name: str, run_id: str | None = None, tail: int | None = None,
             follow: bool = False) -> Iterator[dict[str, Any]]:
        if run_id is None:
            last = self._latest().get(name)
            if last is None:
                raise NotFound(f"pipeline {name!r} has no runs on FlexCore",
                               hint=f"start one: flext pipeline start {name}")
            run_id = str(last["id"])
        first = self._orchestration(run_id)
        return self._log_lines(name, run_id, first, tail, follow)

    def _log_lines(self, name: str, run_id: str, orch: dict[str, Any], tail: int | None,
                   follow: bool) -> Iterator[dict[str, Any]]:
        def line(text: Any) -> dict[str, Any]:
            return {"ts": None, "level": "info", "source": "flexcore", "run_id": run_id, "pipeline": name,
                    "message": str(text)}

        lines = list(orch.get("logs") or [])
        shown = lines[-tail:] if tail is not None and tail > 0 else ([] if tail == 0 else lines)
        yield from (line(t) for t in shown)
        seen = len(lines)
        while follow and STATUS.get(str(orch.get("status") or "").lower()) not in FINAL:
            time.sleep(1.0)
            orch = self._orchestration(run_id)
            lines = list(orch.get("logs") or [])
            yield from (line(t) for t in lines[seen:])
            seen = len(lines)



    # -- plugins, discovery, dbt ------------------------------------------------------------------
    def list_plugins(self, kind: str | None = None, installed_only: bool = False) -> list[dict[str, Any]]:
        data = self.http.request("GET", f"{V1}/plugins/list")
        rows = []
        for plugin in (data.get("plugins") if isinstance(data, dict) else None) or []:
            if not isinstance(plugin, dict):
                continue
            plugin_kind = str(plugin.get("type") or "")
            if kind is not None and plugin_kind != kind:
                continue
            rows.append({"name": plugin.get("name") or plugin.get("plugin_id"), "kind": plugin_kind or None,
                         "installed": plugin.get("version") or "yes", "source": "flexcore",
                         "description": plugin.get("description"), "pip_url": None, "where": self.base})
        return sorted(rows, key=lambda r: str(r["name"]))




    # -- FlexCore itself ----------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("GET", "/health")
        return out

    def connectivity(self) -> dict[str, Any]:
        """Reachability and latency from /health, the version from /info, the token checked by an
        authenticated read. FlexCore's tokens carry no user FlexCore will tell us about: user
        and role are unknown (None)."""
        started = time.monotonic()
        health = self.health()
        latency = round((time.monotonic() - started) * 1000, 1)
        try:
            info = self.info()
        except FlextError:
            info = {}
        version = info.get("version") or health.get("version")
        # /health and /info answer anyone: one authenticated read tells whether the token is
        # accepted (exit 4 when FlexCore refuses it)
        self.http.request("GET", f"{V1}/orchestration/list", params={"limit": 1})
        return {"backend": "flexcore", "url": self.base, "workspace": None, "reachable": True,
                "version": version, "latency_ms": latency, "user": None, "role": None,
                "detail": f"FlexCore {version or ''}".strip()}

    def info(self) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("GET", "/info")
        return out


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


__all__ = ["STATUS", "FlexCoreBackend", "flexcore_error", "to_run"]
