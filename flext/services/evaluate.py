"""Evaluate alert rules against live health, metrics, supervised processes and run records.

Everything a set of rules needs is gathered first, concurrently (one health check per
service, one metrics read per service), then each rule is evaluated with three-valued
logic: a value that could not be read (service unreachable, metric absent) makes the
rule "unknown" unless the rest of the rule decides it anyway. Each row says the values
the rule read (`value`, e.g. `service_down(flexcore)=true`), which notifications carry.
`monitor alerts list` evaluates on demand; `flext serve` evaluates on its own and
notifies (flext.server.alerting).
"""

from __future__ import annotations

import time

from flext.services import alerts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context


class Unknown:
    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


class Facts:
    """Data the rules read, gathered once."""

    def __init__(self) -> None:
        self.health: dict[str, dict[str, Any]] = {}
        self.metrics: dict[str, Any] = {}  # service -> families | error text
        self.runs: dict[str, dict[str, Any] | None] = {}
        self.processes: dict[str, dict[str, Any] | None] = {}  # supervised service -> pid file
        self.now = time.time()


def rules(ctx: Context) -> dict[str, dict[str, Any]]:
    """`[alerts.NAME]` tables from config.toml: {name: {"when": ..., "description": ...}}."""
    from flext.core.errors import ConfigError

    raw = ctx.config.data.get("alerts") or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{ctx.config.path}: alerts: expected a table")
    out: dict[str, dict[str, Any]] = {}
    for name, body in raw.items():
        if not isinstance(body, dict) or not isinstance(body.get("when"), str):
            raise ConfigError(f"{ctx.config.path}: alerts.{name}.when: expected the rule as a string",
                              hint=f'e.g. [alerts.{name}] when = "service_down(flexcore)"')
        unknown = set(body) - {"when", "description", "enabled", "notify"}
        if unknown:
            raise ConfigError(f"{ctx.config.path}: alerts.{name}.{sorted(unknown)[0]}: unknown key",
                              hint="alert keys: when, description, enabled, notify")
        notify = body.get("notify", [])
        if not isinstance(notify, list) or not all(isinstance(u, str) for u in notify):
            raise ConfigError(f"{ctx.config.path}: alerts.{name}.notify: expected a list of notification URLs",
                              hint=f'e.g. [alerts.{name}] notify = ["json://127.0.0.1:9000/hook"]')
        out[name] = body
    return out


def gather(ctx: Context, nodes: list[alerts.Node], *, timeout: float = 3.0,
           health: dict[str, dict[str, Any]] | None = None) -> Facts:
    from flext.services import registry

    facts = Facts()
    wanted_health: set[str] = set()
    wanted_metrics: set[str] = set()
    wanted_processes: set[str] = set()
    pipelines: set[str] = set()
    for node in nodes:
        for fn, args in alerts.references(node):
            kinds = alerts.FUNCTIONS[fn][0]
            if fn == "metric":
                wanted_metrics.add(args[0])
            elif fn in PROCESS_FUNCTIONS:
                wanted_processes.add(args[0])
            elif kinds[0] == "service":
                wanted_health.add(args[0])
            else:
                pipelines.add(args[0])
    known = registry.load(ctx, include_disabled=True)
    if health:
        facts.health.update({k: v for k, v in health.items() if k in wanted_health})
    missing = [known[n] for n in sorted(wanted_health - set(facts.health)) if n in known]
    if missing:
        from flext.services.health import check

        for row in check(ctx, missing, timeout):
            facts.health[row["name"]] = row
    if wanted_metrics:
        _metrics(facts, [known[n] for n in sorted(wanted_metrics) if n in known], timeout)
    if wanted_processes:
        from flext.services import supervisor

        for name in sorted(wanted_processes):
            service = known.get(name)
            if service is None:
                continue
            state, info = supervisor.process(ctx, service) if service.supervised else ("unsupervised", None)
            facts.processes[name] = {**(info or {}), "state": state}
    from flext.engine import runs
    from flext.engine.workspace import Workspace

    ws = Workspace(ctx.workspace_root)
    for name in pipelines:
        facts.runs[name] = runs.latest(ws, name)
    return facts


PROCESS_FUNCTIONS = ("service_crashloop", "service_restarts")


def _metrics(facts: Facts, services: list[Any], timeout: float) -> None:
    from flext.core.errors import FlextError
    from flext.services.http import get_many
    from flext.services.metrics import MAX_BODY, parse_body

    replies = get_many([(s.metrics_url, timeout) for s in services], max_body=MAX_BODY)
    for service, reply in zip(services, replies, strict=True):
        if reply.error is not None:
            facts.metrics[service.name] = f"{service.name} metrics: {reply.error}"
        elif reply.status is None or reply.status >= 400:
            facts.metrics[service.name] = f"{service.name} metrics: HTTP {reply.status}"
        else:
            try:
                facts.metrics[service.name] = parse_body(reply.body, reply.content_type, service.metrics_url)
            except FlextError as exc:
                facts.metrics[service.name] = exc.message


