"""`flext secret ...` as a real subprocess against a real Secret Service (gnome-keyring on a private bus)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run
from tests.keyring.service import clean_keyring, private_service, secret_service  # noqa: F401  (fixtures)

SS = "keyring.backends.SecretService.Keyring"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
Flext = Callable[..., Run]


def _t(run: Run) -> tuple[int, str, str]:
    return run.code, run.out, run.err


def _set(flext_proc: Flext, name: str, value: str, *extra: str) -> Run:
    run = flext_proc(*extra, "secret", "set", name, "--from-stdin", stdin=value)
    assert run.code == 0, run
    return run


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_round_trip(flext_proc: Flext) -> None:
    run = flext_proc("secret", "set", "db_password", "--from-stdin", stdin="pw-round-trip\n")
    assert (run.code, run.err) == (0, "✓ stored secret db_password for profile default in the keyring\n")
    assert "pw-round-trip" not in run.out

    listed = flext_proc("secret", "list", "-o", "json")
    assert listed.code == 0
    rows = listed.json()
    assert isinstance(rows, list) and len(rows) == 1
    assert {k: v for k, v in rows[0].items() if k != "set_at"} == {"name": "db_password", "profile": "default"}
    assert ISO.match(rows[0]["set_at"])

    table = flext_proc("secret", "list")
    assert table.out.splitlines()[0].split() == ["NAME", "PROFILE", "SET_AT"]
    assert table.out.splitlines()[1].split()[:2] == ["db_password", "default"]

    assert _t(flext_proc("secret", "get", "db_password", "--reveal")) == (0, "pw-round-trip\n", "")
    revealed = flext_proc("secret", "get", "db_password", "--reveal", "-o", "json").json()
    assert revealed == {"name": "db_password", "profile": "default", "value": "pw-round-trip"}

    deleted = flext_proc("secret", "delete", "db_password", "--yes", "-o", "json")
    assert (deleted.code, deleted.json()) == (0, {"name": "db_password", "profile": "default", "deleted": True})
    assert flext_proc("secret", "list", "-o", "json").json() == []
    assert flext_proc("secret", "get", "db_password", "--reveal").code == 6


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
@pytest.mark.parametrize(("argv", "stdin", "code", "err"), [
    (["secret", "get", "db_pasword", "--reveal"], "", 6,
     "error: no secret 'db_pasword' for profile 'default'\nhint: did you mean 'db_password'?\n"),
    (["secret", "get", "nothing_like_it", "--reveal"], "", 6,
     "error: no secret 'nothing_like_it' for profile 'default'\nhint: store it with `flext secret set nothing_like_it`\n"),
    # a misspelt name is "no such secret" with the closest name, before any talk of --reveal
    (["secret", "get", "db_pasword"], "", 6,
     "error: no secret 'db_pasword' for profile 'default'\nhint: did you mean 'db_password'?\n"),
    (["secret", "get", "db_password"], "", 2,
     "error: refusing to print secret 'db_password' without --reveal\n"
     "hint: pass --reveal to print it: flext secret get db_password --reveal\n"),
    (["secret", "set", "other"], "", 2,
     "error: no value for secret 'other': no terminal to prompt on, and values are never taken from argv\n"
     "hint: pipe the value in: printf %s \"$VALUE\" | flext secret set other --from-stdin\n"),
    (["secret", "set", "other", "--from-stdin"], "", 2,
     "error: refusing an empty value for secret 'other'\nhint: to remove it use `flext secret delete other`\n"),
    (["secret", "set", "other", "--from-stdin"], "\n", 2,
     "error: refusing an empty value for secret 'other'\nhint: to remove it use `flext secret delete other`\n"),
    (["secret", "set", "bad/name", "--from-stdin"], "x", 2,
     "error: invalid secret name 'bad/name'\nhint: use letters, digits, '_', '.' and '-'\n"),
    (["secret", "delete", "db_password"], "", 2,
     "error: Delete secret 'db_password' of profile 'default': confirmation needed and no terminal to ask on\n"
     "hint: pass --yes to confirm\n"),
    (["secret", "delete", "nope", "--yes"], "", 6,
     "error: no secret 'nope' for profile 'default'\nhint: store it with `flext secret set nope`\n"),
])
def test_errors_and_exit_codes(flext_proc: Flext, argv: list[str], stdin: str, code: int, err: str) -> None:
    _set(flext_proc, "db_password", "pw-errors-1")
    assert _t(flext_proc(*argv, stdin=stdin)) == (code, "", err)
    # nothing above changed the stored secret
    assert flext_proc("secret", "get", "db_password", "--reveal").out == "pw-errors-1\n"


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
@pytest.mark.parametrize(("stdin", "stored"), [
    ("plain", "plain"),
    ("with-newline\n", "with-newline"),
    ("crlf\r\n", "crlf"),
    ("two-newlines\n\n", "two-newlines\n"),
    ("  spaces kept  ", "  spaces kept  "),
    ("multi\nline\nvalue\n", "multi\nline\nvalue"),
    ("ünïcødé-☃", "ünïcødé-☃"),
])
def test_from_stdin_strips_one_trailing_newline(flext_proc: Flext, stdin: str, stored: str) -> None:
    _set(flext_proc, "v", stdin)
    assert flext_proc("secret", "get", "v", "--reveal").out == stored + "\n"


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_profiles_share_default_and_override(flext_proc: Flext) -> None:
    assert flext_proc("profile", "create", "prod").code == 0
    _set(flext_proc, "shared", "shared-in-default")
    _set(flext_proc, "db", "db-in-default")
    _set(flext_proc, "db", "db-in-prod", "-p", "prod")
    assert flext_proc("-p", "prod", "secret", "get", "shared", "--reveal").out == "shared-in-default\n"
    assert flext_proc("-p", "prod", "secret", "get", "db", "--reveal").out == "db-in-prod\n"
    assert flext_proc("secret", "get", "db", "--reveal").out == "db-in-default\n"
    rows = flext_proc("-p", "prod", "secret", "list", "-o", "json").json()
    assert [(r["name"], r["profile"]) for r in rows] == [("db", "prod"), ("shared", "default")]
    refused = flext_proc("-p", "prod", "secret", "delete", "shared", "--yes")
    assert _t(refused) == (6, "", "error: secret 'shared' belongs to profile 'default', not 'prod'\n"
                                 "hint: delete it there: `flext -p default secret delete shared`\n")
    assert flext_proc("-p", "prod", "secret", "delete", "db", "--yes").code == 0
    assert flext_proc("-p", "prod", "secret", "get", "db", "--reveal").out == "db-in-default\n"
    assert flext_proc("-p", "nosuch", "secret", "list").code == 6


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_where(flext_proc: Flext, env: dict[str, str]) -> None:
    doc = flext_proc("secret", "where", "-o", "json").json()
    index = os.path.join(env["FLEXT_DATA_DIR"], "secrets.json")
    assert doc == {"backend": SS, "usable": True, "reason": None, "hint": None, "service": "flext",
                   "profile": "default", "lookup": ["default"], "index": index}
    text = flext_proc("secret", "where")
    assert _t(text) == (0, f"backend: {SS} (usable)\nservice: flext\nprofile: default (reads: default)\n"
                          f"index:   {index}\n", "")


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_list_when_empty(flext_proc: Flext) -> None:
    assert _t(flext_proc("secret", "list", "-o", "json")) == (0, "[]\n", "")
    assert _t(flext_proc("secret", "ls")) == (0, "", "no secrets for profile default (store one: flext secret set NAME)\n")


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_secret_index_is_private_and_holds_no_values(flext_proc: Flext, env: dict[str, str]) -> None:
    _set(flext_proc, "db", "value-not-in-index")
    index = Path(env["FLEXT_DATA_DIR"]) / "secrets.json"
    assert oct(index.stat().st_mode & 0o777) == "0o600"
    assert "value-not-in-index" not in index.read_text()


# -- a real terminal: the hidden prompt --------------------------------------------------

def _spawn(env: dict[str, str], *argv: str):  # type: ignore[no-untyped-def]
    pexpect = pytest.importorskip("pexpect")
    child_env = dict(env, PYTHONPATH=str(ROOT), DBUS_SESSION_BUS_ADDRESS=os.environ["DBUS_SESSION_BUS_ADDRESS"],
                     NO_COLOR="1")
    return pexpect.spawn(sys.executable, ["-m", "flext", *argv], env=child_env, encoding="utf-8", timeout=30)


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_prompt_asks_twice_without_echo(flext_proc: Flext, env: dict[str, str]) -> None:
    child = _spawn(env, "secret", "set", "typed")
    child.expect_exact("Value for typed: ")
    child.sendline("typed-value-42")
    child.expect_exact("Repeat the value for typed: ")
    child.sendline("typed-value-42")
    child.expect_exact("✓ stored secret typed for profile default in the keyring")
    rest = child.read()
    child.close()
    assert child.exitstatus == 0
    assert "typed-value-42" not in (child.before or "") + rest
    assert flext_proc("secret", "get", "typed", "--reveal").out == "typed-value-42\n"


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
@pytest.mark.parametrize(("first", "second", "code", "message"), [
    ("one-value", "another-value", 2, "error: the two values do not match; nothing was stored"),
    ("", None, 2, "error: refusing an empty value for secret 'typed'"),
])
def test_prompt_refuses(flext_proc: Flext, env: dict[str, str], first: str, second: str | None, code: int,
                        message: str) -> None:
    child = _spawn(env, "secret", "set", "typed")
    child.expect_exact("Value for typed: ")
    child.sendline(first)
    if second is not None:
        child.expect_exact("Repeat the value for typed: ")
        child.sendline(second)
    child.expect_exact(message)
    child.expect(pytest.importorskip("pexpect").EOF)
    child.close()
    assert child.exitstatus == code
    assert flext_proc("secret", "list", "-o", "json").json() == []


# -- no usable keyring: exit 5, a hint, and nothing written --------------------------------

def _files(*roots: str) -> set[str]:
    found = set()
    for root in roots:
        for folder, _, names in os.walk(root):
            found.update(os.path.relpath(os.path.join(folder, n), os.path.dirname(root)) for n in names)
    return found


@pytest.mark.parametrize("extra", [
    {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/flext-no-bus", "PYTHON_KEYRING_BACKEND": ""},
    {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"},
    {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.EncryptedKeyring"},
    {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
    {"PYTHON_KEYRING_BACKEND": "keyring.backends.chainer.ChainerBackend"},
    {"PYTHON_KEYRING_BACKEND": "not.a.Backend"},
], ids=["no-bus", "plaintext", "encrypted-file", "fail", "null", "chainer", "bogus"])
def test_no_usable_backend_exits_5_and_writes_nothing(flext_proc: Flext, env: dict[str, str],
                                                      extra: dict[str, str]) -> None:
    pytest.importorskip("keyrings.alt")
    roots = [env[k] for k in ("FLEXT_CONFIG_DIR", "FLEXT_DATA_DIR", "FLEXT_STATE_DIR", "FLEXT_CACHE_DIR", "HOME")]
    # a read-only command first, so history and any caches other modules keep already exist
    assert flext_proc("secret", "list", extra_env=extra).code == 0
    before = _files(*roots)
    run = flext_proc("secret", "set", "db", "--from-stdin", stdin="never-stored-value", extra_env=extra)
    assert run.code == 5, run
    lines = run.err.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: no usable keyring backend: ") and lines[1].startswith("hint: ")
    assert "PYTHON_KEYRING_BACKEND" in lines[1]
    assert run.out == ""
    assert flext_proc("secret", "get", "db", "--reveal", extra_env=extra).code == 5
    assert flext_proc("secret", "delete", "db", "--yes", extra_env=extra).code == 5
    where = flext_proc("secret", "where", "-o", "json", extra_env=extra)
    assert where.code == 0 and where.json()["usable"] is False  # type: ignore[index]
    # the failed attempts are audited (mutating commands) like any other; the store wrote nothing
    after = _files(*roots)
    assert after - before <= {"state/audit.jsonl"}, after - before
    assert not [f for f in after if "secret" in os.path.basename(f) or "keyring" in f], after
    for path in after:
        assert b"never-stored-value" not in Path(os.path.dirname(env["FLEXT_DATA_DIR"]), path).read_bytes()


def test_no_usable_backend_with_history_off_writes_only_the_audit(flext_proc: Flext, env: dict[str, str]) -> None:
    roots = [env[k] for k in ("FLEXT_CONFIG_DIR", "FLEXT_DATA_DIR", "FLEXT_STATE_DIR", "FLEXT_CACHE_DIR", "HOME")]
    extra = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "FLEXT_NO_HISTORY": "1"}
    assert flext_proc("secret", "list", extra_env=extra).code == 0
    before = _files(*roots)
    run = flext_proc("secret", "set", "db", "--from-stdin", stdin="never-stored-value", extra_env=extra)
    assert run.code == 5
    assert _files(*roots) - before == {"state/audit.jsonl"}


@pytest.mark.keyring
def test_a_bus_without_a_secret_service_exits_5(flext_proc: Flext) -> None:
    with private_service(with_keyring=False) as service:
        extra = {"DBUS_SESSION_BUS_ADDRESS": service.address}
        run = flext_proc("secret", "set", "db", "--from-stdin", stdin="never-stored-value", extra_env=extra)
    assert run.code == 5, run
    assert "The Secret Service daemon is neither running nor activatable" in run.err
    assert "hint: start a Secret Service such as gnome-keyring (`gnome-keyring-daemon --unlock`)" in run.err


@pytest.mark.keyring
def test_a_locked_keyring_exits_4(flext_proc: Flext) -> None:
    with private_service() as service:
        extra = {"DBUS_SESSION_BUS_ADDRESS": service.address}
        assert flext_proc("secret", "set", "db", "--from-stdin", stdin="locked-away-1", extra_env=extra).code == 0
        service.lock()
        run = flext_proc("secret", "get", "db", "--reveal", extra_env=extra)
    assert run.code == 4, run
    assert run.err.startswith("error: the keyring is locked: ")
    assert run.err.splitlines()[-1].startswith("hint: unlock it")
    assert "locked-away-1" not in run.out + run.err
