"""Fixtures of the services tests (defined in servers.py, shared with tests/commands)."""

from tests.services.servers import configure, servers

__all__ = ["configure", "servers"]
