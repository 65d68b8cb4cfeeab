"""Performance from what flext already records: command latencies from the history,
records per second from pipeline run records."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any



def percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return 0.0
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = (len(sorted_values) - 1) * q
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


def commands(entries: Iterable[dict[str, Any]], since: float | None = None,
             command_of: Callable[[str], str] | None = None) -> list[dict[str, Any]]:
    """Timings per command path. Entries carry their path (`command`); older ones are read
    with `command_of(line)` (the router's scanner, handed in by the caller)."""
    groups: dict[str, list[tuple[float, int]]] = {}
    for entry in entries:
        if since is not None and float(entry.get("ts") or 0) < since:
            continue
        duration = entry.get("duration_ms")
        if not isinstance(duration, (int, float)):
            continue
        command = entry.get("command")
        if not isinstance(command, str):
            line = str(entry.get("line", ""))
            command = command_of(line) if command_of is not None else line.split(" ", 1)[0]
        groups.setdefault(command, []).append((float(duration), int(entry.get("exit") or 0)))
    rows: list[dict[str, Any]] = []
    for command, items in groups.items():
        values = sorted(d for d, _ in items)
        rows.append({
            "command": command or "(none)", "count": len(items), "failed": sum(1 for _, e in items if e != 0),
            "p50_ms": round(percentile(values, 0.5), 1), "p90_ms": round(percentile(values, 0.9), 1),
            "p99_ms": round(percentile(values, 0.99), 1), "max_ms": round(values[-1], 1),
        })
    rows.sort(key=lambda r: (-r["count"], r["command"]))
    return rows


def runs(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for record in records:
        duration = record.get("duration_s")
        count = record.get("records")
        rate = None
        if isinstance(duration, (int, float)) and duration > 0 and isinstance(count, (int, float)):
            rate = round(count / duration, 1)
        out.append({"pipeline": record.get("pipeline"), "run_id": record.get("id"), "status": record.get("status"),
                    "records": count, "duration_s": duration, "records_per_s": rate, "cpu_s": record.get("cpu_s"),
                    "peak_rss_mb": record.get("peak_rss_mb")})
    return out


__all__ = ["commands", "percentile", "runs"]
