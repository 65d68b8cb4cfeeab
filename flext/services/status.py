"""One picture of the platform: services, running pipelines, recent failures, firing alerts.

Shared by `service status` (one screen or one JSON document) and `monitor dashboard`.
"""

from __future__ import annotations

import time

from flext.core.output import plain_table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context

FAILURE_WINDOW = 24 * 3600.0
MAX_FAILURES = 10


def pipelines(ctx: Context, *, recent: int = 10) -> dict[str, list[dict[str, Any]]]:
    """Running pipelines (with live record counts), recent runs and recent failures."""
    from flext.core.clock import to_epoch
    from flext.services import workspace

    ws = workspace.find(ctx)
    now = time.time()
    running: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    for record in workspace.runs(ws, limit=50):
        status = record.get("status")
        started = to_epoch(str(record.get("started_at") or ""))
        base = {"pipeline": record.get("pipeline"), "run_id": record.get("id"), "status": status,
                "started_at": record.get("started_at"), "records": record.get("records")}
        if status in ("running", "queued"):
            elapsed = round(now - started, 1) if started else None
            rate = (round(float(record["records"]) / elapsed, 1)
                    if elapsed and isinstance(record.get("records"), (int, float)) else None)
            running.append({**base, "elapsed_s": elapsed, "records_per_s": rate})
        if len(runs) < recent:
            runs.append({**base, "duration_s": record.get("duration_s"), "ended_at": record.get("ended_at")})
        if status == "failed":
            ended = to_epoch(str(record.get("ended_at") or record.get("started_at") or ""))
            if ended is not None and now - ended <= FAILURE_WINDOW and len(failures) < MAX_FAILURES:
                failures.append({"pipeline": record.get("pipeline"), "run_id": record.get("id"),
                                 "ended_at": record.get("ended_at"), "error": record.get("error"),
                                 "exit_codes": record.get("exit_codes")})
    return {"running": running, "recent": runs, "failures": failures}


def snapshot(ctx: Context, *, timeout: float = 2.0) -> dict[str, Any]:
    """Everything `service status` shows, as one JSON-shaped document."""
    from flext.core.clock import iso
    from flext.core.errors import FlextError
    from flext.services import registry
    from flext.services.evaluate import evaluate
    from flext.services.health import check

    services = list(registry.load(ctx).values())
    health = check(ctx, services, timeout) if services else []
    from flext.services import supervisor

    for row, service in zip(health, services, strict=True):
        row["process"] = supervisor.process(ctx, service)[0] if service.supervised else None
    runs = pipelines(ctx)
    alert_error = None
    try:
        alert_rows = evaluate(ctx, timeout=timeout, health={r["name"]: r for r in health})
    except FlextError as exc:
        alert_rows, alert_error = [], exc.message
    doc = {
        "generated_at": iso(),
        "services": [{k: r.get(k) for k in ("name", "status", "latency_ms", "version", "detail", "process")} for r in health],
        "pipelines_running": runs["running"],
        "recent_failures": runs["failures"],
        "alerts_firing": [{k: r[k] for k in ("name", "when", "detail")} for r in alert_rows if r["state"] == "firing"],
        "recent_runs": runs["recent"],
    }
    if alert_error:
        doc["alerts_error"] = alert_error
    return doc


def summary(doc: dict[str, Any]) -> dict[str, int]:
    counts = {"up": 0, "degraded": 0, "down": 0}
    for row in doc["services"]:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return counts


def render_text(doc: dict[str, Any], width: int | None = None) -> str:
    """The overview as plain text sections (pipes, logs, the non-terminal dashboard)."""
    counts = summary(doc)
    out = [f"SERVICES  {counts['up']} up, {counts['degraded']} degraded, {counts['down']} down"]
    out.append(_section(doc["services"], ["name", "status", "latency_ms", "version", "process", "detail"], width))
    out.append(f"RUNNING PIPELINES  {len(doc['pipelines_running'])}")
    out.append(_section(doc["pipelines_running"], ["pipeline", "run_id", "elapsed_s", "records", "records_per_s"], width))
    out.append(f"RECENT FAILURES (24h)  {len(doc['recent_failures'])}")
    out.append(_section(doc["recent_failures"], ["pipeline", "run_id", "ended_at", "error"], width))
    out.append(f"FIRING ALERTS  {len(doc['alerts_firing'])}")
    out.append(_section(doc["alerts_firing"], ["name", "when", "detail"], width))
    if doc.get("alerts_error"):
        out.append(f"alerts could not be evaluated: {doc['alerts_error']}\n")
    return "\n".join(out)


def _section(rows: list[dict[str, Any]], columns: list[str], width: int | None) -> str:
    if not rows:
        return "  (none)\n"
    return "".join("  " + line + "\n" for line in plain_table(rows, columns, width=(width - 2) if width else None).splitlines())


__all__ = ["pipelines", "render_text", "snapshot", "summary"]
