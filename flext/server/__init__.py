"""`flext serve`: the engine behind an HTTP API (`/api/v1/...`, `/health`, `/metrics`).

Layout (one concept per module):
- `wire.py`      the hardened HTTP layer: bounded worker pool, deadlines, body limit,
                 JSON errors, correlation ids, streaming
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
