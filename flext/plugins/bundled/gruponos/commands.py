"""`flext gruponos init / doctor / pipeline deploy / run / status / logs`."""

from __future__ import annotations

import os
import time

from flext.core.errors import Conflict, NotFound, UsageError
from flext.core.output import Result
from flext.plugins import meltano_exec as mx
from flext.plugins import schedules
from flext.plugins.api import iso, run_id, settings, split
from flext.plugins.bundled.gruponos import project, runs
from flext.plugins.bundled.gruponos.project import PLUGIN, deployments_file, project_dir, runs_dir, workspace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from flext.core.context import Context

STATUS_STYLES = {"last_status": {"succeeded": "green", "failed": "red", "running": "cyan"}}
DOCTOR_STYLES = {"status": {"ok": "green", "missing": "bold red", "unreachable": "bold red", "skipped": "yellow"}}
PROBE_TIMEOUT_S = 5.0


def _job(ctx: Context, cwd: str, name: str) -> dict[str, Any]:
    jobs = project.jobs(project.load(cwd))
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
    cwd = project_dir(ctx, opts.get("project"))
    _job(ctx, cwd, name)
    cron = opts.get("schedule")
    if not cron:
        found = [s for s in project.schedules(project.load(cwd)) if s["job"] == name]
        if not found:
            raise UsageError(f"job {name!r} has no schedule in meltano.yml",
                             hint=f"pass --schedule CRON, or `flext meltano schedule add NAME --job {name} --interval CRON`")
        cron = found[0]["interval"]
    schedules.check(str(cron))
    root = workspace(ctx)
    command = [PLUGIN, "run", name]
    if not project.found_without_project_option(ctx, cwd):  # the scheduler runs it from the workspace root
        command.append(f"--project={cwd}")
    entry = schedules.put(root, f"{PLUGIN}.{name}", cron=str(cron), command=command, plugin=PLUGIN)
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
    (name, *_), opts = split(argv)
    cwd = project_dir(ctx, opts.get("project"))
    _job(ctx, cwd, name)
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
    """Each job of meltano.yml: its schedule, flext deployment and last run (status, time, duration, records)."""
    _, opts = split(argv)
    cwd = project_dir(ctx, opts.get("project"))
    data = project.load(cwd)
    scheds = project.schedules(data)
    deployed = schedules.load(workspace(ctx))
    rows = []
    for job in project.jobs(data):
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
            "duration_s": last.get("duration_s") if last else None,
            "records": last["records"] if last else None,
        })
    return Result(rows, columns=["job", "schedule", "deployed", "last_status", "last_run", "duration_s", "records"],
                  styles=STATUS_STYLES)


