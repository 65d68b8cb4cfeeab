"""`GET /metrics`: Prometheus text exposition (version 0.0.4).

Three kinds of numbers:
- request metrics counted in this process (requests by route, method and status;
  latency histogram by route; connections refused for being busy or slow);
- run metrics read from the run records on disk at scrape time (runs by pipeline and
  status, a histogram of run durations, records loaded, the newest run's peak memory
  and CPU seconds), cached for a few seconds so a scrape storm cannot turn into a disk
  scan storm. Reading the records (not counting in memory) keeps them right across
  restarts and with several servers;
- resources read at scrape time: each supervised service's process (CPU seconds,
  resident memory, open files, uptime, restarts, crashloop) and the workspace's disk.
"""

from __future__ import annotations

import os
import threading
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DURATION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0)
RUNS_PER_PIPELINE = 500
CACHE_S = 5.0


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _num(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class Histogram:
    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self.counts = [0] * len(buckets)
        self.total = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.total += 1
        self.sum += value
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[index] += 1

    def lines(self, name: str, labels: dict[str, str]) -> list[str]:
        out = []
        for bound, count in zip(self.buckets, self.counts, strict=True):
            out.append(f"{name}_bucket{_labels({**labels, 'le': _num(bound)})} {count}")
        out.append(f"{name}_bucket{_labels({**labels, 'le': '+Inf'})} {self.total}")
        out.append(f"{name}_sum{_labels(labels)} {_num(round(self.sum, 6))}")
        out.append(f"{name}_count{_labels(labels)} {self.total}")
        return out


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: dict[tuple[str, str, str], int] = {}
        self.latency: dict[str, Histogram] = {}
        self.rejected: dict[str, int] = {}
        self.inflight = 0
        self.schedule_fired: dict[str, int] = {}
        self._runs_cache: tuple[float, list[str]] | None = None

    def begin(self) -> None:
        with self._lock:
            self.inflight += 1

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.inflight = max(0, self.inflight - 1)
            key = (route, method, str(status))
            self.requests[key] = self.requests.get(key, 0) + 1
            hist = self.latency.get(route)
            if hist is None:
                hist = self.latency[route] = Histogram(LATENCY_BUCKETS)
            hist.observe(seconds)

    def reject(self, status: int) -> None:
        with self._lock:
            self.rejected[str(status)] = self.rejected.get(str(status), 0) + 1

    def fired(self, pipeline: str) -> None:
        with self._lock:
            self.schedule_fired[pipeline] = self.schedule_fired.get(pipeline, 0) + 1

    # -- rendering ----------------------------------------------------------------
    def render(self, runs_root: str, *, scheduler_active: bool, workers: int) -> str:
        from flext import __version__

        out: list[str] = []

        def family(name: str, kind: str, help_text: str) -> None:
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} {kind}")

        family("flext_build_info", "gauge", "Version of the flext server")
        out.append(f"flext_build_info{_labels({'version': __version__})} 1")
        family("flext_server_start_time_seconds", "gauge", "Unix time the server started")
        out.append(f"flext_server_start_time_seconds {_num(round(self.started, 3))}")
        family("flext_scheduler_active", "gauge", "1 when this server runs the workspace's schedules")
        out.append(f"flext_scheduler_active {1 if scheduler_active else 0}")
        family("flext_http_workers", "gauge", "Size of the request worker pool")
        out.append(f"flext_http_workers {workers}")
        with self._lock:
            requests = dict(self.requests)
            latency = {k: (v.buckets, list(v.counts), v.total, v.sum) for k, v in self.latency.items()}
            rejected = dict(self.rejected)
            inflight = self.inflight
            fired = dict(self.schedule_fired)
        family("flext_http_requests_in_flight", "gauge", "Requests being handled now")
        out.append(f"flext_http_requests_in_flight {inflight}")
        family("flext_http_requests_total", "counter", "HTTP requests by route, method and status")
        for (route, method, status), count in sorted(requests.items()):
            out.append(f"flext_http_requests_total{_labels({'route': route, 'method': method, 'status': status})} {count}")
        family("flext_http_request_duration_seconds", "histogram", "Request latency by route")
        for route, (buckets, counts, total, total_sum) in sorted(latency.items()):
            hist = Histogram(buckets)
            hist.counts, hist.total, hist.sum = counts, total, total_sum
            out.extend(hist.lines("flext_http_request_duration_seconds", {"route": route}))
        family("flext_http_rejected_total", "counter", "Connections answered without a route (busy, slow, too large)")
        for status, count in sorted(rejected.items()):
            out.append(f"flext_http_rejected_total{_labels({'status': status})} {count}")
        family("flext_schedule_fired_total", "counter", "Scheduled runs started by this server")
        for pipeline, count in sorted(fired.items()):
            out.append(f"flext_schedule_fired_total{_labels({'pipeline': pipeline})} {count}")
        out.extend(self._runs(runs_root))
        return "\n".join(out) + "\n"

    def _runs(self, runs_root: str) -> list[str]:
        now = time.monotonic()
        cached = self._runs_cache
        if cached is not None and now - cached[0] < CACHE_S:
            return cached[1]
        lines = run_lines(runs_root)
        self._runs_cache = (now, lines)
        return lines


def _records(runs_root: str) -> dict[str, list[dict[str, Any]]]:
    import json

    found: dict[str, list[dict[str, Any]]] = {}
    try:
        pipelines = sorted(os.listdir(runs_root))
    except OSError:
        return found
    for pipeline in pipelines:
        directory = os.path.join(runs_root, pipeline)
        try:
            names = sorted((n for n in os.listdir(directory) if n.endswith(".json") and not n.startswith(".")),
                           reverse=True)[:RUNS_PER_PIPELINE]
        except OSError:
            continue
        rows = []
        for name in names:
            try:
                with open(os.path.join(directory, name), "rb") as fh:
                    record = json.loads(fh.read())
            except (OSError, ValueError):
                continue
            if isinstance(record, dict):
                rows.append(record)
        found[pipeline] = rows
    return found


