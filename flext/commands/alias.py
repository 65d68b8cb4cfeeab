"""`flext alias list`, `alias set NAME EXPANSION...`, `alias delete NAME`.

Aliases live in config.toml under `[aliases]`, so they travel with the config and show
up in `flext help` and completion. Everything that could make an alias unusable is
refused when it is set: a bad name, a name a built-in command already has, a quote
that does not close, a cycle.
"""

from __future__ import annotations

from flext.core.errors import NotFound, UsageError
from flext.core.output import Result
from flext.router import aliases

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.context import Args, Context


def list_(ctx: Context, args: Args) -> Result:
    rows = [{"name": name, "expansion": text} for name, text in sorted(ctx.config.aliases.items())]
    return Result(rows, columns=["name", "expansion"],
                  empty="no aliases yet (define one: flext alias set NAME EXPANSION...)")


def set_(ctx: Context, args: Args) -> Result:
    name: str = args.name
    expansion = " ".join(args.expansion).strip()
    aliases.check_name(name)
    node = aliases.shadowed(name)
    if node is not None:
        spelled = f"`flext {node.command}`" + (f" (alias {name!r})" if name != node.name else "")
        raise UsageError(
            f"alias {name!r} would shadow the built-in command {spelled}",
            hint="built-in commands always win; choose another name",
        )
    if not expansion or not aliases.split(expansion):
        raise UsageError(f"alias {name!r} needs an expansion", hint=f"flext alias set {name} 'config show'")
    current = dict(ctx.config.aliases)
    previous = current.get(name)
    current[name] = expansion
    aliases.check_cycle(current, name)
    if previous != expansion:
        ctx.config.write_value(["aliases"], name, expansion)
    verb = "changed" if previous is not None and previous != expansion else "set"
    return Result(
        {"name": name, "expansion": expansion, "previous": previous},
        message=f"✓ {verb} alias {name} = {expansion}",
    )


def delete(ctx: Context, args: Args) -> Result:
    name: str = args.name
    known = ctx.config.aliases
    if name not in known:
        from flext.core.suggest import closest

        guess = closest(name, list(known))
        raise NotFound(
            f"alias {name!r} does not exist",
            hint=f"did you mean {guess!r}?" if guess else "see `flext alias list`",
        )
    ctx.config.remove_value(["aliases"], name)
    return Result({"name": name, "expansion": known[name], "deleted": True}, message=f"✓ deleted alias {name}")


__all__ = ["delete", "list_", "set_"]