def init(ctx: Context, argv: list[str]) -> Result:
    """Write the GrupoNos Meltano project into DIR (default: here)."""
    from flext.core.fsutil import atomic_write
    from flext.plugins.bundled.gruponos import template

    positionals, opts = split(argv)
    target = os.path.abspath(os.path.expanduser(positionals[0] if positionals else "."))
    executables = _executables(argv)
    if os.path.isfile(os.path.join(target, "meltano.yml")) and not opts.get("force"):
        raise Conflict(f"{target} already holds a Meltano project",
                       hint="choose another folder, or pass --force to write the GrupoNos project over it")
    if os.path.exists(target) and not os.path.isdir(target):
        raise Conflict(f"{target} is a file, not a folder", hint="choose another folder")
    rows = []
    for relative, content in template.files(executables).items():
        path = os.path.join(target, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write(path, content, 0o644)
        rows.append({"file": relative, "bytes": len(content.encode())})
    message = f"✓ GrupoNos project written in {target}\nnext: `flext gruponos doctor` says what it still needs"
    if not project.found_without_project_option(ctx, target) and os.path.realpath(os.getcwd()) != os.path.realpath(target):
        message += (f"\nhint: run the gruponos commands from {target}, or "
                    f"`flext config set gruponos.project_dir {target}`")
    return Result(rows, columns=["file", "bytes"], message=message)


def _executables(argv: list[str]) -> dict[str, str]:
    """`--executable PLUGIN=PATH` (repeatable): PLUGIN is a plugin of the project or an executable name
    (flext-tap-oracle-wms: both extractors)."""
    from flext.plugins.bundled.gruponos import template

    out: dict[str, str] = {}
    for token in argv:
        if not token.startswith("--executable="):
            continue
        spec = token.split("=", 1)[1]
        name, eq, path = spec.partition("=")
        if not eq or not name or not path:
            raise UsageError(f"--executable {spec!r}: expected PLUGIN=PATH",
                             hint="e.g. --executable tap-oracle-wms-full=/opt/taps/bin/tap-wms")
        value = os.path.abspath(os.path.expanduser(path)) if os.sep in path or path.startswith("~") else path
        plugins = [p for p, exe in template.EXECUTABLES.items() if name in (p, exe)]
        if not plugins:
            from flext.core.suggest import closest

            pool = [*template.EXECUTABLES, *sorted(set(template.EXECUTABLES.values()))]
            guess = closest(name, pool)
            raise UsageError(f"--executable {spec!r}: no plugin or executable {name!r} in the GrupoNos project",
                             hint=f"did you mean {guess!r}?" if guess else f"one of: {', '.join(pool)}")
        for plugin in plugins:
            out[plugin] = value
    return out


def _dotenv(path: str) -> dict[str, str]:
    """KEY=VALUE lines of a .env file (comments, blank lines and `export ` prefixes allowed)."""
    values: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return values
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _probe(host: str, port: int, timeout: float) -> str | None:
    """None when a TCP connection opens within `timeout`, else why not."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except TimeoutError:
        return f"no answer within {timeout:g}s"
    except OSError as exc:
        return exc.strerror or str(exc)


def doctor(ctx: Context, argv: list[str]) -> Result:
    """What the project needs: meltano.yml, meltano, the plugins' executables, variables, hosts reachable."""
    import shutil

    _, opts = split(argv)
    rows: list[dict[str, Any]] = []

    def add(check: str, status: str, detail: str, hint: str | None = None) -> None:
        rows.append({"check": check, "status": status, "detail": detail, "hint": hint})

    def done() -> Result:
        bad = [r for r in rows if r["status"] in ("missing", "unreachable")]
        message = f"{len(bad)} problem(s) found" if bad else "✓ the GrupoNos project has what it needs"
        return Result(rows, columns=["check", "status", "detail", "hint"], message=message,
                      exit_code=1 if bad else 0, styles=DOCTOR_STYLES)

    try:
        cwd = project_dir(ctx, opts.get("project"))
        data = project.load(cwd)
    except NotFound as exc:
        add("project", "missing", exc.message, "create it: `flext gruponos init DIR` (then run the gruponos "
                                               "commands from DIR)")
        return done()
    plugins = project.plugins(data)
    jobs = project.jobs(data)
    add("project", "ok", f"{cwd}/meltano.yml: {len(plugins)} plugins, jobs {', '.join(j['name'] for j in jobs) or '-'}")
    try:
        meltano = mx.executable(ctx)
    except Exception as exc:  # ConfigError: not installed, or meltano.executable is wrong
        add("meltano", "missing", getattr(exc, "message", str(exc)),
            "`flext meltano install` puts it in its own venv (or `flext config set meltano.executable PATH`)")
    else:
        import subprocess

        try:
            proc = subprocess.run([meltano, "--version"], capture_output=True, text=True, timeout=120,
                                  env=mx.environment(ctx), stdin=subprocess.DEVNULL, check=False)
            version = (proc.stdout or proc.stderr).strip().splitlines()
            if proc.returncode == 0 and version:
                add("meltano", "ok", f"{version[-1]} ({meltano})")
            else:
                add("meltano", "missing", f"{meltano} --version exited {proc.returncode}",
                    "reinstall it: `flext meltano install --force`")
        except (OSError, subprocess.TimeoutExpired) as exc:
            add("meltano", "missing", f"cannot run {meltano}: {exc}", "reinstall it: `flext meltano install --force`")
    path = ctx.env.get("PATH")
    for plugin in plugins:
        exe = plugin["executable"]
        found = None
        if plugin.get("pip_url"):
            candidate = os.path.join(cwd, ".meltano", plugin["type"], plugin["name"], "venv", "bin", exe)
            found = candidate if os.access(candidate, os.X_OK) else None
        if found is None and (os.sep in exe or exe.startswith("~")):
            candidate = os.path.join(cwd, os.path.expanduser(exe))
            found = candidate if os.access(candidate, os.X_OK) and not os.path.isdir(candidate) else None
        elif found is None:
            found = shutil.which(exe, path=path)
        check = f"executable {plugin['name']}"
        if found:
            add(check, "ok", found)
        elif plugin.get("pip_url"):
            add(check, "missing", f"{exe} is not installed in the project", f"run `meltano install` in {cwd}")
        else:
            add(check, "missing", f"{exe} is not on PATH",
                f"install {exe}, or point {plugin['name']} at another program (`executable:` in meltano.yml)")
    dotenv = _dotenv(os.path.join(cwd, ".env"))
    values: dict[str, str] = {}
    for name in project.variables(data):
        if ctx.env.get(name):
            values[name] = ctx.env[name]
            add(f"variable {name}", "ok", "set in the environment")
        elif dotenv.get(name):
            values[name] = dotenv[name]
            add(f"variable {name}", "ok", f"set in {cwd}/.env")
        else:
            add(f"variable {name}", "missing", "not set",
                f"add {name}=... to {cwd}/.env (the names are in .env.example), or export it")
    timeout = float(settings(ctx, PLUGIN).get("timeout") or PROBE_TIMEOUT_S)
    for what, target in (("wms", _wms_host(values)), ("oracle", _oracle_host(values))):
        host, port, needs = target
        if host is None:
            add(f"reach {what}", "skipped", f"needs {needs}")
            continue
        problem = _probe(host, port, timeout)
        if problem is None:
            add(f"reach {what}", "ok", f"{host}:{port} accepts connections")
        else:
            add(f"reach {what}", "unreachable", f"{host}:{port}: {problem}",
                f"check {needs}, and that this machine can reach it (VPN, firewall)")
    return done()


def _wms_host(values: dict[str, str]) -> tuple[str | None, int, str]:
    from urllib.parse import urlsplit

    url = values.get("TAP_ORACLE_WMS_BASE_URL")
    if not url:
        return None, 0, "TAP_ORACLE_WMS_BASE_URL"
    parts = urlsplit(url if "://" in url else f"https://{url}")
    try:
        port = parts.port or (80 if parts.scheme == "http" else 443)
    except ValueError:
        return None, 0, "a valid TAP_ORACLE_WMS_BASE_URL"
    return parts.hostname, port, "TAP_ORACLE_WMS_BASE_URL"


def _oracle_host(values: dict[str, str]) -> tuple[str | None, int, str]:
    host = values.get("FLEXT_TARGET_ORACLE_HOST")
    needs = "FLEXT_TARGET_ORACLE_HOST and FLEXT_TARGET_ORACLE_PORT"
    if not host:
        return None, 0, needs
    try:
        port = int(values.get("FLEXT_TARGET_ORACLE_PORT") or 1521)
    except ValueError:
        return None, 0, needs
    return host, port, needs


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
    columns = ["ts", "level", "source", "message"]
    if not opts.get("follow"):
        return Result(lines, columns=columns, text="".join(_text(line) + "\n" for line in lines))
    return Result(stream=_follow(ctx, directory, record, lines), columns=columns, line=lambda row, style: _text(row))


def _text(line: dict[str, Any]) -> str:
    return f"{line.get('ts', '')} {line.get('message', '')}"


def _read_log(path: str) -> list[dict[str, Any]]:
    from flext.core import jsonl

    return list(jsonl.read(path))


def _follow(ctx: Context, directory: str, record: dict[str, Any], shown: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The lines shown so far, then new ones until the run has ended and everything it
    wrote is out."""
    yield from shown
    seen = len(_read_log(record["log"]))
    while True:
        current = runs.settle(directory, runs.read(directory, record["id"]) or record)
        lines = _read_log(record["log"])
        yield from lines[seen:]
        seen = len(lines)
        if current.get("status") != "running":
            ctx.message(f"run {record['id']} {current.get('status')}")
            return
        time.sleep(0.2)


__all__ = ["deploy", "doctor", "init", "logs", "run", "status"]
