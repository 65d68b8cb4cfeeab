"""`flext auth login/logout/status/whoami`, `auth token create/list/revoke`, `auth user ...`.

Passwords come from a hidden prompt or stdin (`--password-stdin`), never argv: argv
lands in shell history, `ps` and flext's own history. The token a login returns goes
straight into the keyring (`flext.backend.credentials`) and is remembered for
redaction; it is never printed. A token made by `auth token create` is printed once,
on stdout, because that is its only chance to be seen.
"""

from __future__ import annotations

from flext.core.errors import FlextError, OperationFailed, Unreachable, UsageError
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Args, Context

_TOKEN_COLUMNS = ["id", "name", "user", "role", "kind", "created_at", "expires_at"]


def _password(ctx: Context, from_stdin: bool, label: str = "Password") -> str:
    if from_stdin:
        value = ctx.io.stdin.read()
        value = value[:-1] if value.endswith("\n") else value
        value = value[:-1] if value.endswith("\r") else value
    elif ctx.can_prompt:
        try:
            value = ctx.ask(label, flag="--password-stdin", secret=True)
        except EOFError:
            raise UsageError("no password was typed", hint="pass --password-stdin and pipe the password in") from None
    else:
        raise UsageError("missing password: there is no terminal to ask on, and passwords are never taken from argv",
                         hint="pass --password-stdin and pipe the password in")
    if not value:
        raise UsageError("the password is empty")
    from flext.core.secrets import remember

    remember(value)
    return value


def login(ctx: Context, args: Args) -> Result:
    backend = ctx.backend
    if backend.kind == "local":
        backend.login("", "")  # refused by name (exit 8), before asking for a password
    if not args.get("password_stdin") and not ctx.can_prompt:
        raise UsageError("missing password: there is no terminal to ask on, and passwords are never taken from argv",
                         hint="pass --password-stdin and pipe the password in")
    username = args.get("username") or ctx.settings.get("username") or ctx.ask("Username", flag="--username")
    password = _password(ctx, bool(args.get("password_stdin")))
    answer = backend.login(str(username), password)
    token = str(answer["token"])
    from flext.backend import credentials
    from flext.core.secrets import remember

    remember(token)
    try:
        credentials.save(ctx, token)
    except FlextError as exc:
        try:  # a token nobody can use any more: revoke it rather than leave it valid for hours
            backend.logout(token)
        except FlextError:
            pass
        raise type(exc)(f"logged in, but the token could not be stored: {exc.message}",
                        hint="fix the keyring (see `flext secret where`), or export the token as FLEXT_TOKEN "
                             "from a login with a working keyring") from None
    if ctx.env.get(credentials.ENV):
        ctx.warn(f"{credentials.ENV} is set and wins over the token just stored")
    data = {"server": backend.where, "user": answer.get("user"), "role": answer.get("role"),
            "token_id": answer.get("token_id"), "expires_at": answer.get("expires_at"),
            "stored_in": "keyring", "secret": credentials.secret_name(ctx.profile)}
    return Result(data, message=f"✓ logged in to {backend.where} as {data['user']} ({data['role']}); "
                                f"token kept in the keyring", text="")


def logout(ctx: Context, args: Args) -> Result:
    from flext.backend import credentials

    backend = ctx.backend
    if backend.kind == "local":
        backend.logout()  # refused by name (exit 8)
    token, source = credentials.load(ctx)
    revoked = False
    note = None
    if token and source == "keyring":
        try:
            backend.logout()
            revoked = True
        except Unreachable as exc:
            note = f"the server could not be told ({exc.message}); the token stays valid there until it expires"
        except FlextError:
            revoked = False  # already invalid on the server
    forgotten = credentials.forget(ctx) if source == "keyring" else False
    if note:
        ctx.warn(note)
    if source == credentials.ENV:
        ctx.warn(f"{credentials.ENV} is set: unset it to stop using that token (flext did not revoke it)")
    message = "✓ logged out" + (" (token revoked on the server)" if revoked else "") if forgotten else "not logged in"
    return Result({"profile": ctx.profile, "revoked": revoked, "forgotten": forgotten}, message=message, text="")


