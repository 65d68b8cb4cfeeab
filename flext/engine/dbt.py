"""dbt: find it, run it, and read `target/run_results.json` into rows.

dbt comes from the workspace plugin venv (`flext data dbt install`, pinned to
dbt-core~=1.11 with dbt-duckdb), else the `dbt.executable` setting, else PATH.
A project dir with a profiles.yml uses it (DBT_PROFILES_DIR); FLEXT_WORKSPACE is set
so a profile can point at the workspace's warehouse file.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from flext.core.errors import ConfigError, NotFound

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.engine.workspace import Workspace

PLUGIN = "dbt"
INSTALL_HINT = "install it with `flext data dbt install` (dbt-core~=1.11 with dbt-duckdb)"


def executable(ws: Workspace, configured: str | None = None, path: str | None = None) -> str:
    """The dbt to run, or exit 5 saying how to install it."""
    candidates = [os.path.join(ws.plugins_dir, PLUGIN, "venv", "bin", "dbt")]
    if configured:
        candidates.append(configured if os.sep in configured else (shutil.which(configured, path=path) or ""))
    candidates.append(shutil.which("dbt", path=path) or "")
    for path in candidates:
        if path and os.access(path, os.X_OK):
            return path
    raise ConfigError("dbt is not installed in this workspace or on PATH", hint=INSTALL_HINT)


def project_dir(ws: Workspace, project: str) -> str:
    """A dbt project directory (relative to the workspace, or absolute); exit 6 if missing."""
    path = ws.resolve(project)
    if os.path.isfile(os.path.join(path, "dbt_project.yml")):
        return path
    from flext.core.suggest import closest
    from flext.engine.index import dbt_projects

    known = dbt_projects(ws)
    guess = closest(project, known)
    raise NotFound(f"no dbt project at {path} (no dbt_project.yml)",
                   hint=f"did you mean {guess!r}?" if guess else
                   (f"projects here: {', '.join(known)}" if known else "create one with `dbt init`"))


def invoke(
    dbt: str,
    project: str,
    args: list[str],
    workspace_root: str,
    *,
    log: Callable[[str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    env: dict[str, str] | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Run `dbt ARGS` in `project`; (exit code, nodes from run_results.json)."""
    env = dict(env if env is not None else os.environ)
    for key in ("PYTHONPATH", "PYTHONHOME"):
        env.pop(key, None)
    env["FLEXT_WORKSPACE"] = workspace_root
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    env["DBT_USE_COLORS"] = "false"
    argv = [dbt, *args, "--project-dir", project]
    if os.path.isfile(os.path.join(project, "profiles.yml")):
        argv += ["--profiles-dir", project]
    results_path = os.path.join(project, "target", "run_results.json")
    try:
        before = os.stat(results_path).st_mtime_ns
    except OSError:
        before = None
    proc = subprocess.Popen(argv, cwd=project, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, process_group=0)
    assert proc.stdout is not None
    import signal

    for raw in proc.stdout:
        if log is not None:
            log(raw.decode("utf-8", "replace").rstrip())
        if cancelled is not None and cancelled():
            os.killpg(proc.pid, signal.SIGTERM)
    proc.stdout.close()
    code = proc.wait()
    try:
        fresh = os.stat(results_path).st_mtime_ns != before
    except OSError:
        fresh = False
    return code, read_results(results_path) if fresh else []


def read_results(path: str) -> list[dict[str, Any]]:
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return []
    rows = []
    for item in data.get("results", []):
        node = str(item.get("unique_id", ""))
        response = item.get("adapter_response") or {}
        rows.append({
            "node": node.split(".", 2)[-1] if node.count(".") >= 2 else node,
            "type": node.split(".", 1)[0],
            "status": str(item.get("status")),
            "time_s": round(float(item.get("execution_time") or 0.0), 3),
            "rows": response.get("rows_affected"),
            "message": item.get("message"),
            "detail": reason(item.get("message")) if str(item.get("status")) not in ("success", "pass") else None,
        })
    return rows


def reason(message: object) -> str | None:
    """The line of a dbt node's message that says what went wrong: dbt starts errors with
    `Runtime Error in model x (models/x.sql)`, which names what we show already, so the
    next line (`Binder Error: Referenced column "nope" not found ...`) is the one."""
    lines = [line.strip() for line in str(message or "").splitlines() if line.strip()]
    if not lines:
        return None
    first = lines[0]
    if len(lines) > 1 and " Error in " in f" {first}" and first.endswith(")"):
        return lines[1]
    return first


def first_error(lines: list[str]) -> str | None:
    """dbt's own error from its output, when it failed before any node ran (a project that
    does not compile, a profile it cannot read): the line after `Encountered an error:`."""
    import re

    texts = [re.sub(r"^\d\d:\d\d:\d\d\s+", "", line).strip() for line in lines]
    texts = [t for t in texts if t]
    for index, text in enumerate(texts):
        if text.startswith("Encountered an error") and index + 1 < len(texts):
            return reason("\n".join(texts[index + 1: index + 3]))
    for text in texts:
        if "Error" in text and not text.startswith("Done."):
            return text
    return None


def failure(code: int, results: list[dict[str, Any]], lines: list[str], what: str = "dbt build") -> str | None:
    """One line saying why a dbt invocation failed, or None when it did not: the first
    failed node with the first line of its message, then how many more failed."""
    failed = [r for r in results if r["status"] in ("error", "fail")]
    if code == 0 and not failed:
        return None
    text = f"{what} failed (exit {code})"
    if failed:
        first = failed[0]
        text += f": {first['node']}" + (f": {first['detail']}" if first.get("detail") else "")
        if len(failed) > 1:
            others = ", ".join(r["node"] for r in failed[1:5])
            text += f"; also failed: {others}" + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
    else:
        found = first_error(lines)
        if found:
            text += f": {found}"
    return text


__all__ = ["INSTALL_HINT", "PLUGIN", "executable", "failure", "first_error", "invoke", "project_dir", "read_results",
           "reason"]
