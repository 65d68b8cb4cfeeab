"""What the embedded engine's parts share: the Context, the workspace, log views.

Each part (pipelines, services, logs, monitoring, identity) is a mixin over `LocalPart`;
`flext.backend.local.LocalBackend` puts them together. `stopping` lets a long stream
(`-f`) end when its owner stops (flext serve shutting down).
"""

from __future__ import annotations

from flext.backend.base import BackendBase

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from flext.engine.workspace import Workspace
    from flext.services.logs import Filter, Source


class LocalPart(BackendBase):
    KIND = "local"
    HINT = None

    def __init__(self, ctx: Any, *, stopping: Callable[[], bool] | None = None) -> None:
        self.ctx = ctx
        self.stopping = stopping
        self._ws: Workspace | None = None

    @property
    def where(self) -> str:
        return self.ws.root

    @property
    def ws(self) -> Workspace:
        if self._ws is None:
            from flext.engine.workspace import from_context

            self._ws = from_context(self.ctx)
        return self._ws

    def _view(self, sources: list[Source], flt: Filter, *, tail: int | None, follow: bool,
              limit: int | None) -> Iterator[dict[str, Any]]:
        """The lines of `sources`: all (or the last `tail` of each), then new ones if `follow`.
        Positions are taken first, so the tail stops exactly where following starts."""
        from itertools import islice

        from flext.services import logs as logsvc

        def rows() -> Iterator[dict[str, Any]]:
            followers = [logsvc.SourceFollower(s) for s in sources] if follow else []
            ends: dict[str, int] = {}
            for f in followers:
                ends.update(f.ends())
            if tail is not None or follow:
                yield from logsvc.tail(sources, 10 if tail is None else tail, flt, ends)
            else:
                yield from logsvc.search(sources, flt)
            if follow:
                yield from logsvc.follow(sources, flt, followers=followers, stop=self.stopping)

        return islice(rows(), limit) if limit is not None else rows()


__all__ = ["LocalPart"]
