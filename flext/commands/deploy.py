"""`flext deploy airflow`: one DAG file per pipeline of this workspace (see
`flext.backend.airflow_dags` for what a DAG does and why it ends by printing the state).

Deploying publishes the local definitions (the workspace's flext.toml), whatever the
profile's backend. It is idempotent: a file whose rendering is unchanged is not
touched (byte-identical, so Airflow does not re-parse it), a changed one is replaced
atomically, and the files flext wrote for this workspace whose pipeline is gone are
removed. A file flext did not write, or wrote for another workspace, is never
overwritten or removed.
"""

from __future__ import annotations

import os

from flext.core.errors import ConfigError, Conflict, UsageError
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Args, Context

_COLUMNS = ["pipeline", "dag_id", "action", "file"]


def airflow(ctx: Context, args: Args) -> Result:
    from flext.backend import airflow_dags as dags
    from flext.engine.files import replace
    from flext.engine.pipelines import check_name
    from flext.engine.workspace import from_context

    folder = args.get("dags_folder")
    if not folder:
        raise UsageError("--dags-folder DIR is required: Airflow's dags folder ([core] dags_folder)",
                         hint="flext deploy airflow --dags-folder ~/airflow/dags")
    folder = os.path.abspath(os.path.expanduser(str(folder)))
    ws = from_context(ctx)
    if not ws.exists:
        raise ConfigError(f"no workspace at {ws.root} (no flext.toml): nothing to deploy",
                          hint="run it in a workspace, or pass -C DIR")
    operator = str(args.get("operator") or "bash")
    timezone = str(args.get("timezone") or dags.local_timezone(ctx.env))
    _check_zone(timezone)
    command = str(args.get("flext_command") or dags.default_command(ctx.env))
    wanted: dict[str, tuple[str, str, str]] = {}  # file name -> (pipeline, dag_id, text)
    for name, body in sorted(ws.pipelines.items()):
        check_name(name)
        dag = dags.dag_id(name)
        fname = dags.file_name(dag)
        if fname in wanted:
            raise ConfigError(f"pipelines {wanted[fname][0]!r} and {name!r} would both be the DAG {dag!r}",
                              hint="rename one of them")
        rendered = dags.render({"name": name, **body}, workspace=ws.root, flext=command, operator=operator,
                           image=args.get("image"), timezone=timezone,
                           image_workspace=str(args.get("image_workspace") or dags.IMAGE_WORKSPACE))
        wanted[fname] = (name, dag, rendered)
    os.makedirs(folder, exist_ok=True)
    plan: list[tuple[dict[str, Any], str | None]] = []  # (row, text to write or None)
    for fname, (name, dag, rendered) in wanted.items():
        path = os.path.join(folder, fname)
        old = _read(path)
        if old is not None and old != rendered.encode():
            owner = dags.read_marker(path)
            if owner is None:
                raise Conflict(f"{path} exists and flext did not write it", hint="move it away, or rename the pipeline")
            if owner != ws.root:
                raise Conflict(f"{path} is the DAG of the same pipeline name in the workspace {owner}",
                               hint="rename one of the pipelines, or deploy the workspaces to different folders")
        row = {"pipeline": name, "dag_id": dag, "action": "kept" if old == rendered.encode() else "written",
               "file": path}
        plan.append((row, None if row["action"] == "kept" else rendered))
    for entry in sorted(os.listdir(folder)):
        if entry in wanted or not (entry.startswith("flext_") and entry.endswith(".py")):
            continue
        path = os.path.join(folder, entry)
        if dags.read_marker(path) != ws.root:
            continue
        plan.append(({"pipeline": _pipeline_of(path), "dag_id": entry[len("flext_"):-3], "action": "removed",
                      "file": path}, None))
    for row, content in plan:  # every check passed: now change the folder
        if content is not None:
            replace(row["file"], content, 0o644)
        elif row["action"] == "removed":
            os.unlink(row["file"])
    rows = [row for row, _ in plan]
    counts = {a: sum(1 for r in rows if r["action"] == a) for a in ("written", "kept", "removed")}
    message = (f"✓ {counts['written']} written, {counts['kept']} kept, {counts['removed']} removed in {folder}"
               + ("" if rows else " (the workspace has no pipelines)"))
    return Result(rows, columns=_COLUMNS, message=message,
                  styles={"action": {"written": "green", "removed": "yellow", "kept": "dim"}})


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def _pipeline_of(path: str) -> str | None:
    with open(path, encoding="utf-8", errors="replace") as fh:
        for _ in range(5):
            line = fh.readline()
            if line.startswith("# pipeline: "):
                return line[len("# pipeline: "):].rstrip("\n")
    return None


def _check_zone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"unknown time zone {name!r}", hint="an IANA name such as UTC or Europe/Paris") from None
