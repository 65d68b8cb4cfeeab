"""What kind of thing to suggest at the cursor: a pure function of the text and the tree.

Split from "which names exist" (names.py), as pgcli splits `suggest_type` from its
metadata refresher: this part is cheap, deterministic and tested without a terminal.
"""

from __future__ import annotations

from flext.repl import builtins
from flext.repl.words import Word, split_partial
from flext.router.aliases import prefix
from flext.router.scan import FREE as FREE_WORD
from flext.router.scan import UNKNOWN, Scan, arg_at, find_long, scan
from flext.router.spec import Arg, Node, Opt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["COMMAND", "FREE", "NONE", "OPTION", "VALUE", "Want", "analyze", "read"]

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


def _expander(aliases: Mapping[str, str] | None) -> Callable[[str], list[str] | None] | None:
    if not aliases:
        return None

    def expand(word: str) -> list[str] | None:
        return prefix(aliases[word]) if word in aliases else None

    return expand


def read(text: str, root: Node, aliases: Mapping[str, str] | None = None, *, last: bool = False) -> tuple[Scan, list[Word], Word]:
    """Scan the words of `text` (the one scanner) with the shell's own words and aliases.
    `last`: include the word being typed."""
    words, current = split_partial(text)
    if last and (current.value or current.quoted):
        words = [*words, current]
    scanned = scan([w.value for w in words], root, partial=True, quoted=[w.quoted for w in words],
                   extra=builtins.BUILTINS, expand=_expander(aliases))
    return scanned, words, current


def analyze(text: str, root: Node, aliases: Mapping[str, str] | None = None) -> Want:
    """Decide what to suggest for the text before the cursor."""
    scanned, words, current = read(text, root, aliases)
    node = scanned.node
    for token in scanned.tokens:
        if token.kind == FREE_WORD:
            return Want(FREE, root, current)
        if token.kind == UNKNOWN and not token.text.startswith("-"):
            return Want(NONE, node, current)
    positionals = len(scanned.positionals)
    want: Want
    prefix_ = current.value
    option_like = prefix_.startswith("-") and not current.quoted and not scanned.end and not scanned.rest
    if scanned.pending is not None:
        want = Want(VALUE, node, current)
        want.opt = scanned.pending
    elif option_like and prefix_.startswith("--") and "=" in prefix_:
        opt = find_long(node, prefix_[2:].partition("=")[0])
        if opt is None or opt.flag:
            return Want(NONE, node, current)
        name = prefix_.partition("=")[0]
        want = Want(VALUE, node, Word(prefix_[len(name) + 1:], current.start + len(name) + 1, current.end, False))
        want.opt = opt
    elif option_like:
        want = Want(OPTION, node, current)
    elif scanned.greedy is not None:
        want = Want(VALUE, node, current)
        want.opt = scanned.greedy
    elif node.children and positionals == 0 and not scanned.end and not scanned.rest:
        want = Want(COMMAND, node, current)
        if node.runnable:
            want.arg = arg_at(node, 0)
    elif node.runnable or node is root:
        want = Want(VALUE, node, current)
        want.arg = arg_at(node, positionals)
    else:
        return Want(NONE, node, current)
    want.used = {o.name for o in scanned.used}
    want.args_given = positionals
    want.words = [w.value for w in words]
    return want
