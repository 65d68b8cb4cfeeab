"""The Backend protocol over HTTP: a profile with `api_url` talks to `flext serve`.

Every method answers what `LocalBackend` answers (the server runs the same engine), so
command handlers and their output do not change. What only a client can do lives here:
- files named on the command line (`--tap-config FILE`, `discover --config FILE`) are
  read here and sent inline: the server cannot see the client's disk;
- `pipeline start` sends an Idempotency-Key made once per call and reused by every
  retry, so a start whose answer was lost cannot start a second run;
- `pipeline run` (foreground) is a start followed by polling the run record, with
  progress, and Ctrl-C stops the remote run;
- log follow is a stream that fails with exit 3 if it breaks.
"""

from __future__ import annotations

import os
import time

from flext.backend.base import RemoteBackend

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from flext.core.contract import LogQuery

V1 = "/api/v1"
LONG_S = 1800.0  # installs and dbt builds
STOP_GRACE_S = 10.0


def _q(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


class HttpBackend(RemoteBackend):
    KIND = "http"

    def get(self, path: str, **params: Any) -> Any:
        return self.http.request("GET", V1 + path, params=_params(params))

    # -- pipelines -------------------------------------------------------------------------
    def list_pipelines(self, status: str | None = None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.get("/pipelines", status=status)
        return rows

    def get_pipeline(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = self.get(f"/pipelines/{_q(name)}")
        return out

    def create_pipeline(self, spec: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        spec = _inline_files(spec)
        if replace:
            out: dict[str, Any] = self.http.request("PUT", f"{V1}/pipelines/{_q(str(spec.get('name')))}", body=spec)
            return out
        created: dict[str, Any] = self.http.request("POST", f"{V1}/pipelines", body=spec)
        return created

    def create_pipelines(self, specs: list[dict[str, Any]], *, replace: bool = False) -> list[dict[str, Any]]:
        body = {"pipelines": [_inline_files(s) for s in specs], "replace": replace}
        out: list[dict[str, Any]] = self.http.request("POST", f"{V1}/pipelines", body=body)
        return out

    def edit_pipeline(self, name: str, changes: dict[str, Any], *, unset: tuple[str, ...] = ()) -> dict[str, Any]:
        body = {"set": _inline_files(changes), "unset": list(unset)}
        out: dict[str, Any] = self.http.request("PATCH", f"{V1}/pipelines/{_q(name)}", body=body)
        return out

    def delete_pipeline(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("DELETE", f"{V1}/pipelines/{_q(name)}")
        return out

    def match_pipelines(self, patterns: list[str], *, all_: bool = False) -> list[str]:
        """Same rules and messages as the local engine: literals must exist, globs must match."""
        from flext.backend.base import match_names

        known = sorted(str(r["name"]) for r in self.list_pipelines())
        known_set = set(known)

        def check(name: str) -> None:
            if name not in known_set:
                self.get_pipeline(name)  # the server's NotFound, with its did-you-mean

        return match_names(patterns, known, all_=all_, check=check, where=f"the workspace of {self.base}")

    # -- runs ----------------------------------------------------------------------------------
    def start(self, name: str, *, full_refresh: bool = False, trigger: str = "cli",
              idempotency_key: str | None = None) -> dict[str, Any]:
        key = idempotency_key or f"{self.ctx.correlation_id}-{os.urandom(8).hex()}"
        out: dict[str, Any] = self.http.request(
            "POST", f"{V1}/pipelines/{_q(name)}/run", body={"full_refresh": full_refresh},
            headers={"Idempotency-Key": key}, idempotent=True)
        return _run(out)



    def stop(self, name: str, *, force: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("POST", f"{V1}/pipelines/{_q(name)}/stop", body={"force": force},
                                                timeout=self.http.timeout + STOP_GRACE_S + 5)
        return _run(out)

    def status(self, names: list[str] | None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.http.request("GET", f"{V1}/status", params={"name": names or []})
        return rows

    def runs(self, name: str, limit: int = 20) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.get(f"/pipelines/{_q(name)}/runs", limit=limit)
        return [_run(r) for r in rows]

    def get_run(self, name: str, run_id: str) -> dict[str, Any]:
        out: dict[str, Any] = self.get(f"/pipelines/{_q(name)}/runs/{_q(run_id)}")
        return _run(out)

    def logs(self, name: str, run_id: str | None = None, tail: int | None = None,
             follow: bool = False) -> Iterator[dict[str, Any]]:
        params = _params({"run": run_id, "tail": tail, "follow": 1 if follow else None})
        return self.http.stream(f"{V1}/pipelines/{_q(name)}/logs", params)

    def state(self, name: str) -> dict[str, Any] | None:
        doc = self.get(f"/pipelines/{_q(name)}/state")
        value = doc.get("state") if isinstance(doc, dict) else None
        return value if isinstance(value, dict) else None

    def clear_state(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("DELETE", f"{V1}/pipelines/{_q(name)}/state")
        return out

    # -- plugins, discovery, dbt -------------------------------------------------------------
    def list_plugins(self, kind: str | None = None, installed_only: bool = False) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.get("/plugins", kind=kind, installed=1 if installed_only else None)
        return rows

    def install_plugin(self, name: str, kind: str, pip_url: str | None = None,
                       on_status: Callable[[str], None] | None = None,
                       installer: str | None = None) -> dict[str, Any]:
        if on_status is not None:
            on_status(f"installing {name} on {self.base} (this can take a few minutes)")
        body = {"name": name, "kind": kind, **({"pip_url": pip_url} if pip_url else {}),
                **({"installer": installer} if installer else {})}
        out: dict[str, Any] = self.http.request("POST", f"{V1}/plugins", body=body, timeout=LONG_S)
        return out

    def discover(self, tap: str, *, config_file: str | None = None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {}
        if config_file:
            from flext.engine.settings import load_file

            body["config"] = load_file(os.path.abspath(config_file), "--config")
        rows: list[dict[str, Any]] = self.http.request("POST", f"{V1}/taps/{_q(tap)}/discover", body=body,
                                                       timeout=LONG_S, idempotent=True)
        return rows

    def dbt(self, project: str, command: str, *, select: str | None = None,
            target: str | None = None) -> dict[str, Any]:
        body = {"project": project, **({"select": select} if select else {}), **({"target": target} if target else {})}
        out: dict[str, Any] = self.http.request("POST", f"{V1}/dbt/{_q(command)}", body=body, timeout=LONG_S)
        return out

    # -- schedules -----------------------------------------------------------------------
    def schedules(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.get("/schedules")
        return rows

    def pause(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("POST", f"{V1}/pipelines/{_q(name)}/pause")
        return out

    def resume(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("POST", f"{V1}/pipelines/{_q(name)}/resume")
        return out

    # -- logs ------------------------------------------------------------------------------
    def log_sources(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.get("/logs/sources")
        return rows

    def read_logs(self, query: LogQuery) -> Iterator[dict[str, Any]]:
        return self.http.stream(f"{V1}/logs", _log_params(query))

    def count_logs(self, query: LogQuery) -> int:
        out: dict[str, Any] = self.http.request("GET", f"{V1}/logs/count", params=_log_params(query), timeout=LONG_S)
        return int(out["count"])

    # -- services ----------------------------------------------------------------------------
    def list_services(self, *, all_: bool = False) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.get("/services", all=1 if all_ else None)
        return rows

    def add_service(self, name: str, fields: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("PUT" if replace else "POST", f"{V1}/services/{_q(name)}",
                                                body=fields)
        return out

    def remove_service(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("DELETE", f"{V1}/services/{_q(name)}")
        return out

    def discover_services(self, host: str, ports: list[int], timeout: float) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.http.request(
            "POST", f"{V1}/services/discover", body={"host": host, "ports": ports, "timeout": timeout},
            timeout=timeout * 2 + self.http.timeout)
        return rows

    def service_health(self, names: list[str], timeout: float | None = None, *,
                       force: bool = False) -> list[dict[str, Any]]:
        wait = (timeout or 10.0) + self.http.timeout
        rows: list[dict[str, Any]] = self.http.request(
            "GET", f"{V1}/services/health", params=_params({"name": names, "timeout": timeout}), timeout=wait)
        return rows

    def system_status(self, timeout: float | None = None, *,
                      names: list[str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("GET", f"{V1}/system/status",
                                                params=_params({"timeout": timeout, "name": names or []}),
                                                timeout=(timeout or 2.0) * 3 + self.http.timeout)
        return out

    def service_action(self, name: str, action: str, *, timeout: float | None = None,
                       force: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if timeout is not None:
            body["timeout"] = timeout
        if force:
            body["force"] = True
        out: dict[str, Any] = self.http.request("POST", f"{V1}/services/{_q(name)}/{_q(action)}", body=body,
                                                timeout=(timeout or 60.0) + self.http.timeout + 10)
        return out

    def service_logs(self, name: str, *, tail: int | None = None, since: str | None = None,
                     follow: bool = False) -> Iterator[dict[str, Any]]:
        params = _params({"tail": tail, "since": since, "follow": 1 if follow else None})
        return self.http.stream(f"{V1}/services/{_q(name)}/logs", params)

    # -- alerts, metrics, performance --------------------------------------------------------
    def list_alerts(self, *, evaluate: bool = True, timeout: float | None = None) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.http.request(
            "GET", f"{V1}/alerts", params=_params({"no_eval": None if evaluate else 1, "timeout": timeout}),
            timeout=(timeout or 3.0) * 3 + self.http.timeout)
        return rows

    def add_alert(self, name: str, when: str, *, description: str | None = None,
                  notify: list[str] | None = None, replace: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {"when": when, **({"description": description} if description else {})}
        if notify:
            body["notify"] = list(notify)
        out: dict[str, Any] = self.http.request("PUT" if replace else "POST", f"{V1}/alerts/{_q(name)}", body=body)
        return out

    def remove_alert(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("DELETE", f"{V1}/alerts/{_q(name)}")
        return out

    def alert_notify(self, name: str, *, add: list[str] | None = None,
                     remove: list[str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("POST", f"{V1}/alerts/{_q(name)}/notify",
                                                body={"add": list(add or []), "remove": list(remove or [])})
        return out

    def test_alert(self, name: str) -> list[dict[str, Any]]:
        """The server sends the test notifications (its secrets, its network) and says how each went."""
        rows: list[dict[str, Any]] = self.http.request("POST", f"{V1}/alerts/{_q(name)}/test",
                                                       timeout=self.http.timeout + 60)
        return rows

    def alert_history(self, name: str | None = None, *, limit: int = 50) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.get("/alerts/history", name=name, limit=limit)
        return rows

    def metrics(self, service: str | None, *, timeout: float | None = None) -> dict[str, Any]:
        """A service's metrics as the server reads them; none named: the server's own /metrics
        (with this profile's token)."""
        if service:
            out: dict[str, Any] = self.http.request("GET", f"{V1}/services/{_q(service)}/metrics",
                                                    params=_params({"timeout": timeout}))
            return out
        from flext.services import metrics as m

        text = str(self.http.request("GET", "/metrics") or "")
        return {"source": f"{self.base}/metrics", "samples": m.rows(m.parse_body(text.encode(), "text/plain",
                                                                               f"{self.base}/metrics"))}

    def run_performance(self, *, since: float | None = None, limit: int = 20) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.get("/performance", since=since, limit=limit)
        return rows

    # -- identity, connectivity, audit ------------------------------------------------------
    def connectivity(self) -> dict[str, Any]:
        """Reachability, version and latency from /health, then who the token maps to: exit 3
        when the server cannot be reached, 4 when it refuses the token."""
        self.http.client()  # importing httpx is not the server's latency
        started = time.monotonic()
        health = self.http.request("GET", "/health", auth=False)
        latency = round((time.monotonic() - started) * 1000, 1)
        me = self.whoami()
        return {"backend": "http", "url": self.base, "workspace": None, "reachable": True,
                "version": health.get("version"), "latency_ms": latency, "user": me.get("user"),
                "role": me.get("role"), "detail": f"flext serve {health.get('version') or ''}".strip()}

    def audit(self) -> list[dict[str, Any]]:
        """The server's audit entries, oldest first (the command filters and limits)."""
        rows: list[dict[str, Any]] = self.get("/audit")
        return rows

    def login(self, username: str, password: str) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("POST", f"{V1}/auth/login", body={"username": username,
                                                                                 "password": password}, auth=False)
        return out

    def logout(self, token: str | None = None) -> dict[str, Any]:
        """Revoke this profile's token on the server (or `token`, one the keyring refused)."""
        if token is not None:
            out: dict[str, Any] = self.http.request("POST", f"{V1}/auth/logout", auth=False,
                                                    headers={"Authorization": f"Bearer {token}"})
            return out
        out = self.http.request("POST", f"{V1}/auth/logout")
        return out

    def whoami(self) -> dict[str, Any]:
        out: dict[str, Any] = self.get("/auth/user")
        return out

    def tokens(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.get("/auth/tokens")
        return rows

    def create_token(self, role: str, name: str | None = None) -> dict[str, Any]:
        body = {"role": role, **({"name": name} if name else {})}
        out: dict[str, Any] = self.http.request("POST", f"{V1}/auth/tokens", body=body)
        return out

    def revoke_token(self, token_id: str) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("DELETE", f"{V1}/auth/tokens/{_q(token_id)}")
        return out

    def users(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.get("/auth/users")
        return rows

    def create_user(self, name: str, role: str, password: str | None) -> dict[str, Any]:
        body = {"name": name, "role": role, **({"password": password} if password else {})}
        out: dict[str, Any] = self.http.request("POST", f"{V1}/auth/users", body=body)
        return out

    def delete_user(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = self.http.request("DELETE", f"{V1}/auth/users/{_q(name)}")
        return out


def _run(record: dict[str, Any]) -> dict[str, Any]:
    """A run record as the local engine shows it (the idempotency key is the server's business)."""
    record.pop("idempotency_key", None)
    return record


def _params(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != []}


def _log_params(query: LogQuery) -> dict[str, Any]:
    """A LogQuery as query parameters (`source`/`stream` repeat)."""
    return _params({
        "text": query.get("text"), "regex": 1 if query.get("regex") else None,
        "ignore_case": 1 if query.get("ignore_case") else None, "since": query.get("since"),
        "until": query.get("until"), "level": query.get("level"), "source": list(query.get("sources") or []),
        "stream": list(query.get("streams") or []), "tail": query.get("tail"),
        "follow": 1 if query.get("follow") else None, "limit": query.get("limit"),
    })


def _inline_files(spec: dict[str, Any]) -> dict[str, Any]:
    """`tap_config_file` names a file on this machine: send its content instead."""
    out = dict(spec)
    for role in ("tap", "target"):
        path = out.get(f"{role}_config_file")
        if path and os.path.exists(os.path.expanduser(str(path))):
            from flext.engine.settings import load_file

            loaded = load_file(os.path.abspath(os.path.expanduser(str(path))), f"--{role}-config")
            out[f"{role}_config"] = {**(out.get(f"{role}_config") or {}), **loaded}
            del out[f"{role}_config_file"]
    return out


__all__ = ["HttpBackend"]
