"""DAG files for Airflow: one per pipeline of a workspace, written by `flext deploy airflow`.

A DAG's one task runs `flext pipeline run NAME` in the workspace, so the run, its
log and its Singer state stay where they are for the local engine; Airflow only
schedules, starts, stops and records. The task then prints the run's log lines
(`pipeline logs NAME -o jsonl`, so Airflow's task log holds the tap's and target's
lines) and, last, one line `flext-result {"run": RECORD, "state": STATE}`: BashOperator
pushes the last line of stdout as the task's XCom `return_value`, which is how the
airflow backend reads a pipeline's state and a run's record count over REST
(`flext.backend.airflow`). A KubernetesPodOperator task writes the same document to
`/airflow/xcom/return.json`, which Airflow's sidecar pushes as the XCom.

Files are rendered deterministically (no timestamps), so deploying unchanged
pipelines rewrites nothing; each file starts with MARKER and names its workspace, so
a deploy removes only the files it wrote for this workspace.
"""

from __future__ import annotations

import os
import re
import shlex
import sys

from flext.core.errors import ConfigError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

MARKER = "# flext-managed DAG: written by `flext deploy airflow`; edits are overwritten, and the file"
TAG = "flext"
TASK_ID = "run"
RESULT_PREFIX = "flext-result "
OPERATORS = ("bash", "kubernetes")
ENV_COMMAND = "FLEXT_AIRFLOW_COMMAND"  # how the DAG calls flext, when --flext-command is not given
IMAGE_WORKSPACE = "/workspace"
_DAG_ID_BAD = re.compile(r"[^A-Za-z0-9_.\-]")
_JINJA = ("{{", "{%", "{#")


def dag_id(name: str) -> str:
    """A valid Airflow dag_id for a pipeline name: letters, digits, `-`, `_`, `.` (others
    become `_`), at most 250 characters. flext's own names already fit, so this is the name."""
    out = _DAG_ID_BAD.sub("_", name)[:250]
    return out or "_"


def file_name(dag: str) -> str:
    return f"flext_{dag}.py"


def description(name: str, spec: dict[str, Any]) -> str:
    """`flext pipeline NAME: TAP -> TARGET[ then dbt PROJECT]`, read back by the backend."""
    text = f"flext pipeline {name}: {spec.get('tap')} -> {spec.get('target')}"
    if spec.get("transform"):
        text += f" then dbt {spec['transform']}"
    return text


_DESCRIPTION = re.compile(r"^flext pipeline (?P<name>\S+): (?P<tap>\S+) -> (?P<target>\S+)(?: then dbt (?P<dbt>\S+))?$")


def parse_description(text: Any) -> dict[str, str | None]:
    """{name, tap, target, transform} from a description written by `description` (Nones otherwise)."""
    found = _DESCRIPTION.match(str(text or ""))
    if not found:
        return {"name": None, "tap": None, "target": None, "transform": None}
    return {"name": found["name"], "tap": found["tap"], "target": found["target"], "transform": found["dbt"]}


def default_command(env: Mapping[str, str] | None = None) -> str:
    """How a DAG calls flext: $FLEXT_AIRFLOW_COMMAND, else the single file being run, else this
    interpreter with `-m flext` and flext's own directory on PYTHONPATH (as detached runs do)."""
    value = (env or {}).get(ENV_COMMAND)
    if value:
        return value
    argv0 = os.path.realpath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if argv0 and os.path.isfile(argv0):
        import zipfile

        if zipfile.is_zipfile(argv0):
            return shlex.quote(argv0)
    import flext

    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(flext.__file__)))
    return f"PYTHONPATH={shlex.quote(package_parent)} {shlex.quote(sys.executable)} -m flext"


def local_timezone(env: Mapping[str, str] | None = None) -> str:
    """The IANA name of this machine's zone (flext reads cron in local time), else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [(env or {}).get("TZ", "").lstrip(":")]
    try:
        link = os.readlink("/etc/localtime")
    except OSError:
        link = ""
    if "zoneinfo/" in link:
        candidates.append(link.split("zoneinfo/", 1)[1])
    for name in candidates:
        if not name:
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return "UTC"


def task_script(name: str, workspace: str, flext: str) -> str:
    """The shell the task runs: the run, its log lines, then the `flext-result` line."""
    ws = shlex.quote(workspace)
    pipe = shlex.quote(name)
    full = "{{ ' --full-refresh' if dag_run.conf.get('full_refresh') else '' }}"
    return "\n".join([
        f'flx() {{ {flext} -C {ws} --no-input "$@"; }}',
        f"cd {ws} || exit 1",
        f"run_json=$(flx pipeline run {pipe} -o jsonl{full})",
        "rc=$?",
        f"flx pipeline logs {pipe} -o jsonl || true",
        f"state=$(flx pipeline state {pipe} -o jsonl)",
        'result="{\\"run\\": ${run_json:-null}, \\"state\\": ${state:-null}}"',
        "if [ -d /airflow/xcom ]; then printf '%s' \"$result\" > /airflow/xcom/return.json; fi",
        f"printf '{RESULT_PREFIX}%s\\n' \"$result\"",
        "exit $rc",
    ]) + "\n"


def _literal(text: str) -> str:
    """`text` as a readable Python literal: a raw triple-quoted string when it can be one."""
    if '"""' in text or text.endswith("\\") or "\r" in text:
        return repr(text)
    return 'r"""' + text + '"""'


