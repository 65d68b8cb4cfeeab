"""The embedded engine's alert rules (and where they notify), metrics and run performance.

`flext serve` evaluates the rules on its own and sends the notifications
(flext.server.alerting); here, on a local profile, `alerts test` sends directly and
`alerts history` reads what this machine recorded (flext.services.alertlog).
"""

from __future__ import annotations

from typing import Any

from flext.backend.local.base import LocalPart
from flext.core.errors import Conflict, NotFound, UsageError


class MonitorVerbs(LocalPart):
    def list_alerts(self, *, evaluate: bool = True, timeout: float | None = None) -> list[dict[str, Any]]:
        from flext.services.evaluate import evaluate as run_rules
        from flext.services.evaluate import rules
        from flext.services.notify import display

        if not evaluate:
            rows = [{"name": n, "state": "disabled" if b.get("enabled") is False else "-", "when": b["when"],
                     "value": None, "detail": None, "description": b.get("description"),
                     "notify": list(b.get("notify") or [])} for n, b in rules(self.ctx).items()]
        else:
            rows = run_rules(self.ctx, timeout=timeout or 3.0)
        for row in rows:
            row["notify"] = [display(u) for u in row.get("notify") or []]
        return rows

    def add_alert(self, name: str, when: str, *, description: str | None = None,
                  notify: list[str] | None = None, replace: bool = False) -> dict[str, Any]:
        from flext.services import alerts, registry
        from flext.services import notify as notify_mod

        registry.check_name(name)
        node = alerts.check(name, when)
        for url in notify or []:
            notify_mod.check(url)
        existing = self.ctx.config.data.get("alerts") or {}
        if name in existing and not replace:
            raise Conflict(f"alert {name!r} already exists", hint="pass --replace to overwrite it")
        known = registry.load(self.ctx, include_disabled=True)
        unknown = sorted({fargs[0] for fn, fargs in alerts.references(node)
                          if alerts.FUNCTIONS[fn][0][0] == "service" and fargs[0] not in known})
        fields: dict[str, Any] = {"when": when, **({"description": description} if description else {})}
        if notify:
            fields["notify"] = list(dict.fromkeys(notify))
        self.ctx.config.replace_table(["alerts", name], fields)
        return {"name": name, "when": when, "description": description,
                "notify": [notify_mod.display(u) for u in fields.get("notify", [])], "unknown_services": unknown}

    def _rule(self, name: str) -> dict[str, Any]:
        from flext.services.evaluate import rules

        table = rules(self.ctx)
        if name not in table:
            from flext.core.suggest import closest

            guess = closest(name, list(table))
            raise NotFound(f"alert {name!r} does not exist",
                           hint=f"did you mean {guess!r}?" if guess else "see `flext monitor alerts list`")
        return dict(table[name])

    def alert_notify(self, name: str, *, add: list[str] | None = None,
                     remove: list[str] | None = None) -> dict[str, Any]:
        """Add or remove notification URLs of a rule (a URL to remove may be given as listed, masked)."""
        from flext.services.notify import check, display

        if not add and not remove:
            raise UsageError("nothing to change", hint="pass --add URL or --remove URL")
        body = self._rule(name)
        urls = list(body.get("notify") or [])
        for url in remove or []:
            match = [u for u in urls if url in (u, display(u))]
            if not match:
                raise NotFound(f"alert {name!r} does not notify {display(url)!r}",
                               hint=("it notifies: " + ", ".join(display(u) for u in urls)) if urls else
                               "it notifies no one yet")
            urls = [u for u in urls if u not in match]
        for url in add or []:
            check(url)
            if url not in urls:
                urls.append(url)
        body["notify"] = urls
        if not urls:
            del body["notify"]
        self.ctx.config.replace_table(["alerts", name], body)
        return {"name": name, "notify": [display(u) for u in urls]}

    def test_alert(self, name: str) -> list[dict[str, Any]]:
        """Send a test notification to each URL of the rule now (one attempt each), recorded in
        this workspace's alert history."""
        import os

        from flext.core.clock import iso
        from flext.core.errors import FlextError
        from flext.services import alertlog
        from flext.services.evaluate import evaluate
        from flext.services.notify import Notification, display, send

        body = self._rule(name)
        urls = list(body.get("notify") or [])
        if not urls:
            raise UsageError(f"alert {name!r} notifies no one",
                             hint=f"add a URL: flext monitor alerts notify {name} --add json://HOST:PORT/PATH")
        try:
            row = evaluate(self.ctx, names=[name])[0]
            value, detail = row.get("value"), row.get("detail") or f"the rule is {row['state']} now"
        except FlextError as exc:
            value, detail = None, f"the rule could not be evaluated: {exc.message}"
        note = Notification(name, "test", when=str(body["when"]), value=value, detail=detail, at=iso(),
                            correlation_id=os.urandom(8).hex(), description=body.get("description"))
        secrets = self.ctx.secrets
        rows = []
        for url in urls:
            error = send(url, note, lambda ref: str(secrets.resolve(f"secret:{ref}")))
            error = self.ctx.redact(error) if error else None
            entry = {"ts": iso(), "alert": name, "kind": "delivery", "event": "test", "url": display(url),
                     "attempt": 1, "ok": error is None, "error": error, "retry_in_s": None, "value": value,
                     "correlation_id": note.correlation_id}
            try:
                alertlog.append(self.ws.root, entry)
            except OSError:
                pass  # the history is a record, not a condition of sending
            rows.append({k: entry[k] for k in ("alert", "url", "ok", "error", "correlation_id")})
        return rows

    def alert_history(self, name: str | None = None, *, limit: int = 50) -> list[dict[str, Any]]:
        from flext.services import alertlog

        if name is not None:
            from flext.services.evaluate import rules

            if name not in rules(self.ctx) and not alertlog.read(self.ws.root, name, 1):
                self._rule(name)  # NotFound with a did-you-mean
        return alertlog.read(self.ws.root, name, limit)

    def remove_alert(self, name: str) -> dict[str, Any]:
        existing = self.ctx.config.data.get("alerts") or {}
        if name not in existing or not isinstance(existing.get(name), dict):
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
