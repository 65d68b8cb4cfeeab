"""HttpBackend and its transport against scripted HTTP servers on 127.0.0.1.

What retries and what does not, what each error becomes (exit code and message), the
headers every request carries, and streams that end badly.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flext.backend.http import HttpBackend
from flext.core.errors import (
    AuthError,
    ConfigError,
    Conflict,
    FlextError,
    NotFound,
    OperationFailed,
    Unreachable,
    UsageError,
)
from flext.core.io import IO
from flext.runner import make_context
from tests.backend.scripted import Scripted


@pytest.fixture
def serve() -> Iterator[Any]:
    started: list[Scripted] = []

    def start(*script: Any) -> Scripted:
        server = Scripted(list(script))
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def backend_for(env: dict[str, str], url: str, *, token: str | None = "flxt_abc_secret", retries: int = 3,
                timeout: float = 5.0) -> HttpBackend:
    config = Path(env["FLEXT_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(
        f'current_profile = "r"\n[profiles.r]\napi_url = "{url}"\nretries = {retries}\ntimeout = {timeout}\n')
    run_env = dict(env)
    if token:
        run_env["FLEXT_TOKEN"] = token
    ctx = make_context(IO(io.StringIO(), io.StringIO(), io.StringIO(), env=run_env), env=run_env)
    backend = ctx.backend
    assert isinstance(backend, HttpBackend)
    backend.http.sleep = lambda seconds: None  # the backoff is tested in tests/core/test_resilience.py
    return backend


def test_every_request_carries_correlation_id_and_token(serve: Any, env: dict[str, str]) -> None:
    server = serve((200, [{"name": "a"}]))
    backend = backend_for(env, server.url)
    assert backend.list_pipelines() == [{"name": "a"}]
    headers = server.requests[0]["headers"]
    assert headers["X-Correlation-ID"] == backend.ctx.correlation_id
    assert headers["Authorization"] == "Bearer flxt_abc_secret"
    assert headers["User-Agent"].startswith("flext/")


def test_idempotent_reads_are_retried(serve: Any, env: dict[str, str]) -> None:
    server = serve((503, {"error": {"type": "unavailable", "message": "busy"}}), "drop", (200, {"name": "orders"}))
    backend = backend_for(env, server.url)
    assert backend.get_pipeline("orders") == {"name": "orders"}
    assert [r["path"] for r in server.requests] == ["/api/v1/pipelines/orders"] * 3


def test_retries_give_up_with_the_last_answer(serve: Any, env: dict[str, str]) -> None:
    server = serve(*[(503, {"error": {"type": "unavailable", "message": "the server is busy; retry shortly"}})] * 4)
    backend = backend_for(env, server.url, retries=2)
    with pytest.raises(OperationFailed, match="the server is busy") as failed:
        backend.list_pipelines()
    assert failed.value.exit_code == 1
    assert len(server.requests) == 3


def test_a_plain_post_is_not_retried_after_it_may_have_arrived(serve: Any, env: dict[str, str]) -> None:
    server = serve("drop", (201, {"name": "p"}))
    backend = backend_for(env, server.url)
    with pytest.raises(Unreachable) as lost:
        backend.create_pipeline({"name": "p", "tap": "t", "target": "u"})
    assert "the change may or may not have been applied" in str(lost.value.hint)
    assert len(server.requests) == 1


def test_a_start_is_retried_with_the_same_idempotency_key(serve: Any, env: dict[str, str]) -> None:
    record = {"id": "20261127T100000Z-abcdef", "status": "queued", "idempotency_key": "k"}
    server = serve("drop", (503, {"error": {"type": "unavailable", "message": "busy"}}), (202, record))
    backend = backend_for(env, server.url)
    got = backend.start("orders", full_refresh=True)
    assert got == {"id": "20261127T100000Z-abcdef", "status": "queued"}  # the key is not shown
    keys = {r["headers"]["Idempotency-Key"] for r in server.requests}
    assert len(server.requests) == 3 and len(keys) == 1
    assert server.requests[0]["body"] == {"full_refresh": True}
    second = serve((202, record))
    backend_for(env, second.url).start("orders")
    assert second.requests[0]["headers"]["Idempotency-Key"] not in keys  # a new call, a new key


ERRORS = [
    (401, {"error": {"type": "unauthenticated", "message": "authentication required"}}, AuthError, 4,
     "authentication required"),
    (403, {"error": {"type": "forbidden", "message": "this needs the admin role; your token has viewer"}}, AuthError, 4,
     "this needs the admin role; your token has viewer"),
    (404, {"error": {"type": "not_found", "message": "pipeline 'x' does not exist", "exit_code": 6}}, NotFound, 6,
     "pipeline 'x' does not exist"),
    (409, {"error": {"type": "conflict", "message": "already running", "exit_code": 7}}, Conflict, 7,
     "already running"),
    (400, {"error": {"type": "usage_error", "message": "bad", "exit_code": 2}}, UsageError, 2, "bad"),
    (400, {"error": {"type": "config_error", "message": "bad config"}}, ConfigError, 5, "bad config"),
    (422, {"error": {"type": "config_error", "message": "pipelines.x.schedule: bad", "exit_code": 5}}, ConfigError, 5,
     "pipelines.x.schedule: bad"),
    (422, {"error": {"type": "usage_error", "message": "key reused"}}, UsageError, 2, "key reused"),
    (429, {"error": {"type": "too_many_requests", "message": "too many failed logins; try again in 4s"}}, AuthError,
     4, "too many failed logins; try again in 4s"),
    (500, {"error": {"type": "internal", "message": "internal server error"}}, OperationFailed, 1,
     "internal server error"),
    (502, {"error": {"type": "unreachable", "message": "cannot reach the service", "exit_code": 3}}, Unreachable, 3,
     "cannot reach the service"),
    (404, "not json at all", NotFound, 6, "HTTP 404 from "),
]


@pytest.mark.parametrize(("status", "body", "kind", "code", "message"), ERRORS)
def test_errors_map_to_exit_codes(serve: Any, env: dict[str, str], status: int, body: Any, kind: type[FlextError],
                                  code: int, message: str) -> None:
    server = serve((status, body))
    backend = backend_for(env, server.url, retries=0)
    with pytest.raises(FlextError) as raised:
        backend.get_pipeline("x")
    assert type(raised.value) is kind
    assert raised.value.exit_code == code
    assert raised.value.message.startswith(message)


def test_a_server_error_names_the_correlation_id(serve: Any, env: dict[str, str]) -> None:
    server = serve((500, {"error": {"type": "internal", "message": "internal server error"}}))
    backend = backend_for(env, server.url, retries=0)
    with pytest.raises(OperationFailed) as raised:
        backend.list_pipelines()
    assert raised.value.hint == f"the server's log has details (correlation id {backend.ctx.correlation_id})"


def test_timeouts_are_unreachable(serve: Any, env: dict[str, str]) -> None:
    server = serve(("sleep", 3), ("sleep", 3))
    backend = backend_for(env, server.url, retries=1, timeout=0.3)
    with pytest.raises(Unreachable, match=r"timed out after 0.3s"):
        backend.list_pipelines()
    assert len(server.requests) == 2  # a read timeout on a GET is retried


def test_missing_api_url_is_a_config_error(env: dict[str, str]) -> None:
    config = Path(env["FLEXT_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('current_profile = "r"\n[profiles.r]\nbackend = "http"\n')
    ctx = make_context(IO(io.StringIO(), io.StringIO(), io.StringIO(), env=env), env=env)
    with pytest.raises(ConfigError, match="uses the http backend but has no api_url"):
        ctx.backend  # noqa: B018


def test_streams(serve: Any, env: dict[str, str]) -> None:
    lines = [{"message": "one"}, {"_heartbeat": 1.0}, {"message": "two"}]
    server = serve(("ndjson", [*lines, {"_end": "complete"}], True),
                   ("ndjson", lines, True),
                   ("ndjson", lines, False),
                   ("ndjson", [{"message": "one"}, {"_end": "error", "error": {
                       "type": "not_found", "message": "gone", "status": 404, "exit_code": 6}}], True),
                   ("ndjson", [{"_end": "shutdown"}], True),
                   (404, {"error": {"type": "not_found", "message": "pipeline 'x' has no runs yet"}}))
    backend = backend_for(env, server.url)
    assert [x["message"] for x in backend.logs("x")] == ["one", "two"]
    got: list[str] = []
    with pytest.raises(Unreachable, match="ended early"):
        for line in backend.logs("x", follow=True):
            got.append(line["message"])
    assert got == ["one", "two"]
    with pytest.raises(Unreachable, match=r"lost the connection to .* while streaming"):
        list(backend.logs("x", follow=True))  # cut mid-chunk, like a killed server
    with pytest.raises(NotFound, match="gone"):
        list(backend.logs("x"))
    with pytest.raises(Unreachable, match="the server shut down while streaming"):
        list(backend.logs("x", follow=True))
    with pytest.raises(NotFound, match="has no runs yet"):
        backend.logs("x")  # raised before any line is read
    assert server.requests[1]["path"] == "/api/v1/pipelines/x/logs?follow=1"
