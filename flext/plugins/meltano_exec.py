"""Install, find and run the real `meltano`: streamed output, exit code passed through.

Shared by `flext meltano ...` and the gruponos plugin. `install` puts Meltano into its
own virtual environment under the workspace's plugin folder,
`.flext/plugins/meltano/venv`, with the installer the taps use (flext.engine.plugins:
one venv per tool, idempotent, under a lock). The executable is, in order: config
`meltano.executable`, that venv in this workspace, the same venv in the default
workspace (installed from anywhere outside a workspace), then PATH; missing is a
ConfigError (exit 5) whose hint is `flext meltano install`. Usage stats are always off
(MELTANO_SEND_ANONYMOUS_USAGE_STATS=false).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading

from flext.core.errors import ConfigError, NotFound

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TextIO

    from flext.core.context import Context

VENV = os.path.join(".flext", "plugins", "meltano", "venv")
SPEC = "meltano>=3.6,<5"  # what `flext meltano install` installs unless told otherwise


def workspace_root(ctx: Context) -> str:
    from flext.engine.workspace import from_context

    return from_context(ctx).root


def executable(ctx: Context) -> str:
    configured = (ctx.settings.get("meltano") or {}).get("executable")
    if configured:
        found = shutil.which(os.path.expanduser(str(configured)), path=ctx.env.get("PATH"))
        if found is None:
            raise ConfigError(f"meltano.executable = {configured!r} is not an executable file",
                              hint="fix it with `flext config set meltano.executable PATH`")
        return found
    for root in dict.fromkeys((workspace_root(ctx), ctx.paths.default_workspace)):
        candidate = os.path.join(root, VENV, "bin", "meltano")
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("meltano", path=ctx.env.get("PATH"))
    if found is None:
        raise ConfigError("meltano is not installed",
                          hint="`flext meltano install` puts it in its own venv "
                               "(or `flext config set meltano.executable PATH`)")
    return found


def install(ctx: Context, spec: str | None = None, *, force: bool = False) -> dict[str, Any]:
    """Meltano in `<workspace>/.flext/plugins/meltano/venv`; a second call with the same spec changes nothing."""
    from flext.engine import plugins
    from flext.engine.workspace import from_context

    ws = from_context(ctx)
    if force:
        try:
            os.unlink(os.path.join(plugins.plugin_dir(ws, "meltano"), "plugin.json"))
        except FileNotFoundError:
            pass
    entry = {"name": "meltano", "kind": "meltano", "executable": "meltano", "pip_url": spec or SPEC}
    installer = str((ctx.settings.get("plugins") or {}).get("installer") or "uv")
    info = plugins.install(ws, entry, pip_url=spec or SPEC, on_status=ctx.message, installer=installer,
                           cache_dir=ctx.paths.cache_dir, env=ctx.env)
    return {"name": "meltano", "version": info.get("version"), "pip_url": info.get("pip_url"),
            "executable": info.get("executable"), "changed": bool(info.get("changed"))}


def environment(ctx: Context) -> dict[str, str]:
    env = dict(ctx.env)
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return env


def project_dir(ctx: Context, given: str | None, *, configured: str | None = None) -> str:
    """--project DIR, else `configured`, else the nearest folder at or above cwd with meltano.yml."""
    for candidate in (given, configured):
        if candidate:
            path = os.path.abspath(os.path.expanduser(candidate))
            if not os.path.isfile(os.path.join(path, "meltano.yml")):
                raise NotFound(f"no meltano.yml in {path}", hint="create the project with `flext meltano project init DIR`")
            return path
    here = os.getcwd()
    while True:
        if os.path.isfile(os.path.join(here, "meltano.yml")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            raise NotFound("no Meltano project here (no meltano.yml in this folder or above)",
                           hint="pass --project DIR, or create one with `flext meltano project init DIR`")
        here = parent


def stream(ctx: Context, argv: list[str], cwd: str, *, on_line: Callable[[str, str], None] | None = None) -> int:
    """Run `meltano ARGV` in `cwd`; copy its stdout/stderr line by line as they come.

    `on_line(stream_name, line)` also sees every line (run logs). Ctrl-C stops meltano
    (SIGINT, then SIGTERM) and returns 130.
    """
    cmd = [executable(ctx), *argv]
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, env=environment(ctx), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        raise ConfigError(f"cannot run {cmd[0]}: {exc.strerror}", hint="check meltano.executable") from None
    assert proc.stdout is not None and proc.stderr is not None
    lock = threading.Lock()

    def pump(source: Any, target: TextIO, name: str) -> None:
        for raw in iter(source.readline, b""):
            line = raw.decode("utf-8", "replace")
            with lock:
                try:
                    target.write(line)
                    target.flush()
                except (OSError, ValueError):
                    pass
                if on_line is not None:
                    on_line(name, line.rstrip("\n"))
        source.close()

    threads = [threading.Thread(target=pump, args=(proc.stdout, ctx.io.stdout, "stdout"), daemon=True),
               threading.Thread(target=pump, args=(proc.stderr, ctx.io.stderr, "stderr"), daemon=True)]
    for t in threads:
        t.start()
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        code = 130
    for t in threads:
        t.join(timeout=5)
    return code


def _stop(proc: subprocess.Popen[bytes]) -> None:
    import signal

    for sig, wait in ((signal.SIGINT, 10.0), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def capture_json(ctx: Context, argv: list[str], cwd: str) -> Any:
    """Run a listing subcommand with `--format=json` and parse its stdout."""
    import json

    cmd = [executable(ctx), *argv, "--format=json"]
    proc = subprocess.run(cmd, cwd=cwd, env=environment(ctx), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        from flext.core.errors import OperationFailed

        tail = [line for line in proc.stderr.splitlines() if line.strip()][-2:]
        raise OperationFailed(f"meltano {' '.join(argv)} failed (exit {proc.returncode}): {' | '.join(tail)}",
                              exit_code=proc.returncode if proc.returncode < 128 else 1)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        from flext.core.errors import OperationFailed

        raise OperationFailed(f"meltano {' '.join(argv)} did not print JSON") from None


def schedules(ctx: Context, cwd: str) -> list[dict[str, Any]]:
    """Rows of `meltano schedule list`: name, job (or extractor/loader), interval, cron."""
    data = capture_json(ctx, ["schedule", "list"], cwd)
    rows = []
    groups = data.get("schedules", {}) if isinstance(data, dict) else {}
    for item in groups.get("job", []):
        job = item.get("job") or {}
        rows.append({"name": item.get("name"), "job": job.get("name") if isinstance(job, dict) else job,
                     "interval": item.get("interval"), "cron": item.get("cron_interval")})
    for item in groups.get("elt", []):
        rows.append({"name": item.get("name"), "job": f"{item.get('extractor')} {item.get('loader')}",
                     "interval": item.get("interval"), "cron": item.get("cron_interval")})
    return rows


def jobs(ctx: Context, cwd: str) -> list[dict[str, Any]]:
    data = capture_json(ctx, ["job", "list"], cwd)
    return [{"name": j.get("job_name"), "tasks": j.get("tasks", [])} for j in (data or {}).get("jobs", [])]


# -- the Meltano project's own schedules, run by `flext serve` ---------------------------------

UNSCHEDULED = ("@once", "@manual", "@none", "")


def scheduled_project(ctx: Context, root: str) -> str | None:
    """The Meltano project whose schedules `flext serve` runs: `meltano.project_dir` (relative
    to the workspace), else the workspace root when it holds meltano.yml; None when there is
    none or `meltano.schedules = false`."""
    settings = ctx.settings.get("meltano") or {} if ctx.has_config else {}
    if settings.get("schedules") is False:
        return None
    configured = settings.get("project_dir")
    folder = os.path.join(root, os.path.expanduser(str(configured))) if configured else root
    return os.path.abspath(folder) if os.path.isfile(os.path.join(folder, "meltano.yml")) else None


def read_schedules(project: str) -> dict[str, dict[str, Any]]:
    """`schedules:` of meltano.yml, read with PyYAML (no meltano start-up): {name: {"cron", "argv"}}.

    A job schedule runs `meltano run JOB`; an old-style one `meltano run EXTRACTOR LOADER
    [TRANSFORM]`. Intervals @once/@manual are not scheduled. A file that does not parse is
    a ConfigError naming the file and line (the scheduler logs it and runs none of them)."""
    from flext.core import yamlfile

    path = os.path.join(project, "meltano.yml")
    data = yamlfile.load(path, hint="fix the file (meltano reads it too)")
    items = data.get("schedules") if isinstance(data, dict) else None
    out: dict[str, dict[str, Any]] = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        interval = str(item.get("interval") or "").strip()
        if interval.lower() in UNSCHEDULED:
            continue
        if item.get("job"):
            argv = ["run", str(item["job"])]
        elif item.get("extractor") and item.get("loader"):
            argv = ["run", str(item["extractor"]), str(item["loader"])]
            transform = item.get("transform")
            if isinstance(transform, str) and transform not in ("skip", "only", "run"):
                argv.append(transform)
        else:
            continue
        out[item["name"]] = {"cron": interval, "argv": argv}
    return out


def run_name(schedule: str) -> str:
    """Where a Meltano schedule's runs are recorded: `.flext/runs/meltano.NAME/` (`pipeline runs meltano.NAME`)."""
    return f"meltano.{schedule}"


