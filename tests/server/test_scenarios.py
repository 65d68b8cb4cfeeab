"""One scenario suite, run twice: against the local engine and against a real `flext serve`.

The `flext` fixture is parametrized: `local` runs `python -m flext` in the workspace;
`remote` starts `flext serve` on that workspace (127.0.0.1, a free port) and runs the
same commands from a client with its own config/data/state directories, in another
directory, with a profile whose api_url points at the server. Every assertion is the
same for both, so the outputs are the same; `test_transcripts_match` also runs one
script both ways and compares the whole (normalised) transcripts.

Real taps and targets from the package index (tap-jsonl, target-jsonl) are linked in
from the engine tests' cache; one tap (`tap-wait`) is a shell script that emits a
schema and waits, to have a run that is reliably still running.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run
from tests.engine.conftest import add_pipeline, write_jsonl
from tests.server.conftest import Client, Server, wait_final, wait_until

pytestmark = pytest.mark.slow  # real taps and targets, a real server


RUN_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}")
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?")
Flext = Callable[..., Run]

WAIT_TAP = """#!/bin/sh
echo '{"type": "SCHEMA", "stream": "ticks", "schema": {"properties": {"n": {"type": "integer"}}}, "key_properties": ["n"]}'
exec sleep 600
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(root: Path, config_dir: Path, echo_port: int) -> None:
    """Two pipelines, a supervised service and an alert rule in the workspace/config."""
    write_jsonl(root / "data" / "orders.jsonl", 1, 5)
    add_pipeline(root, "orders", """
tap = "tap-jsonl"
target = "target-jsonl"
tap_config = { path = "data/orders.jsonl", stream_name = "orders", primary_keys = ["id"] }
target_config = { destination_path = "output" }
""")
    tap = root / "bin" / "tap-wait"
    tap.parent.mkdir(exist_ok=True)
    tap.write_text(WAIT_TAP)
    tap.chmod(0o755)
    add_pipeline(root, "waits", f"""
tap = "{tap}"
target = "target-jsonl"
target_config = {{ destination_path = "output" }}
""")
    with (root / "flext.toml").open("a", encoding="utf-8") as fh:
        fh.write(f"""
[services.echo]
url = "http://127.0.0.1:{echo_port}"
health_path = "/"
command = "{sys.executable} -m http.server {echo_port} --bind 127.0.0.1"
description = "a web server for the tests"
""")
    config_dir.mkdir(parents=True, exist_ok=True)
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[alerts.echo_down]\nwhen = "service_down(echo)"\ndescription = "echo is down"\n')


