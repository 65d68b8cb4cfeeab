"""The first argument of a command read from a line: names that exist, `called X`, a word
beside the noun of its kind, a query to search for.

A word taken as a name that exists nowhere (`start the payments pipeline`) is noted on
the candidate (`missing`): the reader then runs nothing and names the closest ones.
"""

from __future__ import annotations

from flext.router.nl.names import first_shaped, guess_kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.nl.candidate import Candidate
    from flext.router.nl.names import Ent
    from flext.router.nl.rules import Rule
    from flext.router.nl.text import Text
    from flext.router.nl.tok import Tok

__all__ = ["fill", "unknown_name"]


def _near(text: Text, rule: Rule, cand: Candidate) -> tuple[Tok, bool] | None:
    """An unknown word next to a noun of the rule (`the foo pipeline`, `logs of foo`).

    The flag says whether that noun names the argument's own kind (`pipeline` for
    pipelines): then the word surely is one; next to `logs` it may be anything.
    """
    own = (rule.arg or "").rstrip("s")
    found: tuple[Tok, bool] | None = None
    for t in text.toks:
        if t.noun and t.noun in rule.kinds:
            for k in (t.index - 1, t.index + 1, t.index - 2, t.index + 2):
                nxt = text.toks[k] if 0 <= k < len(text.toks) else None
                if nxt is not None and nxt.unknown and not nxt.used and not nxt.ent and k not in cand.taken:
                    if t.noun == own:
                        return nxt, True
                    found = found or (nxt, False)
                    break
    return found


def fill(cand: Candidate, text: Text) -> tuple[list[str], float]:
    """The argument values for a rule, and how well they fit (0: none)."""
    rule = cand.rule
    if rule.need == "query":
        return _query(cand, text)
    if not rule.arg:
        return [], 0.0
    ents = text.ents_of(rule.arg)
    if ents and not rule.new:
        cand.used_kinds.add(rule.arg)
        chosen = sorted(ents, key=lambda e: e.start) if rule.need == "many" else [
            max(ents, key=lambda e: (e.score, -e.start))]
        for e in chosen:  # the words are this name here: the same words as a name of another kind are not
            cand.taken.update(range(e.start, e.end))
        if rule.need == "many":  # `start payments and orders`: payments is meant as one of them too
            for tok in _listed(text, chosen):
                cand.taken.add(tok.index)
                unknown_name(cand, text, tok.text)
        return list(dict.fromkeys(e.name for e in chosen)), 2.0 * min(e.score for e in chosen)
    if cand.slots.name:
        if ents:
            cand.used_kinds.add(rule.arg)
        unknown_name(cand, text, cand.slots.name)
        return [cand.slots.name], 2.0 if rule.new else 1.5
    near = _near(text, rule, cand)
    if near is not None:
        tok, own = near
        cand.taken.add(tok.index)
        unknown_name(cand, text, tok.text)
        if own or rule.new:
            return [tok.text], 1.5
        return [tok.text], 1.2 if guess_kind(tok.low) == rule.arg else 0.1
    loose = text.unknown(cand.taken)
    shaped = first_shaped(text.toks, rule.arg)
    if shaped is not None:  # `install tap-foo`: a name shaped like its kind
        cand.taken.add(shaped.index)
        cand.used_kinds.add(rule.arg)
        return [shaped.text], 2.0
    if loose and (rule.need in ("one", "many") or (rule.need == "opt" and (
            guess_kind(loose[0].low) == rule.arg or _subject(text, loose[0])))):
        cand.taken.add(loose[0].index)
        if rule.new:
            return [loose[0].text], 0.6
        unknown_name(cand, text, loose[0].text)
        # a name nothing has: guess what it is by its shape (`flexcore` a service, `sales` a pipeline)
        return [loose[0].text], 1.2 if guess_kind(loose[0].low) == rule.arg else 0.3
    if ents and rule.new:
        cand.used_kinds.add(rule.arg)
        return [ents[0].name], 0.5
    return [], 0.0


def _listed(text: Text, ents: list[Ent]) -> list[Tok]:
    """Unknown words listed with names (`payments and orders`, `orders, payments`)."""
    toks, spans = text.toks, {k for e in ents for k in range(e.start, e.end)}
    found: list[Tok] = []
    for tok in text.unknown(set()):
        for step in (-1, 1):
            link = tok.index + step
            other = link + step
            if 0 <= other < len(toks) and other in spans and toks[link].low in ("and", "or", "&"):
                found.append(tok)
                break
            if 0 <= link < len(toks) and link in spans and (toks[min(tok.index, link)].end):
                found.append(tok)  # `orders, payments`
                break
    return found


def _subject(text: Text, tok: Tok) -> bool:
    """Is the word what a health or status question is about (`is elasticsearch up`, `orders
    failing?`, `status of reporting`)?"""
    toks, i = text.toks, tok.index
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is not None and (nxt.health or nxt.status is not None):
        return True
    if i >= 1 and set(toks[i - 1].verbs) & {"status", "health"}:
        return True  # `status of reporting` (one word: `status`)
    return i >= 2 and toks[i - 1].low in ("of", "for", "on") and bool(toks[i - 2].verbs or toks[i - 2].health)


def unknown_name(cand: Candidate, text: Text, word: str) -> None:
    """Note a value that names no existing thing of the argument's kind (`start payments`)."""
    if not cand.rule.new and text.world.missing(cand.rule.arg, word):
        cand.missing.append((cand.rule.arg or "", word))


def _query(cand: Candidate, text: Text) -> tuple[list[str], float]:
    if cand.slots.quoted:
        return [cand.slots.quoted[0]], 1.5
    toks = text.toks
    for i, t in enumerate(toks[:-1]):
        if t.low in ("for", "containing", "matching", "about", "with", "mentioning") and toks[i + 1].word:
            nxt = toks[i + 1]
            if not nxt.stop and not nxt.noun and not nxt.used:
                cand.taken.add(nxt.index)
                return [nxt.text], 1.5
    loose = text.unknown(cand.taken)
    if loose:
        cand.taken.add(loose[0].index)
        return [loose[0].text], 0.8
    said = sorted(cand.rule.implied & text.kinds)
    if said:
        return [said[0]], 1.0  # `errors in the logs today`: the kind that asks for it alone is the query
    return [], 0.0
