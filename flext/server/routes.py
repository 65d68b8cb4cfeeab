"""The route table: method, path pattern, role, audit action; and matching.

One table feeds dispatch, the role checks, the audit, the metrics labels (the
pattern, never the raw path, so label cardinality stays bounded) and the OpenAPI
document. Path parameters are validated here, before any handler sees them: a name
is letters, digits, '_', '-', '.' (starting with a letter or digit), so `..`,
`%2F` and friends never reach the file system.
"""

from __future__ import annotations

from urllib.parse import unquote

from flext.server.wire import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.server.wire import Request, Response

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
_FIRST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
MAX_NAME = 128


def valid_name(value: str) -> bool:
    return (0 < len(value) <= MAX_NAME and value[0] in _FIRST and set(value) <= _NAME_CHARS
            and ".." not in value)


class Route:
    """One operation of the API."""

    __slots__ = ("action", "body", "handler", "method", "parts", "pattern", "query", "role", "stream",
                 "summary", "tag", "target")

    def __init__(self, method: str, pattern: str, handler: Callable[[Any, Request], Response | Any], *,
                 role: str | None, summary: str, action: str | None = None, target: str | None = None,
                 query: dict[str, str] | None = None, body: dict[str, str] | None = None,
                 stream: bool = False, tag: str = "") -> None:
        self.method = method
        self.pattern = pattern
        self.parts = pattern.strip("/").split("/")
        self.handler = handler
        self.role = role  # None: public; else the least role allowed
        self.summary = summary
        self.action = action  # set for mutating routes: audited as this command-like action
        self.target = target  # the path parameter audited as the target
        self.query = query or {}
        self.body = body or {}
        self.stream = stream
        self.tag = tag

    @property
    def mutating(self) -> bool:
        return self.action is not None

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) != len(self.parts):
            return None
        params: dict[str, str] = {}
        for mine, theirs in zip(self.parts, parts, strict=True):
            if mine.startswith("{"):
                params[mine[1:-1]] = theirs
            elif mine != theirs:
                return None
        return params


class Table:
    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        # literal segments win over parameters (`/services/health` before `/services/{name}`)
        self._ordered = sorted(routes, key=lambda r: sum(p.startswith("{") for p in r.parts))

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route and its (validated) parameters; 404 / 405 / 400 otherwise."""
        raw = path.strip("/").split("/") if path.strip("/") else [""]
        try:
            parts = [unquote(p, errors="strict") if "%" in p else p for p in raw]
        except UnicodeDecodeError:
            raise ApiError(400, "the path is not valid UTF-8") from None
        allowed: list[str] = []
        found: tuple[Route, dict[str, str]] | None = None
        for route in self._ordered:
            params = route.match(parts)
            if params is None:
                continue
            if route.method != method and not (method == "HEAD" and route.method == "GET"):
                allowed.append(route.method)
                continue
            found = (route, params)
            break
        if found is None:
            if allowed:
                raise ApiError(405, f"method {method} is not allowed on {path}",
                               headers={"Allow": ", ".join(sorted(set(allowed)))})
            raise ApiError(404, f"no such endpoint: {method} {path}", hint="see GET /api/v1/openapi.json")
        route, params = found
        for key, value in params.items():
            if not valid_name(value):
                raise ApiError(400, f"invalid {key} {value!r}", type="usage_error",
                               hint="names use letters, digits, '_', '-' and '.', and start with a letter or digit")
        return route, params


__all__ = ["MAX_NAME", "Route", "Table", "valid_name"]
