"""Alerts evaluated by a real `flext serve` (alerts.interval = 1) and notified to a real HTTP
receiver (Apprise json://) and a real SMTP server (aiosmtpd): one notification when a rule
starts firing, one when it resolves, never a storm; a failing receiver is retried and shows in
the history; the alert verbs over HTTP; secrets in URLs resolved only when sending."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.keyring.service import clean_keyring, secret_service  # noqa: F401  (fixtures)
from tests.server.conftest import Client, Server, http, wait_until
from tests.services.receivers import JsonReceiver, SmtpReceiver, receiver, smtp
from tests.services.servers import free_port, write_config

__all__ = ["receiver", "smtp"]  # fixtures

APP = textwrap.dedent('''
    import json, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"status": "ok"}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
''')


def _evaluations(server: Server) -> int:
    status, body, _ = http("GET", server.url + "/health")
    assert status == 200, body
    return int(body["alert_evaluations"])


def _more_evaluations(server: Server, count: int) -> None:
    """Let the server evaluate `count` more times (polled with a deadline)."""
    start = _evaluations(server)
    wait_until(lambda: _evaluations(server) >= start + count, timeout=60, what=f"{count} more evaluations")


def _workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "flext.toml").write_text('[workspace]\nname = "alerts"\n')
    return root


def test_a_down_service_notifies_once_and_once_more_when_it_comes_back(
        env: dict[str, str], tmp_path: Path, start_server: Callable[..., Server], flext_proc: Callable[..., Run],
        receiver: JsonReceiver, smtp: SmtpReceiver) -> None:
    script = tmp_path / "app.py"
    script.write_text(APP)
    port = free_port()
    write_config(env, f'[defaults.alerts]\ninterval = 1\n\n'
                      f'[services.app]\nurl = "http://127.0.0.1:{port}"\n'
                      f'command = ["{sys.executable}", "{script}", "{port}"]\n\n'
                      f'[alerts.app-down]\nwhen = "service_down(app)"\ndescription = "the app does not answer"\n'
                      f'notify = ["{receiver.url()}", "{smtp.url()}"]\n')
    root = _workspace(tmp_path)
    try:
        assert flext_proc("-C", str(root), "service", "start", "app").code == 0
        server = start_server(root)
        _more_evaluations(server, 3)
        assert receiver.received == [] and smtp.mails == []  # fine from the first look: nothing to tell
        assert flext_proc("-C", str(root), "service", "stop", "app").code == 0
        wait_until(lambda: receiver.received, timeout=30, what="the firing notification")
        _more_evaluations(server, 4)  # it keeps firing: no second notification
        [firing] = receiver.messages()
        assert (firing["title"], firing["type"]) == ("[flext] FIRING: app-down", "failure")
        lines = firing["message"].splitlines()
        assert lines[:3] == ["alert: app-down", "rule: service_down(app)", "value: service_down(app)=true"]
        assert lines[3] == "about: the app does not answer"
        assert lines[4].startswith("time: 20") and lines[5].startswith("correlation id: ") and len(lines) == 6
        correlation = lines[5].split(": ", 1)[1]
        wait_until(lambda: smtp.mails, timeout=30, what="the mail")
        assert [m[2]["Subject"] for m in smtp.mails] == ["[flext] FIRING: app-down"]
        assert f"correlation id: {correlation}" in smtp.texts()[0]
        assert flext_proc("-C", str(root), "service", "start", "app").code == 0
        wait_until(lambda: len(receiver.received) == 2, timeout=60, what="the resolved notification")
        _more_evaluations(server, 4)
        titles = [m["title"] for m in receiver.messages()]
        assert titles == ["[flext] FIRING: app-down", "[flext] RESOLVED: app-down"]
        resolved = receiver.messages()[1]
        assert resolved["type"] == "success" and f"correlation id: {correlation}" in resolved["message"]
        assert "value: service_down(app)=false" in resolved["message"]
        wait_until(lambda: len(smtp.mails) == 2, timeout=30, what="the second mail")
        assert [m[2]["Subject"] for m in smtp.mails] == ["[flext] FIRING: app-down", "[flext] RESOLVED: app-down"]
        # what this machine recorded, read by the local engine
        history = flext_proc("-C", str(root), "monitor", "alerts", "history", "app-down", "-o", "json")
        assert history.code == 0, history
        rows = json.loads(history.out)
        assert [r["event"] for r in rows if r["kind"] == "transition"] == ["new -> ok", "ok -> firing",
                                                                          "firing -> ok"]
        deliveries = [(r["event"], r["ok"], r["url"].split(":", 1)[0]) for r in rows if r["kind"] == "delivery"]
        assert sorted(deliveries) == sorted([("firing", True, "json"), ("firing", True, "mailto"),
                                             ("resolved", True, "json"), ("resolved", True, "mailto")])
        assert {r["correlation_id"] for r in rows if r["kind"] == "delivery"} == {correlation}
        state = json.loads((root / ".flext" / "server" / "alerts.json").read_text())
        assert (state["app-down"]["state"], state["app-down"]["notified"]) == ("ok", "ok")
        notes = [e for e in server.events("notify")]
        assert len(notes) == 4 and all(e["ok"] for e in notes)
        # the server exports the supervised service's process and the workspace's disk
        status, metrics, _ = http("GET", server.url + "/metrics", token=server.token)
        assert status == 200
        samples = {line.split(" ")[0]: float(line.split(" ")[1]) for line in str(metrics).splitlines()
                   if line and not line.startswith("#")}
        assert samples['flext_service_up_process{service="app"}'] == 1
        assert samples['flext_service_restarts{service="app"}'] == 0  # stopped and started: no restart
        assert samples['flext_service_memory_bytes{service="app"}'] > 5 * 1024 * 1024
        assert samples["flext_disk_free_bytes"] > 0 and 0 < samples["flext_disk_used_ratio"] <= 1
    finally:
        flext_proc("-C", str(root), "service", "stop", "app", "--force")


def test_a_failing_receiver_is_retried_and_shows_in_the_history(
        env: dict[str, str], tmp_path: Path, start_server: Callable[..., Server]) -> None:
    failing = JsonReceiver(fail_first=2)
    try:
        write_config(env, f'[defaults.alerts]\ninterval = 1\n\n'
                          f'[services.gone]\nurl = "http://127.0.0.1:{free_port()}"\n\n'
                          f'[alerts.gone-down]\nwhen = "service_down(gone)"\nnotify = ["{failing.url()}"]\n')
        root = _workspace(tmp_path)
        server = start_server(root)
        wait_until(lambda: failing.received, timeout=60, what="the delivery after two failures")
        assert failing.attempts == 3 and len(failing.received) == 1
        client = Client(tmp_path / "client", server.url, server.token, env)
        history = client("monitor", "alerts", "history", "gone-down", "-o", "json")
        assert history.code == 0, history
        rows = [r for r in json.loads(history.out) if r["kind"] == "delivery"]
        assert [(r["attempt"], r["ok"]) for r in rows] == [(1, False), (2, False), (3, True)]
        assert all("500" in r["error"] for r in rows[:2]) and rows[2]["error"] is None
        assert rows[0]["url"] == failing.url() and rows[0]["value"] == "service_down(gone)=true"
        warned = [e for e in server.events("notify") if not e["ok"]]
        assert [(e["attempt"], e["retry_in_s"]) for e in warned] == [(1, 1.0), (2, 2.0)]
        table = client("monitor", "alerts", "history")
        assert table.code == 0 and "gone-down" in table.out and "firing" in table.out
    finally:
        failing.close()


def test_the_alert_verbs_over_http(env: dict[str, str], tmp_path: Path, start_server: Callable[..., Server],
                                   receiver: JsonReceiver, smtp: SmtpReceiver) -> None:
    write_config(env, f'[services.gone]\nurl = "http://127.0.0.1:{free_port()}"\n')
    root = _workspace(tmp_path)
    server = start_server(root)
    client = Client(tmp_path / "client", server.url, server.token, env)
    added = client("monitor", "alerts", "add", "gone-down", "--when", "service_down(gone)",
                   "--notify", receiver.url(), "-o", "json")
    assert added.code == 0, added
    assert json.loads(added.out)["notify"] == [receiver.url()]
    assert added.err == "✓ added alert 'gone-down' (notifies 1 destination)\n"
    changed = client("monitor", "alerts", "notify", "gone-down", "--add", smtp.url(), "--add",
                     "mailto://ops:pa55-word-9@127.0.0.1:1?from=flext@example.com&to=ops@example.com")
    assert changed.code == 0, changed
    assert "pa55-word-9" not in changed.err and "mailto://ops:••••@127.0.0.1:1" in changed.err
    removed = client("monitor", "alerts", "notify", "gone-down", "--remove",
                     "mailto://ops:••••@127.0.0.1:1?from=flext@example.com&to=ops@example.com")
    assert removed.code == 0, removed  # a URL as listed (masked) names it too
    listed = client("monitor", "alerts", "list", "-o", "json")
    [rule] = json.loads(listed.out)
    assert rule["notify"] == [receiver.url(), smtp.url()] and rule["state"] == "firing"
    tested = client("monitor", "alerts", "test", "gone-down", "-o", "json")
    assert tested.code == 0, tested
    assert [(r["url"], r["ok"]) for r in json.loads(tested.out)] == [(receiver.url(), True), (smtp.url(), True)]
    test_messages = [m for m in receiver.messages() if m["title"] == "[flext] TEST: gone-down"]
    assert len(test_messages) == 1 and "value: service_down(gone)=true" in test_messages[0]["message"]
    wait_until(lambda: any(m[2]["Subject"] == "[flext] TEST: gone-down" for m in smtp.mails), timeout=30,
               what="the test mail")
    bad = client("monitor", "alerts", "notify", "gone-down", "--add", "bogus://x")
    assert (bad.code, bad.err.splitlines()[0]) == (
        2, "error: Apprise cannot send to 'bogus://x' (unknown scheme 'bogus' or a malformed URL)")
    missing = client("monitor", "alerts", "test", "nope")
    assert missing.code == 6 and "alert 'nope' does not exist" in missing.err
    viewer = client.with_token(_viewer(server))
    refused = viewer("monitor", "alerts", "test", "gone-down")
    assert refused.code == 4, refused  # sending needs an operator


def _viewer(server: Server) -> str:
    status, body, _ = http("POST", server.url + "/api/v1/auth/tokens", token=server.token, body={"role": "viewer"})
    assert status == 201, body
    return str(body["token"])


def test_a_damaged_alert_state_stops_the_server_at_start(env: dict[str, str], tmp_path: Path,
                                                         flext_proc: Callable[..., Run]) -> None:
    root = _workspace(tmp_path)
    state = root / ".flext" / "server" / "alerts.json"
    state.parent.mkdir(parents=True)
    state.write_text('{"core-down": {"state": "firing",\n')
    run = flext_proc("-C", str(root), "serve", "--port", "0", timeout=60)
    assert run.code == 5, run
    assert f"error: {state}:2: not valid JSON" in run.err
    assert state.read_text() == '{"core-down": {"state": "firing",\n'  # never rewritten


@pytest.mark.slow
@pytest.mark.keyring
@pytest.mark.usefixtures("secret_service", "clean_keyring")
def test_secrets_in_urls_are_resolved_only_when_sending(
        env: dict[str, str], tmp_path: Path, start_server: Callable[..., Server], flext_proc: Callable[..., Run],
        receiver: JsonReceiver) -> None:
    token = "hook-T0ken-77"
    assert flext_proc("secret", "set", "hook", "--from-stdin", stdin=token).code == 0
    url = f"json://127.0.0.1:{receiver.port}/hooks/secret:hook"
    write_config(env, f'[defaults.alerts]\ninterval = 1\n\n[services.gone]\nurl = "http://127.0.0.1:{free_port()}"\n\n'
                      f'[alerts.gone-down]\nwhen = "service_down(gone)"\nnotify = ["{url}"]\n')
    root = _workspace(tmp_path)
    server = start_server(root)
    wait_until(lambda: receiver.received, timeout=60, what="the notification")
    assert receiver.received[0]["path"] == f"/hooks/{token}"  # resolved for the receiver, and only there
    client = Client(tmp_path / "client", server.url, server.token, env)
    for argv in (("monitor", "alerts", "list", "-o", "json"), ("monitor", "alerts", "history", "-o", "json"),
                 ("monitor", "alerts", "test", "gone-down", "-o", "json")):
        result = client(*argv)
        assert result.code == 0, result
        assert token not in result.out + result.err and "secret:hook" in result.out
    history = (root / ".flext" / "server" / "alerts-history.jsonl").read_text()
    assert token not in history and token not in "".join(server.err_lines)


def test_the_evaluator_with_a_clock_we_set(env: dict[str, str], tmp_path: Path, receiver: JsonReceiver) -> None:
    """AlertLoop.tick over an injected clock: one notification, a reminder only once alerts.repeat
    has passed, however many evaluations happen in between; nothing waits on the wall clock."""
    import io

    from flext.core.context import Context
    from flext.core.io import IO
    from flext.server.alerting import AlertLoop
    from flext.server.app import App
    from flext.server.wire import Limits

    write_config(env, f'[defaults.alerts]\nrepeat = "2h"\n\n[services.gone]\nurl = "http://127.0.0.1:{free_port()}"\n\n'
                      f'[alerts.gone-down]\nwhen = "service_down(gone)"\nnotify = ["{receiver.url()}"]\n')
    root = _workspace(tmp_path)
    ctx = Context(IO(io.StringIO(), io.StringIO(), io.StringIO(), env=env), options={"workspace": str(root)}, env=env)
    app = App(ctx, str(root), Limits(), log=io.StringIO())
    now = [1_800_000_000.0]
    loop = AlertLoop(app, clock=lambda: now[0])
    kinds = []
    for _ in range(5):  # five evaluations within the same minute
        kinds += [(e["kind"], e.get("event")) for e in loop.tick()]
        loop.deliveries.run_due()
        now[0] += 10
    assert kinds == [("transition", None), ("notify", "firing")]
    assert [m["title"] for m in receiver.messages()] == ["[flext] FIRING: gone-down"]
    now[0] += 2 * 3600
    assert [e.get("event") for e in loop.tick(probe=False)] == ["reminder"]  # the last health checks still hold
    loop.deliveries.run_due()
    assert [m["title"] for m in receiver.messages()] == ["[flext] FIRING: gone-down", "[flext] STILL FIRING: gone-down"]
    assert loop.tick() == []
