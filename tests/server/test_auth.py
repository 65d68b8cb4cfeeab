"""The server's users and tokens (flext/server/auth.py): hashing, checks, back-off."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from flext.core.errors import AuthError, Conflict, NotFound, UsageError
from flext.server.auth import (
    AuthStore,
    TooManyAttempts,
    hash_password,
    rank,
    token_hash,
    verify_password,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> AuthStore:
    return AuthStore(str(tmp_path / "server" / "auth.json"), clock=clock)


def test_passwords_are_scrypt_hashed_and_verified() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$16384$8$1$")
    assert "correct horse" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("correct hors", stored)
    assert not verify_password("x", "md5$whatever")
    assert hash_password("same") != hash_password("same")  # salted


def test_bootstrap_once_and_the_file_holds_no_secret(store: AuthStore) -> None:
    token, record = store.bootstrap_admin()
    assert token.startswith(f"flxt_{record['id']}_")
    assert (record["user"], record["role"], record["name"]) == ("admin", "admin", "bootstrap")
    with pytest.raises(Conflict, match="an admin already exists"):
        store.bootstrap_admin()
    text = Path(store.path).read_text()
    assert token not in text and token_hash(token) in text
    assert os.stat(store.path).st_mode & 0o777 == 0o600
    principal = store.verify(token)
    assert principal is not None and principal.as_dict() == {
        "user": "admin", "role": "admin", "token_id": record["id"], "token_name": "bootstrap"}


@pytest.mark.parametrize("bad", ["", "flxt_", "flxt_nope_nope", "not-a-token", "flxt_" + "a" * 12 + "_x"])
def test_wrong_tokens_are_refused(store: AuthStore, bad: str) -> None:
    store.bootstrap_admin()
    assert store.verify(bad) is None


def test_a_changed_secret_with_a_known_id_is_refused(store: AuthStore) -> None:
    token, _ = store.bootstrap_admin()
    assert store.verify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_token_roles_expiry_and_revocation(store: AuthStore, clock: Clock) -> None:
    store.bootstrap_admin()
    store.create_user("ana", "operator", "long enough")
    viewer, record = store.create_token("ana", "viewer", name="grafana", ttl=3600)
    assert store.verify(viewer).role == "viewer"  # type: ignore[union-attr]
    with pytest.raises(AuthError, match="a token cannot have more rights"):
        store.create_token("ana", "admin")
    with pytest.raises(NotFound):
        store.create_token("nobody", "viewer")
    clock.now += 3601
    assert store.verify(viewer) is None  # expired
    assert record["id"] not in [t["id"] for t in store.tokens()]
    operator, op_record = store.create_token("ana", "operator")
    revoked = store.revoke(op_record["id"])
    assert revoked["revoked"] is True
    assert store.verify(operator) is None
    with pytest.raises(NotFound, match="no token with id"):
        store.revoke(op_record["id"])


def test_a_demoted_user_demotes_their_tokens(store: AuthStore) -> None:
    store.bootstrap_admin()
    store.create_user("bo", "admin", None)
    token, _ = store.create_token("bo", "admin")
    data = json.loads(Path(store.path).read_text())
    data["users"]["bo"]["role"] = "viewer"
    Path(store.path).write_text(json.dumps(data))
    assert store.verify(token).role == "viewer"  # type: ignore[union-attr]


def test_users_and_the_last_admin(store: AuthStore) -> None:
    store.bootstrap_admin()
    with pytest.raises(UsageError, match="invalid user name"):
        store.create_user("../x", "viewer", None)
    with pytest.raises(UsageError, match="unknown role"):
        store.create_user("ok", "root", None)
    with pytest.raises(UsageError, match="too short"):
        store.create_user("ok", "viewer", "short")
    store.create_user("ok", "viewer", "long enough")
    with pytest.raises(Conflict):
        store.create_user("ok", "viewer", None)
    with pytest.raises(Conflict, match="the last admin"):
        store.delete_user("admin")
    token, _ = store.create_token("ok", "viewer")
    assert store.delete_user("ok") == {"name": "ok", "deleted": True, "tokens_revoked": 1}
    assert store.verify(token) is None
    assert [u["name"] for u in store.users()] == ["admin"]


def test_login_and_backoff(store: AuthStore, clock: Clock) -> None:
    store.bootstrap_admin()
    store.create_user("ana", "operator", "right password")
    token, record = store.login("ana", "right password", "10.0.0.1")
    assert (record["role"], record["kind"]) == ("operator", "login")
    assert store.verify(token) is not None
    for _ in range(3):
        with pytest.raises(AuthError, match="wrong user name or password"):
            store.login("ana", "wrong", "10.0.0.1")
    with pytest.raises(TooManyAttempts) as refused:
        store.login("ana", "right password", "10.0.0.1")  # even the right password waits
    assert refused.value.retry_after == 1
    store.login("ana", "right password", "10.0.0.2")  # per user and address: ana elsewhere is not locked out
    clock.now += 1.5
    store.login("ana", "right password", "10.0.0.1")  # the wait is over; success resets it
    store.login("ana", "right password", "10.0.0.1")


def test_backoff_doubles(store: AuthStore, clock: Clock) -> None:
    store.bootstrap_admin()
    waits = []
    for _ in range(8):
        try:
            store.login("ghost", "x", "10.0.0.9")
        except TooManyAttempts as exc:
            waits.append(exc.retry_after)
            clock.now += exc.retry_after
            continue
        except AuthError:
            pass
    assert waits == [1, 2, 4]  # after 3 free failures: 1 s, then doubling
    store._fail("ghost", "10.0.0.9")
    with pytest.raises(TooManyAttempts) as late:
        store.check_backoff("ghost", "10.0.0.9")
    assert late.value.retry_after > max(waits)
    store.check_backoff("ghost", "10.0.0.10")  # another address is not held back


def test_unknown_users_cost_a_hash_too(store: AuthStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """No shortcut for a name that does not exist: the same KDF runs (no user enumeration by timing)."""
    import flext.server.auth as auth

    calls = []
    real = auth.verify_password

    def counted(password: str, stored: str) -> bool:
        calls.append(stored)
        return real(password, stored)

    monkeypatch.setattr(auth, "verify_password", counted)
    store.bootstrap_admin()  # admin has no password: refused too, after a hash
    for name in ("nobody", "admin"):
        with pytest.raises(AuthError):
            store.login(name, "whatever", f"10.1.0.{len(calls)}")
    assert len(calls) == 2 and all(c.startswith("scrypt$") for c in calls)


def test_rank_orders_roles() -> None:
    assert rank("viewer") < rank("operator") < rank("admin")
    assert rank("root") == rank(None) == -1


# -- over the API, with an injected clock (no wall-clock dependence) ---------------------------
def _app(tmp_path: Path, clock: Clock) -> Any:
    import io

    from flext.core.context import Context
    from flext.core.io import IO
    from flext.server.app import App
    from flext.server.wire import Limits

    root = tmp_path / "ws"
    root.mkdir()
    (root / "flext.toml").write_text('[workspace]\nname = "a"\n')
    env = dict(os.environ)
    ctx = Context(IO(io.StringIO(), io.StringIO(), io.StringIO(), env=env), options={"workspace": str(root)}, env=env)
    return App(ctx, str(root), Limits(), log=io.StringIO(), clock=clock)


def _login(app: Any, password: str, remote: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    from flext.server.wire import Headers, Request

    body = json.dumps({"username": "ana", "password": password}).encode()
    request = Request("POST", "/api/v1/auth/login", "", Headers([(b"content-type", b"application/json")]), body,
                      remote, "cid-1")
    response = app(request)
    return response.status, json.loads(response.body), response.headers


def test_wrong_passwords_are_slowed_down_per_user_and_address(tmp_path: Path, clock: Clock) -> None:
    """The back-off of POST /auth/login, on the App with a fake clock: 3 wrong passwords from
    one address are 401 (with a Bearer challenge), the 4th try from there is 429 with
    Retry-After even with the right password, another address is not locked out, and
    once the clock has moved on the right password works."""
    app = _app(tmp_path, clock)
    app.auth.create_user("ana", "operator", "right password")
    for _ in range(3):
        status, doc, headers = _login(app, "wrong", "10.0.0.1")
        assert (status, doc["error"]["message"]) == (401, "wrong user name or password")
        assert headers["WWW-Authenticate"] == 'Bearer realm="flext"'
    status, doc, headers = _login(app, "right password", "10.0.0.1")
    assert (status, doc["error"]["type"], doc["error"]["message"], headers["Retry-After"]) == (
        429, "too_many_requests", "too many failed logins; try again in 1s", "1")
    assert _login(app, "right password", "10.0.0.2")[0] == 200  # not everyone is locked out
    clock.now += 0.5
    assert _login(app, "right password", "10.0.0.1")[0] == 429  # still waiting: no wall clock involved
    clock.now += 0.6
    assert _login(app, "right password", "10.0.0.1")[0] == 200
