"""`flext pipeline ...`: thin handlers over `ctx.backend` (local engine or remote).

Bulk verbs (start, stop, status) take names, shell globs or --all, act on each, print
one row per pipeline and exit non-zero when any failed. Single-name calls raise the
engine's error as is, so its exit code (6 unknown, 7 already running) reaches the shell.
"""

from __future__ import annotations

import os

from flext.core.errors import ConfigError, FlextError, Interrupted, OperationFailed, UsageError
from flext.core.output import Result, log_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.core.context import Args, Context

_STATUS_STYLES = {"status": {"succeeded": "green", "failed": "red", "cancelled": "yellow", "running": "cyan",
                             "queued": "cyan", "never": "dim", "error": "red", "skipped": "yellow"}}
RUN_LOG_FIELDS = ["ts", "level", "source", "message"]  # a run log line (plain and csv columns)
# cpu_s and peak_rss_mb: CPU seconds and peak resident memory (MiB) of tap, target and dbt together
# (so far, for a running run); a skipped slot has only its time and, in `error`, why it did not run
_RUN_COLUMNS = ["id", "status", "started_at", "duration_s", "records", "cpu_s", "peak_rss_mb", "trigger", "attempt",
                "error"]
# left out of a narrow terminal's table, the attempt first (-o json/csv and pipes keep them)
_RUN_SPARE = ("trigger", "peak_rss_mb", "cpu_s", "attempt")


_NO_PIPELINES = "no pipelines yet (define one: flext pipeline create NAME --tap TAP --target TARGET)"


def list_(ctx: Context, args: Args) -> Result:
    rows = ctx.backend.list_pipelines(status=args.get("status"))
    return Result(rows, columns=["name", "tap", "target", "transform", "schedule", "status", "last_run", "records"],
                  styles=_STATUS_STYLES, spare=("transform", "schedule", "last_run", "records"),
                  empty=f"no pipelines with status {args.status}" if args.get("status") else _NO_PIPELINES)


def show(ctx: Context, args: Args) -> Result:
    return Result(ctx.backend.get_pipeline(args.name))


def create(ctx: Context, args: Args) -> Result:
    if not (args.get("tap") and args.get("target")):  # a guided set-up on a terminal, else a usage error
        from flext.prompts.wizards import pipeline_create

        args.update(pipeline_create(ctx, dict(args)))
    spec: dict[str, Any] = {"name": args.name}
    spec["tap"] = args.get("tap") or ctx.ask("Tap", flag="--tap")
    spec["target"] = args.get("target") or ctx.ask("Target", flag="--target")
    spec.update(_spec_options(args))
    try:
        created = ctx.backend.create_pipeline(spec, replace=bool(args.get("replace")))
    except ConfigError as exc:
        raise _as_usage(exc, spec["name"]) from None
    message = f"✓ created pipeline {created['name']} ({created['tap']} -> {created['target']})"
    if created.get("next_run"):
        message += f"\n  schedule {created['schedule']!r}: next run {created['next_run']}"
    return Result(created, message=message)


def edit(ctx: Context, args: Args) -> Result:
    """Change the named settings of a pipeline (`--unset` removes them); keep the rest."""
    changes = _spec_options(args)
    for role in ("tap", "target"):
        if args.get(role):
            changes[role] = args.get(role)
    unset = tuple(dict.fromkeys(_KEY_OF[option] for option in args.get("unset") or ()))
    try:
        edited = ctx.backend.edit_pipeline(args.name, changes, unset=unset)
    except ConfigError as exc:
        raise _as_usage(exc, args.name, "edit") from None
    said = [f"{_shown(key)} {edited[key]!r}" if key in edited else f"{_shown(key)} removed" for key in (*changes, *unset)]
    message = f"✓ changed pipeline {args.name}: {', '.join(said)}"
    if edited.get("next_run"):
        message += f"\n  next run {edited['next_run']}"
    return Result(edited, message=message)


def _spec_options(args: Args) -> dict[str, Any]:
    """The settings given as options of `pipeline create` or `pipeline edit` (not tap/target)."""
    spec: dict[str, Any] = {}
    for key in ("transform", "schedule", "retries"):
        if args.get(key) not in (None, ""):
            spec[key] = args.get(key)
    if args.get("select"):
        spec["select"] = list(args.select)
    if args.get("timeout") is not None:
        spec["timeout"] = f"{args.timeout:g}s"
    for role in ("tap", "target"):
        path = args.get(f"{role}_config")
        if path:
            spec[f"{role}_config_file"] = os.path.abspath(path)
    return spec


# flext.toml keys of a pipeline -> the option of `pipeline create` that sets them
_OPTION_OF = {"tap": "--tap", "target": "--target", "transform": "--transform", "schedule": "--schedule",
              "select": "--select", "retries": "--retries", "timeout": "--timeout",
              "tap_config_file": "--tap-config", "target_config_file": "--target-config"}
