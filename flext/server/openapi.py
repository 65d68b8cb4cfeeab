"""The OpenAPI 3.1 document, built from the route table (so it cannot drift from it)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.server.routes import Route

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["type", "message"], "properties": {
        "type": {"type": "string", "examples": ["not_found", "conflict", "usage_error", "unauthenticated"]},
        "message": {"type": "string"},
        "hint": {"type": "string"},
        "exit_code": {"type": "integer", "description": "the flext exit code the CLI shows for this error"},
        "correlation_id": {"type": "string"},
    }}},
}


def _schema(kind: str) -> dict[str, Any]:
    if kind.startswith("[") or kind.startswith("list"):
        return {"type": "array", "items": {"type": "string"}}
    base = kind.split(" ")[0]
    if base in ("boolean", "object", "string"):
        return {"type": base}
    if base in ("seconds", "number"):
        return {"type": "number"}
    if "|" in base:
        return {"type": "string", "enum": base.split("|")}
    return {"type": "string"}


def document(routes: list[Route]) -> dict[str, Any]:
    from flext import __version__

    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        op: dict[str, Any] = {
            "summary": route.summary,
            "operationId": f"{route.method.lower()}_{route.pattern.strip('/').replace('/', '_').replace('{', '').replace('}', '').replace('.', '_')}",
            "tags": [route.tag] if route.tag else [],
            "responses": {
                "200": {"description": "OK", "content": {
                    "application/x-ndjson" if route.stream else "application/json": {}}},
                "4XX": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
            "x-flext-role": route.role or "public",
        }
        if route.role is not None:
            op["security"] = [{"bearer": []}]
        else:
            op["security"] = []
        parameters: list[dict[str, Any]] = []
        for part in route.parts:
            if part.startswith("{"):
                parameters.append({"name": part[1:-1], "in": "path", "required": True,
                                   "schema": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"}})
        for name, text in route.query.items():
            parameters.append({"name": name, "in": "query", "required": False, "description": text,
                               "schema": {"type": "string"}})
        if route.action == "pipeline start":
            parameters.append({"name": "Idempotency-Key", "in": "header", "required": False,
                               "description": "the same key on a retry replays the first answer (no second run)",
                               "schema": {"type": "string", "minLength": 8, "maxLength": 128}})
        if parameters:
            op["parameters"] = parameters
        if route.body:
            op["requestBody"] = {"required": False, "content": {"application/json": {"schema": {
                "type": "object", "properties": {k: {**_schema(v), "description": v} for k, v in route.body.items()}}}}}
        if route.action:
            op["x-flext-audit-action"] = route.action
        paths.setdefault(route.pattern, {})[route.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "flext serve", "version": __version__,
                 "description": "The flext engine over HTTP. Errors are {\"error\": {\"type\", \"message\"}}; "
                                "every response carries X-Correlation-ID. See docs/api.md."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "an API token (flxt_...) from `flext serve --bootstrap-admin`, "
                                                          "`flext auth token create` or `POST /api/v1/auth/login`"}},
            "schemas": {"Error": _ERROR},
        },
        "paths": paths,
    }


__all__ = ["document"]
