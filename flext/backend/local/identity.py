"""The embedded engine's answer to connectivity, identity and audit questions.

There is no server and no user store: the engine is this machine's, run as the OS user.
Auth verbs are refused with a hint to use a server profile.
"""

from __future__ import annotations

from typing import Any

from flext.backend.local.base import LocalPart

_AUTH_HINT = ("auth talks to a flext server; use a profile with api_url: "
              "flext profile create team --api-url http://HOST:8081")


class IdentityVerbs(LocalPart):
    def connectivity(self) -> dict[str, Any]:
        from flext import __version__
        from flext.core.audit import os_user

        return {"backend": "local", "url": None, "workspace": self.ws.root, "reachable": True,
                "version": __version__, "latency_ms": 0.0, "user": os_user(), "role": None,
                "detail": "embedded engine (no server needed)"}

    def whoami(self) -> dict[str, Any]:
        from flext.core.audit import os_user

        return {"user": os_user(), "role": None, "backend": "local"}

    def audit(self) -> list[dict[str, Any]]:
        from flext.core import audit

        return list(audit.entries(self.ctx))

    def login(self, username: str, password: str) -> dict[str, Any]:
        self.refuse("login", _AUTH_HINT)

    def logout(self, token: str | None = None) -> dict[str, Any]:
        self.refuse("logout", _AUTH_HINT)

    def tokens(self) -> list[dict[str, Any]]:
        self.refuse("tokens", _AUTH_HINT)

    def create_token(self, role: str, name: str | None = None) -> dict[str, Any]:
        self.refuse("create_token", _AUTH_HINT)

    def revoke_token(self, token_id: str) -> dict[str, Any]:
        self.refuse("revoke_token", _AUTH_HINT)

    def users(self) -> list[dict[str, Any]]:
        self.refuse("users", _AUTH_HINT)

    def create_user(self, name: str, role: str, password: str | None) -> dict[str, Any]:
        self.refuse("create_user", _AUTH_HINT)

    def delete_user(self, name: str) -> dict[str, Any]:
        self.refuse("delete_user", _AUTH_HINT)


__all__ = ["IdentityVerbs"]
