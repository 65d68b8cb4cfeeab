"""`flext serve`: the engine behind an HTTP API (`/api/v1/...`, `/health`, `/metrics`).

Layout (one concept per module):
- `asgi.py`      the HTTP layer: uvicorn (h11) with request deadlines, head checks and
                 JSON errors; a plain ASGI app with a bounded worker pool, body limit,
                 streaming, graceful stop
- `wire.py`      the types both sides share: Limits, Request, Response, Stream, ApiError
- `files.py`     the server's JSON files: read strictly (fail closed), written under a lock
- `guard.py`     what the API may run, expand or read: plugins, config, paths
- `routes.py`    the route table (method, path, role, audit action) and matching
- `api_*.py`     route handlers; they delegate to `flext.backend.local.LocalBackend`
                 and `flext.services`, so local and remote give the same data
- `auth.py`      users and API tokens (hashed), roles, login backoff
- `audit.py`     the server's audit log (same JSONL format as `flext.core.audit`)
- `idempotency.py`  Idempotency-Key -> response, so a retried start never starts twice
- `metrics.py`   Prometheus text for `/metrics`
- `scheduler.py` cron schedules: missed slots once, never twice, one scheduler per workspace
- `openapi.py`   the OpenAPI document built from the route table
- `app.py`       wiring, start-up and graceful shutdown
"""