# `pipeline edit --unset` option names -> the flext.toml key they remove (the parser allows no tap/target)
_KEY_OF = {option.removeprefix("--"): key for key, option in _OPTION_OF.items()}


def _shown(key: str) -> str:
    """A flext.toml key as its option is spelt: tap_config_file -> tap-config."""
    return _OPTION_OF.get(key, key).removeprefix("--")


def _as_usage(exc: ConfigError, name: str, command: str = "create") -> FlextError:
    """A bad value typed on the command line is a usage error (exit 2) naming the option,
    the same rule as every other option (`flext help exit-codes`); exit 5 stays for files."""
    prefix = f"pipelines.{name}."
    key, _, rest = exc.message.partition(": ")
    option = _OPTION_OF.get(key[len(prefix):]) if key.startswith(prefix) else None
    if option is None or not rest:
        return exc
    return UsageError(f"{option}: {rest}", hint=exc.hint or f"see `flext pipeline {command} --help`")


def delete(ctx: Context, args: Args) -> Result:
    ctx.backend.get_pipeline(args.name)
    if not ctx.confirm(f"Delete pipeline {args.name}?"):
        raise UsageError("not deleted")
    out = ctx.backend.delete_pipeline(args.name)
    return Result(out, message=f"✓ deleted pipeline {args.name} (runs and state are kept under .flext/)")


def _names(ctx: Context, args: Args, verb: str) -> list[str]:
    patterns = list(args.get("name") or [])
    if not patterns and not args.get("all"):
        raise UsageError(f"name the pipelines to {verb}, or pass --all",
                         hint=f"flext pipeline {verb} NAME... | 'glob-*' | --all")
    names: list[str] = ctx.backend.match_pipelines(patterns, all_=bool(args.get("all")))
    return names


def _each(names: list[str], single: bool, verb: Callable[[str], dict[str, Any]],
          ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[FlextError]]:
    """Apply a bulk verb to each pipeline: one row each, a failure is a row (raised when only one was named)."""
    rows: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    errors: list[FlextError] = []
    for name in names:
        try:
            record = verb(name)
        except FlextError as exc:
            if single:
                raise
            errors.append(exc)
            rows.append({"pipeline": name, "run": None, "status": "error", "error": exc.message})
            continue
        records.append(record)
        rows.append({"pipeline": name, "run": record["id"], "status": record["status"], "error": None})
    return rows, records, errors


def _bulk_exit(errors: list[FlextError]) -> int:
    if not errors:
        return 0
    codes = {e.exit_code for e in errors}
    return codes.pop() if len(codes) == 1 else 1


def start(ctx: Context, args: Args) -> Result:
    names = _names(ctx, args, "start")
    single = len(names) == 1 and not args.get("all")
    full_refresh = bool(args.get("full_refresh"))
    rows, records, errors = _each(names, single, lambda name: ctx.backend.start(name, full_refresh=full_refresh))
    if args.get("wait"):
        follow = single and not ctx.quiet
        for row in rows:
            if row["run"] is None:
                continue
            if follow:
                for line in ctx.backend.logs(row["pipeline"], row["run"], follow=True):
                    ctx.io.err(ctx.redact(log_line(line, lambda text, code: ctx.io.style(text, code, err=True))))
            final = ctx.backend.wait(row["pipeline"], row["run"])
            row.update(status=final["status"], error=_first(final.get("error")), records=final.get("records"),
                       duration_s=final.get("duration_s"))
            if final["status"] != "succeeded":
                errors.append(OperationFailed(final.get("error") or final["status"]))
    if single:
        record = ctx.backend.get_run(names[0], rows[0]["run"]) if args.get("wait") else records[0]
        message = (f"{names[0]}: run {record['id']} {record['status']}" if args.get("wait")
                   else f"started {names[0]}: run {record['id']}")
        return Result(record, text=record["id"], message=message, exit_code=_bulk_exit(errors))
    columns = ["pipeline", "run", "status"] + (["records", "duration_s"] if args.get("wait") else []) + ["error"]
    return Result(rows, columns=columns, styles=_STATUS_STYLES, exit_code=_bulk_exit(errors))


def run(ctx: Context, args: Args) -> Result:
    progress = _Progress(ctx, args.name) if ctx.io.stderr_tty and not ctx.quiet else None
    try:
        record = ctx.backend.run(args.name, full_refresh=bool(args.get("full_refresh")),
                                 on_progress=progress.update if progress else None)
    finally:
        if progress:
            progress.clear()
    line = (f"{args.name}: run {record['id']} {record['status']}"
            + (f", {record['records']} records" if record.get("records") is not None else "")
            + (f" in {record['duration_s']:.1f}s" if record.get("duration_s") is not None else ""))
    if record.get("warnings"):  # loaded nothing, and the tap said why
        line += f"; the tap warned: {'; '.join(map(str, record['warnings']))}"
    if record["status"] == "cancelled":
        raise Interrupted(line, hint=f"the last confirmed state is kept: flext pipeline state {args.name}")
    if record["status"] != "succeeded":
        raise OperationFailed(f"{line}: {record.get('error') or 'failed'}",
                              hint=f"full log: flext pipeline logs {args.name} --run {record['id']}")
    return Result(record, message=f"✓ {line}", text=record["id"])


