"""argv -> Invocation, read from the command tree.

Global options go before or after the command words; `--opt=v`, `--opt v`, `-o json`,
combined short flags (`-yq`), `--` ends options; typed values; required arguments.
Every mistake is a UsageError (exit 2) with a did-you-mean where one helps.
"""

from __future__ import annotations

from flext.core.errors import UsageError
from flext.router.scan import COMMAND, OPTION, POSITIONAL, REST, VALUE, is_global, scan
from flext.router.spec import GLOBAL_OPTS, Node, Opt, tree
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


def _global(dest: str) -> Opt:
    return next(o for o in GLOBAL_OPTS if o.dest == dest)


def parse(argv: Sequence[str], root: Node | None = None) -> Invocation:
    """Scan `argv` (raising the scanner's first usage error), then bind and convert values."""
    root = root or tree()
    inv = Invocation(root)
    inv.argv = list(argv)
    st = scan(argv, root)
    node = st.node
    raw_values: dict[str, list[str]] = {}
    flags: dict[str, bool] = {}
    explicit: list[str] = []

    def record(opt: Opt, values: list[str]) -> None:
        key = ("g:" if is_global(opt) else "") + opt.dest
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

    positionals: list[str] = []
    for token in st.tokens:
        if token.kind == COMMAND:
            inv.words.append(token.text)
        elif token.kind == OPTION:
            for opt in token.opts:
                if opt.flag:
                    if token.value is None or convert(opt, token.value, f"--{opt.name}"):
                        record(opt, [])
                elif token.value is not None:
                    record(opt, [token.value])
                else:  # its value is the next token
                    key = ("g:" if is_global(opt) else "") + opt.dest
                    if key not in explicit:
                        explicit.append(key)
        elif token.kind == VALUE and token.opt is not None:
            record(token.opt, [token.text])
        elif token.kind in (POSITIONAL, REST):
            positionals.append(token.text)

    inv.node = node
    inv.help = bool(flags.get("g:help"))
    for key, value in flags.items():
        if key.startswith("g:"):
            inv.globals[key[2:]] = value
    for key, raws in raw_values.items():
        if key.startswith("g:"):
            opt = _global(key[2:])
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
    _bind(inv, node, positionals)
    return inv


def _bind(inv: Invocation, node: Node, positionals: list[str]) -> None:
    """Positional words -> the command's arguments (a '+'/'*' argument leaves room for later required ones)."""
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


__all__ = ["Invocation", "parse"]
