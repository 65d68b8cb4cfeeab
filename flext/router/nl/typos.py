"""Typos of flext's own words: `restrat grafana`, `lsit services`, `sevrice health`, `dash`."""

from __future__ import annotations

from flext.router.nl import words as W
from flext.router.nl.tok import Tok, classify

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["correct"]

_VERBISH: list[str] = []
_NOUNISH: list[str] = []
_KEEP = frozenset(("half", "past", "last", "ago", "latest", "recent", "since", "within", "today", "yesterday",
                   "tonight", "month", "months", "line", "lines", "entries", "entry", "kind", "kinds"))


def _vocabulary(verbs: bool) -> list[str]:
    """Words a typo may stand for (verbs and health words, or nouns); never one that deletes."""
    if not _VERBISH:
        # not statuses: a status alone reads as a whole command (`greet` is no typo of `green`)
        for words, into in (([*W.VERBS, *sorted(W.HEALTH)], _VERBISH), (list(W.NOUNS), _NOUNISH)):
            into.extend(w for w in dict.fromkeys(words) if w not in W.DESTRUCTIVE and len(w) >= 4)
    return _VERBISH if verbs else _NOUNISH


def correct(toks: list[Tok], is_name: Callable[[str], bool]) -> None:
    """Typos of our own words where the line lacks one: `lsit services` has no verb, so
    `lsit` is list; `show secretes` has no noun, so `secretes` is secrets; `dash` alone is
    the dashboard. One edit away or the start of the word; never a name or a typo of one
    (names keep their own typos), never a word of time or counting (`half an hour`), never
    a word that deletes (`clean` stays a word we do not know); the first letter stays and
    the word it becomes has four letters or more (`send` is no typo of `end`).
    """
    from flext.core.suggest import similar

    verbless = not any(t.verbs or t.health for t in toks)
    nounless = not any(t.noun for t in toks)
    if not (verbless or nounless):
        return
    prev: Tok | None = None
    for tok in toks:
        low = tok.low
        if (tok.unknown and len(low) >= 4 and low.isalpha() and low not in _KEEP and low not in W.TIME_UNITS
                and low not in W.NUMBERS and not is_name(low)):
            words = (_vocabulary(True) if verbless else []) + (_vocabulary(False) if nounless else [])
            guess = similar(low, [w for w in words if w[0] == low[0]], limit=1)  # a typo keeps its first letter
            if guess:
                tok.low = guess[0]
                classify(tok, prev)
                verbless = verbless and not (tok.verbs or tok.health)
                nounless = nounless and not tok.noun
        prev = tok
