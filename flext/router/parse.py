"""argv -> Invocation, read from the command tree.

Global options go before or after the command words; `--opt=v`, `--opt v`, `-o json`,
combined short flags (`-yq`), `--` ends options; typed values; required arguments.
Every mistake is a UsageError (exit 2) with a did-you-mean where one helps.
"""

from __future__ import annotations

from flext.core.errors import UsageError
from flext.router.spec import GLOBAL_OPTS, Node, Opt, tree
from flext.router.suggest import similar
from flext.router.values import convert

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


class Invocation:
    """What a command line asks for: the node, its values, and the global options."""

    __slots__ = ("argv", "explicit", "globals", "help", "node", "values", "words")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.values: dict[str, object] = {}
        self.globals: dict[str, object] = {}
        self.help = False
        self.argv: list[str] = []
        self.explicit: list[str] = []  # dests the user gave, in order
        self.words: list[str] = []  # the command words as typed (aliases included)

    def canonical(self) -> list[str]:
        """The command spelled out with long option names (for explain and history)."""
        out = list(self.node.path)
        node = self.node
        for arg in node.args:
            value = self.values.get(arg.dest)
            if value is None:
                continue
            if isinstance(value, list):
                out.extend(str(v) for v in value)
            else:
                out.append(str(value))
        for dest in self.explicit:
            opt = next((o for o in node.opts if o.dest == dest), None)
            if opt is None:
                continue
            value = self.values.get(dest)
            if opt.flag:
                if value:
                    out.append(f"--{opt.name}")
            elif isinstance(value, list):
                for v in value:
                    out.extend([f"--{opt.name}", _raw(v)])
            elif value is not None:
                out.extend([f"--{opt.name}", _raw(value)])
        return out


