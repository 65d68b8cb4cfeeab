"""The one argv scanner: words -> tokens, read against the command tree.

Parsing, shell completion, the shell's analysis and colouring, alias expansion, the
free-text reader and the early global options all read a line through `scan`, so `--`,
`-n5`, `--tail=5`, short clusters (`-yq`), greedy options (`--select a b c`) and rest
arguments (`flext explain history -n 5`) mean the same thing everywhere.

`scan(words, partial=False)` raises the first `UsageError` (unknown option, unknown
command, an option without its value): that is what the parser wants. With
`partial=True` it never raises: problems are kept on the tokens and the scan ends in a
state that says what may come next (an option waiting for its value, a greedy option
still taking words, after `--`, inside a rest argument, free text). Binding positional
words to arguments and converting values stays with the parser.
"""

from __future__ import annotations

from flext.core.errors import UsageError
from flext.router.spec import GLOBAL_OPTS, Arg, Node, Opt, tree

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

__all__ = [
    "ALIAS",
    "COMMAND",
    "END",
    "FREE",
    "OPTION",
    "POSITIONAL",
    "REST",
    "UNKNOWN",
    "VALUE",
    "Scan",
    "Token",
    "arg_at",
    "command_path",
    "find_long",
    "find_short",
    "first_word",
    "is_global",
    "looks_negative_number",
    "scan",
    "scan_free",
    "slot",
]

COMMAND = "command"  # a word that names a child of the node reached so far
OPTION = "option"  # `--name`, `--name=value`, `-x`, `-xyz`, `-n5` (the options it names are in .opts)
VALUE = "value"  # the word after an option that takes one (or more, for greedy options)
POSITIONAL = "positional"  # an argument of the command reached
END = "end"  # `--`: no options after it
REST = "rest"  # a word inside a rest argument: taken as it is, options included
ALIAS = "alias"  # a user alias in command position (its expansion follows, spliced in)
FREE = "free"  # free text: the first command word is not a command (or a word after it)
UNKNOWN = "unknown"  # an unknown option, or an unknown subcommand of a group

_MAX_EXPANSIONS = 16


class Token:
    """One word as the scanner read it.

    `index` is the word's position in the scanned words (-1 for words spliced in from an
    alias's expansion); `node` is the command in effect (for COMMAND, the node it names);
    `opts` the options an OPTION names (several for a cluster); `opt` the option a VALUE
    belongs to, or the one of an OPTION that takes a value; `value` an attached value
    (`--tail=5`, `-n5`); `arg` the argument a POSITIONAL or REST word fills.
    """

    __slots__ = ("arg", "index", "kind", "node", "opt", "opts", "problem", "text", "value")

    def __init__(self, index: int, text: str, kind: str, node: Node) -> None:
        self.index = index
        self.text = text
        self.kind = kind
        self.node = node
        self.opts: tuple[Opt, ...] = ()
        self.opt: Opt | None = None
        self.value: str | None = None
        self.arg: Arg | None = None
        self.problem: UsageError | None = None

    def __repr__(self) -> str:
        extra = f" opt={self.opt.name}" if self.opt else ""
        return f"Token({self.index}, {self.text!r}, {self.kind}{extra})"


class Scan:
    """The tokens, and the state the words led to (what may come next)."""

    __slots__ = ("end", "free", "greedy", "node", "pending", "positionals", "problems", "rest", "root", "tokens",
                 "used")

    def __init__(self, root: Node) -> None:
        self.root = root
        self.node = root  # the command reached
        self.tokens: list[Token] = []
        self.positionals: list[str] = []
        self.pending: Opt | None = None  # an option whose value comes next
        self.greedy: Opt | None = None  # a greedy option still taking words
        self.end = False  # after `--`
        self.rest = False  # inside a rest argument
        self.free = False  # the line is free text
        self.used: list[Opt] = []  # options named so far, in order
        self.problems: list[UsageError] = []

    @property
    def error(self) -> UsageError | None:
        """The first problem, as the parser would raise it."""
        return self.problems[0] if self.problems else None

    def of(self, kind: str) -> list[Token]:
        return [t for t in self.tokens if t.kind == kind]

    def globals(self) -> dict[str, object]:
        """Global flags and values named on the line (raw strings; flags True)."""
        found: dict[str, object] = {}
        for token in self.tokens:
            if token.kind == OPTION:
                for opt in token.opts:
                    if is_global(opt) and opt.flag:
                        found[opt.dest] = True
                if token.opt is not None and is_global(token.opt) and token.value is not None:
                    found[token.opt.dest] = token.value
            elif token.kind == VALUE and token.opt is not None and is_global(token.opt):
                found[token.opt.dest] = token.text
        return found


