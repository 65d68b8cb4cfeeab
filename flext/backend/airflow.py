"""The Backend protocol over Airflow 3's REST API v2 (`backend = "airflow"`, `api_url`).

Pipelines are DAGs tagged `flext` that `flext deploy airflow` wrote (one per pipeline,
`flext.backend.airflow_dags`); their one task runs `flext pipeline run NAME` in the
workspace. So Airflow schedules, starts, stops and records runs, and the workspace
keeps the run's own log and Singer state, as with the local engine:

| verb | REST v2 |
|------|---------|
| list, show | `GET /api/v2/dags?tags=flext`, `GET /api/v2/dags/{id}` (+ the latest dagRun) |
| start | `POST /api/v2/dags/{id}/dagRuns` with flext's own run id (a repeat is a 409: idempotent) |
| run, wait | start, then poll the dagRun (Ctrl-C stops it) |
| stop | `PATCH .../dagRuns/{run}` `{"state": "failed", "note": "stopped by flext"}`: Airflow kills the task |
| status, runs, show a run | `GET .../dagRuns`, `GET .../dagRuns/{run}` |
| logs | `GET .../taskInstances/run/logs/{try}`; `-f` polls with the continuation token |
| state | the XCom `return_value` of the task's last successful run (`flext-result {...}`) |
| schedules, pause, resume | the DAGs' cron and next run; `PATCH /api/v2/dags/{id}` `{"is_paused": ...}` |
| connectivity, whoami | `GET /api/v2/monitor/health`, `/api/v2/version`, the token's claims |
| login, logout | `POST /auth/token` (simple auth manager), `GET /api/v2/auth/logout` (revokes) |

What Airflow cannot do through its API is refused by BackendBase (exit 8) with a hint:
definitions are DAG files (`flext deploy airflow`), and taps, discovery, services and
log search belong to the workspace's own engine. httpx only: flext does not depend on
apache-airflow.
"""

from __future__ import annotations

import time

from flext.backend.airflow_dags import TAG, TASK_ID, dag_id, parse_description, result_of
from flext.backend.base import RemoteBackend
from flext.core.clock import normalise
from flext.core.errors import AuthError, ConfigError, Conflict, FlextError, NotFound, OperationFailed

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any


V2 = "/api/v2"
STATUS = {"queued": "queued", "running": "running", "success": "succeeded", "failed": "failed"}
FINAL = ("succeeded", "failed", "cancelled")
STOP_NOTE = "stopped by flext"
TI_ACTIVE = ("", "scheduled", "queued", "running", "up_for_retry", "up_for_reschedule", "restarting", "deferred")
PAGE = 100
POLL_S = 1.0
STOP_WAIT_S = 60.0
DEPLOY_HINT = ("pipeline definitions live in DAG files on Airflow: change flext.toml, then "
               "`flext deploy airflow --dags-folder DIR`")


def airflow_error(response: Any, base: str) -> FlextError:
    """Airflow answers `{"detail": "..."}` (or a list of validation errors for 422)."""
    from flext.backend.transport import json_body, status_error

    status = int(response.status_code)
    data = json_body(response)
    detail = data.get("detail") if isinstance(data, dict) else None
    if isinstance(detail, list):
        detail = "; ".join(str(d.get("msg") if isinstance(d, dict) else d) for d in detail)
    elif isinstance(detail, dict):
        detail = detail.get("reason") or detail.get("message")
    message = f"Airflow: {detail}" if detail else f"HTTP {status} from {base}{response.request.url.path}"
    return status_error(status, message, {
        401: "log in with `flext auth login` (Airflow's simple auth manager), "
             "or set FLEXT_TOKEN to a token from POST /auth/token",
        403: "the token was refused or its role may not do this; log in again with `flext auth login`",
        404: None if detail else f"is {base} an Airflow 3 API server? check the profile's api_url",
    }, otherwise="see the Airflow api-server's log")


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _ts(value: Any) -> str | None:
    """Airflow's `2026-12-03T10:08:25.247811Z` as flext's `2026-12-03T10:08:25.247Z`."""
    return normalise(value) if value and isinstance(value, str) else None


def _local_minutes(value: Any) -> str | None:
    """An Airflow UTC time as the local engine shows `next_run` (local time, minutes)."""
    if not value or not isinstance(value, str):
        return None
    from datetime import datetime

    from flext.core.clock import to_epoch

    epoch = to_epoch(value)
    if epoch is None:
        return value
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="minutes")