def _call(node: alerts.Node, facts: Facts) -> Any:
    fn = node.value
    args = [a.value for a in node.args]
    if fn in PROCESS_FUNCTIONS:
        process = facts.processes.get(args[0])
        if process is None:
            return Unknown(f"service {args[0]!r} is not registered")
        if process["state"] == "unsupervised":
            return Unknown(f"service {args[0]!r} has no command: flext does not run it")
        if fn == "service_crashloop":
            return process["state"] == "crashloop"
        return float(process.get("restarts") or 0)
    if fn.startswith("service_"):
        row = facts.health.get(args[0])
        if row is None:
            return Unknown(f"service {args[0]!r} is not registered")
        status = row["status"]
        if fn == "service_down":  # skipped: its circuit is open, it failed its last checks
            return status in ("down", "skipped")
        if fn == "service_up":
            return status == "up"
        if fn == "service_degraded":
            return status == "degraded"
        latency = row.get("latency_ms")
        return Unknown(f"{args[0]}: {row.get('detail') or 'no answer'}") if latency is None or status == "down" else latency / 1000
    if fn == "metric":
        families = facts.metrics.get(args[0])
        if families is None:
            return Unknown(f"service {args[0]!r} is not registered")
        if isinstance(families, str):
            return Unknown(families)
        from flext.services import prom

        name, matchers = prom.parse_selector(args[1])
        samples = prom.select(families, name, matchers)
        if not samples:
            return Unknown(f"{args[0]} has no metric {args[1]}")
        return sum(s.value for s in samples)
    run = facts.runs.get(args[0])
    if run is None:
        if fn in ("pipeline_failed", "pipeline_running"):
            return False
        return Unknown(f"pipeline {args[0]!r} has no runs")
    status = run.get("status")
    if fn == "pipeline_failed":
        return status == "failed"
    if fn == "pipeline_running":
        return status in ("running", "queued")
    if fn == "run_records":
        records = run.get("records")
        return float(records) if isinstance(records, (int, float)) else Unknown(f"{args[0]}: no record count")
    # run_duration: elapsed for a running run, else the last run's duration
    if status in ("running", "queued"):
        from flext.core.clock import to_epoch

        started = to_epoch(str(run.get("started_at") or ""))
        return Unknown(f"{args[0]}: no start time") if started is None else max(0.0, facts.now - started)
    duration = run.get("duration_s")
    return float(duration) if isinstance(duration, (int, float)) else Unknown(f"{args[0]}: no duration")


_CMP = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
}


def value(node: alerts.Node, facts: Facts, seen: dict[str, Any] | None = None) -> Any:
    """The rule's result (True, False or Unknown); `seen` collects each call's value."""
    kind = node.kind
    if kind in ("num", "bool"):
        return node.value
    if kind == "call":
        found = _call(node, facts)
        if seen is not None:
            seen[f"{node.value}({', '.join(a.value for a in node.args)})"] = found
        return found
    if kind == "cmp":
        left, right = (value(a, facts, seen) for a in node.args)
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        return bool(_CMP[node.value](left, right))
    if kind == "not":
        inner = value(node.args[0], facts, seen)
        return inner if isinstance(inner, Unknown) else not inner
    results = [value(a, facts, seen) for a in node.args]
    decisive = kind == "or"  # True decides an `or`, False decides an `and`
    if any(r is decisive for r in results):
        return decisive
    unknown = next((r for r in results if isinstance(r, Unknown)), None)
    return unknown if unknown is not None else not decisive


def evaluate(ctx: Context, *, timeout: float = 3.0, health: dict[str, dict[str, Any]] | None = None,
             names: list[str] | None = None, checked: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """One row per rule: name, state (firing | ok | unknown | disabled), when, value, detail.

    `health` rows given are used instead of checking those services again; `checked`, when
    given, receives every health row the rules used (a loop reuses them)."""
    table = rules(ctx)
    parsed: dict[str, alerts.Node] = {}
    rows: list[dict[str, Any]] = []
    for name, body in table.items():
        if names and name not in names:
            continue
        if body.get("enabled") is False:
            continue
        parsed[name] = alerts.check(name, body["when"])
    facts = gather(ctx, list(parsed.values()), timeout=timeout, health=health)
    if checked is not None:
        checked.update(facts.health)
    for name, body in table.items():
        if names and name not in names:
            continue
        row = {"name": name, "state": "disabled", "when": body["when"], "detail": None,
               "description": body.get("description"), "value": None, "notify": list(body.get("notify") or [])}
        if name in parsed:
            seen: dict[str, Any] = {}
            result = value(parsed[name], facts, seen)
            row["value"] = shown(seen)
            if isinstance(result, Unknown):
                row.update(state="unknown", detail=result.reason)
            else:
                row["state"] = "firing" if result else "ok"
        rows.append(row)
    return rows


def shown(seen: dict[str, Any]) -> str | None:
    """`service_down(core)=true, run_duration(orders)=612.5` (unknown values as `?`)."""
    def one(found: Any) -> str:
        if isinstance(found, Unknown):
            return "?"
        if isinstance(found, bool):
            return "true" if found else "false"
        if isinstance(found, float):
            return f"{found:g}"
        return str(found)

    return ", ".join(f"{call}={one(found)}" for call, found in seen.items()) or None


__all__ = ["PROCESS_FUNCTIONS", "Facts", "Unknown", "evaluate", "gather", "rules", "shown", "value"]
