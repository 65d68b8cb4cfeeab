"""The embedded engine's alert rules, metrics and run performance."""

from __future__ import annotations

from typing import Any

from flext.backend.local.base import LocalPart
from flext.core.errors import Conflict, NotFound, UsageError


class MonitorVerbs(LocalPart):
    def list_alerts(self, *, evaluate: bool = True, timeout: float | None = None) -> list[dict[str, Any]]:
        from flext.services.evaluate import evaluate as run_rules
        from flext.services.evaluate import rules

        if not evaluate:
            return [{"name": n, "state": "disabled" if b.get("enabled") is False else "-", "when": b["when"],
                     "detail": None, "description": b.get("description")} for n, b in rules(self.ctx).items()]
        return run_rules(self.ctx, timeout=timeout or 3.0)

    def add_alert(self, name: str, when: str, *, description: str | None = None,
                  replace: bool = False) -> dict[str, Any]:
        from flext.services import alerts, registry

        registry.check_name(name)
        node = alerts.check(name, when)
        existing = self.ctx.config.data.get("alerts") or {}
        if name in existing and not replace:
            raise Conflict(f"alert {name!r} already exists", hint="pass --replace to overwrite it")
        known = registry.load(self.ctx, include_disabled=True)
        unknown = sorted({fargs[0] for fn, fargs in alerts.references(node)
                          if alerts.FUNCTIONS[fn][0][0] == "service" and fargs[0] not in known})
        fields: dict[str, Any] = {"when": when, **({"description": description} if description else {})}
        self.ctx.config.replace_table(["alerts", name], fields)
        return {"name": name, "when": when, "description": description, "unknown_services": unknown}

    def remove_alert(self, name: str) -> dict[str, Any]:
        existing = self.ctx.config.data.get("alerts") or {}
        if name not in existing:
            from flext.core.suggest import closest

            guess = closest(name, list(existing))
            raise NotFound(f"alert {name!r} does not exist",
                           hint=f"did you mean {guess!r}?" if guess else "see `flext monitor alerts list`")
        self.ctx.config.remove_table(["alerts", name])
        return {"name": name, "removed": True}

    def metrics(self, service: str | None, *, timeout: float | None = None) -> dict[str, Any]:
        """A service's metrics (Prometheus text or JSON), parsed into samples."""
        from flext.services import metrics as m
        from flext.services import registry

        if not service:
            raise UsageError("the local engine serves no metrics of its own: name a service",
                             hint="flext monitor metrics SERVICE (or a URL); see `flext service list`")
        if service.startswith(("http://", "https://")):
            url, wait = service, timeout or 5.0
        else:
            found = registry.get(self.ctx, service, include_disabled=True)
            url, wait = found.metrics_url, timeout or found.timeout or 5.0
        return {"source": url, "samples": m.rows(m.fetch(url, wait))}

    def run_performance(self, *, since: float | None = None, limit: int = 20) -> list[dict[str, Any]]:
        import os

        from flext.core.clock import to_epoch
        from flext.engine import runs
        from flext.services.perf import runs as rates

        records: list[dict[str, Any]] = []
        try:  # every pipeline with runs, also one deleted from flext.toml since
            names = sorted(e.name for e in os.scandir(self.ws.path("runs")) if e.is_dir() and not e.name.startswith("."))
        except OSError:
            names = []
        for name in names:
            records.extend(runs.history(self.ws, name, limit))
        records.sort(key=lambda r: str(r.get("started_at") or ""), reverse=True)
        if since is not None:
            records = [r for r in records if (to_epoch(str(r.get("started_at") or "")) or 0) >= since]
        return rates(records[:limit])


__all__ = ["MonitorVerbs"]
