"""`flext auth ...` against a real `flext serve`, with the token kept in a real keyring.

The keyring is the private gnome-keyring of tests/keyring (its own D-Bus bus); the
server is a subprocess on 127.0.0.1. The client has its own config/data/state dirs.
At the end, the password and every token are searched for in every file and output
they must not reach.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.keyring.service import clean_keyring, secret_service  # noqa: F401  (fixtures)
from tests.server.conftest import Client, Server, start_server  # noqa: F401  (fixture)

pytestmark = [pytest.mark.keyring, pytest.mark.usefixtures("secret_service", "clean_keyring")]

PASSWORD = "pw-Ana-7f3c91e2"
SS = "keyring.backends.SecretService.Keyring"


@pytest.fixture
def setup(env: dict[str, str], start_server: Callable[..., Server],  # noqa: F811
          tmp_path: Path) -> tuple[Server, Client, Client]:
    from flext.engine.workspace import init_workspace

    workspace = tmp_path / "work"
    init_workspace(str(workspace), name="auth")
    server = start_server(workspace)
    user = Client(tmp_path / "client", server.url, None, env)
    admin = user.with_token(server.token)
    made = admin("auth", "user", "create", "ana", "--role", "operator", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.code == 0, made
    assert made.err == "✓ created user ana (operator); can log in with `flext auth login`\n"
    return server, user, admin


def test_login_status_whoami_logout(setup: tuple[Server, Client, Client]) -> None:
    server, user, admin = setup
    no_flag = user("auth", "login", "-u", "ana")
    assert (no_flag.code, no_flag.out) == (2, "")
    assert no_flag.err == ("error: missing password: there is no terminal to ask on, and passwords are never taken "
                           "from argv\nhint: pass --password-stdin and pipe the password in\n")

    before = user("auth", "status")
    assert before.code == 4
    assert before.out == (f"profile   remote (http)\nserver    {server.url}\n"
                          "token     none (log in to store one in the keyring as secret api-token.remote, "
                          "or set FLEXT_TOKEN)\nstatus    not logged in\n")

    login = user("auth", "login", "-u", "ana", "--password-stdin", stdin=PASSWORD)
    assert (login.code, login.out.strip()) == (0, ""), login  # the token is never printed
    assert login.err == f"✓ logged in to {server.url} as ana (operator); token kept in the keyring\n"
    status = user("auth", "status")
    assert status.code == 0, status
    assert status.out == (f"profile   remote (http)\nserver    {server.url}\n"
                          f"token     keyring {SS}, secret api-token.remote\nuser      ana (operator)\n")
    doc = user("auth", "status", "-o", "json").json()
    assert (doc["source"], doc["user"], doc["role"], doc["valid"]) == ("keyring", "ana", "operator", True)
    assert user("auth", "whoami").out == f"ana (operator) on {server.url}\n"
    assert user("secret", "list", "-o", "json").json() == [
        {"name": "api-token.remote", "profile": "remote", "set_at": user("secret", "list", "-o", "json").json()[0]["set_at"]}]

    # the operator reads and runs, but may not change definitions
    assert user("pipeline", "list").code == 0
    denied = user("pipeline", "create", "x", "--tap", "tap-jsonl", "--target", "target-jsonl")
    assert (denied.code, denied.err) == (4, "error: this needs the admin role; your token has operator\n"
                                            "hint: ask an admin for a token with that role\n")
    # FLEXT_TOKEN wins over the keyring
    assert admin("auth", "whoami").out == f"admin (admin) on {server.url}\n"
    env_status = admin("auth", "status")
    assert "token     FLEXT_TOKEN (environment; wins over the keyring)\n" in env_status.out

    stored = user("secret", "get", "api-token.remote", "--reveal").out.strip()
    assert stored.startswith("flxt_")
    out = user("auth", "logout")
    assert (out.code, out.err, out.out.strip()) == (0, "✓ logged out (token revoked on the server)\n", "")
    after = user("auth", "whoami")
    assert (after.code, after.err) == (4, "error: authentication required\n"
                                          "hint: log in with `flext auth login`, or set FLEXT_TOKEN\n")
    revoked = user.with_token(stored)("pipeline", "list")
    assert (revoked.code, revoked.err) == (4, "error: the token is invalid, expired or revoked\n"
                                              "hint: log in again with `flext auth login`\n")
    assert user("auth", "logout").err == "not logged in\n"
    _no_leaks(server, user, [PASSWORD, stored, server.token])


def test_wrong_passwords_are_slowed_down(setup: tuple[Server, Client, Client]) -> None:
    """The back-off as the CLI shows it. Whether a given try falls inside the wait depends on
    how fast the machine is, so this asserts no timing: the wait doubles with each failure
    (1 s, 2 s, 4 s, ...), so within a few more wrong tries one is refused; the exact
    schedule is tested with an injected clock in tests/server/test_auth.py."""
    server, user, _ = setup
    for _ in range(3):
        wrong = user("auth", "login", "-u", "ana", "--password-stdin", stdin="not-it")
        assert (wrong.code, wrong.err) == (4, "error: wrong user name or password\n"
                                              "hint: log in with `flext auth login`, or set FLEXT_TOKEN\n")
    slowed = None
    for _ in range(12):  # bounded: by the 12th try the wait is the 5-minute cap
        got = user("auth", "login", "-u", "ana", "--password-stdin", stdin="not-it")
        assert got.code == 4, got
        if "too many failed logins" in got.err:
            slowed = got
            break
    assert slowed is not None
    assert re.fullmatch(r"error: too many failed logins; try again in \d+s\nhint: wait, or ask an admin for an API token\n",
                        slowed.err)
    assert user("auth", "status").code == 4  # nothing was stored
    _no_leaks(server, user, [PASSWORD, "not-it"])


def test_tokens_created_listed_revoked(setup: tuple[Server, Client, Client]) -> None:
    server, user, admin = setup
    made = admin("auth", "token", "create", "--role", "viewer", "--name", "grafana")
    assert made.code == 0, made
    token = made.out.strip()
    assert token.startswith("flxt_") and made.err.startswith("✓ created token ")
    viewer = user.with_token(token)
    assert viewer("auth", "whoami").out == f"admin (viewer) on {server.url}\n"
    listed = admin("auth", "token", "list", "-o", "json").json()
    mine = [t for t in listed if t["name"] == "grafana"]
    assert len(mine) == 1 and mine[0]["role"] == "viewer" and token not in str(listed)
    assert admin("auth", "token", "list").out.splitlines()[0].split() == [
        "ID", "NAME", "USER", "ROLE", "KIND", "CREATED_AT", "EXPIRES_AT"]
    no = viewer("auth", "token", "list")
    assert no.code == 4
    unconfirmed = admin("auth", "token", "revoke", mine[0]["id"])
    assert unconfirmed.code == 2
    gone = admin("auth", "token", "revoke", mine[0]["id"], "--yes")
    assert (gone.code, gone.err) == (0, f"✓ revoked token {mine[0]['id']} (grafana, viewer)\n")
    assert viewer("auth", "whoami").code == 4
    missing = admin("auth", "token", "revoke", mine[0]["id"], "--yes")
    assert (missing.code, missing.err) == (6, f"error: no token with id '{mine[0]['id']}'\n"
                                              "hint: see `flext auth token list`\n")
    users = admin("auth", "user", "list", "-o", "json").json()
    assert [(u["name"], u["role"], u["password"]) for u in users] == [("admin", "admin", False), ("ana", "operator", True)]
    _no_leaks(server, user, [token, PASSWORD])


def test_local_profiles_have_no_server(flext: Callable[..., Run]) -> None:
    for argv in (("auth", "login", "--password-stdin"), ("auth", "token", "list"), ("auth", "user", "list")):
        got = flext(*argv, stdin="x")
        assert (got.code, got.out) == (8, ""), got
        assert got.err.startswith("error: the local backend cannot ")
        assert got.err.endswith("\nhint: auth talks to a flext server; use a profile with api_url: "
                                "flext profile create team --api-url http://HOST:8081\n")
    status = flext("auth", "status")
    assert (status.code, status.out) == (0, "profile   default (local)\nlocal profile: no server to log in to\n")


def _no_leaks(server: Server, client: Client, secrets: list[str]) -> None:
    """Secrets are nowhere on disk or in the server's log (only in the keyring)."""
    places: list[Path] = []
    for root in (client.home, server.root / ".flext" / "server"):
        places.extend(p for p in root.rglob("*") if p.is_file())
    texts = {str(p): p.read_bytes().decode("utf-8", "replace") for p in places}
    texts["server stderr"] = "".join(server.err_lines)
    assert any(p.endswith("history.jsonl") for p in texts), "the client keeps a history"
    assert any(p.endswith("audit.jsonl") for p in texts), "the server keeps an audit"
    for secret in secrets:
        for where, text in texts.items():
            assert secret not in text, f"a secret leaked into {where}"


def test_login_without_a_keyring_stores_nothing_and_revokes(setup: tuple[Server, Client, Client]) -> None:
    from tests.keyring.service import private_service

    server, user, admin = setup
    with private_service(with_keyring=False) as bus:  # a session bus where no Secret Service answers
        got = user("auth", "login", "-u", "ana", "--password-stdin", stdin=PASSWORD,
                   extra_env={"DBUS_SESSION_BUS_ADDRESS": bus.address})
    assert got.code == 5, got
    assert got.err.startswith("error: logged in, but the token could not be stored: ")
    assert "hint: fix the keyring (see `flext secret where`), or export the token as FLEXT_TOKEN" in got.err
    tokens = admin("auth", "token", "list", "-o", "json").json()
    assert [t for t in tokens if t["kind"] == "login"] == []  # the unusable login token was revoked
    _no_leaks(server, user, [PASSWORD])
