"""`flext gruponos pipeline deploy / run / status / logs`."""

from __future__ import annotations

import os
import time

from flext.core.errors import Conflict, NotFound, UsageError
from flext.core.output import Result
from flext.plugins import meltano_exec as mx
from flext.plugins import schedules
from flext.plugins.api import iso, run_id, split
from flext.plugins.bundled.gruponos import runs
from flext.plugins.bundled.gruponos.project import PLUGIN, deployments_file, project_dir, runs_dir, workspace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context

STATUS_STYLES = {"last_status": {"succeeded": "green", "failed": "red", "running": "cyan"}}


def _jobs(ctx: Context, cwd: str) -> list[dict[str, Any]]:
    return mx.jobs(ctx, cwd)


def _job(ctx: Context, cwd: str, name: str) -> dict[str, Any]:
    jobs = _jobs(ctx, cwd)
    for job in jobs:
        if job["name"] == name:
            return job
    from flext.core.suggest import closest

    names = [j["name"] for j in jobs]
    guess = closest(name, names)
    raise NotFound(f"no job {name!r} in {os.path.join(cwd, 'meltano.yml')}",
                   hint=f"did you mean {guess!r}?" if guess else f"jobs: {', '.join(names) or 'none'}")


def deploy(ctx: Context, argv: list[str]) -> Result:
    """Check the job exists, register its schedule with the flext scheduler, record the deployment."""
    (name, *_), opts = split(argv)
    cwd = project_dir(ctx)
    _job(ctx, cwd, name)
    cron = opts.get("schedule")
    if not cron:
        found = [s for s in mx.schedules(ctx, cwd) if s["job"] == name]
        if not found:
            raise UsageError(f"job {name!r} has no schedule in meltano.yml",
                             hint=f"pass --schedule CRON, or `flext meltano schedule add NAME --job {name} --interval CRON`")
        cron = found[0]["interval"]
    schedules.check(str(cron))
    root = workspace(ctx)
    entry = schedules.put(root, f"{PLUGIN}.{name}", cron=str(cron), command=[PLUGIN, "run", name], plugin=PLUGIN)
    from flext.core import jsonl

    record = {"ts": iso(), "job": name, "schedule": cron, "project": cwd, "schedule_name": entry["name"],
              "profile": ctx.profile}
    jsonl.append(deployments_file(ctx), record)
    data = {"job": name, "schedule": cron, "next_run": schedules.next_run(str(cron)), "project": cwd,
            "scheduler": entry["name"], "command": "flext " + " ".join(entry["command"])}
    return Result(data, message=f"✓ deployed {name}: `flext {' '.join(entry['command'])}` runs on {cron!r}")


def _records(line: str) -> int:
    """Rows counted by a singer-sdk `record_count` METRIC line of an extractor in meltano's log."""
    head, sep, payload = line.partition(" METRIC: ")
    if not sep:
        return 0
    plugin = head.split()[-1] if head.split() else ""
    if not plugin.startswith("tap"):
        return 0
    import json

    try:
        metric = json.loads(payload)
    except ValueError:
        return 0
    if metric.get("metric") == "record_count" and metric.get("type") == "counter":
        return int(metric.get("value") or 0)
    return 0


def _level(line: str) -> str:
    start = line.find("[")
    end = line.find("]", start)
    if start >= 0 and end > start:
        word = line[start + 1:end].strip().lower()
        if word in ("debug", "info", "warning", "error", "critical"):
            return word
    return "info"


def run(ctx: Context, argv: list[str]) -> Result:
    """Run a job with meltano now; the run record says how it went."""
    name = split(argv)[0][0]
    cwd = project_dir(ctx)
    directory = runs_dir(ctx, name)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    current = runs.latest(directory)
    if current is not None and current.get("status") == "running":
        raise Conflict(f"job {name!r} is already running (run {current['id']}, pid {current.get('pid')})",
                       hint=f"follow it with `flext gruponos logs {name} -f`")
    rid = run_id()
    log_path = os.path.join(directory, f"{rid}.log")
    started = time.time()
    record: dict[str, Any] = {
        "id": rid, "pipeline": f"{PLUGIN}.{name}", "job": name, "status": "running", "started_at": iso(started),
        "ended_at": None, "duration_s": None, "records": 0, "exit_codes": {"meltano": None}, "log": log_path,
        "pid": os.getpid(), "error": None, "trigger": "schedule" if ctx.env.get("FLEXT_TRIGGER") == "schedule" else "cli",
        "project": cwd,
    }
    runs.write(directory, record)
    from flext.core import jsonl

    counted = [0]

    def on_line(stream: str, line: str) -> None:
        counted[0] += _records(line)
        jsonl.append(log_path, {"ts": iso(), "level": _level(line) if stream == "stderr" else "info",
                                "source": "meltano", "run_id": rid, "pipeline": record["pipeline"],
                                "message": ctx.redact(line)})

    code = 1
    try:
        code = mx.stream(ctx, ["run", name], cwd, on_line=on_line)
    finally:
        ended = time.time()
        status = "succeeded" if code == 0 else ("cancelled" if code == 130 else "failed")
        record.update(status=status, ended_at=iso(ended), duration_s=round(ended - started, 3), records=counted[0],
                      exit_codes={"meltano": code}, error=None if code == 0 else f"meltano exited with code {code}")
        runs.write(directory, record)
    public = {k: record[k] for k in ("id", "job", "status", "started_at", "duration_s", "records")}
    message = f"{'✓' if code == 0 else '✗'} {name} {status}: {counted[0]} record(s) (run {rid})"
    return Result(public, message=message, exit_code=code)