def status(ctx: Context, args: Args) -> Result:
    from flext.backend import credentials

    backend = ctx.backend
    if backend.kind == "local":
        local = {"profile": ctx.profile, "backend": "local", "server": None,
                "token": None, "source": None, "user": None, "role": None, "valid": None,
                 "keyring_backend": None, "secret": None, "detail": "local profile: no server to log in to"}
        return Result(local, text=_status_text(local))
    token, source = credentials.load(ctx)
    store = credentials.where(ctx)
    data: dict[str, Any] = {"profile": ctx.profile, "backend": backend.kind, "server": backend.where,
                            "token": "set" if token else None, "source": source, "user": None, "role": None,
                            "valid": None, "keyring_backend": store["keyring_backend"], "secret": store["secret"],
                            "detail": None}
    code = 0
    if not token:
        data["detail"] = "not logged in"
        code = 4
    else:
        try:
            me = backend.whoami()
            data.update(user=me.get("user"), role=me.get("role"), valid=True)
        except Unreachable as exc:
            data["detail"] = exc.message
            code = 3
        except FlextError as exc:
            data.update(valid=False, detail=exc.message)
            code = exc.exit_code
    return Result(data, text=_status_text(data), exit_code=code)


def _status_text(data: dict[str, Any]) -> str:
    lines = [f"profile   {data['profile']} ({data['backend']})"]
    if data["server"] is None:
        lines.append(str(data["detail"]))
        return "\n".join(lines)
    lines.append(f"server    {data['server']}")
    if data["source"] == "FLEXT_TOKEN":
        where = "FLEXT_TOKEN (environment; wins over the keyring)"
    elif data["source"] == "keyring":
        where = f"keyring {data['keyring_backend']}, secret {data['secret']}"
    else:
        where = f"none (log in to store one in the keyring as secret {data['secret']}, or set FLEXT_TOKEN)"
    lines.append(f"token     {where}")
    if data["valid"]:
        lines.append(f"user      {data['user']} ({data['role']})")
    elif data["detail"]:
        lines.append(f"status    {data['detail']}")
    return "\n".join(lines)


def whoami(ctx: Context, args: Args) -> Result:
    backend = ctx.backend
    me = backend.whoami()
    if backend.kind == "local":
        data = {"user": me.get("user"), "role": None, "token_id": None, "token_name": None, "server": None}
        return Result(data, text=f"{data['user']} (local profile {ctx.profile}: no server roles)")
    data = {**me, "server": backend.where}
    return Result(data, text=f"{me.get('user')} ({me.get('role')}) on {backend.where}")


def token_create(ctx: Context, args: Args) -> Result:
    backend = ctx.backend
    role = args.get("role") or ctx.ask("Role (viewer, operator, admin)", flag="--role")
    if role not in ("viewer", "operator", "admin"):
        raise UsageError(f"unknown role {role!r}", hint="use viewer, operator or admin")
    out = backend.create_token(str(role), args.get("name"))
    from flext.core.secrets import remember

    remember(str(out["token"]))  # shown once on stdout; never in history, audit or logs
    return Result(out, text=str(out["token"]),
                  message=f"✓ created token {out['id']} ({out['role']}); it is shown once: store it now")


def token_list(ctx: Context, args: Args) -> Result:
    rows = ctx.backend.tokens()
    return Result(rows, columns=_TOKEN_COLUMNS, empty="no API tokens (create one: flext auth token create NAME)")


def token_revoke(ctx: Context, args: Args) -> Result:
    backend = ctx.backend
    if not ctx.confirm(f"Revoke token {args.id}?"):
        raise OperationFailed("cancelled; nothing was revoked")
    out = backend.revoke_token(args.id)
    return Result(out, message=f"✓ revoked token {out['id']} ({out.get('name')}, {out.get('role')})", text="")


def user_create(ctx: Context, args: Args) -> Result:
    backend = ctx.backend
    role = args.get("role") or ctx.ask("Role (viewer, operator, admin)", flag="--role")
    password = None
    if args.get("password_stdin") or ctx.can_prompt:
        password = _password(ctx, bool(args.get("password_stdin")), label=f"Password for {args.name}")
    out = backend.create_user(args.name, str(role), password)
    how = "can log in with `flext auth login`" if out.get("password") else "has no password: give it a token"
    return Result(out, message=f"✓ created user {out['name']} ({out['role']}); {how}", text="")


def user_list(ctx: Context, args: Args) -> Result:
    rows = ctx.backend.users()
    return Result(rows, columns=["name", "role", "password", "tokens", "created_at"])


def user_delete(ctx: Context, args: Args) -> Result:
    backend = ctx.backend
    if not ctx.confirm(f"Delete user {args.name} and revoke their tokens?"):
        raise OperationFailed("cancelled; nothing was deleted")
    out = backend.delete_user(args.name)
    return Result(out, message=f"✓ deleted user {out['name']} ({out['tokens_revoked']} tokens revoked)", text="")


__all__ = ["login", "logout", "status", "token_create", "token_list", "token_revoke", "user_create", "user_delete",
           "user_list", "whoami"]
