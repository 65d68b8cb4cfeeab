"""`flext algar migrate / migration status / oud sync / pipeline deploy / logs`."""

from __future__ import annotations

import os
import time

from flext.core.errors import ConfigError, NotFound
from flext.core.output import Result
from flext.plugins import meltano_exec, schedules
from flext.plugins.api import iso, run_id, settings, split
from flext.plugins.bundled.algar import events, ldif, phases

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from flext.core.context import Context

PLUGIN = "algar"
COLUMNS = ["phase", "files", "entries", "synced", "failed", "skipped"]
STYLES = {"status": {"done": "green", "failed": "red", "running": "cyan", "interrupted": "yellow",
                      "migrated": "blue"}}


def _workspace(ctx: Context) -> str:
    return meltano_exec.workspace_root(ctx)


def _configured_dir(ctx: Context) -> str:
    configured = settings(ctx, PLUGIN).get("migration_dir")
    root = _workspace(ctx)
    path = os.path.join(root, os.path.expanduser(str(configured))) if configured else os.path.join(root, "migration")
    return os.path.abspath(path)


def _migration_dir(ctx: Context) -> str:
    path = _configured_dir(ctx)
    if not os.path.isdir(path):
        raise NotFound(f"no migration folder {path}",
                       hint="write it with `flext algar migrate EXPORT`, or set it with "
                            "`flext config set algar.migration_dir DIR` (numbered LDIF files per phase)")
    return path


def _records(paths: list[str]) -> Iterator[ldif.Record]:
    for path in paths:
        yield from ldif.records(path)


def migrate(ctx: Context, argv: list[str]) -> Result:
    """OID export -> phase files (or, with --dry-run, the counts they would hold)."""
    from flext.plugins.bundled.algar import migrate as mg
    from flext.plugins.bundled.algar import rules as rl

    (source, *_), opts = split(argv)
    dry_run = bool(opts.get("dry_run"))
    files = mg.inputs(source)
    rules = rl.load(os.path.abspath(os.path.expanduser(str(opts["rules"]))) if opts.get("rules") else None)
    target = (opts.get("base_dn") or ctx.env.get("ALGAR_OUD_BASE_DN") or settings(ctx, PLUGIN).get("base_dn")
              or None)
    out = os.path.abspath(os.path.expanduser(str(opts["out"]))) if opts.get("out") else _configured_dir(ctx)
    rid = run_id()
    log = events.Log(events.events_file(_workspace(ctx)), rid, out)
    emit = (lambda *a, **k: None) if dry_run else log.emit
    started = time.monotonic()
    ctx.message(f"{'dry run: ' if dry_run else ''}reading {len(files)} file(s) of {source}")
    emit("migrate_started", input=os.path.abspath(source), files=len(files), out=out, target_base_dn=target,
         rules=rules.file)
    run = mg.Migration(rules, out, target_base=target, dry_run=dry_run, progress=ctx.message, emit=emit)
    status = "failed"
    try:
        rows = run.run(files)
        status = "done"
    finally:
        emit("migrate_finished", status=status, entries=run.read, source_base_dn=run.mover.source if run.mover else None,
             rejected=run.entry_rejected + run.acl_rejected, dropped=run.dropped,
             duration_s=round(time.monotonic() - started, 3))
    written = sum(r["entries"] for r in rows if r["phase"] in ("hierarchy", "users", "groups", "other"))
    acis = next(r["acis"] for r in rows if r["phase"] == "acls")
    rejected = run.entry_rejected + run.acl_rejected
    base = f"{run.mover.source if run.mover else '?'} -> {target or '(unchanged)'}"
    if dry_run:
        message = (f"dry run: would write {written} entries, {acis} aci and "
                   f"{sum(len(v) for v in run.schema.values())} schema definitions ({base}); "
                   f"{rejected} rejected; nothing written")
    else:
        message = (f"✓ migrated {written} entries, {acis} aci and {sum(len(v) for v in run.schema.values())} "
                   f"schema definitions into {out} ({base})")
        if rejected:
            message += f"\n{rejected} item(s) not migrated, each with its reason: {os.path.join(out, phases.REJECTED)}"
    return Result(rows, columns=["phase", "category", "file", "entries", "acis", "rejected"], message=message)


