"""Issue 11 item 1, the server's last line of defence: whatever is on disk (a run record whose
`error` kept a tap's stderr, a log line), no HTTP response carries a secret of the workspace.

The secret is in a real keyring (tests/keyring) and only referenced by flext.toml; the run
record was written by someone else (here: by hand, as an older flext would have), so the
server never resolved it for a run: it must know the workspace's secrets by itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.engine.conftest import add_pipeline
from tests.keyring.service import clean_keyring, secret_service  # noqa: F401  (fixtures)
from tests.server.conftest import Server
from tests.server.test_security import _fake_run, _viewer

pytestmark = [pytest.mark.slow, pytest.mark.keyring, pytest.mark.usefixtures("secret_service", "clean_keyring")]
SECRET = 'Sup3r"Secret\\Value-42'


def test_viewers_never_read_a_secret_of_the_workspace(workspace: Path, start_server: Callable[..., Server],
                                                       flext_proc: Callable[..., Run]) -> None:
    import httpx

    stored = flext_proc("secret", "set", "tap-pass", "--from-stdin", stdin=SECRET)
    assert stored.code == 0, stored
    add_pipeline(workspace, "leaky", 'tap = "tap-jsonl"\ntarget = "target-jsonl"\n'
                                     'tap_config = { path = "data/x.jsonl", password = "secret:tap-pass" }\n')
    run_id = "20260101T000000Z-bbbb"
    escaped = json.dumps(SECRET)[1:-1]
    _fake_run(workspace, "leaky", run_id, f"tap exited 1: auth failed for {SECRET} ({escaped})",
              [f"connecting with password={SECRET}", f'{{"password": "{escaped}"}}'])
    server = start_server(workspace)
    viewer = _viewer(server)
    for path in ("/pipelines/leaky/runs", f"/pipelines/leaky/runs/{run_id}", f"/pipelines/leaky/logs?run={run_id}",
                 "/pipelines/leaky/status", "/status", "/system/status"):
        reply = httpx.get(server.url + "/api/v1" + path, headers={"Authorization": f"Bearer {viewer}"}, timeout=60)
        assert reply.status_code == 200, (path, reply.text)
        for spelling in (SECRET, escaped, json.dumps(escaped)[1:-1]):
            assert spelling not in reply.text, (path, reply.text)
    runs = httpx.get(server.url + "/api/v1/pipelines/leaky/runs", headers={"Authorization": f"Bearer {viewer}"},
                     timeout=60).json()
    assert runs[0]["error"].startswith("tap exited 1: auth failed for ••••••")