def start_recorded(ctx: Context, root: str, schedule: str, argv: list[str], project: str, *,
                   trigger: str = "schedule") -> tuple[dict[str, Any], Any]:
    """Start `meltano ARGV` detached in `project`, recorded like a pipeline run (record, JSONL log).

    Conflict when a run of the same schedule is still going; ConfigError when meltano is
    not installed. Returns (the queued record, the Popen to reap)."""
    import json
    import subprocess
    import sys

    import flext
    from flext.core import clock
    from flext.core.errors import Conflict
    from flext.engine import procs, runs
    from flext.engine.workspace import Workspace, ensure_dot

    exe = executable(ctx)
    ws = Workspace(root)
    ensure_dot(ws)
    name = run_name(schedule)
    with runs.lock(ws, name):
        running = runs.active(ws, name)
        if running:
            raise Conflict(f"{name} is already running (run {running['id']})")
        run_id = clock.new_run_id()
        record = runs.new_record(ws, name, run_id, full_refresh=False, trigger=trigger)
        record.update(kind="meltano", command="meltano " + " ".join(argv), project=project,
                      exit_codes={"meltano": None})
        runs.write(ws, record)
        plan = os.path.join(ws.runs_dir(name), f".{run_id}.plan.json")
        from flext.core.fsutil import atomic_write

        atomic_write(plan, json.dumps({"workspace": root, "pipeline": name, "run_id": run_id,
                                       "argv": [exe, *argv], "cwd": project}), 0o600)
        env = environment(ctx)
        env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(flext.__file__)))
        env.pop("PYTHONHOME", None)
        proc = subprocess.Popen([sys.executable, "-m", "flext.plugins.meltano_exec", plan], cwd=project, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, close_fds=True)
        current = runs.read(ws, name, run_id) or record
        if current.get("pid") is None:
            current.update(pid=proc.pid, pid_start=procs.start_time(proc.pid))
            runs.write(ws, current)
    return runs.public(current), proc