def render(spec: dict[str, Any], *, workspace: str, flext: str, operator: str = "bash",
           image: str | None = None, timezone: str = "UTC", image_workspace: str = IMAGE_WORKSPACE) -> str:
    """The DAG file of one pipeline (`spec` holds `name`), byte-identical for the same input."""
    name = str(spec["name"])
    if operator not in OPERATORS:
        raise UsageError(f"unknown operator {operator!r}", hint="use bash or kubernetes")
    if operator == "kubernetes" and not image:
        raise UsageError("--operator kubernetes needs --image IMAGE (an image with flext, the plugins and "
                         "the workspace)", hint="flext deploy airflow --dags-folder DIR --operator kubernetes "
                         "--image registry/flext-etl:1.0")
    where = image_workspace if operator == "kubernetes" else workspace
    command = "flext" if operator == "kubernetes" else flext
    for text in (where, command, name):
        if any(mark in text for mark in _JINJA):
            raise ConfigError(f"{text!r} contains a Jinja marker ({', '.join(_JINJA)}), which Airflow would "
                              "template", hint="move the workspace, or pass --flext-command without one")
    dag = dag_id(name)
    schedule = spec.get("schedule") or None
    paused = bool(spec.get("paused"))
    script = task_script(name, where, command)
    lines = [
        MARKER,
        "# is removed when its pipeline is; change the pipeline in flext.toml and deploy again.",
        f"# workspace: {workspace}",
        f"# pipeline: {name}",
        f'"""{_doc(description(name, spec))}."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    if operator == "kubernetes":
        lines.append("from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator")
    else:
        lines.append("from airflow.providers.standard.operators.bash import BashOperator")
    lines += [
        "from airflow.sdk import DAG" + (", CronTriggerTimetable" if schedule else ""),
        "",
        f"SCRIPT = {_literal(chr(10) + script)}",  # one shell line per line of this file
        "",
        "with DAG(",
        f"    dag_id={dag!r},",
        f"    dag_display_name={name!r},",
        f"    description={description(name, spec)!r},",
        # no start_date: the first scheduled run is the next one from now, as with `flext serve`
        (f"    schedule=CronTriggerTimetable({schedule!r}, timezone={timezone!r}),"
         if schedule else "    schedule=None,"),
        "    catchup=False,",
        "    max_active_runs=1,",
        f"    is_paused_upon_creation={paused!r},",
        f"    tags=[{TAG!r}],",
        "    default_args={\"retries\": 0},  # flext retries inside the run (the pipeline's `retries`)",
        ") as dag:",
    ]
    if operator == "kubernetes":
        lines += [
            "    KubernetesPodOperator(",
            f"        task_id={TASK_ID!r},",
            f"        name={('flext-' + dag.lower().replace('_', '-').replace('.', '-'))[:63]!r},",
            f"        image={image!r},",
            "        cmds=[\"/bin/sh\", \"-c\"],",
            "        arguments=[SCRIPT],",
            "        do_xcom_push=True,",
            "        get_logs=True,",
            "    )",
        ]
    else:
        lines += [
            "    BashOperator(",
            f"        task_id={TASK_ID!r},",
            "        bash_command=SCRIPT,",
            f"        cwd={workspace!r},",
            "    )",
        ]
    return "\n".join(lines) + "\n"


def _doc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def read_marker(path: str) -> str | None:
    """The workspace a flext-written DAG file names, or None when flext did not write it."""
    try:
        with open(path, encoding="utf-8") as fh:
            head = [fh.readline() for _ in range(3)]
    except (OSError, UnicodeDecodeError):
        return None
    if not head[0].startswith(MARKER) or not head[2].startswith("# workspace: "):
        return None
    return head[2][len("# workspace: "):].rstrip("\n")


def result_of(value: Any) -> dict[str, Any] | None:
    """The `{"run": ..., "state": ...}` document of a task's XCom return_value, or None."""
    import json

    if isinstance(value, dict):
        return value if "state" in value or "run" in value else None
    text = str(value or "").strip()
    if not text.startswith(RESULT_PREFIX):
        return None
    try:
        doc = json.loads(text[len(RESULT_PREFIX):])
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


__all__ = ["MARKER", "OPERATORS", "RESULT_PREFIX", "TAG", "TASK_ID", "dag_id", "default_command", "description",
           "file_name", "local_timezone", "parse_description", "read_marker", "render", "result_of"]