class _Progress:
    """One live line on a terminal: records, rate, elapsed."""

    def __init__(self, ctx: Context, name: str) -> None:
        self.ctx = ctx
        self.name = name
        self.shown = False

    def update(self, records: int | None, elapsed: float) -> None:
        count = "-" if records is None else f"{records:,}"
        rate = f"{records / elapsed:,.0f}/s" if records and elapsed > 0 else "-/s"
        minutes, seconds = divmod(int(elapsed), 60)
        text = f"{self.name}: {count} records  {rate}  {minutes}:{seconds:02d}"
        self.ctx.io.stderr.write("\r\x1b[K" + text)
        self.ctx.io.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.ctx.io.stderr.write("\r\x1b[K")
            self.ctx.io.stderr.flush()


def stop(ctx: Context, args: Args) -> Result:
    if args.get("all") and not args.get("name"):
        names = [r["pipeline"] for r in ctx.backend.status(None) if r["status"] in ("queued", "running")]
        if not names:
            return Result([], message="nothing is running")
        single = False
    else:
        names = _names(ctx, args, "stop")
        single = len(names) == 1
    force = bool(args.get("force"))
    rows, _, errors = _each(names, single, lambda name: ctx.backend.stop(name, force=force))
    if single:
        row = rows[0]
        return Result(row, message=f"✓ stopped {row['pipeline']}: run {row['run']} {row['status']}")
    return Result(rows, columns=["pipeline", "run", "status", "error"], styles=_STATUS_STYLES,
                  exit_code=_bulk_exit(errors))


def status(ctx: Context, args: Args) -> Result:
    patterns = list(args.get("name") or [])
    names = ctx.backend.match_pipelines(patterns) if patterns else None
    rows = ctx.backend.status(names)
    failed = [r["pipeline"] for r in rows if r["status"] == "failed"]
    message = None
    if failed:  # the exit code is 1: say why, on stderr, so a script's log shows it
        shown = ", ".join(failed[:10]) + (f" and {len(failed) - 10} more" if len(failed) > 10 else "")
        message = f"{len(failed)} of {len(rows)} pipeline(s) failed their last run: {shown} (exit 1)"
    return Result(rows, columns=["pipeline", "status", "run", "started_at", "duration_s", "records", "error"],
                  styles=_STATUS_STYLES, exit_code=1 if failed else 0, message=message)


def runs(ctx: Context, args: Args) -> Result:
    limit = args.get("limit") or 20
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    rows = ctx.backend.runs(args.name, limit=limit)
    for row in rows:
        row["error"] = _first(row.get("error"))
    return Result(rows, columns=_RUN_COLUMNS, styles=_STATUS_STYLES, spare=_RUN_SPARE,
                  empty=f"no runs of {args.name} yet (start one: flext pipeline start {args.name})")


def schedules(ctx: Context, args: Args) -> Result:
    rows = ctx.backend.schedules()
    return Result(rows, columns=["name", "schedule", "paused", "next_run"],
                  empty="no scheduled pipelines (give one a schedule: flext pipeline edit NAME --schedule CRON)")


def pause(ctx: Context, args: Args) -> Result:
    out = ctx.backend.pause(args.name)
    return Result(out, message=f"✓ paused the schedule of {args.name} ({out.get('schedule')})")


def resume(ctx: Context, args: Args) -> Result:
    out = ctx.backend.resume(args.name)
    when = f"; next run {out['next_run']}" if out.get("next_run") else ""
    return Result(out, message=f"✓ resumed the schedule of {args.name}{when}")


def state(ctx: Context, args: Args) -> Result:
    if args.get("clear"):
        ctx.backend.get_pipeline(args.name)
        if not ctx.confirm(f"Clear the saved state of {args.name}? The next run starts from scratch"):
            raise UsageError("state kept")
        out = ctx.backend.clear_state(args.name)
        return Result(out, message=f"✓ cleared the state of {args.name}" if out["cleared"] else
                      f"{args.name} had no saved state")
    value = ctx.backend.state(args.name)
    if value is None:
        return Result(None, message=f"{args.name} has no saved state (the next run is a full one)")
    import json

    return Result(value, text=json.dumps(value, indent=2, sort_keys=True))


def logs(ctx: Context, args: Args) -> Result:
    tail = args.get("tail")
    if tail is not None and tail < 0:
        raise UsageError("--tail must be 0 or more")
    lines = ctx.backend.logs(args.name, args.get("run"), tail=tail, follow=bool(args.get("follow")))
    return Result(stream=lines, columns=RUN_LOG_FIELDS, line=log_line, empty="(no log lines)")


def _first(text: Any) -> str | None:
    return str(text).splitlines()[0] if text else None
