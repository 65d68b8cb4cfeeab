"""The canary: a secret with a unique random value must never leak, in any spelling.

It is set once (through stdin, into a real Secret Service: tests/keyring), then used every
way a user would: as a `secret:NAME` config value (free-form and typed settings), in an
alias expansion, in `flext explain`, through history and audit (mutating commands), in an
error that mentions the resolved value, typed by the user in a later line of the same
process (the REPL case) and typed by mistake as the argument of `secret set`; in a
pipeline's tap config whose tap prints it (raw, JSON-escaped, URL-encoded) and fails, run
in the foreground, detached and by a server; in a supervised service's environment (the
service prints it); behind an alert rule without notifications; in `--debug` tracebacks
and `-o json`; and served by a real `flext serve` to a viewer (runs, logs, status) and
an admin (audit).

The value holds a quote, a backslash, a slash, a space and an `@`, so each spelling
(raw, JSON-escaped, shell-quoted, URL-encoded) differs from the others. Afterwards no
file under HOME, the workspace, the config, data, state and cache dirs holds any
spelling of it, and neither does any captured stdout or stderr (the CLI's and the
server's) nor any HTTP response body, except `secret get NAME --reveal`.
"""

from __future__ import annotations

import io
import json
import os
import secrets as random
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from flext.core.secrets import MASK
from tests.conftest import Run
from tests.engine.conftest import plugin_cache, poll, read_record, workspace  # noqa: F401  (fixtures)
from tests.keyring.service import clean_keyring, secret_service  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.keyring, pytest.mark.slow, pytest.mark.usefixtures("clean_keyring")]
Flext = Callable[..., Run]

LEAKY_TAP = r'''
import json, sys, urllib.parse
config = json.load(open(sys.argv[sys.argv.index("--config") + 1]))
pw = config["password"]
print(f"connecting as bob with password={pw}", file=sys.stderr)
print(json.dumps({"level": "error", "message": "auth failed", "config": config}), file=sys.stderr)
print("retrying https://bob:" + urllib.parse.quote(pw, safe="") + "@db/?pw=" + urllib.parse.quote_plus(pw),
      file=sys.stderr)
sys.exit(1)
'''
CHATTY_SERVICE = r'''
import json, os, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer
pw = os.environ["CANARY"]
print("starting with " + pw, flush=True)
print(json.dumps({"level": "warning", "message": "config " + json.dumps({"pw": pw})}), file=sys.stderr, flush=True)
print("dsn postgres://app:" + urllib.parse.quote(pw, safe="") + "@db/app", flush=True)


class Ok(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", int(sys.argv[1])), Ok).serve_forever()
'''


def spellings(value: str) -> list[str]:
    """Every way the value may be written: raw, JSON-escaped (also twice), shell-quoted, URL-encoded."""
    once = json.dumps(value)[1:-1]
    return sorted({value, once, json.dumps(once)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1],
                   shlex.quote(value), quote(value, safe=""), quote(value), quote_plus(value)})


def _files_containing(needles: list[str], roots: list[str]) -> list[str]:
    found = []
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    data = Path(path).read_bytes()
                except OSError:  # a socket, a file removed meanwhile
                    continue
                found += [f"{path}: {needle!r}" for needle in needles if needle.encode() in data]
    return found