def is_global(opt: Opt) -> bool:
    return any(opt is g for g in GLOBAL_OPTS)


def find_long(node: Node, name: str) -> Opt | None:
    """`--name`: the command's own option, else a global one."""
    return node.find_opt(name) or next((o for o in GLOBAL_OPTS if o.name == name), None)


def find_short(node: Node, letter: str) -> Opt | None:
    """`-x`: the command's own option, else a global one."""
    return node.find_short(letter) or next((o for o in GLOBAL_OPTS if o.short == letter), None)


def looks_negative_number(token: str) -> bool:
    return len(token) > 1 and token[0] == "-" and token[1:].replace(".", "", 1).isdigit()


def _option_like(token: str) -> bool:
    return token.startswith("-") and len(token) > 1 and not looks_negative_number(token)


def slot(node: Node, index: int) -> tuple[Arg, int] | None:
    """The argument that the `index`-th positional word of `node` fills, and the index of
    the first word it takes (a '+'/'*' argument takes every later word)."""
    for start, arg in enumerate(node.args):
        if arg.nargs in ("+", "*") or index == start:
            return arg, start
    return None


def arg_at(node: Node, index: int) -> Arg | None:
    """The argument that the `index`-th positional word of `node` fills."""
    found = slot(node, index)
    return found[0] if found else None


def scan(
    words: Sequence[str],
    root: Node | None = None,
    *,
    partial: bool = False,
    quoted: Sequence[bool] | None = None,
    extra: Mapping[str, Node] | None = None,
    expand: Callable[[str], list[str] | None] | None = None,
) -> Scan:
    """Read `words` against the tree.

    quoted: per word, True when the user quoted it (never an option or a command word).
    extra: words that exist only at the root of this reader (the shell's `use`, `exit`);
        they win over the tree's.
    expand: a user alias's words for a root word that is no command, or None; the
        expansion is spliced in and read as if typed (tokens with index -1).
    """
    root = root or tree()
    st = Scan(root)
    queue: list[tuple[int, str, bool]] = [
        (i, w, bool(quoted[i]) if quoted is not None and i < len(quoted) else False) for i, w in enumerate(words)
    ]
    expansions = 0

    def add(index: int, text: str, kind: str) -> Token:
        token = Token(index, text, kind, st.node)
        st.tokens.append(token)
        return token

    def problem(token: Token, exc: UsageError) -> None:
        token.problem = exc
        if not partial:
            raise exc
        st.problems.append(exc)

    i = 0
    while i < len(queue):
        index, word, lit = queue[i]
        i += 1
        if st.rest:
            token = add(index, word, REST)
            token.arg = st.node.args[-1] if st.node.args else None
            st.positionals.append(word)
            continue
        if st.pending is not None:
            opt = st.pending
            st.pending = None
            if lit or not _option_like(word):
                token = add(index, word, VALUE)
                token.opt = opt
                if opt.greedy:
                    st.greedy = opt
                continue
            spelled = f"--{opt.name}"
            missing = UsageError(f"option {spelled} needs a value", hint=f"pass it as {spelled} {opt.metavar or 'VALUE'}")
            problem(st.tokens[-1], missing)
        if not lit and not st.end and word == "--":
            add(index, word, END)
            st.end = True
            st.greedy = None
            continue
        if not lit and not st.end and _option_like(word):
            st.greedy = None
            _read_option(st, add(index, word, OPTION), problem)
            continue
        if st.greedy is not None:
            token = add(index, word, VALUE)
            token.opt = st.greedy
            continue
        if st.free:
            add(index, word, FREE)
            continue
        node = st.node
        if not st.positionals and not st.end and not lit and (node.children or node is root):
            child = (extra.get(word) if extra and node is root else None) or node.child(word)
            if child is not None:
                st.node = child
                add(index, word, COMMAND)
                continue
            if node is root:
                spliced = expand(word) if expand is not None and expansions < _MAX_EXPANSIONS else None
                if spliced is not None:
                    expansions += 1
                    add(index, word, ALIAS)
                    queue[i:i] = [(-1, w, False) for w in spliced]
                    continue
                token = add(index, word, FREE)
                st.free = True
                problem(token, _errors().unknown_command(root, word, [w for _, w, _ in queue[i:]]))
                continue
            if not node.runnable:
                problem(add(index, word, UNKNOWN), _errors().unknown_subcommand(node, word))
                continue
        arg = arg_at(node, len(st.positionals))
        starts_rest = arg is not None and arg.rest and node.runnable
        token = add(index, word, REST if starts_rest else POSITIONAL)
        token.arg = arg
        st.positionals.append(word)
        st.rest = starts_rest
    if st.pending is not None and not partial:
        opt = st.pending
        spelled = f"--{opt.name}"
        raise UsageError(f"option {spelled} needs a value", hint=f"pass it as {spelled} {opt.metavar or 'VALUE'}")
    return st


