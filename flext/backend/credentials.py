"""Where the API token of a remote profile lives: `FLEXT_TOKEN`, else the keyring.

The keyring entry is the secret `api-token.<profile>` of that profile (service `flext`,
user `<profile>/api-token.<profile>`), so each profile has its own token and a profile
never picks up another one's through inheritance. Going through `ctx.secrets` means
the token is remembered for redaction: it can never show up in history, audit, logs
or error messages.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ENV = "FLEXT_TOKEN"
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def secret_name(profile: str) -> str:
    return "api-token." + "".join(ch if ch in _SAFE else "_" for ch in profile)


def load(ctx: Any) -> tuple[str | None, str | None]:
    """(token, where it came from: "FLEXT_TOKEN" | "keyring" | None). Never raises."""
    from flext.core.errors import FlextError
    from flext.core.secrets import remember

    value = ctx.env.get(ENV)
    if value:
        remember(value)
        return value, ENV
    try:
        return ctx.secrets.get(secret_name(ctx.profile)), "keyring"
    except FlextError:
        return None, None


def save(ctx: Any, token: str) -> dict[str, Any]:
    result: dict[str, Any] = ctx.secrets.set(secret_name(ctx.profile), token)
    return result


def forget(ctx: Any) -> bool:
    """Delete the stored token; False when there was none."""
    from flext.core.errors import NotFound

    try:
        ctx.secrets.delete(secret_name(ctx.profile))
    except NotFound:
        return False
    return True


def where(ctx: Any) -> dict[str, Any]:
    """A description of the token store for `auth status`."""
    from flext.core.errors import FlextError

    store: dict[str, Any] = {"env": ENV, "secret": secret_name(ctx.profile), "keyring_backend": None,
                             "keyring_usable": False}
    try:
        info = ctx.secrets.status()
        store["keyring_backend"] = info.get("backend")
        store["keyring_usable"] = bool(info.get("usable"))
    except FlextError:
        pass
    return store


__all__ = ["ENV", "forget", "load", "save", "secret_name", "where"]
