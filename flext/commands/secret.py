"""`flext secret set/list/delete/get/where`: values in the OS keyring, names in an index.

A value comes from a hidden prompt (asked twice) or from stdin with --from-stdin, never
from argv: argv lands in shell history, `ps` and flext's own history. Nothing is written
(not even the index) unless the keyring accepted the value.
"""

from __future__ import annotations

from flext.core.errors import OperationFailed, UsageError
from flext.core.output import Result
from flext.core.secrets import check_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.context import Args, Context

_STDIN_HINT = "pipe the value in: printf %s \"$VALUE\" | flext secret set {name} --from-stdin"


def _read_stdin(ctx: Context) -> str:
    """All of stdin, minus one trailing newline (what `echo` adds)."""
    if ctx.io.stdin_tty:
        ctx.message("reading the value until end of input (Ctrl-D); it echoes: drop --from-stdin for a hidden prompt")
    value = ctx.io.stdin.read()
    if value.endswith("\n"):
        value = value[:-1]
        if value.endswith("\r"):
            value = value[:-1]
    return value


def _prompt_twice(ctx: Context, name: str) -> str:
    try:
        first = ctx.ask(f"Value for {name}", flag="--from-stdin", secret=True)
        if not first:
            return first
        second = ctx.ask(f"Repeat the value for {name}", flag="--from-stdin", secret=True)
    except EOFError:
        raise UsageError("no value was typed", hint=_STDIN_HINT.format(name=name)) from None
    if first != second:
        raise UsageError("the two values do not match; nothing was stored", hint="run the command again")
    return first


def set_(ctx: Context, args: Args) -> Result:
    name = check_name(args.name)
    if not args.from_stdin and not ctx.can_prompt:
        raise UsageError(f"no value for secret {name!r}: no terminal to prompt on, and values are never taken from argv",
                         hint=_STDIN_HINT.format(name=name))
    store = ctx.secrets
    if ctx.redact(name) != name:
        raise UsageError("refusing a secret name that is a known secret value",
                         hint="give a name first: flext secret set NAME --from-stdin")
    store.backend()  # fail (exit 5) before asking for a value the keyring cannot take
    value = _read_stdin(ctx) if args.from_stdin else _prompt_twice(ctx, name)
    entry = store.set(name, value)
    entry["backend"] = store.backend_name()
    return Result(entry, message=f"✓ stored secret {name} for profile {entry['profile']} in the keyring")


def list_(ctx: Context, args: Args) -> Result:
    rows = ctx.secrets.entries()
    return Result(rows, columns=["name", "profile", "set_at"],
                  empty=f"no secrets for profile {ctx.profile} (store one: flext secret set NAME)")


def delete(ctx: Context, args: Args) -> Result:
    name = check_name(args.name)
    store = ctx.secrets
    profile = store.profile
    if not store.owns(name):
        raise store.not_found(name, deleting=True)
    if not ctx.confirm(f"Delete secret {name!r} of profile {profile!r}?"):
        raise OperationFailed("cancelled; nothing was deleted")
    entry = store.delete(name)
    return Result(entry, message=f"✓ deleted secret {name} of profile {profile}")


def get(ctx: Context, args: Args) -> Result:
    name = check_name(args.name)
    if not args.reveal:
        _must_exist(ctx, name)  # a typo is "no such secret, did you mean ..." before any talk of --reveal
        raise UsageError(f"refusing to print secret {name!r} without --reveal",
                         hint=f"pass --reveal to print it: flext secret get {name} --reveal")
    profile, value = ctx.secrets.locate(name)
    return Result({"name": name, "profile": profile, "value": value}, text=value + "\n")  # always one newline after


def _must_exist(ctx: Context, name: str) -> None:
    """NotFound (exit 6, did-you-mean) when `name` is no secret of this profile: the index
    answers without the keyring; a name it does not know is looked up there too."""
    from flext.core.errors import FlextError, NotFound

    if name in ctx.secrets.names():
        return
    try:
        ctx.secrets.locate(name)
    except NotFound:
        raise
    except FlextError:
        return  # no usable keyring: the refusal below is still the right answer


def where(ctx: Context, args: Args) -> Result:
    info = ctx.secrets.status()
    state = "usable" if info["usable"] else f"NOT usable: {info['reason']}"
    lines = [
        f"backend: {info['backend']} ({state})",
        f"service: {info['service']}",
        f"profile: {info['profile']} (reads: {', '.join(info['lookup'])})",
        f"index:   {info['index']}",
    ]
    if info["hint"]:
        lines.append(f"hint:    {info['hint']}")
    return Result(info, text="\n".join(lines))


__all__ = ["delete", "get", "list_", "set_", "where"]
