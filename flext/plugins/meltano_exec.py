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


__all__ = ["SPEC", "VENV", "capture_json", "environment", "executable", "install", "jobs", "project_dir", "schedules",
           "stream"]
