"""Every route of the API, in one table (documented in docs/api.md and served as OpenAPI).

Roles: viewer reads; operator runs and stops pipelines, clears state, starts and
stops services, discovers and runs dbt; admin changes definitions, installs plugins,
manages users and tokens and reads the audit. `role=None` is public.
`action` marks a mutating route and names it in the audit like the CLI would.
"""

from __future__ import annotations

from flext.server import api_auth as auth
from flext.server import api_pipelines as pl
from flext.server import api_services as svc
from flext.server import api_system as sys_
from flext.server.routes import Route

V1 = "/api/v1"
_NAME = {"name": "pipeline name"}

ROUTES = [
    # -- the server ------------------------------------------------------------------
    Route("GET", "/health", sys_.health, role=None, summary="Liveness: status, version, uptime, scheduler role",
          tag="system"),
    Route("GET", "/metrics", sys_.metrics, role="viewer", summary="Prometheus text: requests, latency, runs, records",
          tag="system"),
    Route("GET", f"{V1}/openapi.json", sys_.openapi, role=None, summary="This API as an OpenAPI 3.1 document",
          tag="system"),
    Route("GET", f"{V1}/system/status", svc.system_status, role="viewer", tag="system",
          summary="One overview: services, running pipelines, recent failures, firing alerts",
          query={"timeout": "per-service health timeout in seconds"}),
    Route("GET", f"{V1}/audit", sys_.audit, role="admin", tag="system",
          summary="The server's audit log (oldest first)",
          query={"since": "unix time", "user": "only this user", "action": "action prefix (whole words)",
                 "limit": "the newest N (0: all)"}),
    # -- auth ----------------------------------------------------------------------------
    Route("POST", f"{V1}/auth/login", auth.login, role=None, action="auth login", target="username", tag="auth",
          summary="Exchange a user name and password for a session token (12 h)",
          body={"username": "string", "password": "string"}),
    Route("POST", f"{V1}/auth/logout", auth.logout, role="viewer", action="auth logout", tag="auth",
          summary="Revoke the token this request carries"),
    Route("GET", f"{V1}/auth/user", auth.user, role="viewer", tag="auth",
          summary="Who the token belongs to: user, role, token id and name"),
    Route("GET", f"{V1}/auth/tokens", auth.tokens, role="admin", tag="auth", summary="API tokens (never the secrets)"),
    Route("POST", f"{V1}/auth/tokens", auth.create_token, role="admin", action="auth token create", target="role",
          tag="auth", summary="Create a token; the response holds it once",
          body={"role": "viewer|operator|admin", "name": "string", "user": "string (default: you)",
                "expires_in": "seconds"}),
    Route("DELETE", f"{V1}/auth/tokens/{{token_id}}", auth.revoke_token, role="admin", action="auth token revoke",
          target="token_id", tag="auth", summary="Revoke a token"),
    Route("GET", f"{V1}/auth/users", auth.users, role="admin", tag="auth", summary="Users and their roles"),
    Route("POST", f"{V1}/auth/users", auth.create_user, role="admin", action="auth user create", target="name",
          tag="auth", summary="Create a user (with a password to allow `auth login`)",
          body={"name": "string", "role": "viewer|operator|admin", "password": "string (8+)"}),
    Route("DELETE", f"{V1}/auth/users/{{user}}", auth.delete_user, role="admin", action="auth user delete",
          target="user", tag="auth", summary="Delete a user and revoke their tokens"),
    # -- pipelines -------------------------------------------------------------------------
    Route("GET", f"{V1}/pipelines", pl.list_, role="viewer", tag="pipelines",
          summary="Pipelines with the status of their last run",
          query={"status": "running|succeeded|failed|cancelled|never"}),
    Route("POST", f"{V1}/pipelines", pl.create, role="admin", action="pipeline create", target="name",
          tag="pipelines", summary="Define one pipeline (a spec) or many (`{pipelines: [...], replace}`)",
          query={"replace": "1 to replace an existing pipeline"},
          body={"name": "string", "tap": "string", "target": "string", "transform": "string", "schedule": "cron",
                "select": "[string]", "tap_config": "object", "target_config": "object"}),
    Route("GET", f"{V1}/status", pl.status_many, role="viewer", tag="pipelines",
          summary="Status of the last run of each (or the named) pipelines", query={"name": "repeatable"}),
    Route("GET", f"{V1}/pipelines/{{name}}", pl.get, role="viewer", tag="pipelines",
          summary="A pipeline's definition, last run and next scheduled run"),
    Route("PUT", f"{V1}/pipelines/{{name}}", pl.replace, role="admin", action="pipeline create", target="name",
          tag="pipelines", summary="Create or replace a pipeline definition", body={"tap": "string", "target": "string"}),
    Route("DELETE", f"{V1}/pipelines/{{name}}", pl.delete, role="admin", action="pipeline delete", target="name",
          tag="pipelines", summary="Remove a pipeline (runs and state are kept)"),
    Route("POST", f"{V1}/pipelines/{{name}}/run", pl.start, role="operator", action="pipeline start", target="name",
          tag="pipelines", summary="Start a run in the background (honours Idempotency-Key)",
          body={"full_refresh": "boolean"}),
    Route("POST", f"{V1}/pipelines/{{name}}/stop", pl.stop, role="operator", action="pipeline stop", target="name",
          tag="pipelines", summary="Stop the running run (SIGTERM, SIGKILL after a grace period)",
          body={"force": "boolean"}),
    Route("GET", f"{V1}/pipelines/{{name}}/status", pl.status_one, role="viewer", tag="pipelines",
          summary="Status of the pipeline's last run"),
    Route("GET", f"{V1}/pipelines/{{name}}/runs", pl.runs, role="viewer", tag="pipelines",
          summary="Runs, newest first", query={"limit": "1..1000 (default 20)"}),
    Route("GET", f"{V1}/pipelines/{{name}}/runs/{{run_id}}", pl.run, role="viewer", tag="pipelines",
          summary="One run record"),
    Route("GET", f"{V1}/pipelines/{{name}}/logs", pl.logs, role="viewer", stream=True, tag="pipelines",
          summary="A run's log as NDJSON, streamed with follow=1",
          query={"run": "run id (default: the last)", "tail": "the last N lines", "follow": "1 to follow"}),
    Route("GET", f"{V1}/pipelines/{{name}}/state", pl.state, role="viewer", tag="pipelines",
          summary="The last Singer STATE the target confirmed"),
    Route("DELETE", f"{V1}/pipelines/{{name}}/state", pl.clear_state, role="operator", action="pipeline state clear",
          target="name", tag="pipelines", summary="Forget the saved state (the next run is a full one)"),
    # -- plugins, discovery, dbt --------------------------------------------------------------
    Route("GET", f"{V1}/plugins", sys_.plugins, role="viewer", tag="data",
          summary="Taps and targets: catalog, installed, on PATH",
          query={"kind": "tap|target", "installed": "1 for installed only"}),
    Route("POST", f"{V1}/plugins", sys_.install, role="admin", action="data install", target="name", tag="data",
          summary="Install a tap or target into its own virtual environment",
          body={"name": "string", "kind": "tap|target", "pip_url": "string", "installer": "uv|pip"}),
    Route("POST", f"{V1}/taps/{{name}}/discover", sys_.discover, role="operator", tag="data",
          summary="Streams of a tap (a pipeline name, or a tap with `config`)", body={"config": "object"}),
    Route("POST", f"{V1}/dbt/{{command}}", sys_.dbt, role="operator", action="data dbt", target="project",
          tag="data", summary="Run `dbt run|test|build` on a project in the workspace",
          body={"project": "string", "select": "string", "target": "string"}),
    # -- services and alerts ----------------------------------------------------------------
    Route("GET", f"{V1}/services", svc.list_, role="viewer", tag="services",
          summary="Registered services", query={"all": "1 to include disabled ones"}),
    Route("GET", f"{V1}/services/health", svc.health, role="viewer", tag="services",
          summary="Health of services, checked concurrently",
          query={"name": "repeatable", "timeout": "seconds", "force": "1 to probe past open breakers"}),
    Route("POST", f"{V1}/services/{{name}}/start", svc.start, role="operator", action="service start", target="name",
          tag="services", summary="Start a supervised service and wait for its health", body={"timeout": "seconds"}),
    Route("POST", f"{V1}/services/{{name}}/stop", svc.stop, role="operator", action="service stop", target="name",
          tag="services", summary="Stop a supervised service", body={"timeout": "seconds", "force": "boolean"}),
    Route("POST", f"{V1}/services/{{name}}/restart", svc.restart, role="operator", action="service restart",
          target="name", tag="services", summary="Restart a supervised service", body={"timeout": "seconds"}),
    Route("GET", f"{V1}/services/{{name}}/logs", svc.logs, role="viewer", stream=True, tag="services",
          summary="A service's log as NDJSON, streamed with follow=1",
          query={"tail": "the last N lines", "since": "10m, 2h or a timestamp", "follow": "1 to follow"}),
    Route("GET", f"{V1}/alerts", svc.alerts, role="viewer", tag="services",
          summary="Alert rules and their state (firing, ok, unknown)",
          query={"no_eval": "1 to list without evaluating", "timeout": "seconds"}),
]

__all__ = ["ROUTES", "V1"]
