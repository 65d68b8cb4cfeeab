"""Typed reading of request bodies and query strings: wrong types are 400, never 500."""

from __future__ import annotations

from flext.server.wire import ApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.server.wire import Request


def _bad(name: str, want: str, got: Any) -> ApiError:
    return ApiError(400, f"{name} must be {want}, got {type(got).__name__}", type="usage_error")


def body(request: Request) -> dict[str, Any]:
    data = request.json()
    if not isinstance(data, dict):
        raise ApiError(400, f"the request body must be a JSON object, got {type(data).__name__}", type="usage_error")
    return data


def known(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    extra = sorted(k for k in data if k not in allowed)
    if extra:
        raise ApiError(400, f"unknown field {extra[0]!r}", type="usage_error",
                       hint=f"allowed: {', '.join(allowed) or 'none'}")


def flag(data: dict[str, Any], name: str, default: bool = False) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise _bad(name, "a boolean", value)
    return value


def text(data: dict[str, Any], name: str, *, required: bool = False, limit: int = 4096) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ApiError(400, f"{name} is required", type="usage_error")
        return None
    if not isinstance(value, str):
        raise _bad(name, "a string", value)
    if len(value) > limit:
        raise ApiError(400, f"{name} is longer than {limit} characters", type="usage_error")
    return value


def number(data: dict[str, Any], name: str, *, low: float = 0.0, high: float = 86400.0) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(name, "a number", value)
    if not low <= float(value) <= high:
        raise ApiError(400, f"{name} must be between {low:g} and {high:g}", type="usage_error")
    return float(value)


def q_int(request: Request, name: str, *, low: int = 0, high: int = 100000) -> int | None:
    raw = request.arg(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"query parameter {name} must be an integer, got {raw!r}", type="usage_error") from None
    if not low <= value <= high:
        raise ApiError(400, f"query parameter {name} must be between {low} and {high}", type="usage_error")
    return value


def q_float(request: Request, name: str, *, low: float = 0.0, high: float = 3600.0) -> float | None:
    raw = request.arg(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(400, f"query parameter {name} must be a number, got {raw!r}", type="usage_error") from None
    if not low <= value <= high:
        raise ApiError(400, f"query parameter {name} must be between {low:g} and {high:g}", type="usage_error")
    return value


def q_bool(request: Request, name: str) -> bool:
    raw = request.arg(name)
    if raw is None:
        return False
    if raw.lower() in ("1", "true", "yes", "on", ""):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ApiError(400, f"query parameter {name} must be 1 or 0, got {raw!r}", type="usage_error")


def q_choice(request: Request, name: str, choices: tuple[str, ...]) -> str | None:
    raw = request.arg(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise ApiError(400, f"query parameter {name} must be one of {', '.join(choices)}; got {raw!r}",
                       type="usage_error")
    return raw


def q_names(request: Request, name: str) -> list[str]:
    from flext.server.routes import valid_name

    values = request.args(name)
    for value in values:
        if not valid_name(value):
            raise ApiError(400, f"invalid {name} {value!r}", type="usage_error")
    return values


__all__ = ["body", "flag", "known", "number", "q_bool", "q_choice", "q_float", "q_int", "q_names", "text"]
