"""The server's audit log: every mutating request, in the format of `flext.core.audit`.

Same fields as the CLI's audit (so `flext audit list` renders both the same way) plus
`role`, `method`, `path` and `status`. `user` is the authenticated user (or
`anonymous` for a request refused before we knew who it was), `source` is `api`
(or `schedule` for runs the scheduler started), `session` the caller's address.
Secrets never get here: bodies are not recorded, only the action and its target.
"""

from __future__ import annotations

import time

from flext.core import jsonl
from flext.core.audit import FIELDS, result_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class AuditLog:
    def __init__(self, path: str) -> None:
        self.path = path

    def record(self, *, user: str | None, role: str | None, action: str, target: str | None, exit_code: int,
               correlation_id: str, source: str = "api", session: str | None = None,
               method: str | None = None, path: str | None = None, status: int | None = None,
               result: str | None = None) -> None:
        entry: dict[str, Any] = {
            "ts": round(time.time(), 3), "user": user or "anonymous", "action": action, "target": target,
            "result": result or result_of(exit_code), "exit": exit_code, "profile": None, "source": source,
            "session": session, "correlation_id": correlation_id,
            "role": role, "method": method, "path": path, "status": status,
        }
        try:
            jsonl.append(self.path, entry)
        except OSError:
            pass  # a full disk must not turn a served request into a failure

    def entries(self) -> list[dict[str, Any]]:
        return list(jsonl.read(self.path))


__all__ = ["FIELDS", "AuditLog"]
