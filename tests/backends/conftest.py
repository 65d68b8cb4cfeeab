"""Four real engines for the same commands: the local engine, a `flext serve`, FlexCore's
API (tests/backend/fake_flexcore.py) and a real Airflow 3.

Each engine is a session fixture built once (`local_target`, `http_target`,
`flexcore_target`, `airflow_target`); a `Target` runs `python -m flext -p KIND ...` as a
subprocess from its own config, data and state directories and a working directory
outside any workspace, so every answer comes through the backend of that profile.

Airflow: apache-airflow (tests/backends/airflow_cache.py, its own cached venv) runs as
`airflow standalone` (SQLite, LocalExecutor) on 127.0.0.1 and free ports, in its own
process group, with that venv's bin on PATH, no examples, the simple auth manager's
users from a passwords file, and a dag-processor that re-scans its folder every few
seconds. Before it starts, `flext deploy airflow` writes the DAGs of a workspace with
real plugins (tap-jsonl -> target-jsonl from the plugin cache); the fixture waits (poll,
deadline) until the API answers and those DAGs are parsed. It is started once per test
session and stopped (SIGTERM to the group, then SIGKILL) right after the last test that
uses it, so it does not slow down the rest of the suite.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.backends import airflow_cache
from tests.conftest import ROOT, Run
from tests.engine.conftest import plugin_cache, poll  # noqa: F401  (fixture)

KINDS = ("local", "http", "flexcore", "airflow")
PASSWORD = "af-admin-5e1b2c"
START_DEADLINE_S = 420.0
WAIT_TAP = """#!/bin/sh
echo '{"type": "SCHEMA", "stream": "ticks", "schema": {"properties": {"n": {"type": "integer"}}}, "key_properties": ["n"]}'
echo "tap: waiting" >&2
exec sleep 600
"""
PIPELINES = """
[pipelines.orders]
tap = "tap-jsonl"
target = "target-jsonl"
tap_config = { path = "data/orders.jsonl", stream_name = "orders", primary_keys = ["id"] }
target_config = { destination_path = "output" }

[pipelines.waits]
tap = "TAP_WAIT"
target = "target-jsonl"
target_config = { destination_path = "output-waits" }

[pipelines.hourly]
tap = "tap-jsonl"
target = "target-jsonl"
schedule = "0 3 * * *"
paused = true
tap_config = { path = "data/orders.jsonl", stream_name = "orders", primary_keys = ["id"] }
target_config = { destination_path = "output-hourly" }
"""
ORDERS = [{"id": i, "customer": f"c{i}", "amount": i * 10.5} for i in (1, 2, 3)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def session_env(base: Path) -> dict[str, str]:
    """The environment of one engine and its clients: flext's directories under `base`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLEXT_", "AIRFLOW"))}
    for name in ("home", "config", "data", "state", "cache", "xdg-cache"):
        (base / name).mkdir(parents=True, exist_ok=True)
    env.update({
        "HOME": str(base / "home"), "FLEXT_CONFIG_DIR": str(base / "config"), "FLEXT_DATA_DIR": str(base / "data"),
        "FLEXT_STATE_DIR": str(base / "state"), "FLEXT_CACHE_DIR": str(base / "cache"),
        "XDG_CACHE_HOME": str(base / "xdg-cache"), "FLEXT_CEILING_DIRS": str(base),
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    })
    return env