def run_lines(runs_root: str) -> list[str]:
    from flext.backend.base import RUN_STATUSES

    records = _records(runs_root)
    out = ["# HELP flext_runs Runs on record by pipeline and status (the newest 500 per pipeline)",
           "# TYPE flext_runs gauge"]
    for pipeline, rows in records.items():
        counts = dict.fromkeys(RUN_STATUSES, 0)
        for row in rows:
            status = str(row.get("status"))
            counts[status] = counts.get(status, 0) + 1
        for status, count in counts.items():
            out.append(f"flext_runs{_labels({'pipeline': pipeline, 'status': status})} {count}")
    out += ["# HELP flext_run_duration_seconds Duration of finished runs on record",
            "# TYPE flext_run_duration_seconds histogram"]
    for pipeline, rows in records.items():
        hist = Histogram(DURATION_BUCKETS)
        for row in rows:
            if isinstance(row.get("duration_s"), (int, float)) and row.get("status") in ("succeeded", "failed", "cancelled"):
                hist.observe(float(row["duration_s"]))
        out.extend(hist.lines("flext_run_duration_seconds", {"pipeline": pipeline}))
    out += ["# HELP flext_run_records_total Records loaded by the runs on record",
            "# TYPE flext_run_records_total counter"]
    for pipeline, rows in records.items():
        total = sum(int(r["records"]) for r in rows if isinstance(r.get("records"), int))
        out.append(f"flext_run_records_total{_labels({'pipeline': pipeline})} {total}")
    out += ["# HELP flext_run_last_records Records loaded by the newest run",
            "# TYPE flext_run_last_records gauge"]
    for pipeline, rows in records.items():
        if rows and isinstance(rows[0].get("records"), int):
            out.append(f"flext_run_last_records{_labels({'pipeline': pipeline})} {rows[0]['records']}")
    out += ["# HELP flext_run_last_peak_memory_bytes Peak resident memory of the newest finished run (tap, target, "
            "dbt: the highest of them)", "# TYPE flext_run_last_peak_memory_bytes gauge"]
    last = {p: next((r for r in rows if r.get("status") in ("succeeded", "failed", "cancelled")
                     and isinstance(r.get("peak_rss_mb"), (int, float))), None) for p, rows in records.items()}
    for pipeline, found in last.items():
        if found is not None:
            out.append(f"flext_run_last_peak_memory_bytes{_labels({'pipeline': pipeline})} "
                       f"{_num(round(float(found['peak_rss_mb']) * 1024 * 1024))}")
    out += ["# HELP flext_run_last_cpu_seconds CPU seconds of the newest finished run (tap, target and dbt together)",
            "# TYPE flext_run_last_cpu_seconds gauge"]
    for pipeline, found in last.items():
        if found is not None and isinstance(found.get("cpu_s"), (int, float)):
            out.append(f"flext_run_last_cpu_seconds{_labels({'pipeline': pipeline})} {_num(float(found['cpu_s']))}")
    return out


def resource_lines(ctx: Any, root: str) -> list[str]:
    """Supervised services' processes and the workspace's disk, read now."""
    from flext.core.errors import FlextError
    from flext.services import registry
    from flext.services.status import disk, processes

    out: list[str] = []
    try:
        services = [s for s in registry.load(ctx).values() if s.supervised]
        procs = processes(ctx, services, window=0)  # CPU as seconds (a counter), not a %
    except FlextError:
        procs = {}
    gauges = (("flext_service_up_process", "1 when flext's keeper runs the service's command (0: stopped, crashloop)",
               lambda r: 1 if r["process"] in ("running", "restarting") else 0),
              ("flext_service_crashloop", "1 when the keeper gave up restarting the service", lambda r:
               1 if r["process"] == "crashloop" else 0),
              ("flext_service_restarts", "Restarts by the keeper since the service was started", lambda r: r["restarts"]),
              ("flext_service_memory_bytes", "Resident memory of the service's processes",
               lambda r: None if r["rss_mb"] is None else round(float(r["rss_mb"]) * 1024 * 1024)),
              ("flext_service_open_files", "Open files of the service's processes", lambda r: r["open_files"]),
              ("flext_service_uptime_seconds", "Seconds since the service's process started", lambda r: r["uptime_s"]))
    for name, help_text, get in gauges:
        out += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        for service, row in sorted(procs.items()):
            value = get(row)
            if value is not None:
                out.append(f"{name}{_labels({'service': service})} {_num(float(value))}")
    found = disk(ctx, root)
    out += ["# HELP flext_workspace_bytes Bytes the workspace folder holds", "# TYPE flext_workspace_bytes gauge"]
    if found.get("workspace_mb") is not None:
        out.append(f"flext_workspace_bytes {_num(round(float(found['workspace_mb']) * 1024 * 1024))}")
    out += ["# HELP flext_disk_free_bytes Free bytes on the disk holding the workspace", "# TYPE flext_disk_free_bytes gauge"]
    if found.get("free_gb") is not None:
        out.append(f"flext_disk_free_bytes {_num(round(float(found['free_gb']) * 1024 ** 3))}")
    out += ["# HELP flext_disk_used_ratio Used fraction of the disk holding the workspace",
            "# TYPE flext_disk_used_ratio gauge"]
    if found.get("used_percent") is not None:
        out.append(f"flext_disk_used_ratio {_num(round(float(found['used_percent']) / 100, 4))}")
    return out


__all__ = ["Metrics", "resource_lines", "run_lines"]
