"""The served documents: OpenAPI from the route table, Prometheus metrics, the remote audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flext.server.api import ROUTES
from tests.engine.conftest import add_pipeline, write_jsonl
from tests.server.conftest import Client, Server, http, wait_final

pytestmark = pytest.mark.slow  # real taps and targets, a real server


def test_openapi_lists_every_route_with_its_role(server: Server) -> None:
    status, doc, headers = http("GET", server.url + "/api/v1/openapi.json")
    assert status == 200 and headers["content-type"] == "application/json"
    assert doc["openapi"] == "3.1.0"
    operations = {(method.upper(), path): op for path, item in doc["paths"].items() for method, op in item.items()}
    assert set(operations) == {(r.method, r.pattern) for r in ROUTES}
    for route in ROUTES:
        op = operations[(route.method, route.pattern)]
        assert op["x-flext-role"] == (route.role or "public")
        assert op["security"] == ([] if route.role is None else [{"bearer": []}])
        assert [p["name"] for p in op.get("parameters", []) if p["in"] == "path"] == [
            part[1:-1] for part in route.parts if part.startswith("{")]
    start = operations[("POST", "/api/v1/pipelines/{name}/run")]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in start["parameters"])
    assert len({op["operationId"] for op in operations.values()}) == len(operations)


def test_metrics_count_requests_and_runs(workspace: Path, server: Server, tmp_path: Path,
                                         env: dict[str, str]) -> None:
    write_jsonl(workspace / "data" / "orders.jsonl", 1, 4)
    add_pipeline(workspace, "orders", """
tap = "tap-jsonl"
target = "target-jsonl"
tap_config = { path = "data/orders.jsonl", stream_name = "orders", primary_keys = ["id"] }
target_config = { destination_path = "output" }
""")
    client = Client(tmp_path / "client", server.url, server.token, env)
    run_id = client("pipeline", "start", "orders").out.strip()
    assert wait_final(client, "orders", run_id)["status"] == "succeeded"
    assert client("pipeline", "show", "nope").code == 6
    status, text, headers = http("GET", server.url + "/metrics", token=server.token)
    assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = text.splitlines()
    assert 'flext_runs{pipeline="orders",status="succeeded"} 1' in lines
    assert 'flext_runs{pipeline="orders",status="failed"} 0' in lines
    assert 'flext_run_records_total{pipeline="orders"} 4' in lines
    assert 'flext_run_last_records{pipeline="orders"} 4' in lines
    assert 'flext_run_duration_seconds_count{pipeline="orders"} 1' in lines
    assert 'flext_http_requests_total{route="/api/v1/pipelines/{name}/run",method="POST",status="202"} 1' in lines
    assert 'flext_http_requests_total{route="/api/v1/pipelines/{name}",method="GET",status="404"} 1' in lines
    assert any(x.startswith('flext_http_request_duration_seconds_bucket{route="/api/v1/pipelines",le="+Inf"} ')
               for x in lines)
    assert "flext_scheduler_active 1" in lines
    from flext.services.prom import parse

    families = {f.name for f in parse(text)}  # well-formed for a Prometheus parser
    assert {"flext_runs", "flext_http_requests_total", "flext_http_request_duration_seconds"} <= families


def test_remote_audit_list_shows_the_servers_audit(workspace: Path, server: Server, tmp_path: Path,
                                                   env: dict[str, str]) -> None:
    add_pipeline(workspace, "orders", 'tap = "tap-jsonl"\ntarget = "target-jsonl"\n')
    admin = Client(tmp_path / "client", server.url, server.token, env)
    assert admin("pipeline", "delete", "orders", "--yes").code == 0
    assert admin("pipeline", "delete", "orders", "--yes").code == 6
    assert admin.with_token(None)("pipeline", "start", "orders").code == 4  # refused at its first read
    assert http("POST", server.url + "/api/v1/pipelines/orders/run", body={})[0] == 401  # a refused change
    listed = admin("audit", "list", "--action", "pipeline", "-o", "json")
    assert listed.code == 0, listed
    rows = [(r["user"], r["action"], r["target"], r["result"], r["source"]) for r in listed.json()]
    assert rows == [("admin", "pipeline delete", "orders", "ok", "api"),
                    ("anonymous", "pipeline start", "orders", "denied", "api")]
    # the client's own audit has its commands (source cli); the server's has the API's
    local = (tmp_path / "client" / "state" / "audit.jsonl").read_text().splitlines()
    assert {json.loads(x)["source"] for x in local} == {"cli"}
    viewer_token = http("POST", server.url + "/api/v1/auth/tokens", token=server.token, body={"role": "viewer"})[1]
    denied = admin.with_token(viewer_token["token"])("audit", "list")
    assert (denied.code, denied.err.splitlines()[0]) == (4, "error: this needs the admin role; your token has viewer")
