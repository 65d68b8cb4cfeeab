"""The toolbar: profile (red when dangerous), backend, workspace, last exit and duration."""

from __future__ import annotations

import os
from collections.abc import Callable

from flext.core.context import Context
from flext.repl.toolbar import Status, interpretation_of, render
from tests.conftest import Run


def text(fragments: list[tuple[str, str]]) -> str:
    return "".join(t for _, t in fragments)


def test_render_shows_where_and_how_it_went() -> None:
    status = Status()
    status.profile, status.backend, status.workspace = "staging", "local", "~/etl"
    assert text(render(status)).startswith(" staging  local │ ~/etl │ ready")
    status.exit_code, status.duration_ms = 6, 1250
    shown = render(status)
    assert "exit 6 · 1.2s" in text(shown)
    assert ("class:toolbar.failed", "exit 6") in shown
    assert ("class:toolbar.profile", " staging ") in shown


def test_danger_profiles_are_red_and_remote_backends_show_their_url(world: dict[str, str],
                                                                    flext: Callable[..., Run]) -> None:
    ctx = Context(env=dict(os.environ))
    ctx.sticky["profile"] = "prod"
    status = Status()
    status.refresh(ctx)
    shown = render(status)
    assert ("class:toolbar.danger", " prod ") in shown
    assert "http://127.0.0.1:9" in text(shown)
    assert status.workspace.endswith("work")
    status.workspace = "/home/someone/projects/clients/acme/etl/workspace"
    assert " …/clients/acme/etl/workspace │" in text(render(status))


def test_free_text_interpretation() -> None:
    def explain(line: str) -> dict[str, object] | None:
        return {"start orders": {"command": "pipeline start orders"}, "stop": {"command": None,
                "alternatives": ["pipeline stop NAME", "service stop NAME"]}}.get(line)

    assert interpretation_of("start orders", explain) == "→ flext pipeline start orders"
    assert interpretation_of("stop", explain) == "? pipeline stop NAME | service stop NAME"
    assert interpretation_of("pipeline list", explain) is None
    status = Status()
    assert ("class:toolbar.nl", "→ flext x") in render(status, "→ flext x")
