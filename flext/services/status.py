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
DISK_WARN_PERCENT = 90.0
SIZE_CACHE_S = 60.0  # walking a workspace (plugin venvs) is not done on every dashboard refresh
_sizes: dict[str, tuple[float, int]] = {}
SERVICE_FIELDS = ("name", "status", "latency_ms", "version", "detail", "process", "pid", "restarts", "last_exit",
                  "last_restart_at", "cpu_percent", "rss_mb", "open_files", "uptime_s")


def pipelines(ctx: Context, *, recent: int = 10) -> dict[str, list[dict[str, Any]]]:
    """Running pipelines (with live record counts), recent runs and recent failures."""
    from flext.core.clock import to_epoch
    from flext.engine import runs as engine_runs
    from flext.engine.workspace import Workspace

    ws = Workspace(ctx.workspace_root)
    now = time.time()
    running: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    for record in engine_runs.recent(ws, 50):
        status = record.get("status")
        started = to_epoch(str(record.get("started_at") or ""))
        base = {"pipeline": record.get("pipeline"), "run_id": record.get("id"), "status": status,
                "started_at": record.get("started_at"), "records": record.get("records")}
        if status in ("running", "queued"):
            elapsed = round(now - started, 1) if started else None
            rate = (round(float(record["records"]) / elapsed, 1)
                    if elapsed and isinstance(record.get("records"), (int, float)) else None)
            running.append({**base, "elapsed_s": elapsed, "records_per_s": rate, "cpu_percent": None,
                            "rss_mb": None, "_record": record})
        if len(runs) < recent:
            runs.append({**base, "duration_s": record.get("duration_s"), "ended_at": record.get("ended_at")})
        if status == "failed":
            ended = to_epoch(str(record.get("ended_at") or record.get("started_at") or ""))
            if ended is not None and now - ended <= FAILURE_WINDOW and len(failures) < MAX_FAILURES:
                failures.append({"pipeline": record.get("pipeline"), "run_id": record.get("id"),
                                 "ended_at": record.get("ended_at"), "error": record.get("error"),
                                 "exit_codes": record.get("exit_codes")})
    from flext.engine.resources import live_runs

    records = [r.pop("_record") for r in running]
    live_runs(records)  # what each running run's tap and target use now
    for row, record in zip(running, records, strict=True):
        live = record.get("live") or {}
        row.update(cpu_percent=live.get("cpu_percent"), rss_mb=live.get("rss_mb"))
    return {"running": running, "recent": runs, "failures": failures}


def processes(ctx: Context, services: list[Any], *, window: float = 0.2) -> dict[str, dict[str, Any]]:
    """For each supervised service: its process state, pid, restarts, last exit and restart,
    and what the process (with its children) uses now."""
    from flext.engine import resources
    from flext.services import supervisor

    out: dict[str, dict[str, Any]] = {}
    trees: dict[str, list[int]] = {}
    for service in services:
        if not service.supervised:
            continue
        state, info = supervisor.process(ctx, service)
        info = info or {}
        child = info.get("child_pid") if state == "running" else None
        phase = info.get("phase")
        out[service.name] = {
            "process": "restarting" if state == "running" and phase == "backoff" else state,
            "pid": child, "restarts": info.get("restarts") or 0, "last_exit": info.get("last_exit"),
            "last_restart_at": info.get("last_restart_at"), "restart": service.restart,
            "cpu_percent": None, "rss_mb": None, "open_files": None, "uptime_s": None,
        }
        if isinstance(child, int):
            trees[service.name] = resources.tree(child)
    if trees:
        for name, figures in resources.usage_many(trees, window=window).items():
            if figures is not None:
                out[name].update({k: figures[k] for k in ("cpu_percent", "rss_mb", "open_files", "uptime_s")})
    return out


