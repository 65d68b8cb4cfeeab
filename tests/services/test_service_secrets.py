"""Issue 11 item 5: a supervised service's log never holds the secrets it was given.

A service added with `--env DB_PASSWORD=secret:NAME` (a real keyring, tests/keyring)
prints the value raw, JSON-escaped, URL-encoded and inside a JSON log line; the keeper
masks every line before it reaches the log file, so neither the file nor
`flext service logs` shows it. The values reach the keeper through its private spec
(a pipe), never its argv or environment.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.conftest import Run
from tests.keyring.service import clean_keyring, secret_service
from tests.services.servers import free_port, write_config

pytestmark = [pytest.mark.slow, pytest.mark.keyring, pytest.mark.usefixtures("secret_service", "clean_keyring")]
_ = (clean_keyring, secret_service)
SECRET = 'svc"Pa/ss\\word 7'
CHATTY = r'''
import json, os, sys, urllib.parse
pw = os.environ["DB_PASSWORD"]
print("raw " + pw, flush=True)
print("json " + json.dumps({"pw": pw}), flush=True)
print("url " + urllib.parse.quote(pw, safe="") + " " + urllib.parse.quote_plus(pw), flush=True)
print(json.dumps({"level": "error", "message": "login failed for " + pw}), file=sys.stderr, flush=True)
print("ready", flush=True)
from http.server import BaseHTTPRequestHandler, HTTPServer


class Ok(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", int(sys.argv[1])), Ok).serve_forever()
'''


def test_a_services_log_masks_the_secrets_it_was_given(flext_proc: Callable[..., Run], env: dict[str, str]) -> None:
    assert flext_proc("secret", "set", "svc-pass", "--from-stdin", stdin=SECRET).code == 0
    write_config(env)
    script = Path(env["HOME"]) / "chatty.py"
    script.write_text(CHATTY)
    port = free_port()
    added = flext_proc("service", "add", "chatty", "--url", f"http://127.0.0.1:{port}",
                       "--command", f"{sys.executable} {script} {port}", "--env", "DB_PASSWORD=secret:svc-pass")
    assert added.code == 0, added
    spellings = [SECRET, json.dumps(SECRET)[1:-1], quote(SECRET, safe=""), quote_plus(SECRET)]
    try:
        started = flext_proc("service", "start", "chatty", "-o", "json")
        assert started.code == 0, started
        info = json.loads(started.out)
        keeper = Path(f"/proc/{info['keeper_pid']}")
        assert not [s for s in spellings if s.encode() in (keeper / "cmdline").read_bytes()]
        assert not [s for s in spellings if s.encode() in (keeper / "environ").read_bytes()]

        def ready() -> list[str]:
            out = flext_proc("service", "logs", "chatty", "-o", "jsonl").out
            return [json.loads(line)["message"] for line in out.splitlines()]

        from tests.engine.conftest import poll

        messages = poll(lambda: (m := ready()) and "ready" in m and m, 30, "the service to print")
        assert [m for m in messages if m.split(" ")[0] in ("raw", "json", "url", "login")] == [
            "raw ••••••", 'json {"pw": "••••••"}', "url •••••• ••••••", "login failed for ••••••"]
        log = Path(info["log_file"]).read_bytes()
        assert not [s for s in spellings if s.encode() in log]
        folders = [Path(env[k]) for k in ("FLEXT_STATE_DIR", "FLEXT_DATA_DIR", "FLEXT_CONFIG_DIR", "HOME")]
        leaked = [str(p) for folder in folders for p in folder.rglob("*")
                  if p.is_file() and any(s.encode() in p.read_bytes() for s in spellings)]
        assert leaked == []
    finally:
        flext_proc("service", "stop", "chatty", "--force")
    assert not os.path.exists(Path(env["FLEXT_STATE_DIR"]) / "services" / "chatty.pid")