def migration_status(ctx: Context, argv: list[str]) -> Result:
    """Per phase: its files and entries now, and the outcome of its latest migrate/sync (from the events)."""
    directory = _migration_dir(ctx)
    found = phases.files(directory)
    folded = events.fold(events.events_file(_workspace(ctx)), directory)
    rows = []
    for phase in phases.PHASES:
        entries = sum(ldif.count(p) for p in found[phase])
        rows.append({"phase": phase, "files": len(found[phase]), "entries": entries, **folded[phase]})
    return Result(rows, columns=["phase", "status", "files", "entries", "synced", "failed", "skipped", "rejected",
                                 "last_run"],
                  styles=STYLES)


def _connection_settings(ctx: Context) -> tuple[str, str, str, float]:
    conf = settings(ctx, PLUGIN)
    if not conf.get("server_url") and ctx.env.get("OUD_HOST"):  # ALGAR's environment: OUD on port 3389
        conf["server_url"] = f"ldap://{ctx.env['OUD_HOST']}:{ctx.env.get('OUD_PORT') or 3389}"
    missing = [k for k in ("server_url", "bind_dn", "password_secret") if not conf.get(k)]
    if missing:
        raise ConfigError(f"algar.{missing[0]} is not set",
                          hint=f"`flext config set algar.{missing[0]} VALUE` (server_url, bind_dn, password_secret)")
    password = ctx.secrets.get(str(conf["password_secret"]))
    return str(conf["server_url"]), str(conf["bind_dn"]), password, float(conf.get("timeout") or ctx.settings.get("timeout") or 10)


def oud_sync(ctx: Context, argv: list[str]) -> Result:
    """Apply each phase's LDIF files in order; per-phase counts; events unless --dry-run."""
    _, opts = split(argv)
    dry_run = bool(opts.get("dry_run"))
    only = opts.get("phase")
    directory = _migration_dir(ctx)
    found = phases.files(directory)
    selected = [p for p in phases.PHASES if only in (None, p)]
    url, bind_dn, password, timeout = _connection_settings(ctx)
    try:
        import ldap3  # noqa: F401
    except ImportError:  # a dependency of flext itself (pyproject): only a broken install lacks it
        raise ConfigError("the algar plugin needs the ldap3 package, and this flext was installed without it",
                          hint="reinstall flext (ldap3 is one of its dependencies), or `pip install ldap3`") from None
    from flext.plugins.bundled.algar.sync import Syncer, connect

    conn = connect(url, bind_dn, password, timeout=timeout, dry_run=dry_run)
    syncer = Syncer(conn, dry_run=dry_run)
    rid = run_id()
    log = events.Log(events.events_file(_workspace(ctx)), rid, directory)
    emit = (lambda *a, **k: None) if dry_run else log.emit
    emit("run_started", phases=selected, server=url, bind_dn=bind_dn)
    rows: list[dict[str, Any]] = []
    status = "failed"
    try:
        for phase in selected:
            files = found[phase]
            total = sum(ldif.count(f) for f in files)
            started = time.monotonic()
            emit("phase_started", phase=phase, files=[os.path.relpath(f, directory) for f in files], entries=total)
            counts = {"synced": 0, "failed": 0, "skipped": 0}
            for record in _records(files):
                outcome, error = syncer.apply(record)
                counts[outcome] += 1
                if error is not None:
                    emit("entry_failed", phase=phase, file=os.path.relpath(record.file, directory),
                         line=record.line, dn=record.dn, error=error)
                    ctx.message(f"✗ {phase}: {record.dn or '(no dn)'} ({os.path.basename(record.file)}:{record.line}): {error}")
            emit("phase_finished", phase=phase, duration_s=round(time.monotonic() - started, 3), **counts)
            rows.append({"phase": phase, "files": len(files), "entries": total, **counts})
        status = "done"
    finally:
        totals = {k: sum(r[k] for r in rows) for k in ("synced", "failed", "skipped")}
        emit("run_finished", status=status if not totals["failed"] else "failed", **totals)
        conn.unbind()
    totals = {k: sum(r[k] for r in rows) for k in ("synced", "failed", "skipped")}
    verb = "would sync" if dry_run else "synced"
    message = (f"{'dry run: ' if dry_run else ''}{verb} {totals['synced']}, failed {totals['failed']}, "
               f"skipped {totals['skipped']} (unchanged)")
    return Result(rows, columns=COLUMNS, message=message, exit_code=1 if totals["failed"] else 0)