def disk(ctx: Context, root: str, *, clock: Any = time.monotonic) -> dict[str, Any]:
    """The workspace's disk use and the free space where it lives, with a warning past
    `disk.warn_percent` (default 90) of the filesystem used."""
    from flext.engine import resources

    warn = DISK_WARN_PERCENT
    if ctx.has_config:
        configured = (ctx.settings.get("disk") or {}).get("warn_percent")
        if isinstance(configured, (int, float)):
            warn = float(configured)
    now = clock()
    cached = _sizes.get(root)
    if cached is None or now - cached[0] > SIZE_CACHE_S:
        cached = _sizes[root] = (now, resources.tree_size(root))
    found = resources.disk(root) or {}
    used = found.get("used_percent")
    warning = None
    if isinstance(used, (int, float)) and used >= warn:
        warning = (f"the disk holding {root} is {used:g}% full ({found.get('free_gb')} GiB free; "
                   f"warning from {warn:g}%, `disk.warn_percent`)")
    return {"path": root, "workspace_mb": resources.mb(cached[1]), "free_gb": found.get("free_gb"),
            "total_gb": found.get("total_gb"), "used_percent": used, "warn_percent": warn, "warning": warning}


def snapshot(ctx: Context, *, timeout: float = 2.0, names: list[str] | None = None) -> dict[str, Any]:
    """Everything `service status` shows, as one JSON-shaped document (with `names`: only
    those services, and nothing else)."""
    from flext.core.clock import iso
    from flext.core.errors import FlextError
    from flext.services import registry
    from flext.services.evaluate import evaluate
    from flext.services.health import check

    services = registry.select(ctx, names) if names else list(registry.load(ctx).values())
    health = check(ctx, services, timeout, force=bool(names)) if services else []
    procs = processes(ctx, services)
    for row in health:
        row.update(procs.get(row["name"]) or {"process": None})
    if names:
        return {"generated_at": iso(), "services": [{k: r.get(k) for k in (*SERVICE_FIELDS, "restart")}
                                                    for r in health]}
    runs = pipelines(ctx)
    alert_error = None
    try:
        alert_rows = evaluate(ctx, timeout=timeout, health={r["name"]: r for r in health})
    except FlextError as exc:
        alert_rows, alert_error = [], exc.message
    doc = {
        "generated_at": iso(),
        "services": [{k: r.get(k) for k in SERVICE_FIELDS} for r in health],
        "pipelines_running": runs["running"],
        "recent_failures": runs["failures"],
        "alerts_firing": [{k: r[k] for k in ("name", "when", "detail")} for r in alert_rows if r["state"] == "firing"],
        "recent_runs": runs["recent"],
        "disk": disk(ctx, ctx.workspace_root),
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
    out.append(_section(doc["services"], ["name", "status", "latency_ms", "process", "restarts", "cpu_percent", "rss_mb",
                                          "detail"], width))
    out.append(f"RUNNING PIPELINES  {len(doc['pipelines_running'])}")
    out.append(_section(doc["pipelines_running"], ["pipeline", "run_id", "elapsed_s", "records", "records_per_s",
                                                   "cpu_percent", "rss_mb"], width))
    out.append(f"RECENT FAILURES (24h)  {len(doc['recent_failures'])}")
    out.append(_section(doc["recent_failures"], ["pipeline", "run_id", "ended_at", "error"], width))
    out.append(f"FIRING ALERTS  {len(doc['alerts_firing'])}")
    out.append(_section(doc["alerts_firing"], ["name", "when", "detail"], width))
    if doc.get("alerts_error"):
        out.append(f"alerts could not be evaluated: {doc['alerts_error']}\n")
    if doc.get("disk"):
        out.append(disk_line(doc["disk"]) + "\n")
    return "\n".join(out)


def disk_line(found: dict[str, Any]) -> str:
    line = (f"DISK  workspace {found.get('workspace_mb')} MiB, {found.get('free_gb')} GiB free "
            f"({found.get('used_percent')}% of the disk used)")
    return line + (f"\n  warning: {found['warning']}" if found.get("warning") else "")


def render_service(row: dict[str, Any]) -> str:
    """`service status NAME` as lines of `field: value`."""
    from flext.core.output import cell

    width = max(len(k) for k in row)
    return "".join(f"{k + ':':<{width + 1}} {cell(v)}\n" for k, v in row.items())


def _section(rows: list[dict[str, Any]], columns: list[str], width: int | None) -> str:
    if not rows:
        return "  (none)\n"
    return "".join("  " + line + "\n" for line in plain_table(rows, columns, width=(width - 2) if width else None).splitlines())


__all__ = ["SERVICE_FIELDS", "disk", "disk_line", "pipelines", "processes", "render_service", "render_text", "snapshot",
           "summary"]