def make_workspace(root: Path, plugins: dict[str, Path]) -> Path:
    """A workspace with the cached plugins linked in, three orders, and three pipelines:
    orders (quick), waits (a tap that never ends) and hourly (scheduled, paused)."""
    from flext.engine.workspace import init_workspace

    init_workspace(str(root), name=root.name)
    links = root / ".flext" / "plugins"
    links.mkdir(parents=True, exist_ok=True)
    for name in ("tap-jsonl", "target-jsonl"):
        (links / name).symlink_to(plugins[name], target_is_directory=True)
    (root / "data").mkdir(exist_ok=True)
    (root / "data" / "orders.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ORDERS))
    tap = root / "bin" / "tap-wait"
    tap.parent.mkdir(exist_ok=True)
    tap.write_text(WAIT_TAP)
    tap.chmod(0o755)
    with (root / "flext.toml").open("a", encoding="utf-8") as fh:
        fh.write(PIPELINES.replace("TAP_WAIT", str(tap)))
    return root


def flext_run(env: dict[str, str], *argv: str, cwd: Path, stdin: str = "", timeout: float = 180) -> Run:
    proc = subprocess.run([sys.executable, "-m", "flext", *argv], input=stdin, capture_output=True, text=True,
                          env=env, cwd=str(cwd), timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


# -- Airflow ---------------------------------------------------------------------------------------
class Airflow:
    """One `airflow standalone` in its own process group."""

    def __init__(self, base: Path, flext_env: dict[str, str]) -> None:
        self.base = base
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dags = base / "dags"
        self.dags.mkdir(parents=True, exist_ok=True)
        self.log_path = base / "airflow.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._token: str | None = None
        passwords = base / "passwords.json"
        passwords.write_text(json.dumps({"admin": PASSWORD}))
        bin_dir = airflow_cache.ensure()
        self.env = dict(flext_env)  # the task's `flext pipeline run` sees flext's directories
        self.env.update({
            "PATH": f"{bin_dir}{os.pathsep}{flext_env.get('PATH', os.defpath)}",
            "AIRFLOW_HOME": str(base / "airflow-home"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "3",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "10",
        })

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(["airflow", "standalone"], env=self.env, cwd=str(self.base),
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def _check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"airflow standalone exited {self.proc.returncode}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def request(self, method: str, path: str, *, body: Any = None, token: str | None = None,
                timeout: float = 30) -> tuple[int, Any]:
        import httpx

        headers = {"Authorization": f"Bearer {token or self.token}"} if path.startswith("/api/") else {}
        response = httpx.request(method, self.url + path, json=body, headers=headers, timeout=timeout)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text

    def new_token(self) -> str:
        import httpx

        response = httpx.post(f"{self.url}/auth/token", json={"username": "admin", "password": PASSWORD}, timeout=30)
        assert response.status_code in (200, 201), response.text
        return str(response.json()["access_token"])

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = self.new_token()
        return self._token

    def wait_ready(self, dags: set[str], deadline_s: float = START_DEADLINE_S) -> None:
        """Until the API answers, the scheduler and dag-processor are healthy and `dags` are parsed."""
        import httpx

        def healthy() -> bool:
            self._check_alive()
            try:
                response = httpx.get(f"{self.url}/api/v2/monitor/health", timeout=5)
            except httpx.HTTPError:
                return False
            doc = response.json() if response.status_code == 200 else {}
            return all((doc.get(part) or {}).get("status") == "healthy"
                       for part in ("metadatabase", "scheduler", "dag_processor"))

        started = time.monotonic()
        try:
            poll(healthy, timeout=deadline_s, what="Airflow's API and scheduler")
            self.wait_dags(dags, timeout=max(30.0, deadline_s - (time.monotonic() - started)))
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- airflow log ---\n{self.log_tail()}") from None

    def dag_ids(self) -> set[str]:
        status, doc = self.request("GET", "/api/v2/dags?tags=flext&limit=100")
        assert status == 200, doc
        return {d["dag_id"] for d in doc["dags"]}

    def wait_dags(self, dags: set[str], timeout: float = 120, present: bool = True) -> None:
        def check() -> bool:
            self._check_alive()
            ids = self.dag_ids()
            return dags <= ids if present else not (dags & ids)

        poll(check, timeout=timeout, what=f"Airflow to {'parse' if present else 'drop'} {sorted(dags)}")

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL what is left after a grace period."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            proc.poll()
            time.sleep(0.2)
        else:
            with self.log_path.open("a") as log:  # who did not stop: for the log
                log.write(subprocess.run(["ps", "-o", "pid,stat,etime,cmd", "-g", str(proc.pid)],
                                         capture_output=True, text=True).stdout)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=30)


_RUNNING: list[Airflow] = []


@pytest.fixture(scope="session")
def airflow_setup(plugin_cache: dict[str, Path],  # noqa: F811
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Airflow, Path, dict[str, str]]]:
    """(the Airflow, its workspace, the env of flext there), deployed and parsed."""
    base = tmp_path_factory.mktemp("airflow")
    env = session_env(base)
    workspace = make_workspace(base / "af-work", plugin_cache)
    airflow = Airflow(base, env)
    deployed = flext_run(env, "-C", str(workspace), "deploy", "airflow", "--dags-folder", str(airflow.dags),
                         cwd=base)
    assert deployed.code == 0, deployed
    airflow.start()
    _RUNNING.append(airflow)
    try:
        airflow.wait_ready({"orders", "waits", "hourly"})
        yield airflow, workspace, env
    finally:
        airflow.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Stop Airflow as soon as no later test needs it (a 1 GB, 4-process server)."""
    yield
    if _RUNNING and not any(i.get_closest_marker("airflow") for i in _later(item)):
        for airflow in _RUNNING:
            airflow.stop()


def _later(item: pytest.Item) -> list[pytest.Item]:
    items = item.session.items
    try:
        return items[items.index(item) + 1:]
    except ValueError:
        return []


# -- clients ---------------------------------------------------------------------------------------
_DEFAULT = object()


class Target:
    """One engine as a profile named after its kind, run as `python -m flext -p KIND ...`."""

    def __init__(self, kind: str, home: Path, base_env: dict[str, str], settings: dict[str, Any],
                 token: str | None) -> None:
        self.kind = kind
        self.home = home
        self.token = token
        self.cwd = home / "cwd"
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.env = session_env(home)
        for key in ("PATH", "DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND"):
            if key in base_env:
                self.env[key] = base_env[key]
        dead = f"http://127.0.0.1:{free_port()}"
        profiles = {kind: settings}
        if kind != "local":  # the same backend at an address nothing listens on
            profiles[f"{kind}-dead"] = {**settings, "api_url": dead, "retries": 0, "timeout": 3}
        (home / "config" / "config.toml").write_text(_toml(profiles, current=kind))
        self.hooks: dict[str, Any] = {}
        self._done: dict[str, Any] | None = None

    def __call__(self, *argv: str, token: Any = _DEFAULT, profile: str | None = None, stdin: str = "",
                 timeout: float = 180, env_update: dict[str, str | None] | None = None) -> Run:
        env = dict(self.env)
        value = self.token if token is _DEFAULT else token
        if value:
            env["FLEXT_TOKEN"] = str(value)
        for key, new in (env_update or {}).items():
            if new is None:
                env.pop(key, None)
            else:
                env[key] = new
        return flext_run(env, "-p", profile or self.kind, *argv, cwd=self.cwd, stdin=stdin, timeout=timeout)

    def json(self, *argv: str) -> Any:
        got = self(*argv, "-o", "json")
        assert got.code == 0, got
        return got.json()

    # -- runs ---------------------------------------------------------------------------------
    def finish(self, name: str, run_id: str, timeout: float = 240) -> dict[str, Any]:
        """The run's record once it has ended (FlexCore's runs end when the test says so)."""
        if "finish" in self.hooks:
            self.hooks["finish"](name, run_id)

        def done() -> dict[str, Any] | None:
            for record in self.json("pipeline", "runs", name):
                if record["id"] == run_id and record["status"] in ("succeeded", "failed", "cancelled"):
                    return dict(record)
            return None

        result: dict[str, Any] = poll(done, timeout=timeout, what=f"{self.kind}: run {run_id} of {name} to end")
        return result

    def running(self, name: str, timeout: float = 120) -> str:
        """Start `name` and return its run id once it is running."""
        started = self("pipeline", "start", name, "-o", "json")
        assert started.code == 0, started
        run_id = str(started.json()["id"])  # type: ignore[index]
        if "running" in self.hooks:
            self.hooks["running"](name, run_id)

        def check() -> bool:
            rows = self.json("pipeline", "status", name)
            return bool(rows[0]["status"] == "running" and rows[0]["run"] == run_id)

        poll(check, timeout=timeout, what=f"{self.kind}: {name} to run")
        if self.kind in ("local", "http", "airflow") and "workspace" in self.hooks:
            poll(lambda: self.hooks["workspace"](name), timeout=timeout, what=f"{self.kind}: the tap of {name}")
        return run_id

    def done_run(self) -> dict[str, Any]:
        """One finished run of `orders` (started with `pipeline start`), made once per engine."""
        if self._done is None:
            started = self("pipeline", "start", "orders", "-o", "json")
            assert started.code == 0, started
            record = started.json()
            assert isinstance(record, dict)
            self._done = {"start": record, "final": self.finish("orders", str(record["id"]))}
        return self._done


def _toml(profiles: dict[str, dict[str, Any]], *, current: str) -> str:
    lines = [f'current_profile = "{current}"', ""]
    for name, settings in profiles.items():
        lines.append(f'[profiles."{name}"]')
        for key, value in settings.items():
            lines.append(f"{key} = {json.dumps(value)}")
        lines.append("")
    return "\n".join(lines)


def _active_tap(workspace: Path, name: str) -> bool:
    """The workspace's run of `name` is running (its runner wrote the tap's process group)."""
    runs = workspace / ".flext" / "runs" / name
    for path in sorted(runs.glob("*.json"), reverse=True)[:1]:
        try:
            record = json.loads(path.read_text())
        except ValueError:
            return False
        return bool(record.get("status") == "running" and record.get("pgid"))
    return False


@pytest.fixture(scope="session")
def local_target(plugin_cache: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Target:  # noqa: F811
    base = tmp_path_factory.mktemp("conf-local")
    workspace = make_workspace(base / "work", plugin_cache)
    target = Target("local", base / "client", dict(os.environ), {"workspace": str(workspace)}, None)
    target.hooks["workspace"] = lambda name: _active_tap(workspace, name)
    return target


@pytest.fixture(scope="session")
def http_target(plugin_cache: dict[str, Path],  # noqa: F811
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    from tests.server.conftest import Server

    base = tmp_path_factory.mktemp("conf-http")
    workspace = make_workspace(base / "work", plugin_cache)
    server = Server(workspace, session_env(base / "server"))
    try:
        target = Target("http", base / "client", dict(os.environ), {"api_url": server.url, "timeout": 20}, server.token)
        target.hooks["workspace"] = lambda name: _active_tap(workspace, name)
        yield target
    finally:
        try:
            server.stop(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def flexcore_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    from tests.backend.fake_flexcore import FakeFlexCore

    base = tmp_path_factory.mktemp("conf-flexcore")
    fake = FakeFlexCore(token="fc-token-3d9a71")
    try:
        target = Target("flexcore", base / "client", dict(os.environ),
                        {"backend": "flexcore", "api_url": fake.url, "timeout": 10}, fake.token)
        target.hooks["finish"] = lambda name, run_id: fake.advance(
            run_id, "completed", "tap-jsonl: 3 records", "run succeeded") \
            if fake.orchestrations[run_id]["status"] in ("submitted", "running") else None
        target.hooks["running"] = lambda name, run_id: fake.advance(run_id, "running", "tap: waiting")
        yield target
    finally:
        fake.close()


@pytest.fixture(scope="session")
def airflow_target(airflow_setup: tuple[Airflow, Path, dict[str, str]],
                   tmp_path_factory: pytest.TempPathFactory) -> Target:
    airflow, workspace, _ = airflow_setup
    base = tmp_path_factory.mktemp("conf-airflow")
    target = Target("airflow", base / "client", dict(os.environ),
                    {"backend": "airflow", "api_url": airflow.url, "timeout": 20}, airflow.token)
    target.hooks["workspace"] = lambda name: _active_tap(workspace, name)
    return target


__all__ = ["KINDS", "Airflow", "Target", "flext_run", "free_port", "make_workspace", "session_env"]