def _raw(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _global(name: str) -> Opt | None:
    for o in GLOBAL_OPTS:
        if o.name == name:
            return o
    return None


def _global_short(letter: str) -> Opt | None:
    for o in GLOBAL_OPTS:
        if o.short == letter:
            return o
    return None


def _looks_negative_number(token: str) -> bool:
    return len(token) > 1 and token[0] == "-" and token[1:].replace(".", "", 1).isdigit()


def _command_suggestions(root: Node, word: str, rest: Sequence[str]) -> list[str]:
    """Commands the user may have meant by an unknown first word, across groups."""
    found: list[str] = []
    top = [c.name for c in root.visible_children()]
    for name in similar(word, top):
        found.append(name)
    # `flext start orders` -> `flext pipeline start orders` (a subcommand's name typed alone)
    deeper: list[tuple[int, str]] = []
    for node in root.walk():
        if node is root or node.parent is root or node.hidden or node.parent is None:
            continue
        names = (node.name, *node.aliases)
        if word in names:
            deeper.append((0, node.command))
        elif similar(word, names, limit=1):
            deeper.append((1, node.command))
    deeper.sort(key=lambda t: t[0])
    found.extend(c for _, c in deeper)
    tail = " ".join(rest)
    return [f"flext {c}{' ' + tail if tail else ''}" for c in found[:3]]


def _did_you_mean(options: list[str]) -> str | None:
    if not options:
        return None
    if len(options) == 1:
        return f"did you mean `{options[0]}`?"
    return "did you mean one of: " + ", ".join(f"`{o}`" for o in options) + "?"


def parse(argv: Sequence[str], root: Node | None = None) -> Invocation:
    root = root or tree()
    node = root
    inv = Invocation(root)
    inv.argv = list(argv)
    positionals: list[str] = []
    raw_values: dict[str, list[str]] = {}
    flags: dict[str, bool] = {}
    explicit: list[str] = []
    i = 0
    n = len(argv)
    end_of_options = False

    def take_value(opt: Opt, spelled: str, inline: str | None) -> None:
        nonlocal i
        if inline is not None:
            values = [inline]
        else:
            if i >= n or (argv[i].startswith("-") and argv[i] != "-" and not _looks_negative_number(argv[i])):
                raise UsageError(
                    f"option {spelled} needs a value",
                    hint=f"pass it as {spelled} {opt.metavar or 'VALUE'}",
                )
            values = [argv[i]]
            i += 1
            if opt.greedy:
                while i < n and not argv[i].startswith("-"):
                    values.append(argv[i])
                    i += 1
        record(opt, values)

    def record(opt: Opt, values: list[str]) -> None:
        is_global = opt in GLOBAL_OPTS
        key = ("g:" if is_global else "") + opt.dest
        if opt.flag:
            flags[key] = True
        elif opt.repeat:
            bucket = raw_values.setdefault(key, [])
            for v in values:
                bucket.extend([p for p in v.split(",") if p] if opt.greedy else [v])
        else:
            raw_values[key] = values[-1:]
        if key not in explicit:
            explicit.append(key)

    def unknown_option(spelled: str) -> UsageError:
        names = [f"--{o.name}" for o in node.opts + GLOBAL_OPTS if not o.hidden]
        guess = similar(spelled, names)
        where = f" for `flext {node.command}`" if node is not root else ""
        hint = _did_you_mean(guess[:1]) if guess else f"see `flext {node.command + ' ' if node is not root else ''}--help`"
        return UsageError(f"unknown option {spelled}{where}", hint=hint)

    while i < n:
        token = argv[i]
        i += 1
        if positionals and node.args and node.args[-1].rest and node.runnable:
            positionals.append(token)
            continue
        if not end_of_options and token == "--":
            end_of_options = True
            continue
        if not end_of_options and token.startswith("--") and len(token) > 2:
            name, eq, inline = token[2:].partition("=")
            opt = node.find_opt(name) or _global(name)
            if opt is None:
                raise unknown_option(f"--{name}")
            if opt.flag:
                if eq:
                    value = convert(opt, inline, f"--{name}")
                    if value:
                        record(opt, [])
                    continue
                record(opt, [])
            else:
                take_value(opt, f"--{name}", inline if eq else None)
            continue
        if not end_of_options and token.startswith("-") and len(token) > 1 and not _looks_negative_number(token):
            letters = token[1:]
            for pos, letter in enumerate(letters):
                opt = node.find_short(letter) or _global_short(letter)
                if opt is None:
                    raise unknown_option(f"-{letter}")
                if opt.flag:
                    record(opt, [])
                    continue
                rest = letters[pos + 1:]
                if rest.startswith("="):
                    rest = rest[1:]
                take_value(opt, f"-{letter}", rest or None)
                break
            continue
        # a word: descend into the tree while it names a child
        if not positionals and node.children and not end_of_options:
            child = node.child(token)
            if child is not None:
                node = child
                inv.words.append(token)
                continue
            if not node.runnable:
                if node is root:
                    options = _command_suggestions(root, token, argv[i:])
                    raise UsageError(
                        f"unknown command {token!r}",
                        hint=_did_you_mean(options) or "see `flext help` for the list of commands",
                        candidates=[o.removeprefix("flext ") for o in options],
                    )
                guesses = similar(token, [c.name for c in node.visible_children()])
                options = [f"flext {node.command} {g}" for g in guesses[:2]]
                raise UsageError(
                    f"unknown command {token!r} for `flext {node.command}`",
                    hint=_did_you_mean(options) or f"see `flext {node.command} --help`",
                    candidates=[o.removeprefix("flext ") for o in options],
                )
        positionals.append(token)

    inv.node = node
    inv.help = bool(flags.get("g:help"))
    for key, value in flags.items():
        if key.startswith("g:"):
            inv.globals[key[2:]] = value
    for key, raws in raw_values.items():
        if key.startswith("g:"):
            opt = _global(key[2:].replace("_", "-"))
            assert opt is not None
            inv.globals[opt.dest] = convert(opt, raws[-1], f"--{opt.name}")
    if inv.help or inv.globals.get("version"):
        return inv
    if not node.runnable:
        if node is root:
            return inv  # bare `flext`: the caller decides (shell on a terminal, help piped)
        raise UsageError(
            f"`flext {node.command}` needs a command",
            hint=f"one of: {', '.join(c.name for c in node.visible_children())}; see `flext {node.command} --help`",
        )
    # options of the command
    for opt in node.opts:
        key = opt.dest
        if opt.flag:
            inv.values[key] = bool(flags.get(key, opt.default or False))
        elif key in raw_values:
            raws = raw_values[key]
            if opt.repeat:
                inv.values[key] = [convert(opt, r, f"--{opt.name}") for r in raws]
            else:
                inv.values[key] = convert(opt, raws[-1], f"--{opt.name}")
        else:
            inv.values[key] = list(opt.default) if isinstance(opt.default, (list, tuple)) else opt.default
    inv.explicit = [k for k in explicit if not k.startswith("g:")]
    # positional arguments
    usage = f"flext {node.command} " + " ".join(a.usage for a in node.args)
    remaining = list(positionals)
    for index, arg in enumerate(node.args):
        later_required = sum(1 for a in node.args[index + 1:] if a.required)
        if arg.nargs in ("+", "*"):
            count = max(0, len(remaining) - later_required)
            taken, remaining = remaining[:count], remaining[count:]
            if arg.nargs == "+" and not taken:
                raise UsageError(f"missing argument {arg.name.upper()}", hint=f"usage: {usage.strip()}")
            inv.values[arg.dest] = [convert(arg, t, arg.name.upper()) for t in taken]
        elif remaining and (arg.nargs == 1 or len(remaining) > later_required):
            inv.values[arg.dest] = convert(arg, remaining.pop(0), arg.name.upper())
        elif arg.nargs == 1:
            raise UsageError(f"missing argument {arg.name.upper()}", hint=f"usage: {usage.strip()}")
        else:
            inv.values[arg.dest] = None
    if remaining:
        raise UsageError(
            f"unexpected argument {remaining[0]!r} for `flext {node.command}`",
            hint=f"usage: {usage.strip()}" + ("  (quote values that contain spaces)" if node.args else ""),
        )
    return inv


__all__ = ["Invocation", "parse"]
