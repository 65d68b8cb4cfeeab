"""`flext data ...`: taps and targets (list, install, discover), dbt, pipeline files."""

from __future__ import annotations

from flext.core.errors import OperationFailed
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from contextlib import AbstractContextManager
    from typing import Any

    from flext.core.context import Args, Context

_PLUGIN_COLUMNS = ["name", "kind", "installed", "source", "description"]
_STYLES = {"status": {"success": "green", "pass": "green", "error": "red", "fail": "red", "warn": "yellow",
                      "skipped": "dim"}}


def _list(ctx: Context, args: Args, kind: str) -> Result:
    rows = ctx.backend.list_plugins(kind, installed_only=bool(args.get("installed")))
    return Result(rows, columns=_PLUGIN_COLUMNS,
                  empty=f"no {kind}s installed (install one: flext data {kind}s install NAME)")


def list_taps(ctx: Context, args: Args) -> Result:
    return _list(ctx, args, "tap")


def list_targets(ctx: Context, args: Args) -> Result:
    return _list(ctx, args, "target")


def spinner(ctx: Context, text: str) -> AbstractContextManager[Callable[[str], None]]:
    """A rich spinner on a terminal (stderr); elsewhere plain status lines with -v, else nothing."""
    import contextlib

    @contextlib.contextmanager
    def plain() -> Iterator[Callable[[str], None]]:
        yield ctx.message if ctx.verbose and not ctx.quiet else (lambda _msg: None)

    if not ctx.io.stderr_tty or ctx.quiet:
        return plain()

    @contextlib.contextmanager
    def rich_spinner() -> Iterator[Callable[[str], None]]:
        from rich.console import Console

        console = Console(file=ctx.io.stderr, force_terminal=True, no_color=not ctx.io.err_color,
                          _environ=dict(ctx.io.env))
        with console.status(text) as status:
            yield lambda msg: status.update(msg)

    return rich_spinner()


def _installed(ctx: Context, name: str, info: dict[str, Any]) -> str:
    """The ✓ line of an install; a fallback from uv to pip is one warning line first."""
    warning = info.pop("warning", None)
    if warning:
        ctx.warn(str(warning))
    if not info.pop("changed", True):
        return f"✓ {name} {info.get('version') or ''} already installed".replace("  ", " ")
    how = f" with {info['installer']}" if info.get("installer") else ""
    return f"✓ {name} {info.get('version') or ''} installed{how}".replace("  ", " ")


def _install(ctx: Context, args: Args, kind: str) -> Result:
    name = args.name
    with spinner(ctx, f"installing {name}") as update:
        info = ctx.backend.install_plugin(name, kind, pip_url=args.get("pip_url"), on_status=update,
                                          installer="pip" if args.get("no_uv") else None)
    return Result(info, message=_installed(ctx, name, info), columns=["name", "kind", "version", "executable"])


def install_tap(ctx: Context, args: Args) -> Result:
    return _install(ctx, args, "tap")


def install_target(ctx: Context, args: Args) -> Result:
    return _install(ctx, args, "target")


def discover(ctx: Context, args: Args) -> Result:
    with spinner(ctx, f"discovering the streams of {args.name}"):
        rows = ctx.backend.discover(args.name, config_file=args.get("config"))
    return Result(rows, columns=["stream", "key_properties", "replication_key", "properties", "selected"])


def _dbt(ctx: Context, args: Args, command: str) -> Result:
    with spinner(ctx, f"dbt {command} {args.project}"):
        outcome: dict[str, Any] = ctx.backend.dbt(args.project, command, select=args.get("select"),
                                                  target=args.get("target"))
    nodes = outcome["nodes"]
    failed = [n for n in nodes if n["status"] in ("error", "fail")]
    if outcome["exit_code"] != 0 and not nodes:
        tail = "\n".join("  " + line for line in outcome.get("output_tail", [])[-20:])
        raise OperationFailed(f"dbt {command} failed (exit {outcome['exit_code']})" + (f":\n{tail}" if tail else ""),
                              hint="rerun with -v to see dbt's output")
    summary = f"dbt {command}: {len(nodes)} node(s), {len(failed)} failed"
    columns = ["node", "type", "status", "time_s", "rows"] + (["detail"] if failed else [])
    return Result(nodes, columns=columns, styles=_STYLES,
                  message=summary, exit_code=1 if failed or outcome["exit_code"] != 0 else 0)


def dbt_run(ctx: Context, args: Args) -> Result:
    return _dbt(ctx, args, "run")


def dbt_test(ctx: Context, args: Args) -> Result:
    return _dbt(ctx, args, "test")


def dbt_install(ctx: Context, args: Args) -> Result:
    with spinner(ctx, "installing dbt") as update:
        info = ctx.backend.install_plugin("dbt", "transformer", pip_url=args.get("pip_url"), on_status=update,
                                          installer="pip" if args.get("no_uv") else None)
    return Result(info, message=_installed(ctx, "dbt", info))


def pipeline_create(ctx: Context, args: Args) -> Result:
    import os

    from flext.engine.pipelines import load_declarations

    specs = load_declarations(os.path.abspath(args.config_file))
    created = ctx.backend.create_pipelines(specs, replace=bool(args.get("replace")))
    rows = [{"name": s["name"], "tap": s["tap"], "target": s["target"], "schedule": s.get("schedule"),
             "next_run": s.get("next_run")} for s in created]
    return Result(rows, message=f"✓ created {len(rows)} pipeline(s)")
