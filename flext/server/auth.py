"""Users, API tokens and roles held by `flext serve`.

Stored in `<workspace>/.flext/server/auth.json` (0600), so every server on a workspace
sees the same users. What is stored, and why:
- passwords as `scrypt$N$r$p$salt$hash` (hashlib.scrypt, a memory-hard KDF from the
  standard library): a stolen file does not give the passwords back cheaply;
- tokens as the sha256 of the token: they are long random strings, so a fast hash is
  enough, and the token itself is shown exactly once, when it is made;
- every comparison of a secret is `hmac.compare_digest` (constant time), and an
  unknown user or token id costs the same work as a known one, so timing tells nothing.

A token looks like `flxt_<id>_<secret>`: the id (public, listed by `auth token list`,
used to revoke) finds the record without comparing every hash.

Roles are ordered: viewer < operator < admin. Repeated failed logins for one user from
one client address are refused with 429 and Retry-After for a time that doubles each
time (per user *and* address: a stranger's guesses never lock the user out elsewhere).
The clock is injected (`clock=`), so the back-off is tested without waiting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time

from flext.core.errors import AuthError, Conflict, NotFound, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

ROLES = ("viewer", "operator", "admin")
PREFIX = "flxt_"
LOGIN_TTL_S = 12 * 3600
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
FREE_FAILURES = 3  # failed logins allowed before the back-off starts
MAX_LOCKOUT_S = 300.0
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@-")


def rank(role: str | None) -> int:
    return ROLES.index(role) if role in ROLES else -1


def check_role(role: Any) -> str:
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}", hint=f"use one of: {', '.join(ROLES)}")
    return str(role)


def check_username(name: Any) -> str:
    if not isinstance(name, str) or not name or len(name) > 64 or not set(name) <= _NAME_CHARS:
        raise UsageError(f"invalid user name {name!r}", hint="use letters, digits, '_', '.', '@' and '-' (at most 64)")
    return name


# -- hashing -----------------------------------------------------------------------
def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


_DUMMY_HASH = hash_password("not a real password", salt=b"\0" * 16)


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class Principal:
    """Who is calling: the user, the role in force, and the token used."""

    __slots__ = ("role", "token_id", "token_name", "user")

    def __init__(self, user: str, role: str, token_id: str | None, token_name: str | None) -> None:
        self.user = user
        self.role = role
        self.token_id = token_id
        self.token_name = token_name

    def allows(self, role: str) -> bool:
        return rank(self.role) >= rank(role)

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user, "role": self.role, "token_id": self.token_id, "token_name": self.token_name}


class AuthStore:
    """The users/tokens file: read-mostly (cached by file identity), written under a lock."""

    def __init__(self, path: str, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock
        self._cache: tuple[tuple[int, int, int], dict[str, Any]] | None = None
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # (user, address) -> (failures, locked until)

    # -- storage -----------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        """The document, cached while the file is unchanged; ConfigError (exit 5) when damaged."""
        from flext.server import files

        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return {"users": {}, "tokens": {}}
        ident = (st.st_ino, st.st_mtime_ns, st.st_size)
        cached = self._cache
        if cached is not None and cached[0] == ident:
            return cached[1]
        data: dict[str, Any] | None = files.read(self.path, _shape)
        if data is None:
            return {"users": {}, "tokens": {}}
        self._cache = (ident, data)
        return data

    def check(self) -> None:
        """Read the file now (start-up): a damaged one stops the server."""
        self._cache = None
        self._read()

    def _write(self, change: Callable[[dict[str, Any]], Any]) -> Any:
        """Lock, re-read, change, replace atomically (a damaged file is left as it is)."""
        from flext.server import files

        with self._lock:
            self._cache = None
            try:
                return files.update(self.path, change, check=_shape, empty=lambda: {"users": {}, "tokens": {}})
            finally:
                self._cache = None

    # -- users ---------------------------------------------------------------------
    def users(self) -> list[dict[str, Any]]:
        data = self._read()
        tokens = data["tokens"].values()
        return [{"name": name, "role": user.get("role"), "password": bool(user.get("password")),
                 "created_at": _iso(user.get("created_at")),
                 "tokens": sum(1 for t in tokens if t.get("user") == name)}
                for name, user in sorted(data["users"].items())]

    def has_admin(self) -> bool:
        return any(u.get("role") == "admin" for u in self._read()["users"].values())

    def create_user(self, name: str, role: str, password: str | None) -> dict[str, Any]:
        check_username(name)
        check_role(role)
        if password is not None and len(password) < 8:
            raise UsageError("the password is too short", hint="use at least 8 characters")
        hashed = hash_password(password) if password else None

        def add(data: dict[str, Any]) -> None:
            if name in data["users"]:
                raise Conflict(f"user {name!r} already exists")
            data["users"][name] = {"role": role, "password": hashed, "created_at": self.clock()}

        self._write(add)
        return {"name": name, "role": role, "password": bool(hashed)}

    def delete_user(self, name: str) -> dict[str, Any]:
        def drop(data: dict[str, Any]) -> int:
            user = data["users"].get(name)
            if user is None:
                raise NotFound(f"user {name!r} does not exist", hint="see `flext auth user list`")
            admins = [n for n, u in data["users"].items() if u.get("role") == "admin"]
            if user.get("role") == "admin" and admins == [name]:
                raise Conflict(f"user {name!r} is the last admin", hint="make another admin first")
            del data["users"][name]
            gone = [tid for tid, t in data["tokens"].items() if t.get("user") == name]
            for tid in gone:
                del data["tokens"][tid]
            return len(gone)

        revoked = self._write(drop)
        return {"name": name, "deleted": True, "tokens_revoked": revoked}

    # -- tokens ----------------------------------------------------------------------
    def create_token(self, user: str, role: str, *, name: str | None = None,
                     ttl: float | None = None, kind: str = "api") -> tuple[str, dict[str, Any]]:
        """A new token (returned once, in clear) and its public record."""
        check_role(role)
        token_id = secrets.token_hex(6)
        token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        now = self.clock()
        record = {"user": user, "role": role, "name": name or kind, "kind": kind, "hash": token_hash(token),
                  "created_at": now, "expires_at": now + ttl if ttl else None}

        def add(data: dict[str, Any]) -> None:
            owner = data["users"].get(user)
            if owner is None:
                raise NotFound(f"user {user!r} does not exist")
            if rank(role) > rank(owner.get("role")):
                raise AuthError(f"user {user!r} is {owner.get('role')}; a token cannot have more rights ({role})")
            data["tokens"][token_id] = record

        self._write(add)
        return token, self._public(token_id, record)

    def _public(self, token_id: str, record: dict[str, Any]) -> dict[str, Any]:
        return {"id": token_id, "name": record.get("name"), "user": record.get("user"), "role": record.get("role"),
                "kind": record.get("kind"), "created_at": _iso(record.get("created_at")),
                "expires_at": _iso(record.get("expires_at"))}

    def tokens(self) -> list[dict[str, Any]]:
        now = self.clock()
        rows = [self._public(tid, t) for tid, t in self._read()["tokens"].items()
                if not t.get("expires_at") or t["expires_at"] > now]
        return sorted(rows, key=lambda r: (r["created_at"] or "", r["id"]))

    def revoke(self, token_id: str) -> dict[str, Any]:
        def drop(data: dict[str, Any]) -> dict[str, Any]:
            record = data["tokens"].pop(token_id, None)
            if record is None:
                raise NotFound(f"no token with id {token_id!r}", hint="see `flext auth token list`")
            # expired tokens are pruned whenever the file is written anyway
            now = self.clock()
            for tid in [t for t, r in data["tokens"].items() if r.get("expires_at") and r["expires_at"] <= now]:
                del data["tokens"][tid]
            return dict(record)

        record: dict[str, Any] = self._write(drop)
        return {**self._public(token_id, record), "revoked": True}

    def bootstrap_admin(self, user: str = "admin") -> tuple[str, dict[str, Any]]:
        """The first admin and a token for it; refused once any admin exists."""
        if self.has_admin():
            raise Conflict("an admin already exists; --bootstrap-admin only works once",
                           hint="create tokens with `flext auth token create --role admin` as that admin")

        def add(data: dict[str, Any]) -> None:
            if any(u.get("role") == "admin" for u in data["users"].values()):
                raise Conflict("an admin already exists; --bootstrap-admin only works once")
            data["users"].setdefault(user, {"role": "admin", "password": None, "created_at": self.clock()})
            data["users"][user]["role"] = "admin"

        self._write(add)
        return self.create_token(user, "admin", name="bootstrap")

    # -- checking ------------------------------------------------------------------
    def verify(self, token: str) -> Principal | None:
        """The principal of a valid token, else None (same work either way)."""
        presented = token_hash(token)
        token_id = ""
        if token.startswith(PREFIX):
            token_id = token[len(PREFIX):].split("_", 1)[0]
        data = self._read()
        record = data["tokens"].get(token_id) if token_id else None
        expected = record.get("hash", "") if record else "0" * 64
        if not hmac.compare_digest(presented, expected) or record is None:
            return None
        expires = record.get("expires_at")
        if expires and expires <= self.clock():
            return None
        user = data["users"].get(record.get("user"))
        if user is None:
            return None
        role = record.get("role") if rank(record.get("role")) <= rank(user.get("role")) else user.get("role")
        return Principal(str(record.get("user")), str(role), token_id, record.get("name"))

    def login(self, username: str, password: str, remote: str) -> tuple[str, dict[str, Any]]:
        """A session token for a correct password; AuthError otherwise, 429 while backing off.

        Failures are counted per user *and* client address: someone guessing from one
        address slows down only themselves, never the user's own logins from elsewhere.
        """
        self.check_backoff(username, remote)
        data = self._read()
        user = data["users"].get(username) if isinstance(username, str) else None
        stored = (user or {}).get("password") or _DUMMY_HASH
        ok = verify_password(password, stored) and user is not None and bool(user.get("password"))
        if not ok:
            self._fail(username, remote)
            raise AuthError("wrong user name or password")
        with self._lock:
            self._failures.pop(_key(username, remote), None)
        assert user is not None
        return self.create_token(username, str(user.get("role")), name="login", ttl=LOGIN_TTL_S, kind="login")

    def check_backoff(self, username: str, remote: str) -> None:
        wait = self._failures.get(_key(username, remote), (0, 0.0))[1] - self.clock()
        if wait > 0:
            raise TooManyAttempts(wait)

    def _fail(self, username: str, remote: str) -> None:
        now = self.clock()
        key = _key(username, remote)
        with self._lock:
            count = self._failures.get(key, (0, 0.0))[0] + 1
            locked = now + min(MAX_LOCKOUT_S, 2.0 ** (count - FREE_FAILURES)) if count >= FREE_FAILURES else 0.0
            self._failures[key] = (count, locked)
            if len(self._failures) > 10000:  # bounded memory under a spray of names
                for old in sorted(self._failures, key=lambda k: self._failures[k][1])[:5000]:
                    del self._failures[old]


def _key(username: str, remote: str) -> tuple[str, str]:
    return (username, remote)


def _shape(doc: Any) -> str | None:
    if not isinstance(doc, dict) or not isinstance(doc.get("users"), dict) or not isinstance(doc.get("tokens"), dict):
        return "expected a JSON object with users and tokens"
    return None


class TooManyAttempts(AuthError):
    """Login refused for a while after repeated failures (HTTP 429)."""

    def __init__(self, wait: float) -> None:
        import math

        seconds = max(1, math.ceil(wait))
        super().__init__(f"too many failed logins; try again in {seconds}s",
                         hint="wait, or ask an admin for an API token")
        self.retry_after = seconds


__all__ = ["ROLES", "AuthStore", "Principal", "TooManyAttempts", "check_role", "check_username", "hash_password",
           "rank", "token_hash", "verify_password"]
