"""What processes cost: CPU seconds and %, resident and peak memory, open files, uptime.

Read from /proc (Linux) rather than psutil: the figures needed are a few fields of
/proc/PID/stat and /proc/PID/status, the peak resident size (VmHWM) that psutil does
not expose, and the runner must stay cheap and import nothing heavy. Elsewhere every
figure is None (unknown), never a guess.

- `sample(pid)`: one process now (None when it is gone or unreadable);
- `members(pgid)` / `tree(pid)`: the processes of a group, or a process and its children;
- `usage(pids, meter)`: their sum, with CPU % from a `CpuMeter` (the change in CPU time
  between two looks, so the first look of a meter measures over a short window);
- `Sampler`: a thread that samples a run's tap, target and dbt every `every` seconds
  and keeps each one's peak memory and CPU seconds for the run record, off the data path;
- `disk(path)`, `tree_size(path)`: free space and what a folder holds.
"""

from __future__ import annotations

import os
import threading
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

MB = 1024 * 1024
PROC = "/proc"


def _sysconf(name: str, default: int) -> int:
    try:
        value = os.sysconf(name)
    except (ValueError, OSError, AttributeError):
        return default
    return value if value > 0 else default


TICKS = _sysconf("SC_CLK_TCK", 100)
PAGE = _sysconf("SC_PAGE_SIZE", 4096)
_boot: list[float] = []


def boot_time() -> float | None:
    """Unix time the machine booted (`btime` of /proc/stat), read once."""
    if not _boot:
        try:
            with open(f"{PROC}/stat", "rb") as fh:
                for line in fh:
                    if line.startswith(b"btime "):
                        _boot.append(float(line.split()[1]))
                        break
        except (OSError, ValueError, IndexError):
            pass
        if not _boot:
            _boot.append(0.0)
    return _boot[0] or None


def _stat(pid: int) -> list[bytes] | None:
    """Fields of /proc/PID/stat after the command name (field 3 onwards), when all are there."""
    from flext.engine.procs import stat_fields

    fields = stat_fields(pid)
    return fields if fields is not None and len(fields) > 21 else None


def _status_kb(pid: int, keys: tuple[bytes, ...]) -> dict[bytes, int]:
    out: dict[bytes, int] = {}
    try:
        with open(f"{PROC}/{pid}/status", "rb") as fh:
            for line in fh:
                key, _, rest = line.partition(b":")
                if key in keys:
                    try:
                        out[key] = int(rest.split()[0]) * 1024
                    except (ValueError, IndexError):
                        pass
    except OSError:
        pass
    return out


def open_files(pid: int) -> int | None:
    try:
        return len(os.listdir(f"{PROC}/{pid}/fd"))
    except OSError:
        return None


def sample(pid: int, *, now: float | None = None) -> dict[str, Any] | None:
    """pid, cpu_s, rss_bytes, peak_rss_bytes, open_files, started (unix time), uptime_s.

    A zombie still has its final CPU time (it has not been reaped), but no memory."""
    fields = _stat(pid)
    if fields is None:
        return None
    try:
        cpu = (int(fields[11]) + int(fields[12])) / TICKS
        start_ticks = int(fields[19])
        rss_pages = int(fields[21])
    except (ValueError, IndexError):
        return None
    zombie = fields[0] == b"Z"
    mem = {} if zombie else _status_kb(pid, (b"VmRSS", b"VmHWM"))
    boot = boot_time()
    started = boot + start_ticks / TICKS if boot else None
    now = time.time() if now is None else now
    rss = mem.get(b"VmRSS", rss_pages * PAGE if not zombie else 0)
    return {"pid": pid, "cpu_s": round(cpu, 3), "rss_bytes": rss, "peak_rss_bytes": mem.get(b"VmHWM", rss),
            "open_files": None if zombie else open_files(pid), "started": started,
            "uptime_s": round(max(0.0, now - started), 1) if started else None, "zombie": zombie}


def _all() -> list[int]:
    try:
        return [int(e) for e in os.listdir(PROC) if e.isdigit()]
    except OSError:
        return []


def members(pgid: int) -> list[int]:
    """Live processes whose process group is `pgid` (a run's tap and target share one)."""
    out = []
    for pid in _all():
        fields = _stat(pid)
        if fields is not None and fields[0] != b"Z" and fields[2] == str(pgid).encode():
            out.append(pid)
    return out