class Local:
    """`python -m flext` in the workspace, with the test's environment."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = dict(env)
        self.env["PYTHONPATH"] = str(ROOT) + os.pathsep + self.env.get("PYTHONPATH", "")

    def __call__(self, *argv: str, stdin: str = "", timeout: float = 120) -> Run:
        proc = subprocess.run([sys.executable, "-m", "flext", *argv], input=stdin, capture_output=True, text=True,
                              env=self.env, timeout=timeout, cwd=str(self.root))
        return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(params=["local", "remote"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def echo_port() -> int:
    return _free_port()


@pytest.fixture
def flext(mode: str, workspace: Path, env: dict[str, str], start_server: Callable[..., Server],
          tmp_path: Path, echo_port: int) -> Flext:
    prepare(workspace, Path(env["FLEXT_CONFIG_DIR"]), echo_port)
    if mode == "local":
        return Local(workspace, env)
    server = start_server(workspace)
    return Client(tmp_path / "client", server.url, server.token, env)


def norm(text: str, root: Path) -> str:
    """Mask what differs between any two runs: ids, times, durations, pids, the trigger, widths."""
    text = text.replace(str(root), "WS")
    text = RUN_ID.sub("RUN", text)
    text = ISO.sub("TS", text)
    text = re.sub(r"\d+\.\d+", "F", text)
    text = re.sub(r"\b(pid|pgid)(\W+)\d+", r"\1\2N", text)
    text = re.sub(r"\b(cli|serve)\b", "T", text)  # the run's trigger: `serve` when started over HTTP
    return re.sub(r" {2,}", "  ", text)


# -- pipelines ------------------------------------------------------------------------------
def test_pipeline_list_and_show(flext: Flext, workspace: Path) -> None:
    listed = flext("pipeline", "list", "-o", "json")
    assert (listed.code, listed.err) == (0, "")
    assert listed.json() == [
        {"name": "orders", "tap": "tap-jsonl", "target": "target-jsonl", "transform": None, "schedule": None,
         "status": "never", "last_run": None, "last_started": None, "records": None},
        {"name": "waits", "tap": str(workspace / "bin" / "tap-wait"), "target": "target-jsonl", "transform": None,
         "schedule": None, "status": "never", "last_run": None, "last_started": None, "records": None},
    ]
    shown = flext("pipeline", "show", "orders", "-o", "json")
    assert shown.code == 0, shown
    doc = shown.json()
    assert {k: doc[k] for k in ("name", "tap", "target", "status", "last_run", "state", "next_run", "workspace")} == {
        "name": "orders", "tap": "tap-jsonl", "target": "target-jsonl", "status": "never", "last_run": None,
        "state": None, "next_run": None, "workspace": str(workspace)}
    assert doc["tap_config"] == {"path": "data/orders.jsonl", "stream_name": "orders", "primary_keys": ["id"]}


def test_pipeline_run_lifecycle(flext: Flext, workspace: Path, mode: str) -> None:
    started = flext("pipeline", "start", "orders")
    assert started.code == 0, started
    run_id = started.out.strip()
    assert RUN_ID.fullmatch(run_id)
    assert started.err == f"started orders: run {run_id}\n"
    record = wait_final(flext, "orders", run_id)
    assert (record["status"], record["records"], record["error"]) == ("succeeded", 5, None)
    assert record["trigger"] == ("cli" if mode == "local" else "serve")
    assert record["exit_codes"] == {"tap": 0, "target": 0}

    status = flext("pipeline", "status", "orders", "-o", "json")
    assert status.code == 0
    row = status.json()[0]
    assert {k: row[k] for k in ("pipeline", "status", "run", "records", "error")} == {
        "pipeline": "orders", "status": "succeeded", "run": run_id, "records": 5, "error": None}

    last = flext("pipeline", "logs", "orders", "--tail", "1")
    assert last.code == 0
    assert last.out.endswith("run succeeded\n")
    lines = flext("pipeline", "logs", "orders", "-o", "jsonl")
    parsed = [json.loads(x) for x in lines.out.splitlines()]
    trigger = "cli" if mode == "local" else "serve"
    assert parsed[0]["message"].startswith(f"run {run_id} of orders started (trigger {trigger}")
    assert parsed[-1]["message"] == "run succeeded"
    assert {p["run_id"] for p in parsed} == {run_id}

    state = flext("pipeline", "state", "orders", "-o", "json")
    assert state.code == 0
    assert set(state.json()["bookmarks"]) == {"orders"}
    outputs = list((workspace / "output").glob("orders-*.jsonl"))
    assert len(outputs) == 1 and len(outputs[0].read_text().splitlines()) == 5

    waited = flext("pipeline", "start", "orders", "--wait", "--full-refresh")
    assert waited.code == 0, waited
    second = waited.out.strip()
    assert RUN_ID.fullmatch(second) and second != run_id
    assert "run succeeded" in waited.err  # the followed log went to stderr
    assert f"run {second} succeeded" in waited.err.splitlines()[-1]
    runs = flext("pipeline", "runs", "orders", "-o", "json").json()
    assert [r["status"] for r in runs] == ["succeeded", "succeeded"]
    assert runs[0]["full_refresh"] is True


def test_running_pipeline_conflict_and_stop(flext: Flext) -> None:
    first = flext("pipeline", "start", "waits")
    assert first.code == 0, first
    run_id = first.out.strip()

    def running() -> bool:
        row = flext("pipeline", "status", "waits", "-o", "json").json()[0]
        return bool(row["status"] == "running")

    wait_until(running, what="the run to be running")
    again = flext("pipeline", "start", "waits")
    assert again.code == 7
    assert again.err == (f"error: pipeline 'waits' is already running (run {run_id}, running)\n"
                         "hint: follow it with `flext pipeline logs waits -f`, or stop it with `flext pipeline stop waits`\n")
    deleted = flext("pipeline", "delete", "waits", "--yes")
    assert deleted.code == 7
    assert deleted.err.startswith(f"error: pipeline 'waits' is running (run {run_id})\n")
    stopped = flext("pipeline", "stop", "waits")
    assert stopped.code == 0, stopped
    assert stopped.err == f"✓ stopped waits: run {run_id} cancelled\n"
    final = flext("pipeline", "runs", "waits", "-o", "json").json()[0]
    assert (final["id"], final["status"], final["error"]) == (run_id, "cancelled", "stopped by request")
    not_running = flext("pipeline", "stop", "waits")
    assert not_running.code == 6
    assert not_running.err == ("error: pipeline 'waits' is not running\n"
                               f"hint: its last run {run_id} cancelled\n")


@pytest.mark.parametrize(("argv", "code", "err"), [
    (("pipeline", "show", "order"), 6,
     "error: pipeline 'order' does not exist in workspace {root}\nhint: did you mean 'orders'?\n"),
    (("pipeline", "start", "ordrs"), 6,
     "error: pipeline 'ordrs' does not exist in workspace {root}\nhint: did you mean 'orders'?\n"),
    (("pipeline", "start", "zz-*"), 6,
     "error: no pipeline matches 'zz-*' in {where}\nhint: see `flext pipeline list`\n"),  # the server's URL, remotely
    (("pipeline", "logs", "orders"), 6,
     "error: pipeline 'orders' has no runs yet\nhint: start one: flext pipeline start orders\n"),
    (("pipeline", "runs", "orders", "--limit", "-1"), 2, None),
    (("pipeline", "create", "orders", "--tap", "tap-jsonl", "--target", "target-jsonl"), 7,
     "error: pipeline 'orders' already exists\nhint: change it with `flext pipeline edit orders ...`, or pass --replace\n"),
    (("pipeline", "create", "p2", "--tap", "tap-nope", "--target", "target-jsonl"), 6, None),
    # typed on the command line: a usage error, locally and remotely (`flext help exit-codes`)
    (("pipeline", "create", "p2", "--tap", "tap-jsonl", "--target", "target-jsonl", "--schedule", "61 * * * *"), 2,
     None),
])
def test_errors_are_the_same(flext: Flext, workspace: Path, argv: tuple[str, ...], code: int, err: str | None) -> None:
    got = flext(*argv)
    assert got.code == code, got
    assert got.out == ""
    if err is not None and "{where}" in err:
        before, after = err.split("{where}")
        assert got.err.startswith(before) and got.err.endswith(after), got
    elif err is not None:
        assert got.err == err.format(root=workspace)
    else:
        assert got.err.startswith("error: ") and "Traceback" not in got.err


def test_create_and_delete(flext: Flext) -> None:
    made = flext("pipeline", "create", "p2", "--tap", "tap-jsonl", "--target", "target-jsonl", "--schedule", "@daily")
    assert made.code == 0, made
    assert made.err.startswith("✓ created pipeline p2 (tap-jsonl -> target-jsonl)\n  schedule '@daily': next run ")
    assert [r["name"] for r in flext("pipeline", "list", "-o", "json").json()] == ["orders", "p2", "waits"]
    gone = flext("pipeline", "delete", "p2", "--yes")
    assert (gone.code, gone.err) == (0, "✓ deleted pipeline p2 (runs and state are kept under .flext/)\n")
    assert flext("pipeline", "show", "p2").code == 6


# -- services -----------------------------------------------------------------------------
def test_service_scenario(flext: Flext, echo_port: int) -> None:
    listed = flext("service", "list", "-o", "json")
    assert listed.code == 0, listed
    echo = [r for r in listed.json() if r["name"] == "echo"]
    assert echo == [{"name": "echo", "url": f"http://127.0.0.1:{echo_port}", "enabled": True, "supervised": True,
                     "process": "stopped", "origin": echo[0]["origin"], "description": "a web server for the tests"}]

    down = flext("service", "health", "echo", "-o", "json")
    assert down.code == 1
    assert down.err == "1 of 1 down: echo\n"
    assert [(r["name"], r["status"]) for r in down.json()] == [("echo", "down")]
    alerts = flext("monitor", "alerts", "list", "-o", "json")
    assert alerts.code == 0, alerts
    assert [(r["name"], r["state"]) for r in alerts.json()] == [("echo_down", "firing")]

    started = flext("service", "start", "echo", "--timeout", "30")
    assert started.code == 0, started
    try:
        # (the local command also says "started echo (pid N); waiting..." while it waits: progress, not output)
        assert re.search(r"\n?✓ echo running \(pid \d+, up\) in [\d.]+s\n\Z", started.err), started.err
        up = flext("service", "health", "echo", "--force", "-o", "json")
        assert up.code == 0, up
        assert [(r["name"], r["status"], r["url"]) for r in up.json()] == [
            ("echo", "up", f"http://127.0.0.1:{echo_port}/")]
        status = flext("service", "status", "-o", "json")
        assert status.code == 0
        assert [s["status"] for s in status.json()["services"] if s["name"] == "echo"] == ["up"]
        again = flext("service", "start", "echo")
        assert again.code == 7
        assert again.err.startswith("error: service 'echo' is already running (pid ")

        def logged() -> Run | None:
            got = flext("service", "logs", "echo", "--tail", "5", "-o", "jsonl")
            messages = [json.loads(line)["message"] for line in got.out.splitlines()] if got.code == 0 else []
            return got if any('"GET / HTTP/1.1" 200' in m for m in messages) else None

        wait_until(logged, what="the echo service to log a request")
    finally:
        stopped = flext("service", "stop", "echo")
    assert stopped.code == 0, stopped
    assert re.fullmatch(r"✓ stopped echo \(SIGTERM, [\d.]+s\)\n", stopped.err)
    assert flext("service", "stop", "echo").err == "echo is not running\n"
    missing = flext("service", "start", "nope")
    assert missing.code == 6 and missing.err.startswith("error: ")


# -- the same transcript both ways -----------------------------------------------------------
SCRIPT: list[tuple[str, ...]] = [
    ("pipeline", "list"),
    ("pipeline", "show", "orders"),
    ("pipeline", "status"),
    ("pipeline", "run", "orders"),
    ("pipeline", "status", "-o", "json"),
    ("pipeline", "runs", "orders", "-o", "csv"),
    ("pipeline", "logs", "orders", "--tail", "2"),
    ("pipeline", "state", "orders", "--clear", "--yes"),
    ("pipeline", "state", "orders"),
    ("pipeline", "show", "ordrs"),
    ("pipeline", "stop", "orders"),
    ("pipeline", "list", "--status", "succeeded", "-o", "yaml"),
    ("service", "health", "echo", "-o", "json"),
    ("service", "list", "-o", "csv"),
    ("monitor", "alerts", "list"),
]


def _transcript(run: Flext, root: Path) -> list[tuple[int, str, str]]:
    out = []
    for argv in SCRIPT:
        got = run(*argv)
        text_out = got.out
        if argv[:2] == ("service", "health"):  # latency differs run to run
            rows = json.loads(got.out)
            for row in rows:
                row["latency_ms"] = None
            text_out = json.dumps(rows)
        out.append((got.code, norm(text_out, root), norm(got.err, root)))
    return out


def test_transcripts_match(workspace: Path, env: dict[str, str], start_server: Callable[..., Server],
                           tmp_path: Path, plugin_cache: dict[str, Path]) -> None:
    """The same script, local and remote, gives the same output (ids, times and paths normalised)."""
    from flext.engine.workspace import init_workspace

    port = _free_port()
    prepare(workspace, Path(env["FLEXT_CONFIG_DIR"]), port)
    local = _transcript(Local(workspace, env), workspace)

    second = tmp_path / "wor2"  # as long as "work": same table widths
    init_workspace(str(second), name="test")
    (second / ".flext" / "plugins").mkdir(parents=True, exist_ok=True)
    for name, path in plugin_cache.items():
        (second / ".flext" / "plugins" / name).symlink_to(path, target_is_directory=True)
    server_env = dict(env, FLEXT_CONFIG_DIR=str(tmp_path / "server-config"), FLEXT_DATA_DIR=str(tmp_path / "server-data"),
                      FLEXT_STATE_DIR=str(tmp_path / "server-state"))
    prepare(second, tmp_path / "server-config", port)
    with (tmp_path / "server-config" / "config.toml").open("a", encoding="utf-8") as fh:
        # the server evaluates alert rules by itself (probing echo, which counts in its circuit
        # breaker): once at start-up, and not again during the script
        fh.write("\n[defaults.alerts]\ninterval = 3600\n")
    server = Server(second, server_env)
    try:
        remote = _transcript(Client(tmp_path / "client", server.url, server.token, env), second)
    finally:
        server.stop()
    for argv, mine, theirs in zip(SCRIPT, local, remote, strict=True):
        assert mine == theirs, f"flext {' '.join(argv)} differs"
