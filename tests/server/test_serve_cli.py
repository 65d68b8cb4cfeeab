"""`flext serve` as a command: bootstrap once, bad options, a port already taken."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.server.conftest import Server


def test_bootstrap_admin_only_once(workspace: Path, start_server: Callable[..., Server],
                                   flext_proc: Callable[..., Run]) -> None:
    first = start_server(workspace)
    assert first.token.startswith("flxt_")
    assert "created admin user 'admin' and token " in "".join(first.err_lines)
    assert first.stop() == 0
    again = flext_proc("-C", str(workspace), "serve", "--port", "0", "--bootstrap-admin")
    assert (again.code, again.out) == (7, "")
    assert again.err == ("error: an admin already exists; --bootstrap-admin only works once\n"
                         "hint: create tokens with `flext auth token create --role admin` as that admin\n")


def test_bad_options_and_a_taken_port(workspace: Path, flext_proc: Callable[..., Run]) -> None:
    bad = flext_proc("-C", str(workspace), "serve", "--port", "70000")
    assert (bad.code, bad.err) == (2, "error: --port must be between 0 and 65535, got 70000\n")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        busy = flext_proc("-C", str(workspace), "serve", "--port", str(port))
    assert busy.code == 5
    assert busy.err.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert busy.err.endswith("hint: is another server running there? pick another --port\n")


CORRUPT = [
    ("auth.json", b'{"users": {"admin": {"role": "admin"}},\n "tokens": {\n', 3,
     "not valid JSON: Expecting property name enclosed in double quotes (column 1)"),
    ("auth.json", b"", 1, "not valid JSON: Expecting value (column 1)"),
    ("auth.json", b'["users"]\n', None, "expected a JSON object with users and tokens"),
    ("idempotency.json", b'{"k": {"ts": 1}\n', 2, "not valid JSON: Expecting ',' delimiter (column 1)"),
    ("schedule.json", b"{nope}", 1, "not valid JSON: Expecting property name enclosed in double quotes (column 2)"),
]


@pytest.mark.parametrize("bootstrap", [False, True], ids=["plain", "bootstrap-admin"])
@pytest.mark.parametrize(("name", "content", "line", "problem"), CORRUPT, ids=lambda v: v if isinstance(v, str) else None)
def test_a_corrupt_server_file_stops_the_server_and_is_left_alone(
        workspace: Path, flext_proc: Callable[..., Run], name: str, content: bytes, line: int | None,
        problem: str, bootstrap: bool) -> None:
    """Issue 11 item 6: never read as empty (every token 401), never rewritten (users gone)."""
    path = workspace / ".flext" / "server" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    before = os.stat(path)
    got = flext_proc("-C", str(workspace), "serve", "--port", "0", *(["--bootstrap-admin"] if bootstrap else []),
                     timeout=60)
    where = f"{path}:{line}" if line else str(path)
    assert (got.code, got.out) == (5, "")
    assert got.err.splitlines()[0] == f"error: {where}: {problem}"
    assert got.err.splitlines()[1].startswith("hint: flext serve never rewrites a damaged file")
    assert len(got.err.splitlines()) == 2
    assert path.read_bytes() == content
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(".lock")) == [name]
