"""Which command a reading of free text points at: one rule per command, made from the tree.

A command declares how free text asks for it on its node (`Node.hints`, see
`flext.router.spec.Hints`): the verbs that ask for it, the kinds of thing it is about,
and what its first argument names (the `completer` kind of the argument, e.g.
`pipelines`, unless the hints say it names a new thing). `Rule.of(node)` reads them.
Scoring rewards a matching verb, a matching noun, a name that exists as the right kind
of thing, and option values the command can take; it penalises names of other kinds
and values it cannot take. So `logs of flexcore` reads as `service logs` when flexcore
is a service and `pipeline logs` when it is a pipeline. A command without hints (a
plugin's) gets a rule derived from its words (`derive`).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.spec import Node

__all__ = ["Rule"]

_NEED = {1: "one", "+": "many"}  # nargs -> how many names the command takes ('?', '*': opt)


def _words(table: dict[str, str] | None) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((name, frozenset(words.split())) for name, words in (table or {}).items())


class Rule:
    """One command the parser can produce."""

    __slots__ = ("arg", "flags", "implied", "implies", "kinds", "need", "new", "opts", "path", "prior", "then",
                 "verbs")

    def __init__(
        self,
        path: str,
        verbs: str,
        kinds: str,
        arg: str | None = None,
        *,
        need: str = "",
        new: bool = False,
        implied: str = "",
        prior: float = 0.0,
    ) -> None:
        self.path = path
        self.verbs = frozenset(verbs.split())
        self.kinds = frozenset(kinds.split())
        self.arg = arg  # entity kind of the first argument (a `completer` name)
        self.need = need  # one | many | opt | query | "" (no argument)
        self.new = new  # the argument names a new thing (`create ... called X`)
        self.implied = frozenset(implied.split())  # nouns that ask for it alone (`history`, `flexcore logs`)
        self.prior = prior  # breaks ties between rules that read the same
        self.flags: tuple[tuple[str, frozenset[str]], ...] = ()  # option -> words that set it
        self.opts: tuple[tuple[str, frozenset[str]], ...] = ()  # option -> cue words before its value
        self.then: frozenset[str] = frozenset()  # cue words before the second argument's value
        self.implies: frozenset[str] = frozenset()  # slots the command answers by what it is

    @classmethod
    def of(cls, node: Node) -> Rule:
        """The rule a node's hints declare; its argument comes from the node's own first argument."""
        hints = node.hints
        assert hints is not None
        first = node.args[0] if node.args else None
        arg = hints.new or (first.completer if first is not None else None)
        need = hints.need
        if need is None:
            need = "" if arg is None or first is None else _NEED.get(first.nargs, "opt")
        rule = cls(node.command, hints.verbs, hints.about, arg if need else None, need=need, new=bool(hints.new),
                   implied=hints.alone, prior=hints.prior)
        rule.flags = _words(hints.flags)
        rule.opts = _words(hints.opts)
        rule.then = frozenset(hints.then.split())
        rule.implies = frozenset(hints.implies.split())
        return rule

    def __repr__(self) -> str:
        return f"Rule({self.path!r})"
