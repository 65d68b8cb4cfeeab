"""The embedded engine's logs: every pipeline's run logs and every service's log, searched,
tailed, followed and counted (`flext logs ...`; the server answers remote profiles with it)."""

from __future__ import annotations

from typing import Any

from flext.backend.local.base import LocalPart
from flext.core.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from flext.core.contract import LogQuery
    from flext.services.logs import Filter, Source


class LogVerbs(LocalPart):
    def _filter(self, query: LogQuery) -> Filter:
        import re

        from flext.services.logs import Filter

        try:
            return Filter(query.get("text"), regex=bool(query.get("regex")),
                          ignore_case=bool(query.get("ignore_case")), since=query.get("since"),
                          until=query.get("until"), level=query.get("level"),
                          streams=list(query.get("streams") or []) or None)
        except re.error as exc:
            raise UsageError(f"invalid --regex pattern: {exc}",
                             hint="quote the pattern; it is a Python regular expression") from None

    def _sources(self, names: list[str], flt: Filter) -> list[Source]:
        """Named sources; a word that names no pipeline or service filters by the line's own
        source field (tap, target, runner, dbt, stdout, stderr, supervisor) instead."""
        from flext.services import logs as logsvc

        available = logsvc.sources(self.ctx)
        if not names:
            return available
        chosen: list[Source] = []
        streams: list[str] = []
        for name in names:
            bare = name.partition(":")[2] if name.startswith(("service:", "pipeline:")) else name
            if any(s.name == bare for s in available) or name != bare:
                chosen.extend(logsvc.resolve(self.ctx, [name], known=available))
            else:
                streams.append(name)
        if streams:
            flt.streams = set(streams) | flt.streams
        return chosen or available

    def log_sources(self) -> list[dict[str, Any]]:
        from flext.services import logs as logsvc

        return [{"name": s.name, "kind": s.kind} for s in logsvc.sources(self.ctx)]

    def read_logs(self, query: LogQuery) -> Iterator[dict[str, Any]]:
        from flext.services import logs as logsvc

        flt = self._filter(query)
        tail, follow = query.get("tail"), bool(query.get("follow"))
        if tail is not None or follow:  # `logs tail`: named sources must exist (a service may start later)
            names = list(query.get("sources") or [])
            sources = logsvc.resolve(self.ctx, names) if names else logsvc.sources(self.ctx)
        else:
            sources = self._sources(list(query.get("sources") or []), flt)
        return self._view(sources, flt, tail=tail, follow=follow, limit=query.get("limit"))

    def count_logs(self, query: LogQuery) -> int:
        from flext.services import logs as logsvc

        flt = self._filter(query)
        return logsvc.count(self._sources(list(query.get("sources") or []), flt), flt)


__all__ = ["LogVerbs"]
