"""`flext serve` as a command: bootstrap once, bad options, a port already taken."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

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
