"""A real `flext serve` process on 127.0.0.1 (free port), and clients for it.

`Server` starts `python -m flext -C WORKSPACE serve --port 0 --bootstrap-admin` with
the test's environment, reads the admin token from stdout and the bound address from
stderr (polled with a deadline, never a fixed sleep), and stops it with SIGTERM (or
kills it, for the fault tests). A remote client runs with its *own* config, data and
state directories and another working directory, so whatever it sees came over HTTP.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Run
from tests.engine.conftest import plugin_cache, poll, workspace  # noqa: F401  (fixtures)

ADDRESS = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


class Server:
    """One `flext serve` subprocess."""

    def __init__(self, root: Path, env: dict[str, str], *, bootstrap: bool = True, extra: tuple[str, ...] = ()) -> None:
        self.root = root
        self.env = dict(env)
        self.env["PYTHONPATH"] = str(ROOT) + os.pathsep + self.env.get("PYTHONPATH", "")
        argv = [sys.executable, "-m", "flext", "-C", str(root), "serve", "--port", "0", *extra]
        if bootstrap:
            argv.append("--bootstrap-admin")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env,
                                     cwd=str(root), start_new_session=True)
        self.err_lines: list[str] = []
        self.out_lines: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stderr, self.err_lines), daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stdout, self.out_lines), daemon=True)]
        for reader in self._readers:
            reader.start()
        self.url = poll(self._address, timeout=30, what="the server to listen")
        self.token = (poll(lambda: self.out_lines[:1], timeout=10, what="the admin token")[0].strip()
                      if bootstrap else "")

    @staticmethod
    def _read(stream: Any, into: list[str]) -> None:
        for line in stream:
            into.append(line)

    def _address(self) -> str | None:
        if self.proc.poll() is not None:
            raise AssertionError(f"flext serve exited {self.proc.returncode}: {''.join(self.err_lines)}")
        for line in list(self.err_lines):
            found = ADDRESS.search(line)
            if found:
                return found.group(1)
        return None

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def events(self, event: str | None = None) -> list[dict[str, Any]]:
        out = []
        for line in list(self.err_lines):
            if line.startswith("{"):
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                if event is None or item.get("event") == event:
                    out.append(item)
        return out

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=5)
        return code

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


@pytest.fixture
def start_server(env: dict[str, str]) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(root: Path, **kwargs: Any) -> Server:
        server = Server(root, env, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        try:
            server.stop(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def server(workspace: Path, start_server: Callable[..., Server]) -> Server:  # noqa: F811
    return start_server(workspace)


class Client:
    """Runs `python -m flext -p remote ...` against a server, from its own directories."""

    def __init__(self, home: Path, url: str, token: str | None, base_env: dict[str, str]) -> None:
        self.home = home
        self.url = url
        self.token = token
        home.mkdir(parents=True, exist_ok=True)
        (home / "cwd").mkdir(exist_ok=True)
        self.env = dict(base_env)
        self.env.update({
            "FLEXT_CONFIG_DIR": str(home / "config"), "FLEXT_DATA_DIR": str(home / "data"),
            "FLEXT_STATE_DIR": str(home / "state"), "FLEXT_CACHE_DIR": str(home / "cache"),
            "PYTHONPATH": str(ROOT) + os.pathsep + base_env.get("PYTHONPATH", ""),
        })
        self.env.pop("FLEXT_TOKEN", None)
        if token:
            self.env["FLEXT_TOKEN"] = token
        config = home / "config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "config.toml").write_text(
            f'current_profile = "remote"\n\n[profiles.remote]\napi_url = "{url}"\ntimeout = 20\nretries = 2\n')

    def __call__(self, *argv: str, stdin: str = "", extra_env: dict[str, str] | None = None,
                 timeout: float = 120) -> Run:
        env = dict(self.env)
        env.update(extra_env or {})
        proc = subprocess.run([sys.executable, "-m", "flext", *argv], input=stdin, capture_output=True, text=True,
                              env=env, timeout=timeout, cwd=str(self.home / "cwd"))
        return Run(proc.returncode, proc.stdout, proc.stderr)

    def with_token(self, token: str | None) -> Client:
        return Client(self.home, self.url, token, {k: v for k, v in self.env.items() if k != "FLEXT_TOKEN"})


@pytest.fixture
def client(server: Server, tmp_path: Path, env: dict[str, str]) -> Client:
    return Client(tmp_path / "client", server.url, server.token, env)


def http(method: str, url: str, *, token: str | None = None, body: Any = None, headers: dict[str, str] | None = None,
         raw: bytes | None = None, timeout: float = 30) -> tuple[int, Any, dict[str, str]]:
    """One plain request (httpx); returns (status, decoded JSON or text, headers)."""
    import httpx

    sent = dict(headers or {})
    if token:
        sent["Authorization"] = f"Bearer {token}"
    if raw is not None:
        sent.setdefault("Content-Type", "application/json")
        response = httpx.request(method, url, content=raw, headers=sent, timeout=timeout)
    else:
        response = httpx.request(method, url, json=body, headers=sent, timeout=timeout)
    try:
        data: Any = response.json()
    except ValueError:
        data = response.text
    return response.status_code, data, dict(response.headers)


def wait_final(run: Callable[..., Run], pipeline: str, run_id: str, timeout: float = 120) -> dict[str, Any]:
    """Poll `pipeline runs` until the run has ended (deadline, no fixed sleep)."""

    def done() -> dict[str, Any] | None:
        got = run("pipeline", "runs", pipeline, "-o", "json")
        assert got.code == 0, got
        for record in got.json():  # type: ignore[attr-defined]
            if record["id"] == run_id and record["status"] in ("succeeded", "failed", "cancelled"):
                return dict(record)
        return None

    result: dict[str, Any] = poll(done, timeout=timeout, what=f"run {run_id} to end")
    return result


def wait_until(check: Callable[[], Any], timeout: float = 60, what: str = "condition") -> Any:
    return poll(check, timeout=timeout, what=what)


def now() -> float:
    return time.time()


__all__ = ["Client", "Server", "http", "wait_final", "wait_until"]