def _read_option(st: Scan, token: Token, problem: Callable[[Token, UsageError], None]) -> None:
    """An option word: `--name[=value]`, or a cluster of short ones (`-yq`, `-n5`, `-ojson`)."""
    word = token.text
    if word.startswith("--"):
        name, eq, inline = word[2:].partition("=")
        opt = find_long(st.node, name)
        if opt is None:
            token.kind = UNKNOWN
            problem(token, _errors().unknown_option(st.node, st.root, f"--{name}"))
            return
        token.opts = (opt,)
        st.used.append(opt)
        if eq:
            token.value = inline
        if not opt.flag:
            token.opt = opt
            if not eq:
                st.pending = opt
        return
    letters = word[1:]
    found: list[Opt] = []
    for pos, letter in enumerate(letters):
        opt = find_short(st.node, letter)
        if opt is None:
            token.kind = UNKNOWN
            token.opts = tuple(found)
            problem(token, _errors().unknown_option(st.node, st.root, f"-{letter}"))
            return
        found.append(opt)
        st.used.append(opt)
        if opt.flag:
            continue
        token.opt = opt
        attached = letters[pos + 1:].removeprefix("=")
        if attached:
            token.value = attached
        else:
            st.pending = opt
        break
    token.opts = tuple(found)


def _errors() -> Any:
    """The did-you-means of a strict scan, imported only when a line has a mistake."""
    from flext.router import suggestions

    return suggestions


def first_word(args: Sequence[str]) -> int | None:
    """Index of the first command word, skipping global options and their values."""
    for token in scan(args, partial=True).tokens:
        if token.index >= 0 and token.kind not in (OPTION, VALUE, END, UNKNOWN):
            return token.index
    return None


def scan_free(words: Sequence[str]) -> Scan:
    """Read `words` as free text: only global options (and `--`) are options; the rest are
    FREE words, or UNKNOWN options. For the words after an alias and for free text."""
    return scan(words, Node("", ""), partial=True)


def command_path(line: str) -> str:
    """The command path a typed line names (`pipeline start`), or its first word when it
    names none (free text, an alias): for timing old history entries by command."""
    import shlex

    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    st = scan(words, partial=True)
    if st.node.parent is not None:
        return st.node.command
    first = next((t.text for t in st.tokens if t.kind not in (OPTION, VALUE, END, UNKNOWN)), None)
    return first or ""