def to_run(name: str, dag_run: dict[str, Any], result: dict[str, Any] | None = None) -> dict[str, Any]:
    """A dagRun as flext's run record (the fields `flext pipeline runs` shows everywhere)."""
    state = str(dag_run.get("state") or "").lower()
    note = str(dag_run.get("note") or "")
    status = STATUS.get(state, "queued")
    error = None
    if status == "failed" and note.startswith(STOP_NOTE):
        status, error = "cancelled", "stopped by request"
    elif status == "failed":
        error = f"the Airflow task {TASK_ID!r} failed; see `flext pipeline logs {name} --run {dag_run.get('dag_run_id')}`"
    raw_conf = dag_run.get("conf")
    conf: dict[str, Any] = raw_conf if isinstance(raw_conf, dict) else {}
    duration = dag_run.get("duration")
    run = (result or {}).get("run") if result else None
    record: dict[str, Any] = {
        "id": dag_run.get("dag_run_id"), "pipeline": name, "status": status,
        "started_at": _ts(dag_run.get("start_date") or dag_run.get("queued_at")),
        "ended_at": _ts(dag_run.get("end_date")) if status in FINAL else None,
        "duration_s": round(float(duration), 3) if isinstance(duration, (int, float)) and status in FINAL else None,
        "records": run.get("records") if isinstance(run, dict) else None,
        "exit_codes": run.get("exit_codes") if isinstance(run, dict) else {"tap": None, "target": None},
        "log": None, "pid": None, "pgid": None, "error": error,
        "full_refresh": bool(conf.get("full_refresh")), "attempt": 1,
        "trigger": str(conf.get("trigger") or ("schedule" if dag_run.get("run_type") == "scheduled"
                                               else dag_run.get("run_type") or "airflow")),
        "dag_id": dag_run.get("dag_id"),
    }
    if isinstance(run, dict) and run.get("id"):
        record["workspace_run"] = run.get("id")  # the run's id in the workspace (its log and record there)
    return record


