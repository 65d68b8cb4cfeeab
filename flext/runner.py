"""The program without its edge: one command line -> expand, parse, dispatch, report.

`flext.cli` (the edge for one-shot runs), the shell and `flext explain` all call it, so
a line means the same wherever it is typed. It builds the `Context` (choosing the
backend through `flext.backend.select`), expands a user alias, parses (or reads free
text), runs the handler, renders its result through the one output layer, renders a
`FlextError` as one `error:` line and one `hint:` line, and records history and audit.
Imports only the standard library and flext's light modules at top level.
"""

from __future__ import annotations

import os
import time

from flext import __version__
from flext.core.errors import FlextError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context
    from flext.core.contract import Backend
    from flext.core.io import IO
    from flext.router.parse import Invocation


def run_line(
    args: list[str],
    *,
    io: IO | None = None,
    env: dict[str, str] | os._Environ[str] | None = None,
    source: str = "cli",
    sticky: dict[str, Any] | None = None,
    session: str | None = None,
) -> int:
    """Run one command line (one-shot or from the REPL) and return its exit code."""
    from flext.core.io import IO

    env = os.environ if env is None else env
    io = io or IO(env=env)
    started = time.monotonic()
    ctx = make_context(io, options=_early_globals(args), source=source, session=session, env=env)
    if sticky:
        ctx.sticky.update(sticky)
    line = args
    code = 1
    inv: Invocation | None = None
    refused: tuple[str, str | None] | None = None  # (command, target) of a line refused before parsing
    try:
        line, how = expand(ctx, args)
        typed = _typed_secret(line)
        if typed is not None:  # masked before the error, history or audit see it, and refused
            words = typed[1]
            from flext.core import mask

            mask.remember_all(words)
            args = [mask.MASK if word in words else word for word in args]
        if typed is not None and typed[2]:
            refused = ("secret set", typed[0])
            from flext.core.errors import UsageError

            raise UsageError("refusing a secret value typed as an argument of `flext secret set`: values are never "
                             "taken from argv (it is in your shell's history now: remove it there)",
                             hint=f'pipe it in: printf %s "$VALUE" | flext secret set {typed[0]} --from-stdin')
        try:
            inv = _parse(line)
        except FlextError as exc:  # free text: `flext start the orders pipeline`
            from flext.router.nl import free_text

            inv, how = free_text(ctx, line, exc), "conversational"
        ctx.options.update(inv.globals)
        if inv.node.parent is None and not inv.help and not inv.globals.get("version"):
            return _bare(ctx)
        _note_moved(ctx, inv)
        code = dispatch(ctx, inv, how=how)
    except FlextError as exc:
        code = report(ctx, exc)
    except KeyboardInterrupt:
        io.err("")
        code = 130
    except BrokenPipeError:
        raise
    except Exception as exc:  # a bug: one line, unless --debug
        if ctx.debug:
            _traceback(ctx, exc)
        io.err(f"{io.style('error:', '31', err=True)} internal error: {ctx.redact(f'{type(exc).__name__}: {exc}')}")
        if ctx.debug:  # the traceback is above already
            io.err(f"hint: report it with the traceback above (correlation id {ctx.correlation_id})")
        else:
            io.err(f"hint: rerun with --debug for the traceback, and report it (correlation id {ctx.correlation_id})")
        code = 1
    finally:
        # a line that failed to parse was still typed: record it, like a shell does
        shown_only = inv is not None and (inv.help or inv.node.parent is None or inv.globals.get("version"))
        if args and not shown_only:
            _record(ctx, args, inv, code, started, refused=refused)
    return code


_NOTED: set[str] = set()  # old spellings already explained in this process (the shell runs many lines)


def _note_moved(ctx: Context, inv: Invocation) -> None:
    """An upstream flext-cli spelling (a hidden alias) runs the new command; say the new
    spelling on stderr, once per process, so the user can switch."""
    from flext.router.spec import moved_spelling

    found = moved_spelling(inv.words)
    if found is None or found[0] in _NOTED:
        return
    _NOTED.add(found[0])
    ctx.message(f"note: `flext {found[0]}` is now `flext {found[1]}` (the old spelling still works)")


def make_context(
    io: IO | None = None,
    *,
    options: dict[str, Any] | None = None,
    source: str = "cli",
    session: str | None = None,
    env: dict[str, str] | os._Environ[str] | None = None,
) -> Context:
    """A Context whose backend is chosen by `flext.backend.select` (the one place that chooses),
    imported only when a command asks for its engine (`--help` never does)."""
    from flext.core.context import Context

    return Context(io, options=options, source=source, session=session, env=env, backend_factory=_select)


def _select(ctx: Context) -> Backend:
    from flext.backend.select import select

    return select(ctx)


def _early_globals(args: list[str]) -> dict[str, Any]:
    """Options that shape error output even when parsing fails (--debug, --no-color)."""
    from flext.router.scan import scan

    found = scan(args, partial=True).globals()
    return {key: True for key in ("debug", "no_color") if found.get(key) is True}


def _parse(line: list[str]) -> Invocation:
    from flext.router.parse import parse

    return parse(line)