def deploy(ctx: Context, argv: list[str]) -> Result:
    """Register `flext algar oud sync [--phase P]` on a cron schedule with the flext scheduler."""
    (name, *_), opts = split(argv)
    _migration_dir(ctx)
    cron = str(opts.get("schedule") or settings(ctx, PLUGIN).get("schedule") or "@daily")
    schedules.check(cron)
    command = [PLUGIN, "oud", "sync"] + ([f"--phase={opts['phase']}"] if opts.get("phase") else [])
    entry = schedules.put(_workspace(ctx), f"{PLUGIN}.{name}", cron=cron, command=command, plugin=PLUGIN)
    from flext.core import jsonl

    jsonl.append(os.path.join(_workspace(ctx), ".flext", PLUGIN, "deployments.jsonl"),
                 {"ts": iso(), "name": name, "schedule": cron, "command": command, "profile": ctx.profile})
    data = {"name": name, "schedule": cron, "next_run": schedules.next_run(cron), "scheduler": entry["name"],
            "command": "flext " + " ".join(command)}
    return Result(data, message=f"✓ deployed {name}: `flext {' '.join(command)}` runs on {cron!r}")


_EVENT_FIELDS = ["ts", "run_id", "event", "phase", "file", "dn", "error"]


def _line(e: dict[str, Any]) -> str:
    detail = ""
    if e.get("event") == "entry_failed":
        detail = f"{e.get('dn')} ({e.get('file')}:{e.get('line')}): {e.get('error')}"
    elif e.get("event") in ("phase_finished", "run_finished"):
        detail = f"synced={e.get('synced')} failed={e.get('failed')} skipped={e.get('skipped')}"
    elif e.get("event") == "phase_started":
        detail = f"{e.get('entries')} entries in {len(e.get('files') or [])} file(s)"
    elif e.get("event") == "run_started":
        detail = f"{e.get('server')} phases={','.join(e.get('phases') or [])}"
    elif e.get("event") == "phase_written":
        detail = f"{e.get('entries')} entries -> {e.get('file')}"
    elif e.get("event") == "entry_rejected":
        detail = f"{e.get('dn') or '(no dn)'} ({e.get('source')}): {e.get('reason')}"
    elif e.get("event") == "migrate_started":
        detail = f"{e.get('input')} -> {e.get('out')}"
    elif e.get("event") == "migrate_finished":
        detail = f"{e.get('status')} entries={e.get('entries')} rejected={e.get('rejected')}"
    phase = f" {e['phase']}" if e.get("phase") else ""
    return f"{e.get('ts')} {e.get('run_id')} {e.get('event')}{phase} {detail}".rstrip() + "\n"


def logs(ctx: Context, argv: list[str]) -> Result | None:
    """The events, oldest first (--tail N for the last N); -f keeps printing new ones until Ctrl-C."""
    from flext.core import jsonl

    _, opts = split(argv)
    path = events.events_file(_workspace(ctx))
    items = list(jsonl.read(path))
    seen = len(items)
    if opts.get("tail"):
        items = items[-int(opts["tail"]):]
    if not opts.get("follow"):
        if not items and not os.path.exists(path):
            raise NotFound("no migration events yet", hint="run `flext algar oud sync` first")
        return Result(items, text="".join(_line(e) for e in items))

    def follow() -> Iterator[dict[str, Any]]:
        yield from items
        nonlocal seen
        while True:  # until Ctrl-C (the CLI turns it into exit 130)
            time.sleep(0.2)
            current = list(jsonl.read(path))
            yield from current[seen:]
            seen = len(current)

    return Result(stream=follow(), columns=_EVENT_FIELDS, line=lambda row, style: _line(row).rstrip("\n"))


__all__ = ["deploy", "logs", "migrate", "migration_status", "oud_sync"]
