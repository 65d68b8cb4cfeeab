"""`monitor dashboard`: a full-screen live view that redraws in place.

rich's Live on the alternate screen redraws only when new data arrives (no auto refresh,
so no flicker); a background thread gathers the snapshot (health checks share the
circuit breakers, so a dead service costs one timeout, then nothing) while the main
thread reads keys: `q` or Ctrl-C quits. Not on a terminal: one text snapshot instead.
"""

from __future__ import annotations

import os
import threading
import time

from flext.services import status

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.core.context import Context

_STATUS_STYLE = {"up": "green", "degraded": "yellow", "down": "bold red", "running": "cyan",
                 "succeeded": "green", "failed": "red", "cancelled": "yellow", "queued": "cyan"}


def _table(title: str, rows: list[dict[str, Any]], columns: list[str], empty: str) -> Any:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from flext.core.output import cell

    if not rows:
        body: Any = Text(empty, style="dim")
    else:
        body = Table(box=None, expand=True, pad_edge=False, header_style="bold")
        wide = {"detail", "when", "error"}
        for column in columns:
            if column in wide:
                body.add_column(column.upper(), overflow="ellipsis", no_wrap=True, ratio=1)
            else:  # short values: never squeeze them below their header
                body.add_column(column.upper(), overflow="ellipsis", no_wrap=True, min_width=len(column))
        for row in rows:
            body.add_row(*(Text(cell(row.get(c)), style=_STATUS_STYLE.get(str(row.get(c)), "")
                                if c in ("status", "process") else "") for c in columns))
    return Panel(body, title=title, title_align="left", border_style="blue")


def render(doc: dict[str, Any] | None, interval: float, error: str | None = None) -> Any:
    from rich.console import Group
    from rich.text import Text

    if doc is None:
        return Text("gathering…  (q to quit)", style="dim")
    counts = status.summary(doc)
    head = Text.assemble(
        ("flext dashboard", "bold"), "  ",
        (f"{counts['up']} up", "green"), " · ", (f"{counts['degraded']} degraded", "yellow"), " · ",
        (f"{counts['down']} down", "red"), "  ",
        (f"updated {doc['generated_at'][11:19]}Z · every {interval:g}s · q to quit", "dim"),
    )
    parts: list[Any] = [head]
    if error:
        parts.append(Text(f"last refresh failed: {error}", style="red"))
    parts += [
        _table("Services", doc["services"], ["name", "status", "latency_ms", "version", "process", "restarts",
                                             "cpu_percent", "rss_mb", "detail"], "no services"),
        _table("Running pipelines", doc["pipelines_running"],
               ["pipeline", "run_id", "elapsed_s", "records", "records_per_s", "cpu_percent", "rss_mb"],
               "nothing running"),
        _table("Recent runs", doc["recent_runs"], ["pipeline", "run_id", "status", "records", "duration_s"], "no runs yet"),
        _table("Firing alerts", doc["alerts_firing"], ["name", "when", "detail"], "no alerts firing"),
    ]
    if doc.get("disk"):
        found = doc["disk"]
        parts.append(Text(status.disk_line(found), style="bold red" if found.get("warning") else "dim"))
    return Group(*parts)


class _Feed:
    """Snapshots gathered on a background thread, every `interval` seconds."""

    def __init__(self, fetch: Callable[[], dict[str, Any]], interval: float) -> None:
        self.fetch = fetch
        self.interval = interval
        self.doc: dict[str, Any] | None = None
        self.error: str | None = None
        self.version = 0
        self.stop = threading.Event()
        self.changed = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="flext-dashboard")

    def _loop(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                self.doc = self.fetch()
                self.error = None
            except Exception as exc:  # a refresh failure must not kill the screen
                self.error = f"{type(exc).__name__}: {exc}"
            self.version += 1
            self.changed.set()
            self.stop.wait(max(0.0, self.interval - (time.monotonic() - started)))


def run(ctx: Context, interval: float, fetch: Callable[[], dict[str, Any]]) -> int:
    """Run until q or Ctrl-C, showing what `fetch` (the backend's system status) returns;
    returns the exit code."""
    import select
    import termios
    import tty

    from rich.console import Console
    from rich.live import Live

    console = Console(file=ctx.io.stdout, force_terminal=True, no_color=not ctx.io.color, _environ=dict(ctx.io.env))
    feed = _Feed(fetch, interval)
    fd = ctx.io.stdin.fileno()
    saved = termios.tcgetattr(fd)
    feed.thread.start()
    shown = -1
    try:
        tty.setcbreak(fd)
        with Live(render(None, interval), console=console, screen=True, auto_refresh=False,
                  redirect_stdout=False, redirect_stderr=False) as live:
            live.refresh()
            while True:
                ready, _, _ = select.select([fd], [], [], 0.1)
                if ready:
                    key = os.read(fd, 32)
                    if b"q" in key.lower() or b"\x03" in key:
                        break
                if feed.version != shown:
                    shown = feed.version
                    live.update(render(feed.doc, interval, feed.error), refresh=True)
    except KeyboardInterrupt:
        pass
    finally:
        feed.stop.set()
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    return 0


__all__ = ["render", "run"]
