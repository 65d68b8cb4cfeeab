"""The example plugin: `flext hello greet [NAME...]`.

A plugin function takes the Context and its argv, and returns data (rendered by flext
in any -o format), a string, or None; it raises flext.core.errors for failures.
"""

from __future__ import annotations

from typing import Any


def greet(ctx: Any, argv: list[str]) -> dict[str, str]:
    who = " ".join(argv) or "world"
    return {"greeting": f"hello, {who}"}