def _metric_records(line: str) -> int:
    """Rows of an extractor's singer-sdk `record_count` METRIC line in meltano's log."""
    import json

    head, sep, payload = line.partition(" METRIC: ")
    words = head.split()
    if not sep or not words or not words[-1].startswith("tap"):
        return 0
    try:
        metric = json.loads(payload)
    except ValueError:
        return 0
    if isinstance(metric, dict) and metric.get("metric") == "record_count" and metric.get("type") == "counter":
        return int(metric.get("value") or 0)
    return 0


def _line_level(line: str) -> str:
    start = line.find("[")
    end = line.find("]", start)
    word = line[start + 1:end].strip().lower() if 0 <= start < end else ""
    return word if word in ("debug", "info", "warning", "error", "critical") else "info"


def run_plan(plan: dict[str, Any]) -> int:
    """The detached side of `start_recorded`: run meltano, log every line, finish the record."""
    import signal
    import time

    from flext.core import jsonl
    from flext.core.clock import iso
    from flext.engine import procs, runs
    from flext.engine.resources import Sampler
    from flext.engine.workspace import Workspace

    ws = Workspace(plan["workspace"])
    name, run_id = plan["pipeline"], plan["run_id"]
    record = runs.read(ws, name, run_id)
    if record is None:
        return 1
    record.update(status="running", pid=os.getpid(), pid_start=procs.start_time(os.getpid()))
    runs.write(ws, record)
    log = str(record["log"])

    def write(level: str, message: str) -> None:
        jsonl.append(log, {"ts": iso(), "level": level, "source": "meltano", "run_id": run_id, "pipeline": name,
                           "message": message})

    write("info", f"run {run_id} of {name} started: {' '.join(os.path.basename(a) if i == 0 else a for i, a in enumerate(plan['argv']))}")
    counted = 0
    try:
        proc = subprocess.Popen(plan["argv"], cwd=plan["cwd"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, process_group=0)
    except OSError as exc:
        runs.finish(ws, record, "failed", f"cannot run meltano: {exc.strerror or exc}")
        return 1
    record.update(pgid=proc.pid, pgid_start=procs.start_time(proc.pid))
    runs.write(ws, record)
    stopping: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.append(signum)
        procs.signal_group(proc.pid, signal.SIGTERM)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    sampler = Sampler(others="meltano").start()
    assert proc.stdout is not None
    last_write = time.monotonic()
    for raw in iter(proc.stdout.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            continue
        counted += _metric_records(line)
        write(_line_level(line), line)
        if time.monotonic() - last_write >= 2.0 and counted != record.get("records"):
            record["records"] = counted
            runs.write(ws, record)
            last_write = time.monotonic()
    proc.stdout.close()
    code = proc.wait()
    figures = sampler.stop()
    from flext.engine.resources import totals

    record.update(records=counted, exit_codes={"meltano": code}, resources=figures)
    record["cpu_s"], record["peak_rss_mb"] = totals(figures)
    runs.write(ws, record, durable=False)
    if stopping:
        status, error = "cancelled", "stopped by request"
    elif code == 0:
        status, error = "succeeded", None
    else:
        status, error = "failed", f"meltano exited with code {code}"
    write("error" if status == "failed" else "info", f"run {status}" + (f": {error}" if error else ""))
    runs.finish(ws, record, status, error)
    return 0 if status == "succeeded" else 1


def main(argv: list[str] | None = None) -> int:
    """`python -m flext.plugins.meltano_exec PLAN.json` (written by start_recorded, removed once read)."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m flext.plugins.meltano_exec PLAN.json\n")
        return 2
    with open(args[0], encoding="utf-8") as fh:
        plan = json.load(fh)
    os.unlink(args[0])
    return run_plan(plan)


__all__ = ["SPEC", "UNSCHEDULED", "VENV", "capture_json", "environment", "executable", "install", "jobs", "main",
           "project_dir", "read_schedules", "run_name", "run_plan", "scheduled_project", "schedules",
           "start_recorded", "stream"]

if __name__ == "__main__":
    import sys

    sys.exit(main())
