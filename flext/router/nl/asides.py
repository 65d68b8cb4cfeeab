"""Clauses that ask for nothing, beside one that does: dropped before reading the line."""

from __future__ import annotations

from flext.router.nl.tok import Tok

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["drop_filler"]

_ASIDES = frozenset(("if", "when", "whenever", "once", "while", "sorry", "thanks", "thank", "hi", "hello", "hey"))


def drop_filler(toks: list[Tok], is_name: Callable[[str], bool]) -> list[Tok]:
    """Clauses that ask for nothing, beside one that does: `when you have a moment, show the
    audit log`, `thanks in advance, could you ...`, `if it is not too much trouble, start
    orders`; and a relative clause that only describes (`the profiles that exist`).

    A clause is dropped only when it holds no verb, status, number, name or quoted text, and
    opens with `if`/`when`/`sorry`/`thanks`... (or holds stop words only). The
    negation in a dropped aside (`if it is not too much trouble`) goes with it.
    """
    clauses: list[list[Tok]] = [[]]
    for tok in toks:
        clauses[-1].append(tok)
        if tok.end:
            clauses.append([])
    clauses = [c for c in clauses if c]

    def says(tok: Tok) -> bool:
        return bool(tok.verbs or tok.health or tok.status or tok.number is not None or not tok.word
                    or tok.cmd or (tok.made and not tok.stop) or (tok.unknown and is_name(tok.low)))

    def empty(clause: list[Tok]) -> bool:
        if any(says(t) for t in clause):
            return False
        return clause[0].low in _ASIDES or all(t.stop for t in clause)

    if len(clauses) > 1:
        kept = [c for c in clauses if not empty(c)]
        if kept and any(any(says(t) or t.noun for t in c) for c in kept):
            toks = [t for c in kept for t in c]
    for i in range(1, len(toks) - 1):  # `the profiles that exist`: a relative clause at the end
        if toks[i].low in ("that", "which", "who") and toks[i - 1].noun and not toks[i - 1].end:
            rest = toks[i + 1:]
            if not any(says(t) or t.noun or t.neg for t in rest) and sum(1 for t in rest if t.unknown) <= 1:
                return toks[:i]
    return toks
