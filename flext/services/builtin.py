"""The FLEXT services every installation knows about, at their usual local ports.

Standard library only (read by the completion sources). A user changes one with
`[services.NAME]` in config.toml or flext.toml, or turns it off with `enabled = false`.

| name                | port  | what                                              |
|---------------------|-------|---------------------------------------------------|
| flexcore            | 8080  | FlexCore runtime (Go): plugins, events, pipelines |
| flext-service       | 8081  | FLEXT service: the engine API (`flext serve`)     |
| flext-api           | 8000  | flext-api REST gateway                            |
| flext-auth          | 8001  | flext-auth: identity and tokens                   |
| flext-quality       | 8002  | flext-quality: data quality checks                |
| flext-web           | 3000  | flext-web: the web console                        |
| flext-meltano       | 5000  | Meltano UI of the FLEXT Meltano project           |
| flext-observability | 8090  | flext-observability: metrics, traces, alerts      |
| prometheus          | 9090  | Prometheus (health at /-/healthy)                 |
| grafana             | 3001  | Grafana (health at /api/health)                   |
"""

from __future__ import annotations

BUILTIN: dict[str, dict[str, str]] = {
    "flexcore": {"url": "http://127.0.0.1:8080", "description": "FlexCore runtime (Go)"},
    "flext-service": {"url": "http://127.0.0.1:8081", "description": "FLEXT service: the engine API"},
    "flext-api": {"url": "http://127.0.0.1:8000", "description": "flext-api REST gateway"},
    "flext-auth": {"url": "http://127.0.0.1:8001", "description": "flext-auth: identity and tokens"},
    "flext-quality": {"url": "http://127.0.0.1:8002", "description": "flext-quality: data quality checks"},
    "flext-web": {"url": "http://127.0.0.1:3000", "description": "flext-web: the web console"},
    "flext-meltano": {"url": "http://127.0.0.1:5000", "description": "Meltano UI of the FLEXT project"},
    "flext-observability": {"url": "http://127.0.0.1:8090", "description": "flext-observability: metrics, traces, alerts"},
    "prometheus": {"url": "http://127.0.0.1:9090", "health_path": "/-/healthy", "description": "Prometheus"},
    "grafana": {"url": "http://127.0.0.1:3001", "health_path": "/api/health", "description": "Grafana"},
}


def port_of(url: str) -> int | None:
    """The port of an http(s) URL (explicit or the scheme's default)."""
    rest = url.split("://", 1)[-1].split("/", 1)[0]
    if rest.startswith("["):  # [::1]:8080
        _, _, tail = rest.partition("]")
        rest = tail
    if ":" in rest:
        try:
            return int(rest.rsplit(":", 1)[1])
        except ValueError:
            return None
    return 443 if url.startswith("https://") else 80


__all__ = ["BUILTIN", "port_of"]
