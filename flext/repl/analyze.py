"""What kind of thing to suggest at the cursor: a pure function of the text and the tree.

Split from "which names exist" (names.py), as pgcli splits `suggest_type` from its
metadata refresher: this part is cheap, deterministic and tested without a terminal.
"""

from __future__ import annotations

from flext.repl import builtins
from flext.repl.words import Word, split_partial
from flext.router.spec import GLOBAL_OPTS, Arg, Node, Opt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["COMMAND", "FREE", "NONE", "OPTION", "VALUE", "Want", "analyze", "find_opt"]

COMMAND, OPTION, VALUE, FREE, NONE = "command", "option", "value", "free", "none"


class Want:
    """The answer: kind, the node reached, the word being typed and what it fills.

    kind COMMAND: a child of `node` (and, when `node` runs itself, its args/options);
    OPTION: an option of `node`; VALUE: a value for `opt`, or for `arg` (positional);
    FREE: the line is free text (first word is not a command); NONE: nothing to offer.
    """

    __slots__ = ("arg", "args_given", "back", "kind", "node", "opt", "prefix", "start", "used", "words")

    def __init__(self, kind: str, node: Node, word: Word) -> None:
        self.kind = kind
        self.node = node
        self.prefix = word.value  # what the user typed of the current word
        self.start = word.start  # where the current word starts in the text
        self.back = word.end - word.start  # characters of it before the cursor (to replace)
        self.opt: Opt | None = None
        self.arg: Arg | None = None
        self.used: set[str] = set()  # option names already on the line
        self.args_given = 0
        self.words: list[str] = []  # complete words before the cursor

    @property
    def missing_required(self) -> list[Arg]:
        """Required arguments not typed yet (offered first)."""
        out: list[Arg] = []
        given = self.args_given
        for arg in self.node.args:
            if arg.nargs in ("+", "*"):
                if arg.nargs == "+" and given == 0:
                    out.append(arg)
                given = 0
                continue
            if given > 0:
                given -= 1
            elif arg.required:
                out.append(arg)
        return out

    def __repr__(self) -> str:
        return f"Want({self.kind}, {self.node.command!r}, {self.prefix!r}, opt={self.opt and self.opt.name}, arg={self.arg and self.arg.name})"


def find_opt(node: Node, token: str) -> Opt | None:
    """The option a token spells (`--tail`, `--tail=5`, `-f`), in the node or global."""
    if token.startswith("--"):
        name = token[2:].partition("=")[0]
        return node.find_opt(name) or next((o for o in GLOBAL_OPTS if o.name == name), None)
    if token.startswith("-") and len(token) == 2:
        return node.find_short(token[1]) or next((o for o in GLOBAL_OPTS if o.short == token[1]), None)
    return None


def _options(node: Node, token: str, used: set[str]) -> Opt | None:
    """Note the options a token names; return the one still waiting for its value."""
    if token.startswith("--"):
        opt = find_opt(node, token)
        if opt is None:
            return None
        used.add(opt.name)
        return opt if not opt.flag and "=" not in token else None
    letters = token[1:]
    for pos, ch in enumerate(letters):
        opt = node.find_short(ch) or next((o for o in GLOBAL_OPTS if o.short == ch), None)
        if opt is None:
            return None
        used.add(opt.name)
        if not opt.flag:  # takes the rest of the cluster, or the next word
            return opt if pos == len(letters) - 1 else None
    return None


def _arg_at(node: Node, index: int) -> Arg | None:
    """The positional argument that the `index`-th positional word fills."""
    for seen, arg in enumerate(node.args):
        if arg.nargs in ("+", "*") or index == seen:
            return arg
    return None


def analyze(text: str, root: Node, aliases: Mapping[str, str] | None = None, *, depth: int = 0) -> Want:
    """Decide what to suggest for the text before the cursor."""
    words, current = split_partial(text)
    node = root
    pending: Opt | None = None  # an option waiting for its value
    used: set[str] = set()
    positionals = 0
    for word in words:
        token = word.value
        if pending is not None:
            pending = None
            continue
        if token.startswith("-") and len(token) > 1 and not word.quoted:
            pending = _options(node, token, used)
            continue
        if positionals == 0 and (node.children or node is root):
            child = builtins.child(root, token) if node is root else node.child(token)
            if child is not None:
                node = child
                continue
            if node is root:
                if aliases and token in aliases and depth < 8:
                    expanded = aliases[token] + " " + text[word.end:]
                    return analyze(expanded.lstrip(), root, aliases, depth=depth + 1)
                return Want(FREE, root, current)
            if not node.runnable:
                return Want(NONE, node, current)
        positionals += 1
    want: Want
    prefix = current.value
    if pending is not None:
        want = Want(VALUE, node, current)
        want.opt = pending
    elif prefix.startswith("--") and "=" in prefix and not current.quoted:
        opt = find_opt(node, prefix)
        if opt is None or opt.flag:
            return Want(NONE, node, current)
        name, _, value = prefix.partition("=")
        want = Want(VALUE, node, Word(value, current.start + len(name) + 1, current.end, False))
        want.opt = opt
    elif prefix.startswith("-") and not current.quoted:
        want = Want(OPTION, node, current)
    elif node.children and positionals == 0:
        want = Want(COMMAND, node, current)
        if node.runnable:
            want.arg = _arg_at(node, 0)
    elif node.runnable or node is root:
        want = Want(VALUE, node, current)
        want.arg = _arg_at(node, positionals)
    else:
        return Want(NONE, node, current)
    want.used = used
    want.args_given = positionals
    want.words = [w.value for w in words]
    return want
