"""The embedded engine's services: the registry, health, supervision and service logs.

The same code answers `flext service ...` on this machine and, through `flext serve`,
on a remote profile: the server calls these verbs with its own context.
"""

from __future__ import annotations

from typing import Any

from flext.backend.local.base import LocalPart
from flext.core.errors import ConfigError, Conflict, NotFound, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from flext.services.registry import Service

SERVICE_COLUMNS = ["name", "url", "enabled", "supervised", "process", "origin", "description"]


class ServiceVerbs(LocalPart):
    def _service(self, name: str) -> Service:
        from flext.services import registry

        return registry.get(self.ctx, name, include_disabled=True)

    def list_services(self, *, all_: bool = False) -> list[dict[str, Any]]:
        from flext.services import registry, supervisor

        rows = []
        for service in registry.load(self.ctx, include_disabled=all_).values():
            process = supervisor.process(self.ctx, service)[0] if service.supervised else None
            rows.append({"name": service.name, "url": service.url or None, "enabled": service.enabled,
                         "supervised": service.supervised, "process": process, "origin": service.origin,
                         "description": service.description or None})
        return rows

    def add_service(self, name: str, fields: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        """Register `name` in config.toml with `fields` (checked one by one, so a mistake names
        its option); a built-in or existing service needs `replace`."""
        from flext.services import registry

        registry.check_name(name)
        if not fields.get("url"):
            raise UsageError(f"service {name!r} needs a url", hint="pass --url http://HOST:PORT")
        unknown = sorted(set(fields) - set(registry.FIELDS))
        if unknown:
            raise UsageError(f"unknown service field {unknown[0]!r}", hint=f"one of: {', '.join(registry.FIELDS)}")
        for key, value in fields.items():
            try:
                registry.validate(name, {key: value}, "arguments")
            except ConfigError as exc:  # "arguments: services.NAME.key: what is wrong"
                raise UsageError(f"--{key.replace('_', '-')}: {exc.message.split(': ', 2)[-1]}",
                                 hint="see `flext service add --help`") from None
        existing = registry.load(self.ctx, include_disabled=True).get(name)
        cfg = self.ctx.config
        if existing is not None and not replace:
            where = "a built-in service" if existing.origin == "built-in" else f"already registered ({existing.origin})"
            raise Conflict(f"service {name!r} is {where}", hint="pass --replace to overwrite it")
        cfg.replace_table(["services", name], fields)
        return registry.get(self.ctx, name).as_dict()

    def remove_service(self, name: str) -> dict[str, Any]:
        from flext.services import breaker, registry, supervisor
        from flext.services.builtin import BUILTIN

        service = registry.get(self.ctx, name, include_disabled=True)
        if service.supervised and supervisor.process(self.ctx, service)[0] == "running":
            raise Conflict(f"service {name!r} is running", hint=f"stop it first: flext service stop {name}")
        cfg = self.ctx.config
        if name in (cfg.data.get("services") or {}):
            cfg.remove_table(["services", name])
        if name in ((self.ws.doc.get("services") if self.ws.exists else None) or {}):
            from flext.core import tomlfile

            self.ws.edit(lambda doc: tomlfile.remove_table(doc, ["services", name]))
        if name in BUILTIN:
            cfg.write_value(["services", name], "enabled", False)
        if service.url:
            try:
                breaker.for_url(self.ctx.paths.state_dir, service.health_url).reset()
            except OSError:
                pass
        return {"name": name, "removed": True, "builtin_disabled": name in BUILTIN}

    def discover_services(self, host: str, ports: list[int], timeout: float) -> list[dict[str, Any]]:
        """Who answers a health check on `host` at `ports` (the built-ins' ports when empty);
        each row says whether it is registered already. Registers nothing."""
        from flext.services import registry
        from flext.services.builtin import BUILTIN, port_of
        from flext.services.health import classify
        from flext.services.http import get_many
        from flext.services.registry import Service

        if "/" in host or " " in host:
            raise UsageError(f"--host expects a host name or address, got {host!r}")
        url_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        by_port: dict[int, tuple[str, dict[str, str]]] = {}
        for name, fields in BUILTIN.items():
            port = port_of(fields["url"])
            if port is not None:
                by_port.setdefault(port, (name, fields))
        candidates: list[Service] = []
        for port in ports or list(by_port):
            name, fields = by_port.get(port, (f"service-{port}", {}))
            candidates.append(Service(name, {**fields, "url": f"http://{url_host}:{port}"}, "discovered"))
        replies = get_many([(s.health_url, timeout) for s in candidates])
        known = registry.load(self.ctx, include_disabled=True)
        found: list[dict[str, Any]] = []
        for service, reply in zip(candidates, replies, strict=True):
            if reply.error is not None:
                continue  # nothing answers there
            row = classify(service, reply, timeout)
            current = known.get(service.name)
            if current is not None and current.url == service.url and current.enabled:
                state = "registered"
            elif current is not None and current.origin != "built-in" and current.url != service.url:
                service.name = f"{service.name}-{host.replace(':', '-').replace('.', '-')}"
                state = "registered" if service.name in known and known[service.name].url == service.url else "new"
            else:
                state = "new"
            found.append({"name": service.name, "url": service.url, "status": row["status"], "version": row["version"],
                          "latency_ms": row["latency_ms"], "registered": state == "registered",
                          "health_path": service.health_path})
        return found

    def service_health(self, names: list[str], timeout: float | None = None, *,
                       force: bool = False) -> list[dict[str, Any]]:
        """An explicit check always probes, open circuit or not (breakers protect loops);
        the outcome is recorded, so a success closes the circuit. `force` is accepted for
        scripts written when it was needed."""
        from flext.services import registry
        from flext.services.health import check

        services = registry.select(self.ctx, names)
        return check(self.ctx, services, timeout, force=True) if services else []

    def system_status(self, timeout: float | None = None, *,
                      names: list[str] | None = None) -> dict[str, Any]:
        from flext.services.status import snapshot

        return snapshot(self.ctx, timeout=timeout or 2.0, names=names)

    def service_action(self, name: str, action: str, *, timeout: float | None = None,
                       force: bool = False) -> dict[str, Any]:
        from flext.services import supervisor

        if action not in ("start", "stop", "restart"):
            raise UsageError(f"unknown service action {action!r}", hint="one of: start, stop, restart")
        service = self._service(name)
        if action == "start":
            return supervisor.start(self.ctx, service, wait=timeout)
        if not service.supervised:
            raise ConfigError(f"service {service.name!r} has no command; flext did not start it and cannot "
                              f"{action} it", hint=f"give it one: flext service add {name} --command CMD --replace")
        if action == "stop":
            return supervisor.stop(self.ctx, service, grace=timeout, force=force)
        stopped = supervisor.stop(self.ctx, service, grace=None)
        info = supervisor.start(self.ctx, service, wait=timeout)
        info["restarted"] = bool(stopped["was_running"])
        return info

    def service_logs(self, name: str, *, tail: int | None = None, since: str | None = None,
                     follow: bool = False) -> Iterator[dict[str, Any]]:
        from flext.services import logs as logsvc
        from flext.services import supervisor

        service = self._service(name)
        if not service.supervised and not service.log_file:
            raise NotFound(f"service {service.name!r} has no log file",
                           hint=f"set one: flext service add {service.name} --url {service.url or 'URL'} "
                                f"--log-file FILE --replace")
        source = logsvc.Source(service.name, "service", path=supervisor.log_path(self.ctx, service))
        if not source.files() and not follow:
            raise NotFound(f"no logs for {service.name!r} yet",
                           hint=f"start it with `flext service start {service.name}`" if service.supervised else None)
        flt = logsvc.Filter(since=since)
        return self._view([source], flt, tail=tail, follow=follow, limit=None)


__all__ = ["SERVICE_COLUMNS", "ServiceVerbs"]