def children(pid: int) -> list[int]:
    """Direct children of `pid` (from /proc/PID/task/*/children, else a scan of parents)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"{PROC}/{pid}/task")
    except OSError:
        tasks = []
    readable = False
    for task in tasks:
        try:
            with open(f"{PROC}/{pid}/task/{task}/children", "rb") as fh:
                found.extend(int(x) for x in fh.read().split())
            readable = True
        except (OSError, ValueError):
            continue
    if readable:
        return found
    parent = str(pid).encode()
    return [p for p in _all() if (f := _stat(p)) is not None and f[1] == parent]


def tree(pid: int) -> list[int]:
    """`pid` and every process below it."""
    out = [pid]
    index = 0
    while index < len(out) and len(out) < 4096:
        out.extend(c for c in children(out[index]) if c not in out)
        index += 1
    return out


class CpuMeter:
    """CPU % of processes between two looks: the CPU time they used over the wall time.

    Keyed by (pid, start time), so a reused pid is a new process. The first look at a
    process has nothing to compare with; `usage` then measures over a short window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.seen: dict[tuple[int, float | None], tuple[float, float]] = {}
        self.lock = threading.Lock()

    def percent(self, row: dict[str, Any]) -> float | None:
        key = (int(row["pid"]), row.get("started"))
        now = self.clock()
        with self.lock:
            before = self.seen.get(key)
            self.seen[key] = (now, float(row["cpu_s"]))
            if len(self.seen) > 4096:
                for old in list(self.seen)[:1024]:
                    del self.seen[old]
        if before is None or now - before[0] <= 0:
            return None
        return round(max(0.0, (float(row["cpu_s"]) - before[1]) / (now - before[0]) * 100), 1)

    def knows(self, pid: int, started: float | None) -> bool:
        with self.lock:
            return (pid, started) in self.seen


_METER = CpuMeter()
WINDOW_S = 0.2


def usage(pids: list[int], meter: CpuMeter | None = None, *, window: float = WINDOW_S) -> dict[str, Any] | None:
    """The processes together: cpu_percent, cpu_s, rss_mb, peak_rss_mb, open_files, uptime_s
    (of the oldest), processes; None when none of them can be read."""
    return usage_many({0: pids}, meter, window=window)[0]


def usage_many(groups: dict[Any, list[int]], meter: CpuMeter | None = None, *,
               window: float = WINDOW_S) -> dict[Any, dict[str, Any] | None]:
    """`usage` of several groups of processes, with one measuring window for all of them."""
    meter = meter or _METER
    looked = {key: [r for r in (sample(p) for p in pids) if r is not None and not r["zombie"]]
              for key, pids in groups.items()}
    fresh = [r for rows in looked.values() for r in rows if not meter.knows(r["pid"], r["started"])]
    if window > 0 and fresh:
        for row in fresh:
            meter.percent(row)
        time.sleep(window)
        looked = {key: [r for r in (sample(x["pid"]) for x in rows) if r is not None and not r["zombie"]]
                  for key, rows in looked.items()}
    return {key: _sum(rows, meter) for key, rows in looked.items()}


def _sum(rows: list[dict[str, Any]], meter: CpuMeter) -> dict[str, Any] | None:
    if not rows:
        return None
    percents = [meter.percent(r) for r in rows]
    known = [p for p in percents if p is not None]
    files = [r["open_files"] for r in rows if r["open_files"] is not None]
    uptimes = [r["uptime_s"] for r in rows if r["uptime_s"] is not None]
    return {
        "cpu_percent": round(sum(known), 1) if known else None,
        "cpu_s": round(sum(float(r["cpu_s"]) for r in rows), 2),
        "rss_mb": mb(sum(int(r["rss_bytes"]) for r in rows)),
        "peak_rss_mb": mb(max(int(r["peak_rss_bytes"]) for r in rows)),
        "open_files": sum(files) if files else None,
        "uptime_s": max(uptimes) if uptimes else None,
        "processes": len(rows),
    }


def run_processes(record: dict[str, Any]) -> list[int]:
    """The live tap/target (their process group) of a running run, else []."""
    from flext.engine.procs import alive

    pgid = record.get("pgid")
    if record.get("status") != "running" or not isinstance(pgid, int) or not alive(pgid, record.get("pgid_start")):
        return []
    return members(pgid)


def live_runs(records: list[dict[str, Any]], meter: CpuMeter | None = None) -> None:
    """Add `live` (usage of the tap and target now) to each running record, in place."""
    groups = {i: pids for i, r in enumerate(records) if (pids := run_processes(r))}
    if not groups:
        return
    for index, figures in usage_many(groups, meter).items():
        if figures is not None:
            records[index]["live"] = figures
            records[index].setdefault("cpu_s", figures["cpu_s"])  # so far
            records[index].setdefault("peak_rss_mb", figures["peak_rss_mb"])