def test_canary_value_never_leaks(flext: Flext, flext_proc: Flext, env: dict[str, str],
                                  workspace: Path) -> None:  # noqa: F811
    value = "canary\"" + random.token_hex(8) + "\\x/y z@" + random.token_hex(4)
    needles = spellings(value)
    seen: list[tuple[tuple[str, ...], Run]] = []

    def run(*argv: str, stdin: str = "", code: int = 0, proc: bool = True) -> Run:
        result = (flext_proc if proc else flext)(*argv, stdin=stdin)
        assert result.code == code, (argv, result)
        seen.append((argv, result))
        return result

    # set it (stdin only), then see that the store has it
    run("secret", "set", "canary", "--from-stdin", stdin=value + "\n")
    revealed = flext_proc("secret", "get", "canary", "--reveal")
    assert (revealed.code, revealed.out) == (0, value + "\n")
    run("secret", "get", "canary", code=2)
    run("secret", "list")
    run("secret", "list", "-o", "json")
    run("secret", "where")

    # config holds references only; show/get print the reference
    run("config", "set", "defaults.gruponos.password", "secret:canary")
    run("config", "set", "username", "secret:canary")
    run("profile", "create", "prod")
    run("-p", "prod", "config", "set", "username", "secret:canary")
    for argv in (("config", "show"), ("config", "show", "-o", "json"), ("config", "show", "--reveal-paths"),
                 ("config", "get", "gruponos.password"), ("-p", "prod", "config", "show", "-o", "yaml"),
                 ("config", "validate")):
        shown = run(*argv)
        assert "secret:canary" in shown.out or argv == ("config", "validate")

    # an alias whose expansion references it, run and explained
    run("alias", "set", "whoami", "config get username")
    run("alias", "set", "pwref", "config set description secret:canary")
    run("pwref")
    run("whoami")
    run("alias", "list")
    run("explain", "pwref")
    run("explain", "config set username secret:canary")
    run("-o", "json", "explain", "config", "set", "username", "secret:canary")

    # typed by mistake as the argument of `secret set`, in a fresh process that never saw it: refused, masked
    typed = run("secret", "set", "typo", value, code=2)
    assert typed.err.startswith("error: refusing a secret value typed as an argument")

    # a pipeline whose tap gets it through its config, prints it three ways and fails:
    # in the foreground (in-process and a fresh process), with --debug, detached, and below by the server
    tap = workspace / "bin" / "tap-leaky"
    tap.parent.mkdir()
    tap.write_text(f"#!{sys.executable}\n{LEAKY_TAP}")
    tap.chmod(0o755)
    with (workspace / "flext.toml").open("a") as fh:
        fh.write(f'\n[pipelines.leaky]\ntap = "{tap}"\ntap_config = {{ password = "secret:canary" }}\n'
                 'target = "target-jsonl"\ntarget_config = { destination_path = "out" }\n')
    run("pipeline", "run", "leaky", code=1, proc=False)
    run("pipeline", "run", "leaky", code=1)
    debugged = run("--debug", "pipeline", "run", "leaky", code=1)
    assert "Traceback (most recent call last)" in debugged.err and MASK in debugged.err
    started = json.loads(run("pipeline", "start", "leaky", "-o", "json").out)
    poll(lambda: read_record(workspace, "leaky", started["id"])["status"] == "failed", 60, "the detached run")
    for argv in (("pipeline", "runs", "leaky", "-o", "json"), ("pipeline", "logs", "leaky", "-o", "json"),
                 ("pipeline", "logs", "leaky"), ("pipeline", "show", "leaky", "-o", "json")):
        run(*argv)
    status = run("pipeline", "status", "leaky", "-o", "json", code=1)
    assert json.loads(status.out)[0]["error"] == "tap exited with code 1"
    record = read_record(workspace, "leaky", started["id"])
    assert record["error"].count(MASK) >= 3, record["error"]

    # a notification-free alert on that pipeline, evaluated
    run("monitor", "alerts", "add", "leakwatch", "--when", "pipeline_failed(leaky)")
    alerts = json.loads(run("monitor", "alerts", "list", "-o", "json").out)
    assert [(a["name"], a["state"]) for a in alerts] == [("leakwatch", "firing")]

    # a supervised service with the secret in its environment, printing it
    from tests.services.servers import free_port

    port = free_port()
    service = Path(env["HOME"]) / "chatty.py"
    service.write_text(CHATTY_SERVICE)
    run("service", "add", "chatty", "--url", f"http://127.0.0.1:{port}", "--command",
        f"{sys.executable} {service} {port}", "--env", "CANARY=secret:canary")
    try:
        run("service", "start", "chatty", "-o", "json")
        logs = poll(lambda: (out := flext_proc("service", "logs", "chatty", "-o", "json")).code == 0
                    and "dsn postgres" in out.out and out, 30, "the service to print")
        seen.append((("service", "logs", "chatty"), logs))
        assert MASK in logs.out
        run("service", "status", "-o", "json")
    finally:
        run("service", "stop", "chatty", "--force")

    # a real server: a viewer reads runs, logs and status; an admin the audit; a run it starts
    import httpx

    from tests.server.conftest import Server

    server = Server(workspace, dict(os.environ))
    bodies: list[tuple[str, str]] = []
    try:
        def get(path: str, token: str) -> Any:
            reply = httpx.get(server.url + "/api/v1" + path, headers={"Authorization": f"Bearer {token}"}, timeout=60)
            bodies.append((path, reply.text))
            assert reply.status_code == 200, (path, reply.text)
            return reply.json() if reply.headers.get("content-type", "").startswith("application/json") else reply.text

        made = httpx.post(server.url + "/api/v1/auth/tokens", json={"role": "viewer"},
                          headers={"Authorization": f"Bearer {server.token}"}, timeout=60)
        viewer = made.json()["token"]
        served = httpx.post(server.url + "/api/v1/pipelines/leaky/run", json={},
                            headers={"Authorization": f"Bearer {server.token}"}, timeout=60)
        bodies.append(("start", served.text))
        assert served.status_code in (200, 201, 202), served.text
        run_id = served.json()["id"]
        poll(lambda: read_record(workspace, "leaky", run_id)["status"] == "failed", 60, "the server's run")
        for path in ("/pipelines/leaky/runs", f"/pipelines/leaky/runs/{run_id}", f"/pipelines/leaky/logs?run={run_id}",
                     f"/pipelines/leaky/logs?run={started['id']}", "/pipelines/leaky/status", "/pipelines/leaky",
                     "/status", "/system/status", "/services", "/services/chatty/logs", "/alerts"):
            get(path, viewer)
        get("/audit", server.token)
    finally:
        server.stop(timeout=60)

    # history and audit of all of the above
    run("history")
    run("history", "-o", "json")
    run("history", "export")
    run("audit", "list")
    run("audit", "export")
    run("debug", "env")
    run("debug", "info", "-o", "json")

    # an error that mentions the resolved value: what a failing login would raise
    from flext.core.context import Context
    from flext.core.errors import AuthError
    from flext.core.io import IO
    from flext.runner import report

    out, err = io.StringIO(), io.StringIO()
    ctx = Context(IO(io.StringIO(), out, err, env=dict(os.environ), stdin_tty=False, stdout_tty=False,
                     stderr_tty=False), env=dict(os.environ))
    resolved = ctx.secrets.resolve_tree({"password": ctx.settings["username"]})["password"]
    assert resolved == value
    code = report(ctx, AuthError(f"login refused for password {resolved!r}", hint=f"is {resolved} still valid?"))
    assert code == 4
    assert err.getvalue() == f"error: login refused for password '{MASK}'\nhint: is {MASK} still valid?\n"
    seen.append((("<report>",), Run(code, out.getvalue(), err.getvalue())))

    # this process now knows the value (the REPL case): typed later, it is masked in
    # history, audit, error messages and --debug tracebacks of the lines that follow
    run("explain", f"connect --password {value}", code=2, proc=False)
    run("config", "get", value, code=6, proc=False)
    crashed = run("--debug", "config", "get", value, code=6, proc=False)
    assert "Traceback (most recent call last)" in crashed.err
    run("secret", "set", value, "--from-stdin", stdin="x", code=2, proc=False)
    run("history", "-o", "json")
    run("audit", "list", "-o", "json")

    roots = [env[k] for k in ("FLEXT_CONFIG_DIR", "FLEXT_DATA_DIR", "FLEXT_STATE_DIR", "FLEXT_CACHE_DIR", "HOME")]
    roots.append(str(workspace))
    assert _files_containing(needles, roots) == []
    for argv, result in seen:
        assert not [n for n in needles if n in result.out + result.err], (argv, result)
    for path, body in bodies:
        assert not [n for n in needles if n in body], (path, body)
    server_output = "".join(server.err_lines + server.out_lines)
    assert not [n for n in needles if n in server_output], server_output
    history = Path(env["FLEXT_DATA_DIR"], "history.jsonl").read_text()
    assert "secret:canary" in history and MASK in history  # recorded, with the typed value masked
