"""The bottom toolbar: where am I, and what will this line do.

Profile (red for `danger = true` profiles such as prod), backend (local or the remote
URL), workspace, the last exit code and duration; while free text is typed, the
command it will run. The facts are gathered once per command (`Status.refresh`),
not on every redraw, so typing stays cheap.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from prompt_toolkit.formatted_text import StyleAndTextTuples

    from flext.core.context import Context

__all__ = ["Status", "interpretation_of", "render"]


def _short(path: str, home: str) -> str:
    if home and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home):]
    return path


class Status:
    """What the toolbar shows about the session (refreshed after every command)."""

    __slots__ = ("backend", "danger", "duration_ms", "exit_code", "problem", "profile", "workspace")

    def __init__(self) -> None:
        self.profile = "default"
        self.danger = False
        self.backend = "local"
        self.workspace = ""
        self.exit_code: int | None = None
        self.duration_ms: int | None = None
        self.problem: str | None = None  # e.g. a broken config: shown instead of crashing

    def refresh(self, ctx: Context) -> None:
        self.problem = None
        try:
            self.profile = ctx.profile
            settings = ctx.settings if os.path.exists(ctx.paths.config_file) else {}
            self.danger = bool(settings.get("danger"))
            from flext.backend.select import kind_of

            kind = kind_of(settings)
            url = settings.get("api_url")
            self.backend = "local" if kind == "local" else f"{kind} {url}" if url and kind != "http" else str(url or kind)
        except Exception as exc:
            self.problem = str(getattr(exc, "message", exc))
        try:
            from flext.engine.workspace import from_context

            found: str | None = from_context(ctx).root
        except Exception:  # no engine (a slim build) or a broken config
            found = None
        self.workspace = _short(found, ctx.env.get("HOME", "")) if found else "?"


def render(status: Status, interpretation: str | None = None) -> StyleAndTextTuples:
    """The toolbar as prompt_toolkit fragments (most important first: it may be cut)."""
    out: StyleAndTextTuples = []
    style = "class:toolbar.danger" if status.danger else "class:toolbar.profile"
    out.append((style, f" {status.profile} "))
    if interpretation:
        out.append(("class:toolbar", " "))
        out.append(("class:toolbar.nl", interpretation))
        out.append(("class:toolbar", " │"))
    out.append(("class:toolbar", f" {status.backend} │ {_fit(status.workspace)} │ "))
    if status.exit_code is None:
        out.append(("class:toolbar", "ready"))
    else:
        ok = status.exit_code == 0
        out.append(("class:toolbar.ok" if ok else "class:toolbar.failed", f"exit {status.exit_code}"))
        if status.duration_ms is not None:
            out.append(("class:toolbar", f" · {_duration(status.duration_ms)}"))
    if status.problem:
        out.append(("class:toolbar.failed", f" │ {status.problem[:60]}"))
    if not interpretation:
        out.append(("class:toolbar.hint", " │ F1 help · Ctrl-R search · F3 history · Ctrl-D exit"))
    return out


def _fit(path: str, width: int = 32) -> str:
    """A long workspace path keeps its last parts: `…/projects/etl`."""
    if len(path) <= width:
        return path
    parts = path.split(os.sep)
    kept = parts[-1]
    for part in reversed(parts[:-1]):
        if len(part) + len(kept) + 3 > width:
            break
        kept = part + os.sep + kept
    return "…" + os.sep + kept


def _duration(ms: int) -> str:
    if ms < 1000:
        return f"{ms}ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f}s"
    return f"{ms // 60_000}m{(ms // 1000) % 60:02d}s"


def interpretation_of(text: str, explain: Callable[[str], Mapping[str, object] | None]) -> str | None:
    """`→ flext pipeline start orders` for free text, or `? unclear: ...`; None otherwise."""
    doc = explain(text)
    if doc is None:
        return None
    command = doc.get("command")
    if command:
        return f"→ flext {command}"
    alternatives = doc.get("alternatives") or []
    if isinstance(alternatives, list) and alternatives:
        return "? " + " | ".join(str(a) for a in alternatives[:3])
    return "? not understood"
