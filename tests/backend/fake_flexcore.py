"""A small stand-in for FlexCore's HTTP API, answering with its documented shapes.

FlexCore (Go) cannot be built here, so the FlexCore backend is tested against this:
the routes and JSON shapes of flexcore's `orchestrator_controller.go`,
`plugin_controller.go` and `server.go` (health): `POST /api/v1/orchestration/execute`
takes `{name, runtime_type, command, args, config, timeout (Go duration, ns), priority,
metadata}` and answers `{success, orchestration_id, job_id, status, start_time, duration,
message}`; `GET .../list` answers `{success, orchestrations, count, filters}`;
`GET .../{id}` answers `{success, orchestration}`; errors are `{"error", "details"}`.
Orchestrations move only when the test says so (`advance`).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def _rfc3339(ts: float) -> str:
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))
    return f"{whole}.{int((ts % 1) * 1e9):09d}Z"  # Go prints nanoseconds


class FakeFlexCore:
    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.orchestrations: dict[str, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        self.plugins = [
            {"plugin_id": "p1", "name": "tap-oracle-wms", "type": "tap", "version": "1.2.0",
             "description": "Oracle WMS extractor", "author": "flext", "capabilities": ["extract"]},
            {"plugin_id": "p2", "name": "target-oracle", "type": "target", "version": "0.9.1",
             "description": "Oracle loader", "author": "flext", "capabilities": ["load"]},
        ]
        self._lock = threading.Lock()
        self._serial = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status: int, doc: Any) -> None:
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                fake.requests.append({"method": self.command, "path": parts.path, "query": parse_qs(parts.query),
                                      "headers": dict(self.headers), "body": raw})
                if fake.token and parts.path.startswith("/api/") and \
                        self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self._send(401, {"error": "Unauthorized", "details": "missing or invalid bearer token"})
                    return
                status, doc = fake.route(self.command, parts.path, parse_qs(parts.query), raw)
                self._send(status, doc)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    # -- the API ----------------------------------------------------------------------------
    def route(self, method: str, path: str, query: dict[str, list[str]], raw: bytes) -> tuple[int, Any]:
        if (method, path) == ("GET", "/health"):
            return 200, {"status": "healthy", "timestamp": _rfc3339(time.time())[:19] + "Z"}
        if (method, path) == ("GET", "/info"):
            return 200, {"service": "flexcore", "version": "2.0.0", "environment": "test",
                         "timestamp": _rfc3339(time.time())[:19] + "Z"}
        if (method, path) == ("POST", "/api/v1/orchestration/execute"):
            return self.execute(raw)
        if (method, path) == ("GET", "/api/v1/orchestration/list"):
            return self.list(query)
        if (method, path) == ("GET", "/api/v1/plugins/list"):
            return 200, {"success": True, "plugins": self.plugins, "count": len(self.plugins), "node_id": "node-1"}
        parts = path.strip("/").split("/")
        if len(parts) == 4 and parts[:3] == ["api", "v1", "orchestration"] and method == "GET":
            found = self.orchestrations.get(parts[3])
            if found is None:
                return 404, {"error": "Orchestration not found", "details": f"orchestration {parts[3]} not found"}
            return 200, {"success": True, "orchestration": found}
        if len(parts) == 5 and parts[:3] == ["api", "v1", "orchestration"] and parts[4] == "cancel" and method == "POST":
            return self.cancel(parts[3])
        return 404, {"error": "Not found", "details": f"{method} {path}"}

    def execute(self, raw: bytes) -> tuple[int, Any]:
        try:
            body = json.loads(raw)
            if not isinstance(body, dict) or not isinstance(body.get("args", []), list) or \
                    not isinstance(body.get("timeout", 0), int) or not isinstance(body.get("config", {}), dict) or \
                    not isinstance(body.get("priority", ""), str):
                raise ValueError("json: cannot unmarshal into Go struct field OrchestrationRequest")
        except ValueError as exc:
            return 400, {"error": "Invalid request format", "details": str(exc)}
        for field, label in (("name", "Orchestration name"), ("runtime_type", "Runtime type"), ("command", "Command")):
            if not body.get(field):
                return 400, {"error": f"{label} is required"}
        if body["runtime_type"] != "meltano":
            return 500, {"error": "Failed to execute orchestration",
                         "details": f"runtime {body['runtime_type']} is not registered"}
        with self._lock:
            self._serial += 1
            now = time.time()
            orch_id = f"orch_{int(now * 1e9)}{self._serial}"
            self.orchestrations[orch_id] = {
                "id": orch_id, "name": body["name"], "runtime_type": body["runtime_type"],
                "workflow_id": "meltano_execution", "job_id": f"job-{self._serial}", "status": "submitted",
                "start_time": _rfc3339(now), "duration": 0, "metadata": body.get("metadata") or {},
                "progress": 0.1, "logs": ["Orchestration created"], "_started": now,
            }
        return 200, {"success": True, "orchestration_id": orch_id, "job_id": f"job-{self._serial}",
                     "status": "submitted", "start_time": _rfc3339(now), "duration": "1.2ms",
                     "message": "Orchestration executed successfully"}

    def list(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        status = (query.get("status") or [""])[0]
        runtime = (query.get("runtime_type") or [""])[0]
        try:
            limit = int((query.get("limit") or ["50"])[0])
        except ValueError:
            return 400, {"error": "Invalid limit parameter"}
        rows = [o for o in self.orchestrations.values()
                if (not status or o["status"] == status) and (not runtime or o["runtime_type"] == runtime)]
        rows = [{k: v for k, v in o.items() if not k.startswith("_")} for o in rows][: limit if limit > 0 else None]
        return 200, {"success": True, "orchestrations": rows, "count": len(rows),
                     "filters": {"status": status, "runtime_type": runtime, "limit": limit}}

    def cancel(self, orch_id: str) -> tuple[int, Any]:
        found = self.orchestrations.get(orch_id)
        if found is None:
            return 400, {"error": "Failed to cancel orchestration", "details": f"orchestration {orch_id} not found"}
        if found["status"] not in ("running", "submitted"):
            return 400, {"error": "Failed to cancel orchestration",
                         "details": f"orchestration {orch_id} cannot be cancelled (status: {found['status']})"}
        self._end(found, "cancelled", "Orchestration cancelled")
        return 200, {"success": True, "orchestration_id": orch_id, "status": "cancelled",
                     "message": "Orchestration cancelled successfully"}

    # -- test controls ------------------------------------------------------------------------
    def advance(self, orch_id: str, status: str, *logs: str, error: str | None = None) -> None:
        found = self.orchestrations[orch_id]
        found["logs"].extend(logs)
        if status in ("completed", "failed", "cancelled", "timeout"):
            self._end(found, status, None)
            if error:
                found["error"] = error
        else:
            found["status"] = status
            found["progress"] = 0.5

    def _end(self, found: dict[str, Any], status: str, log: str | None) -> None:
        now = time.time()
        found["status"] = status
        found["end_time"] = _rfc3339(now)
        found["duration"] = int((now - found["_started"]) * 1e9)
        found["progress"] = 1.0
        if log:
            found["logs"].append(log)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


__all__ = ["FakeFlexCore"]