class AirflowBackend(RemoteBackend):
    """Airflow 3 runs the DAGs that `flext deploy airflow` wrote; this talks to its REST API."""

    KIND = "airflow"
    HINT = "Airflow runs deployed DAGs only; use the workspace's own engine (a local profile) for this"

    PORT = 8080

    def errors(self, response: Any, base: str) -> FlextError:
        return airflow_error(response, base)

    def _token(self) -> str | None:
        return self.token()

    def get(self, path: str, **params: Any) -> Any:
        return self.http.request("GET", V2 + path, params={k: v for k, v in params.items() if v is not None})

    # -- DAGs ----------------------------------------------------------------------------
    def _dags(self) -> list[dict[str, Any]]:
        """Every live DAG tagged flext (paged)."""
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self.get("/dags", tags=TAG, limit=PAGE, offset=offset)
            items = [d for d in (page.get("dags") if isinstance(page, dict) else None) or [] if isinstance(d, dict)]
            out.extend(items)
            offset += len(items)
            if not items or offset >= int(page.get("total_entries") or 0):
                return out

    def _dag(self, name: str) -> dict[str, Any]:
        try:
            dag: dict[str, Any] = self.get(f"/dags/{_q(dag_id(name))}")
        except NotFound:
            raise NotFound(f"pipeline {name!r} is not deployed on Airflow ({self.base})",
                           hint="deploy it with `flext deploy airflow --dags-folder DIR`; Airflow lists it "
                                "once its dag-processor has parsed the file") from None
        if dag.get("is_stale"):  # its file is gone: Airflow keeps the history, flext lists it no more
            raise NotFound(f"pipeline {name!r} is no longer deployed on Airflow ({self.base}): its DAG file was "
                           "removed", hint="deploy it again with `flext deploy airflow --dags-folder DIR`")
        tags = {str(t.get("name")) for t in dag.get("tags") or [] if isinstance(t, dict)}
        if TAG not in tags:
            raise NotFound(f"the Airflow DAG {dag.get('dag_id')!r} is not a flext pipeline (no {TAG!r} tag)",
                           hint="see `flext pipeline list`")
        return dag

    @staticmethod
    def _name(dag: dict[str, Any]) -> str:
        return str(parse_description(dag.get("description"))["name"] or dag.get("dag_display_name")
                   or dag.get("dag_id"))

    def _last(self, name: str, **filters: Any) -> dict[str, Any] | None:
        page = self.get(f"/dags/{_q(dag_id(name))}/dagRuns", order_by="-id", limit=1, **filters)
        items = page.get("dag_runs") if isinstance(page, dict) else None
        return items[0] if items else None

    def _record(self, name: str, dag_run: dict[str, Any]) -> dict[str, Any]:
        """The run record, with the workspace run's counts when it succeeded (its XCom)."""
        ok = dag_run.get("state") == "success"
        return to_run(name, dag_run, self._result(name, str(dag_run.get("dag_run_id"))) if ok else None)

    def _row(self, dag: dict[str, Any], last: dict[str, Any] | None) -> dict[str, Any]:
        name = self._name(dag)
        parts = parse_description(dag.get("description"))
        run = self._record(name, last) if last else None
        return {"name": name, "tap": parts["tap"], "target": parts["target"], "transform": parts["transform"],
                "schedule": dag.get("timetable_summary") or None,
                "status": run["status"] if run else "never", "last_run": run["id"] if run else None,
                "last_started": run["started_at"] if run else None, "records": run["records"] if run else None}

    # -- pipelines -------------------------------------------------------------------------
    def list_pipelines(self, status: str | None = None) -> list[dict[str, Any]]:
        rows = [self._row(dag, self._last(self._name(dag))) for dag in self._dags()]
        rows.sort(key=lambda r: r["name"])
        if status:
            wanted = ("queued", "running") if status == "running" else (status,)
            rows = [r for r in rows if r["status"] in wanted]
        return rows

    def get_pipeline(self, name: str) -> dict[str, Any]:
        dag = self._dag(name)
        row = self._row(dag, self._last(name))
        paused = bool(dag.get("is_paused"))
        row.update({"paused": paused, "next_run": None if paused else _local_minutes(dag.get("next_dagrun_run_after")),
                    "dag_id": dag.get("dag_id"), "backend": "airflow", "server": self.base,
                    "file": dag.get("fileloc")})
        return row

    def match_pipelines(self, patterns: list[str], *, all_: bool = False) -> list[str]:
        from flext.backend.base import match_names

        globbing = all_ or any(any(c in p for c in "*?[") for p in patterns)
        known = sorted(self._name(d) for d in self._dags()) if globbing else []
        return match_names(patterns, known, all_=all_, check=self._dag)

    def create_pipeline(self, spec: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        self.refuse("create_pipeline", DEPLOY_HINT)

    def create_pipelines(self, specs: list[dict[str, Any]], *, replace: bool = False) -> list[dict[str, Any]]:
        self.refuse("create_pipelines", DEPLOY_HINT)

    def edit_pipeline(self, name: str, changes: dict[str, Any], *, unset: tuple[str, ...] = ()) -> dict[str, Any]:
        self.refuse("edit_pipeline", DEPLOY_HINT)

    def delete_pipeline(self, name: str) -> dict[str, Any]:
        self.refuse("delete_pipeline", "remove it from flext.toml, then `flext deploy airflow --dags-folder DIR` "
                                       "removes its DAG file")

    # -- runs ----------------------------------------------------------------------------
    def start(self, name: str, *, full_refresh: bool = False, trigger: str = "cli",
              idempotency_key: str | None = None) -> dict[str, Any]:
        """One dagRun with flext's own run id, so a retried POST cannot start a second run."""
        from flext.core.clock import new_run_id

        dag = self._dag(name)
        active = self._active(name)
        if active is not None:
            raise Conflict(f"pipeline {name!r} is already running (run {active['dag_run_id']}, {active['state']})",
                           hint=f"follow it with `flext pipeline logs {name} -f`, or stop it with "
                                f"`flext pipeline stop {name}`")
        run_id = idempotency_key or new_run_id()
        body = {"dag_run_id": run_id, "logical_date": None,
                "conf": {"full_refresh": full_refresh, "trigger": trigger},
                "note": f"started by flext ({trigger})"}
        path = f"/dags/{_q(str(dag['dag_id']))}/dagRuns"
        try:
            created = self.http.request("POST", V2 + path, body=body, idempotent=True)
        except Conflict:  # our own earlier attempt got through: the run exists under our id
            created = self.get(f"{path}/{_q(run_id)}")
        return to_run(name, created)

    def _active(self, name: str) -> dict[str, Any] | None:
        return self._last(name, state=["queued", "running"])



    def stop(self, name: str, *, force: bool = False) -> dict[str, Any]:
        """Mark the active dagRun failed (Airflow then kills the task: SIGTERM to flext, which
        stops the tap and target and records the run cancelled in the workspace)."""
        self._dag(name)
        active = self._active(name)
        if active is None:
            last = self._last(name)
            raise NotFound(f"pipeline {name!r} is not running on Airflow",
                           hint=f"its last run {last['dag_run_id']} {to_run(name, last)['status']}" if last
                           else "it has never run")
        run_id = str(active["dag_run_id"])
        self.http.request("PATCH", f"{V2}/dags/{_q(dag_id(name))}/dagRuns/{_q(run_id)}",
                          body={"state": "failed", "note": STOP_NOTE + (" (forced)" if force else "")},
                          idempotent=True)
        return self._wait_task_end(name, run_id)

    def _wait_task_end(self, name: str, run_id: str) -> dict[str, Any]:
        """The run once Airflow has killed its task (its log says so; at most STOP_WAIT_S)."""
        for _ in self._log_lines(name, run_id, 0, True):
            pass
        return self.get_run(name, run_id)

    def status(self, names: list[str] | None) -> list[dict[str, Any]]:
        chosen = names if names else sorted(self._name(d) for d in self._dags())
        rows = []
        for name in chosen:
            last = self._last(name)
            run = self._record(name, last) if last else None
            rows.append({"pipeline": name, "status": run["status"] if run else "never",
                         "run": run["id"] if run else None, "started_at": run["started_at"] if run else None,
                         "duration_s": run["duration_s"] if run else None, "records": run["records"] if run else None,
                         "error": run["error"] if run else None})
        return rows

    def runs(self, name: str, limit: int = 20) -> list[dict[str, Any]]:
        self._dag(name)
        page = self.get(f"/dags/{_q(dag_id(name))}/dagRuns", order_by="-id", limit=limit)
        return [self._record(name, r) for r in (page.get("dag_runs") if isinstance(page, dict) else None) or []]

    def get_run(self, name: str, run_id: str) -> dict[str, Any]:
        try:
            dag_run = self.get(f"/dags/{_q(dag_id(name))}/dagRuns/{_q(run_id)}")
        except NotFound:
            self._dag(name)
            raise NotFound(f"pipeline {name!r} has no run {run_id!r} on Airflow",
                           hint=f"see `flext pipeline runs {name}`") from None
        return self._record(name, dag_run)

    def _result(self, name: str, run_id: str) -> dict[str, Any] | None:
        """The task's `flext-result` document (its XCom return_value), None when it has none."""
        try:
            entry = self.get(f"/dags/{_q(dag_id(name))}/dagRuns/{_q(run_id)}/taskInstances/{TASK_ID}"
                             f"/xcomEntries/return_value")
        except NotFound:
            return None
        return result_of(entry.get("value") if isinstance(entry, dict) else None)

    def _task(self, name: str, run_id: str) -> dict[str, Any] | None:
        try:
            ti = self.get(f"/dags/{_q(dag_id(name))}/dagRuns/{_q(run_id)}/taskInstances/{TASK_ID}")
        except NotFound:
            return None
        return ti if isinstance(ti, dict) else None

    def logs(self, name: str, run_id: str | None = None, tail: int | None = None,
             follow: bool = False) -> Iterator[dict[str, Any]]:
        """The task's log lines; the run's own lines (tap, target) keep their source. Errors
        (unknown pipeline or run) raise here, before the caller prints anything."""
        if run_id is None:
            last = self._last(name)
            if last is None:
                self._dag(name)
                raise NotFound(f"pipeline {name!r} has no runs on Airflow yet",
                               hint=f"start one: flext pipeline start {name}")
            run_id = str(last["dag_run_id"])
        else:
            self.get_run(name, run_id)
        return self._log_lines(name, run_id, tail, follow)

    def _log_lines(self, name: str, run_id: str, tail: int | None, follow: bool) -> Iterator[dict[str, Any]]:
        """The task's log; following, new lines by the continuation token until the run has ended
        and so has the task's process (a stopped run's dagRun is final at once, while Airflow
        kills its task at the next heartbeat). Airflow may serve one line twice (the worker's
        file and its log server on one host) and its token counts those, so lines are keyed
        and shown once, and a last full read after the end makes sure none is missed."""
        seen: set[tuple[Any, ...]] = set()
        token: str | None = None
        first, ended = True, False
        final_at: float | None = None
        while True:
            ti = self._task(name, run_id)
            ti_state = str(ti.get("state") or "") if ti else ""
            tries = int(ti.get("try_number") or 0) if ti else 0
            started = ti is not None and bool(ti.get("start_date")) and tries > 0
            lines: list[dict[str, Any]] = []
            if started:
                items, token = self._read_log(name, run_id, tries, token)
                for key, line in items:
                    if key not in seen:
                        seen.add(key)
                        lines.append(line)
            ended = ended or any(_task_ended(line) for line in lines)
            if first and tail is not None:
                lines = lines[-tail:] if tail > 0 else []
            first = False
            yield from lines
            if not follow:
                return
            if ti_state not in TI_ACTIVE and self.get_run(name, run_id)["status"] in FINAL:
                final_at = final_at if final_at is not None else time.monotonic()
                if ended or not started or time.monotonic() - final_at > STOP_WAIT_S:
                    if started:  # the whole log once more: what landed after the last read
                        items, _ = self._read_log(name, run_id, tries, None)
                        yield from (line for key, line in items if key not in seen)
                    return
            self.sleep(POLL_S)

    def _read_log(self, name: str, run_id: str, tries: int,
                  token: str | None) -> tuple[list[tuple[tuple[Any, ...], dict[str, Any]]], str | None]:
        """(key, line) pairs of one read, and the continuation token for the next."""
        path = f"/dags/{_q(dag_id(name))}/dagRuns/{_q(run_id)}/taskInstances/{TASK_ID}/logs/{tries}"
        try:
            page = self.get(path, token=token)
        except NotFound:
            return [], token
        if not isinstance(page, dict):
            return [], token
        out = []
        in_header = False
        for item in page.get("content") or []:
            if isinstance(item, str):
                item = {"event": item}
            if not isinstance(item, dict):
                continue
            event = str(item.get("event") or "")
            if not item.get("timestamp"):  # where Airflow read the log from, not a line of it
                if event == _SOURCES:
                    in_header = True
                    continue
                if in_header:
                    in_header = event != "::endgroup::"
                    continue
            line = _log_line(item, name, run_id)
            if line is not None:
                out.append(((item.get("timestamp"), item.get("logger"), event), line))
        return out, page.get("continuation_token") or token

    def state(self, name: str) -> dict[str, Any] | None:
        """The pipeline's Singer state as the task printed it at the end of its last successful run."""
        self._dag(name)
        last = self._last(name, state="success")
        if last is None:
            return None
        result = self._result(name, str(last["dag_run_id"]))
        value = result.get("state") if result else None
        return value if isinstance(value, dict) else None

    def clear_state(self, name: str) -> dict[str, Any]:
        self.refuse("clear_state", f"the state lives in the workspace the DAG runs in: there, "
                                   f"`flext pipeline state {name} --clear`")

    # -- schedules -----------------------------------------------------------------------
    def schedules(self) -> list[dict[str, Any]]:
        rows = []
        for dag in self._dags():
            if not dag.get("timetable_summary"):
                continue
            paused = bool(dag.get("is_paused"))
            rows.append({"name": self._name(dag), "schedule": dag.get("timetable_summary"), "paused": paused,
                         "next_run": None if paused else _local_minutes(dag.get("next_dagrun_run_after"))})
        return sorted(rows, key=lambda r: r["name"])

    def _set_paused(self, name: str, paused: bool) -> dict[str, Any]:
        dag = self._dag(name)
        if not dag.get("timetable_summary"):
            raise ConfigError(f"pipeline {name!r} has no schedule to {'pause' if paused else 'resume'}",
                              hint="give it one in flext.toml (schedule = \"CRON\") and deploy again")
        out = self.http.request("PATCH", f"{V2}/dags/{_q(str(dag['dag_id']))}", body={"is_paused": paused})
        return {"name": name, "schedule": out.get("timetable_summary"), "paused": bool(out.get("is_paused")),
                **({} if paused else {"next_run": _local_minutes(out.get("next_dagrun_run_after"))})}

    def pause(self, name: str) -> dict[str, Any]:
        return self._set_paused(name, True)

    def resume(self, name: str) -> dict[str, Any]:
        return self._set_paused(name, False)

    # -- refused with a better hint than the default -------------------------------------------
    def install_plugin(self, name: str, kind: str, pip_url: str | None = None,
                       on_status: Callable[[str], None] | None = None,
                       installer: str | None = None) -> dict[str, Any]:
        self.refuse("install_plugin", "install taps and targets in the workspace the DAGs run in "
                                      "(there: `flext plugin install NAME`), or into the task's image")

    # -- identity, connectivity ----------------------------------------------------------------
    def _claims(self) -> dict[str, Any]:
        """The token's claims (sub, role, exp), read without verifying: Airflow verifies it."""
        return _decode(self._token() or "")

    def whoami(self) -> dict[str, Any]:
        """Who the token says it is, once Airflow has accepted it (exit 4 when it does not)."""
        if not self._token():
            raise AuthError(f"no Airflow token for profile {self.ctx.profile!r}",
                            hint="log in with `flext auth login`, or set FLEXT_TOKEN")
        self.get("/dags", limit=1)
        claims = self._claims()
        exp = claims.get("exp")
        from flext.core.clock import iso

        return {"user": claims.get("sub"), "role": claims.get("role"), "backend": "airflow",
                "expires_at": iso(float(exp)) if isinstance(exp, (int, float)) else None}

    def connectivity(self) -> dict[str, Any]:
        """Latency of `/api/v2/version`, the health of Airflow's parts, then who the token is
        (exit 3 when Airflow cannot be reached, 4 when it refuses the token)."""
        self.http.client()  # importing httpx and building the client is not network latency
        started = time.monotonic()
        version = self.http.request("GET", f"{V2}/version", auth=False)
        latency = round((time.monotonic() - started) * 1000, 1)
        health = self.http.request("GET", f"{V2}/monitor/health", auth=False)
        me = self.whoami()
        number = version.get("version") if isinstance(version, dict) else None
        parts = [f"{part} {(doc or {}).get('status') or 'unknown'}" for part, doc in
                 (health.items() if isinstance(health, dict) else []) if isinstance(doc, dict) or doc is None]
        return {"backend": "airflow", "url": self.base, "workspace": None, "reachable": True,
                "version": number, "latency_ms": latency, "user": me.get("user"), "role": me.get("role"),
                "detail": f"Airflow {number or ''}".strip() + (f" ({', '.join(parts)})" if parts else "")}

    def login(self, username: str, password: str) -> dict[str, Any]:
        """A JWT from the simple auth manager's `POST /auth/token`."""
        out = self.http.request("POST", "/auth/token", body={"username": username, "password": password},
                                auth=False)
        token = out.get("access_token") if isinstance(out, dict) else None
        if not token:
            raise OperationFailed("Airflow answered POST /auth/token without an access_token",
                                  hint="is the API server using the simple auth manager?")
        from flext.core.secrets import remember

        remember(str(token))
        claims = _decode(str(token))
        exp = claims.get("exp")
        from flext.core.clock import iso

        return {"token": token, "user": claims.get("sub") or username, "role": claims.get("role"),
                "token_id": claims.get("jti"), "expires_at": iso(float(exp)) if isinstance(exp, (int, float)) else None}

    def logout(self, token: str | None = None) -> dict[str, Any]:
        """`GET /api/v2/auth/logout` revokes the bearer token (Airflow answers with a redirect)."""
        headers = {"Authorization": f"Bearer {token}"} if token else None
        self.http.request("GET", f"{V2}/auth/logout", auth=token is None, headers=headers)
        return {"revoked": True}


def _decode(token: str) -> dict[str, Any]:
    import base64
    import json

    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


_SOURCES = "::group::Log message source details"
# what Airflow logs once the task's process has ended (the operator returned, or was killed)
_ENDED = ("Command exited with return code", "Task killed!", "::group::Post Execute")


def _task_ended(line: dict[str, Any]) -> bool:
    return line.get("source") in ("task", "airflow") and str(line.get("message") or "").startswith(_ENDED)


def _log_line(item: dict[str, Any], name: str, run_id: str) -> dict[str, Any] | None:
    """One Airflow log message as a flext log line. The task's stdout lines that are flext's
    own JSON log lines (`pipeline logs -o jsonl`) keep their source (tap, target, runner)."""
    import json

    event = str(item.get("event") or "")
    if event.startswith("{") and event.endswith("}"):
        try:
            inner = json.loads(event)
        except ValueError:
            inner = None
        if isinstance(inner, dict) and "message" in inner and "source" in inner:
            return {"ts": _ts(inner.get("ts")), "level": str(inner.get("level") or "info"),
                    "source": str(inner.get("source")), "run_id": run_id, "pipeline": name,
                    "message": str(inner.get("message"))}
    logger = str(item.get("logger") or "")
    source = "task" if logger.endswith("SubprocessHook") else "airflow"
    return {"ts": _ts(item.get("timestamp")), "level": str(item.get("level") or "info").lower(),
            "source": source, "run_id": run_id, "pipeline": name, "message": event}


__all__ = ["AirflowBackend", "airflow_error", "to_run"]
