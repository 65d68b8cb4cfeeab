"""What every backend shares: the refusals it inherits, and bulk name matching.

`BackendBase` implements every verb of `flext.core.contract.Backend` by raising
`Unsupported` with the backend's name and the verb in words, so a backend declares only
what it can do, and what it cannot do is one clear error (exit 8), never a silent
answer from this machine's files. mypy checks each override against the base and each
backend against the protocol (`flext.backend.select`).
"""

from __future__ import annotations

import time
from typing import Any, NoReturn

from flext.core.contract import LIST_STATUSES, RUN_STATUSES
from flext.core.errors import Unsupported

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from flext.backend.transport import Transport
    from flext.core.contract import LogQuery
    from flext.core.errors import FlextError

FINAL = ("succeeded", "failed", "cancelled", "skipped")

# verb -> what it does, in the words of "the X backend cannot ..."
VERBS: dict[str, str] = {
    "list_pipelines": "list pipelines",
    "get_pipeline": "show a pipeline",
    "create_pipeline": "store pipeline definitions",
    "create_pipelines": "store pipeline definitions",
    "edit_pipeline": "change pipeline definitions",
    "delete_pipeline": "delete pipeline definitions",
    "match_pipelines": "list pipelines",
    "start": "start runs",
    "run": "run pipelines",
    "wait": "wait for runs",
    "stop": "stop runs",
    "status": "report pipeline status",
    "runs": "list runs",
    "get_run": "show a run",
    "logs": "show run logs",
    "state": "show a pipeline's Singer state",
    "clear_state": "clear a pipeline's Singer state",
    "schedules": "list schedules",
    "pause": "pause schedules",
    "resume": "resume schedules",
    "list_plugins": "list taps and targets",
    "install_plugin": "install taps or targets",
    "discover": "run Singer discovery",
    "dbt": "run dbt projects",
    "log_sources": "list log sources",
    "read_logs": "search or tail logs",
    "count_logs": "count log lines",
    "list_services": "list services",
    "add_service": "register services",
    "remove_service": "remove services",
    "discover_services": "discover services",
    "service_health": "check services' health",
    "system_status": "report services' status",
    "service_action": "start, stop or restart services",
    "service_logs": "show service logs",
    "list_alerts": "list alert rules",
    "add_alert": "store alert rules",
    "remove_alert": "remove alert rules",
    "alert_notify": "change where alerts are sent",
    "test_alert": "send test notifications",
    "alert_history": "show alert history",
    "metrics": "show metrics",
    "run_performance": "report run performance",
    "connectivity": "report connectivity",
    "login": "log users in",
    "logout": "log users out",
    "whoami": "tell who is logged in",
    "tokens": "list API tokens",
    "create_token": "create API tokens",
    "revoke_token": "revoke API tokens",
    "users": "list users",
    "create_user": "create users",
    "delete_user": "delete users",
    "audit": "show its audit log",
}


def match_names(
    patterns: list[str], known: list[str], *, all_: bool, check: Callable[[str], object], where: str = ""
) -> list[str]:
    """Names, shell globs ('wms-*') or all, in order without repeats. A glob must match one
    of `known`; a literal name is passed to `check`, which raises NotFound when it is unknown.
    Shared by every backend so bulk verbs act on the same names locally and remotely."""
    import fnmatch

    from flext.core.errors import NotFound

    if all_:
        return known
    out: list[str] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            hits = fnmatch.filter(known, pattern)
            if not hits:
                raise NotFound(f"no pipeline matches {pattern!r}" + (f" in {where}" if where else ""),
                               hint="see `flext pipeline list`")
        else:
            check(pattern)
            hits = [pattern]
        out.extend(h for h in hits if h not in out)
    return out