def mb(value: float | None) -> float | None:
    return None if value is None else round(float(value) / MB, 1)


class Sampler:
    """Peak memory and CPU seconds of a run's processes, sampled on a thread.

    `watch(role, pid)` names a process (tap, target); `others` names the role of every
    other child of this process (dbt, started by the transform). The data path never
    waits for it: it reads /proc every `every` seconds, nothing else."""

    def __init__(self, every: float = 0.25, *, others: str | None = None) -> None:
        self.every = every
        self.others = others
        self.roles: dict[int, str] = {}
        self.figures: dict[str, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._me = os.getpid()

    def watch(self, role: str, pid: int) -> None:
        with self._lock:
            self.roles[pid] = role

    def start(self) -> Sampler:
        if os.path.isdir(f"{PROC}/{self._me}"):
            self._thread = threading.Thread(target=self._loop, name="flext-resources", daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        while True:
            self.take()
            if self._stop.wait(self.every):
                return

    def take(self) -> None:
        """One look at every watched process (also at the end, before they are reaped)."""
        with self._lock:
            roles = dict(self.roles)
        if self.others:
            for pid in children(self._me):
                roles.setdefault(pid, self.others)
        per_role: dict[str, dict[int, dict[str, Any]]] = {}
        for pid, role in roles.items():
            row = sample(pid)
            if row is not None:
                per_role.setdefault(role, {})[pid] = row
        with self._lock:
            for role, rows in per_role.items():
                figures = self.figures.setdefault(role, {"cpu": {}, "peak": 0})
                for pid, row in rows.items():
                    figures["cpu"][(pid, row["started"])] = float(row["cpu_s"])  # grows; the last look counts
                    figures["peak"] = max(figures["peak"], int(row["peak_rss_bytes"] or 0))

    def stop(self) -> dict[str, dict[str, Any]]:
        """Stop sampling; {role: {"cpu_s", "peak_rss_mb"}} of what was seen."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.take()
        return self.result()

    def result(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {role: {"cpu_s": round(sum(f["cpu"].values()), 2), "peak_rss_mb": mb(f["peak"])}
                    for role, f in self.figures.items()}


def merge(into: dict[str, dict[str, Any]], more: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Figures of several attempts: CPU seconds add up, the peak is the highest."""
    for role, figures in more.items():
        have = into.setdefault(role, {"cpu_s": 0.0, "peak_rss_mb": None})
        have["cpu_s"] = round(float(have.get("cpu_s") or 0) + float(figures.get("cpu_s") or 0), 2)
        peaks = [p for p in (have.get("peak_rss_mb"), figures.get("peak_rss_mb")) if p is not None]
        have["peak_rss_mb"] = max(peaks) if peaks else None
    return into


def totals(figures: dict[str, dict[str, Any]]) -> tuple[float | None, float | None]:
    """(CPU seconds of every role, the highest peak) for the record's top level."""
    if not figures:
        return None, None
    peaks = [f["peak_rss_mb"] for f in figures.values() if f.get("peak_rss_mb") is not None]
    return round(sum(float(f.get("cpu_s") or 0) for f in figures.values()), 2), (max(peaks) if peaks else None)


def disk(path: str) -> dict[str, Any] | None:
    """The filesystem holding `path`: total_gb, free_gb, used_percent."""
    import shutil

    where = os.path.abspath(path)
    while not os.path.exists(where) and os.path.dirname(where) != where:
        where = os.path.dirname(where)  # a workspace not made yet lives on its parent's disk
    try:
        found = shutil.disk_usage(where)
    except OSError:
        return None
    used = found.total - found.free
    return {"total_gb": round(found.total / 1024**3, 2), "free_gb": round(found.free / 1024**3, 2),
            "used_percent": round(used / found.total * 100, 1) if found.total else None}


def tree_size(path: str, *, limit: int = 200_000) -> int:
    """Bytes held by the files under `path` (symlinks not followed; at most `limit` entries)."""
    total = 0
    seen = 0
    stack = [path]
    while stack and seen < limit:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_blocks * 512
            except OSError:
                continue
    return total


__all__ = ["CpuMeter", "Sampler", "boot_time", "children", "disk", "live_runs", "mb", "members", "merge", "open_files",
           "run_processes", "sample", "totals", "tree", "tree_size", "usage", "usage_many"]