def expand(ctx: Context, args: list[str]) -> tuple[list[str], str]:
    """Expand a user alias in first position. Returns (line, how: command|alias)."""
    from flext.router.scan import first_word

    index = first_word(args)  # skips global options and their values (`-p prod st`)
    first = args[index] if index is not None else None
    if first is None:
        return args, "command"
    from flext.router.spec import tree

    if tree().child(first) is not None:
        return args, "command"
    if not os.path.exists(ctx.paths.config_file):
        return args, "command"
    aliases = ctx.config.aliases
    if first not in aliases:
        return args, "command"
    from flext.router.aliases import expand_alias

    return expand_alias(aliases, args), "alias"


def dispatch(ctx: Context, inv: Invocation, *, how: str = "command") -> int:
    from flext.core.context import Args

    node = inv.node
    if inv.help:
        from flext.router.help import render_help

        ctx.io.out(render_help(node, ctx.io, aliases=_aliases(ctx) if node.parent is None else None), end="")
        return 0
    if inv.globals.get("version"):
        ctx.io.out(f"flext {__version__}")
        return 0
    assert node.handler is not None
    module_name, _, func_name = node.handler.partition(":")
    import importlib

    handler = getattr(importlib.import_module(module_name), func_name)
    ctx.command = " ".join(inv.canonical())
    result = handler(ctx, Args(inv.values))
    from flext.core.output import as_result, render

    res = as_result(result)
    fmt = ctx.output
    render(ctx.io, res, fmt, quiet=ctx.quiet, redact=ctx.redact)
    try:
        ctx.io.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError):
        pass
    return res.exit_code


def report(ctx: Context, exc: FlextError) -> int:
    io = ctx.io
    if ctx.debug:
        _traceback(ctx, exc)
    if exc.data is not None:
        try:
            fmt = ctx.output
        except FlextError:
            fmt = "table"
        if fmt in ("json", "jsonl", "yaml"):
            from flext.core.mask import mask_tree
            from flext.core.output import Result, render

            render(io, Result(mask_tree(exc.data)), fmt)
    io.err(f"{io.style('error:', '31;1', err=True)} {ctx.redact(exc.message)}")
    if exc.hint:
        io.err(f"{io.style('hint:', '36', err=True)} {ctx.redact(exc.hint)}")
    return exc.exit_code


def _traceback(ctx: Context, exc: BaseException) -> None:
    """The --debug traceback, masked: exception messages and reprs may hold a secret value."""
    import traceback

    try:
        ctx.io.stderr.write(ctx.redact("".join(traceback.format_exception(exc))))
    except (OSError, ValueError):
        pass


def _typed_secret(line: list[str]) -> tuple[str, list[str], bool] | None:
    """(name, the extra words, refuse) when `line` is `secret set NAME VALUE...`: a value
    typed as an argument (refused), or `explain` of such a line (masked, not refused)."""
    from flext.router.scan import POSITIONAL, REST, scan

    found = scan(line, partial=True)
    if found.node.command == "explain":
        import shlex

        words = [t.text for t in found.tokens if t.kind == REST]
        if len(words) == 1:
            try:
                words = shlex.split(words[0])
            except ValueError:
                return None
        inner = _typed_secret(words) if words else None
        return (inner[0], inner[1], False) if inner else None
    if found.node.command != "secret set":
        return None
    extra = [t.text for t in found.tokens if t.kind == POSITIONAL and t.arg is None and t.text]
    if not extra:
        return None
    name = next((t.text for t in found.tokens if t.kind == POSITIONAL and t.arg is not None), None)
    return (name or "NAME"), extra, True


def _bare(ctx: Context) -> int:
    """`flext` alone: the shell on a terminal, help when piped."""
    from flext.router.spec import tree

    if ctx.io.stdin_tty and ctx.io.stdout_tty and not ctx.options.get("no_input"):
        from flext.router.parse import parse

        return dispatch(ctx, parse(["interactive"]))  # the shell is a command like any other
    from flext.router.help import render_help

    ctx.io.out(render_help(tree(), ctx.io, aliases=_aliases(ctx)), end="")
    return 0


def _aliases(ctx: Context) -> dict[str, str] | None:
    """User aliases for root help; help must work even with a broken config."""
    if not os.path.exists(ctx.paths.config_file):
        return None
    try:
        return ctx.config.aliases
    except FlextError:
        return None


def _record(ctx: Context, args: list[str], inv: Invocation | None, code: int, started: float,
            refused: tuple[str, str | None] | None = None) -> None:
    """History for every executed line; audit for every mutating command (and a refused one)."""
    duration_ms = int((time.monotonic() - started) * 1000)
    try:
        from flext.core import history

        command = refused[0] if refused else inv.node.command if inv is not None else None
        history.record(ctx, args, code, duration_ms, command=command)
        if refused or (inv is not None and inv.node.mutating):
            from flext.core import audit

            if refused:
                audit.record(ctx, refused[0], refused[1], code)
            elif inv is not None:
                audit.record(ctx, inv.node.command, _target_of(inv), code)
    except FlextError:
        pass
    except OSError as exc:  # a full disk must not turn a success into a failure
        if ctx.verbose:
            ctx.warn(f"could not write history: {exc.strerror}")



def _target_of(inv: Invocation) -> str | None:
    """The first positional value (`orders` in `pipeline start orders`), if any."""
    for arg in inv.node.args:
        value = inv.values.get(arg.dest)
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, list):
            return " ".join(map(str, value))
        return str(value)
    return None


__all__ = ["dispatch", "expand", "make_context", "report", "run_line"]
