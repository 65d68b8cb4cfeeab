"""Did-you-mean for a line the scanner could not read: an unknown option, an unknown
command or subcommand. Imported only when a line has a mistake, so reading a good line
costs nothing of it."""

from __future__ import annotations

from flext.core.errors import UsageError
from flext.router.spec import GLOBAL_OPTS, Node

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence


def did_you_mean(options: list[str]) -> str | None:
    if not options:
        return None
    if len(options) == 1:
        return f"did you mean `{options[0]}`?"
    return "did you mean one of: " + ", ".join(f"`{o}`" for o in options) + "?"


def unknown_option(node: Node, root: Node, spelled: str) -> UsageError:
    from flext.core.suggest import similar

    names = [f"--{o.name}" for o in node.opts + GLOBAL_OPTS if not o.hidden]
    guess = similar(spelled, names)
    where = f" for `flext {node.command}`" if node is not root else ""
    hint = did_you_mean(guess[:1]) if guess else f"see `flext {node.command + ' ' if node is not root else ''}--help`"
    return UsageError(f"unknown option {spelled}{where}", hint=hint)


def command_suggestions(
    root: Node, word: str, rest: Sequence[str], names: Callable[[str], Collection[str]] | None = None,
) -> list[str]:
    """Commands the user may have meant by an unknown first word, across groups, best first.

    `flext start orders` -> `flext pipeline start orders` (a subcommand's name typed alone).
    A typo of a top-level group (`pipline list`) wins over deeper commands that only look
    like it. With `names` (kind -> the names that exist, as `flext.router.live` reports
    them), the value typed after the word decides between groups: `restart orders`, where
    orders is a pipeline, is not `service restart orders` but `pipeline start orders`. A
    word typed alone never leads to a destructive command (`clear` is not `history clear`).
    """
    from flext.core.suggest import similar

    value = next((w for w in rest if not w.startswith("-")), None)
    given = next((k for k, w in enumerate(rest) if w.startswith("-")), len(rest))  # the words before any option
    top = similar(word, [c.name for c in root.visible_children()])
    if len(top) > 1 and value is not None:  # `servce list`: the group that has a `list`
        fits = [name for name in top if (root.child(name) or root).child(value) is not None]
        top = fits or top
    found: list[str] = list(top)
    held: dict[str, bool] = {}

    def holds(kind: str) -> bool:
        if kind not in held:
            held[kind] = names is not None and value is not None and value in names(kind)
        return held[kind]

    nodes = [n for n in root.walk() if n.parent is not None and n.parent is not root and not n.hidden]
    kinds = {n.args[0].completer for n in nodes if n.args and n.args[0].completer}
    elsewhere = {kind for kind in kinds if holds(kind)}  # the kinds the value is a name of
    exact = [n for n in nodes if word in (n.name, *n.aliases) and not (n.destructive and not rest)]
    matched = any(n.args and n.args[0].completer in elsewhere for n in exact)
    ranked: list[tuple[float, str]] = []
    for node in nodes:
        if (node.destructive and not rest) or not _takes(node, given):
            continue  # nor a command that cannot take the words typed after (`how many records did ...`)
        spelled = (node.name, *node.aliases)
        kind = node.args[0].completer if node.args else None
        if node in exact:
            rank = 0.0
        elif not found and similar(word, spelled, limit=1):
            rank = 2.0
        elif not matched and kind in elsewhere and node.runnable and not node.destructive and similar(word, spelled):
            rank = 0.5  # `restart orders`: a command of the group whose names hold orders
        else:
            continue
        if elsewhere:
            if kind not in elsewhere:
                continue  # `service restart orders` where orders is no service; `auth status orders`
            rank -= 1.0
        elif value is not None and not node.args:
            rank += 1.0  # `status billing`: a command that takes no name fits less
        if _plugin(node):
            rank += 0.25  # flext's own commands first
        ranked.append((rank, node.command))
    ranked.sort(key=lambda t: t[0])
    found.extend(c for _, c in ranked if c not in found)
    tail = " ".join(rest)
    return [f"flext {c}{' ' + tail if tail else ''}" for c in found[:3]]


def _takes(node: Node, count: int) -> bool:
    """Can `node` take `count` words as its arguments?"""
    if any(a.nargs in ("+", "*") or a.rest for a in node.args):
        return True
    return count <= len(node.args)


def _plugin(node: Node) -> bool:
    up: Node | None = node
    while up is not None:
        if up.plugin is not None:
            return True
        up = up.parent
    return False


def unknown_command(
    root: Node, word: str, rest: Sequence[str], names: Callable[[str], Collection[str]] | None = None,
) -> UsageError:
    """The usage error for an unknown first word, with the did-you-mean (see `command_suggestions`)."""
    options = command_suggestions(root, word, rest, names)
    return UsageError(
        f"unknown command {word!r}",
        hint=did_you_mean(options) or "see `flext help` for the list of commands",
        candidates=[o.removeprefix("flext ") for o in options],
    )


# Verbs other tools use for what a group here calls otherwise (`auth user add` is `create`,
# `service create` is `add`); offered only when the group has the command, never run.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "add": ("create", "set", "install"), "new": ("create", "add"), "make": ("create",), "create": ("add", "set"),
    "remove": ("delete", "uninstall"), "rm": ("delete", "remove", "uninstall"), "del": ("delete", "remove"),
    "delete": ("remove", "uninstall"), "uninstall": ("remove", "delete"), "get": ("show",),
    "describe": ("show",), "view": ("show",), "info": ("show",), "ls": ("list",), "put": ("set",), "edit": ("set",),
    "kill": ("stop",), "cancel": ("stop",), "launch": ("start",), "exec": ("run",), "execute": ("run",),
    "follow": ("tail",), "grep": ("search",), "find": ("search",),
}


def unknown_subcommand(node: Node, word: str) -> UsageError:
    from flext.core.suggest import similar

    names = [c.name for c in node.visible_children()]
    guesses = [g for g in SYNONYMS.get(word.lower(), ()) if g in names][:1]
    guesses += [g for g in similar(word, names) if g not in guesses]
    options = [f"flext {node.command} {g}" for g in guesses[:2]]
    return UsageError(
        f"unknown command {word!r} for `flext {node.command}`",
        hint=did_you_mean(options) or f"see `flext {node.command} --help`",
        candidates=[o.removeprefix("flext ") for o in options],
    )


__all__ = ["command_suggestions", "did_you_mean", "unknown_command", "unknown_option", "unknown_subcommand"]
