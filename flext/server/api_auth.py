"""Auth routes: login, logout, who am I, tokens and users (admin)."""

from __future__ import annotations

from flext.server import params as p
from flext.server.wire import ApiError, Response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.server.app import App
    from flext.server.auth import Principal
    from flext.server.wire import Request


def _me(req: Request) -> Principal:
    assert req.principal is not None
    principal: Principal = req.principal
    return principal


def login(app: App, req: Request) -> Response:
    data = p.body(req)
    p.known(data, ("username", "password"))
    username = p.text(data, "username", required=True, limit=64)
    password = p.text(data, "password", required=True, limit=1024)
    assert username is not None and password is not None
    from flext.core.errors import AuthError
    from flext.server.auth import TooManyAttempts

    try:
        token, record = app.auth.login(username, password, req.remote)
    except TooManyAttempts:
        raise  # 429 with Retry-After
    except AuthError as exc:
        raise ApiError(401, exc.message, type="unauthenticated",
                       headers={"WWW-Authenticate": 'Bearer realm="flext"'}) from None
    return Response(200, {"token": token, "token_type": "bearer", "user": record["user"], "role": record["role"],
                          "token_id": record["id"], "expires_at": record["expires_at"]})


def logout(app: App, req: Request) -> Any:
    me = _me(req)
    if me.token_id is None:
        return {"revoked": False}
    return {**app.auth.revoke(me.token_id), "user": me.user}


def user(app: App, req: Request) -> Any:
    return _me(req).as_dict()


def tokens(app: App, req: Request) -> Any:
    return app.auth.tokens()


def create_token(app: App, req: Request) -> Response:
    from flext.server.auth import check_role

    data = p.body(req)
    p.known(data, ("role", "name", "user", "expires_in"))
    role = check_role(p.text(data, "role", required=True, limit=16))
    name = p.text(data, "name", limit=64)
    owner = p.text(data, "user", limit=64) or _me(req).user
    ttl = p.number(data, "expires_in", low=60, high=10 * 365 * 86400.0)
    token, record = app.auth.create_token(owner, role, name=name, ttl=ttl)
    return Response(201, {**record, "token": token})


def revoke_token(app: App, req: Request) -> Any:
    return app.auth.revoke(req.params["token_id"])


def users(app: App, req: Request) -> Any:
    return app.auth.users()


def create_user(app: App, req: Request) -> Response:
    from flext.server.auth import check_role

    data = p.body(req)
    p.known(data, ("name", "role", "password"))
    name = p.text(data, "name", required=True, limit=64)
    role = check_role(p.text(data, "role", required=True, limit=16))
    password = p.text(data, "password", limit=1024)
    assert name is not None
    return Response(201, app.auth.create_user(name, role, password))


def delete_user(app: App, req: Request) -> Any:
    return app.auth.delete_user(req.params["user"])


__all__ = ["create_token", "create_user", "delete_user", "login", "logout", "revoke_token", "tokens", "user", "users"]