class BackendBase:
    """Every verb refused; a backend overrides what it can do."""

    KIND = "?"
    HINT: str | None = None  # what to use instead, for every refusal of this backend

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def where(self) -> str:
        return self.KIND

    def refuse(self, verb: str, hint: str | None = None) -> NoReturn:
        raise Unsupported(self.kind, VERBS.get(verb, verb.replace("_", " ")), hint=hint or self.HINT)

    # -- pipelines -----------------------------------------------------------------------
    def list_pipelines(self, status: str | None = None) -> list[dict[str, Any]]:
        self.refuse("list_pipelines")

    def get_pipeline(self, name: str) -> dict[str, Any]:
        self.refuse("get_pipeline")

    def create_pipeline(self, spec: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        self.refuse("create_pipeline")

    def create_pipelines(self, specs: list[dict[str, Any]], *, replace: bool = False) -> list[dict[str, Any]]:
        self.refuse("create_pipelines")

    def edit_pipeline(self, name: str, changes: dict[str, Any], *, unset: tuple[str, ...] = ()) -> dict[str, Any]:
        self.refuse("edit_pipeline")

    def delete_pipeline(self, name: str) -> dict[str, Any]:
        self.refuse("delete_pipeline")

    def match_pipelines(self, patterns: list[str], *, all_: bool = False) -> list[str]:
        self.refuse("match_pipelines")

    # -- runs ----------------------------------------------------------------------------
    def start(self, name: str, *, full_refresh: bool = False, trigger: str = "cli",
              idempotency_key: str | None = None) -> dict[str, Any]:
        self.refuse("start")

    # A remote engine runs in the foreground by starting and following the run record;
    # these defaults serve every backend whose `start`, `get_run` and `stop` work.
    POLL_S = 1.0  # the slowest poll of a run record

    sleep: Callable[[float], None] = time.sleep  # tests inject their own

    def run(self, name: str, *, full_refresh: bool = False, trigger: str = "cli",
            on_progress: Callable[[int | None, float], None] | None = None) -> dict[str, Any]:
        """Start, then follow the record until it ends, with progress; Ctrl-C stops the run
        on the engine (and answers the stopped record)."""
        record = self.start(name, full_refresh=full_refresh, trigger=trigger)
        began = time.monotonic()
        delay = min(0.2, self.POLL_S)
        try:
            while record.get("status") not in FINAL:
                self.sleep(delay)
                delay = min(self.POLL_S, delay * 1.5)
                record = self.get_run(name, str(record["id"]))
                if on_progress is not None:
                    on_progress(record.get("records"), time.monotonic() - began)
        except KeyboardInterrupt:
            from flext.core.errors import FlextError

            try:
                return self.stop(name)
            except FlextError:
                return {**record, "status": "cancelled"}
        return record

    def wait(self, name: str, run_id: str, *, timeout: float | None = None) -> dict[str, Any]:
        """The run record once it has ended (or as it is when `timeout` passes)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = min(0.1, self.POLL_S)
        while True:
            record = self.get_run(name, run_id)
            if record.get("status") in FINAL or (deadline is not None and time.monotonic() > deadline):
                return record
            self.sleep(delay)
            delay = min(self.POLL_S, delay * 1.5)

    def stop(self, name: str, *, force: bool = False) -> dict[str, Any]:
        self.refuse("stop")

    def status(self, names: list[str] | None) -> list[dict[str, Any]]:
        self.refuse("status")

    def runs(self, name: str, limit: int = 20) -> list[dict[str, Any]]:
        self.refuse("runs")

    def get_run(self, name: str, run_id: str) -> dict[str, Any]:
        self.refuse("get_run")

    def logs(self, name: str, run_id: str | None = None, tail: int | None = None,
             follow: bool = False) -> Iterator[dict[str, Any]]:
        self.refuse("logs")

    def state(self, name: str) -> dict[str, Any] | None:
        self.refuse("state")

    def clear_state(self, name: str) -> dict[str, Any]:
        self.refuse("clear_state")

    # -- schedules -----------------------------------------------------------------------
    def schedules(self) -> list[dict[str, Any]]:
        self.refuse("schedules")

    def pause(self, name: str) -> dict[str, Any]:
        self.refuse("pause")

    def resume(self, name: str) -> dict[str, Any]:
        self.refuse("resume")

    # -- taps, targets, discovery, dbt ---------------------------------------------------
    def list_plugins(self, kind: str | None = None, installed_only: bool = False) -> list[dict[str, Any]]:
        self.refuse("list_plugins")

    def install_plugin(self, name: str, kind: str, pip_url: str | None = None,
                       on_status: Callable[[str], None] | None = None,
                       installer: str | None = None) -> dict[str, Any]:
        self.refuse("install_plugin")

    def discover(self, tap: str, *, config_file: str | None = None) -> list[dict[str, Any]]:
        self.refuse("discover")

    def dbt(self, project: str, command: str, *, select: str | None = None,
            target: str | None = None) -> dict[str, Any]:
        self.refuse("dbt")

    # -- logs ----------------------------------------------------------------------------
    def log_sources(self) -> list[dict[str, Any]]:
        self.refuse("log_sources")

    def read_logs(self, query: LogQuery) -> Iterator[dict[str, Any]]:
        self.refuse("read_logs")

    def count_logs(self, query: LogQuery) -> int:
        self.refuse("count_logs")

    # -- services ------------------------------------------------------------------------
    def list_services(self, *, all_: bool = False) -> list[dict[str, Any]]:
        self.refuse("list_services")

    def add_service(self, name: str, fields: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        self.refuse("add_service")

    def remove_service(self, name: str) -> dict[str, Any]:
        self.refuse("remove_service")

    def discover_services(self, host: str, ports: list[int], timeout: float) -> list[dict[str, Any]]:
        self.refuse("discover_services")

    def service_health(self, names: list[str], timeout: float | None = None, *,
                       force: bool = False) -> list[dict[str, Any]]:
        self.refuse("service_health")

    def system_status(self, timeout: float | None = None, *,
                      names: list[str] | None = None) -> dict[str, Any]:
        self.refuse("system_status")

    def service_action(self, name: str, action: str, *, timeout: float | None = None,
                       force: bool = False) -> dict[str, Any]:
        self.refuse("service_action")

    def service_logs(self, name: str, *, tail: int | None = None, since: str | None = None,
                     follow: bool = False) -> Iterator[dict[str, Any]]:
        self.refuse("service_logs")

    # -- alerts, metrics, performance ----------------------------------------------------
    def list_alerts(self, *, evaluate: bool = True, timeout: float | None = None) -> list[dict[str, Any]]:
        self.refuse("list_alerts")

    def add_alert(self, name: str, when: str, *, description: str | None = None,
                  notify: list[str] | None = None, replace: bool = False) -> dict[str, Any]:
        self.refuse("add_alert")

    def remove_alert(self, name: str) -> dict[str, Any]:
        self.refuse("remove_alert")

    def alert_notify(self, name: str, *, add: list[str] | None = None,
                     remove: list[str] | None = None) -> dict[str, Any]:
        self.refuse("alert_notify")

    def test_alert(self, name: str) -> list[dict[str, Any]]:
        self.refuse("test_alert")

    def alert_history(self, name: str | None = None, *, limit: int = 50) -> list[dict[str, Any]]:
        self.refuse("alert_history")

    def metrics(self, service: str | None, *, timeout: float | None = None) -> dict[str, Any]:
        self.refuse("metrics")

    def run_performance(self, *, since: float | None = None, limit: int = 20) -> list[dict[str, Any]]:
        self.refuse("run_performance")

    # -- identity, connectivity, audit ---------------------------------------------------
    def connectivity(self) -> dict[str, Any]:
        self.refuse("connectivity")

    def login(self, username: str, password: str) -> dict[str, Any]:
        self.refuse("login")

    def logout(self, token: str | None = None) -> dict[str, Any]:
        self.refuse("logout")

    def whoami(self) -> dict[str, Any]:
        self.refuse("whoami")

    def tokens(self) -> list[dict[str, Any]]:
        self.refuse("tokens")

    def create_token(self, role: str, name: str | None = None) -> dict[str, Any]:
        self.refuse("create_token")

    def revoke_token(self, token_id: str) -> dict[str, Any]:
        self.refuse("revoke_token")

    def users(self) -> list[dict[str, Any]]:
        self.refuse("users")

    def create_user(self, name: str, role: str, password: str | None) -> dict[str, Any]:
        self.refuse("create_user")

    def delete_user(self, name: str) -> dict[str, Any]:
        self.refuse("delete_user")

    def audit(self) -> list[dict[str, Any]]:
        self.refuse("audit")


class RemoteBackend(BackendBase):
    """An engine behind a URL (`api_url`): one Transport (retries, breaker, the engine's
    error mapping) with this profile's token from FLEXT_TOKEN or the keyring, read once."""

    PORT = 8081  # for the hint when api_url is missing

    def __init__(self, ctx: Any) -> None:
        from flext.core.errors import ConfigError

        self.ctx = ctx
        url = ctx.settings.get("api_url") if ctx.has_config else None
        if not url:
            raise ConfigError(f"profile {ctx.profile!r} uses the {self.KIND} backend but has no api_url",
                              hint=f"flext config set api_url http://HOST:{self.PORT} --profile {ctx.profile}")
        self.base = str(url).rstrip("/")
        self._transport: Transport | None = None
        self._credentials: tuple[str | None, str | None] | None = None

    @property
    def where(self) -> str:
        return self.base

    def errors(self, response: Any, base: str) -> FlextError:
        """This engine's error answer as a FlextError (default: flext serve's mapping)."""
        from flext.backend.transport import flext_error

        return flext_error(response, base)

    @property
    def http(self) -> Transport:
        if self._transport is None:
            from flext.backend.transport import Transport

            self._transport = Transport(self.ctx, self.base, token=self.token, errors=self.errors)
        return self._transport

    def token(self) -> str | None:
        if self._credentials is None:
            from flext.backend import credentials

            self._credentials = credentials.load(self.ctx)
        return self._credentials[0]

    def token_source(self) -> str | None:
        """Where the token came from: FLEXT_TOKEN, keyring, or None."""
        self.token()
        assert self._credentials is not None
        return self._credentials[1]


__all__ = ["LIST_STATUSES", "RUN_STATUSES", "VERBS", "BackendBase", "RemoteBackend", "match_names"]
