"""The rules one tree answers to, built once per tree and kept while the tree lives.

A rule from the hints each command declares on its node (`rules`), and a rule derived
from every other runnable command (`derive`): plugin commands first of all, so enabling,
installing or disabling a plugin changes what free text can ask for. A tree is
assembled once per process and rebuilt on a plugin change (`reset_tree`), so the
grammar is cached by the identity of its root: the REPL reads the line on every
keystroke and must not walk the tree each time.
"""

from __future__ import annotations

from flext.router.nl import words as W
from flext.router.nl.derive import Derived
from flext.router.nl.rules import Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.nl.tok import Tok
    from flext.router.spec import Node

__all__ = ["Grammar", "grammar", "mark"]

_KEEP = 4  # trees remembered (the live one, and a few a test or the shell just replaced)
_CACHE: list[tuple[Node, Grammar]] = []


class Grammar:
    """Rules with their nodes, rare verbs, and the tree's own command words."""

    __slots__ = ("derived", "fixed", "groups", "specific", "verbs", "words")

    def __init__(self, fixed: list[tuple[Rule, Node]], derived: list[tuple[Derived, Node]]) -> None:
        self.fixed = fixed
        self.derived = derived
        count: dict[str, int] = {}
        for rule, _node in [*fixed, *derived]:
            for verb in rule.verbs:
                count[verb] = count.get(verb, 0) + 1
        self.specific = {verb for verb, n in count.items() if n <= 2}  # verbs at most two commands answer to
        # command words our vocabulary lacks (`deploy`, `greet`): verbs of the commands they end
        self.verbs: dict[str, tuple[str, ...]] = {}
        # plugins' group words our vocabulary lacks (`gruponos`, `oud`): they name commands, not things
        # (flext's own group words, `user`, `schedule`, stay plain words: they are names too)
        self.groups: set[str] = set()
        # every word of the tree's commands (and its plural): never taken for a typo of ours
        self.words = {form for _rule, node in [*fixed, *derived] for word in node.path for form in (word, word + "s")}
        for rule, node in derived:
            if rule.leaf not in W.VERBS:
                for form in rule.forms:
                    self.verbs.setdefault(form, (rule.leaf,))
            for form in rule.said - W.VERBS.keys():  # a plugin's own words for its command (`mail`)
                self.verbs.setdefault(form, tuple(sorted(rule.verbs)))
            for names, kind in rule.groups if node.plugin else ():
                if kind is None:
                    self.groups.update(names)


def _hidden(node: Node) -> bool:
    up: Node | None = node
    while up is not None:
        if up.hidden:
            return True
        up = up.parent
    return False


def build(root: Node) -> Grammar:
    """A rule for every runnable command: from its hints, or derived from its words."""
    fixed: list[tuple[Rule, Node]] = []
    derived: list[tuple[Derived, Node]] = []
    for node in root.walk():
        if node.parent is None or not node.runnable:
            continue
        if node.hints is not None and node.plugin is None:
            fixed.append((Rule.of(node), node))
        elif not _hidden(node):
            derived.append((Derived(node), node))
    return Grammar(fixed, derived)


def grammar(root: Node) -> Grammar:
    """The grammar of this tree (built on first use)."""
    for known, found in _CACHE:
        if known is root:
            return found
    made = build(root)
    _CACHE.insert(0, (root, made))
    del _CACHE[_KEEP:]
    return made


def mark(toks: list[Tok], found: Grammar) -> None:
    """Give the tree's own command words their role: `deploy` a verb, `gruponos` a group word."""
    for t in toks:
        if t.unknown:
            verbs = found.verbs.get(t.low)
            if verbs:
                t.verbs = verbs
            elif t.low in found.groups:
                t.cmd = True