def status(ctx: Context, argv: list[str]) -> Result:
    """Each job of meltano.yml with its schedule, flext deployment and last run."""
    import concurrent.futures

    cwd = project_dir(ctx)
    if os.path.exists(os.path.join(cwd, ".meltano", "meltano.db")):
        with concurrent.futures.ThreadPoolExecutor(2) as pool:  # two meltano start-ups at once
            jobs_f = pool.submit(_jobs, ctx, cwd)
            scheds_f = pool.submit(mx.schedules, ctx, cwd)
            jobs, scheds = jobs_f.result(), scheds_f.result()
    else:  # the first meltano call creates the system database: never two at once
        jobs = _jobs(ctx, cwd)
        scheds = mx.schedules(ctx, cwd)
    deployed = schedules.load(workspace(ctx))
    rows = []
    for job in jobs:
        name = job["name"]
        sched = next((s for s in scheds if s["job"] == name), None)
        entry = deployed.get(f"{PLUGIN}.{name}")
        last = runs.latest(runs_dir(ctx, name))
        rows.append({
            "job": name,
            "tasks": job["tasks"],
            "schedule": sched["interval"] if sched else None,
            "deployed": entry["cron"] if entry and entry.get("enabled", True) else None,
            "last_status": last["status"] if last else "never",
            "last_run": last["started_at"] if last else None,
            "records": last["records"] if last else None,
        })
    return Result(rows, columns=["job", "schedule", "deployed", "last_status", "last_run", "records"],
                  styles=STATUS_STYLES)


def logs(ctx: Context, argv: list[str]) -> Result | None:
    """The log of the latest run (of JOB), or --run ID; -f follows it while the run is going."""
    positionals, opts = split(argv)
    job = positionals[0] if positionals else None
    root = os.path.join(workspace(ctx), ".flext", PLUGIN, "runs")
    try:
        jobs = [job] if job else sorted(os.listdir(root))
    except OSError:
        jobs = []
    found: tuple[str, dict[str, Any]] | None = None
    for name in jobs:
        directory = os.path.join(root, name)
        wanted = opts.get("run")
        record = runs.read(directory, wanted) if wanted else runs.latest(directory)
        if record is not None and (found is None or record["id"] > found[1]["id"]):
            found = (directory, record)
    if found is None:
        what = f"run {opts['run']!r}" if opts.get("run") else "runs"
        raise NotFound(f"no {what} of {job or 'any GrupoNos job'} yet",
                       hint=f"start one with `flext gruponos run {job or 'full-sync-job'}`")
    directory, record = found
    tail = int(opts["tail"]) if opts.get("tail") else None
    lines = _read_log(record["log"])
    if tail is not None:
        lines = lines[-tail:]
    if not opts.get("follow"):
        if ctx.output in ("json", "jsonl", "yaml", "csv"):
            return Result(lines, columns=["ts", "level", "source", "message"])
        return Result(text="".join(_text(line) for line in lines))
    for line in lines:
        ctx.io.out(_text(line), end="")
    _follow(ctx, directory, record, len(_read_log(record["log"])))
    return None


def _text(line: dict[str, Any]) -> str:
    return f"{line.get('ts', '')} {line.get('message', '')}\n"


def _read_log(path: str) -> list[dict[str, Any]]:
    from flext.core import jsonl

    return list(jsonl.read(path))


def _follow(ctx: Context, directory: str, record: dict[str, Any], seen: int) -> None:
    """Print new lines until the run has ended and everything it wrote is printed."""
    while True:
        current = runs.settle(directory, runs.read(directory, record["id"]) or record)
        lines = _read_log(record["log"])
        for line in lines[seen:]:
            ctx.io.out(_text(line), end="")
        seen = len(lines)
        if current.get("status") != "running":
            ctx.message(f"run {record['id']} {current.get('status')}")
            return
        time.sleep(0.2)


__all__ = ["deploy", "logs", "run", "status"]
