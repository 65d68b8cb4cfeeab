"""What a command's hints (`flext.router.spec.Hints`) read from a line besides its first argument.

Flags set by words (`clear the orders state`: --clear), options after a cue word (`based
on staging`: --from staging) or from a name of their kind anywhere (`from tap-csv`:
--tap), and the second argument after its cue (`config set output to json`).
"""

from __future__ import annotations

from flext.router.nl import words as W
from flext.router.nl.names import KINDS, first_shaped

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.nl.candidate import Candidate
    from flext.router.nl.text import Text
    from flext.router.nl.tok import Tok

__all__ = ["hinted"]


def hinted(cand: Candidate, text: Text) -> None:
    """What a command's hints say besides its first argument: flags, cued options, a second value."""
    rule, node, toks = cand.rule, cand.node, text.toks
    said = text.verbs | {t.low for t in toks if t.word and t.index not in text.named}
    for name, words in rule.flags:  # `clear the orders state`: --clear
        if said & words:
            cand.argv.append(f"--{name}")
            cand.destructive = cand.destructive or name in W.DESTRUCTIVE
    cued: list[tuple[str, frozenset[str], str | None]] = []
    for name, cues in rule.opts:
        opt = node.find_opt(name)
        kind = opt.completer if opt is not None else None
        if cues:
            cued.append((name, cues, kind))
            continue
        # no cue: a name of the option's kind anywhere (`from tap-csv to target-jsonl`: --tap, --target)
        ents = text.ents_of(kind) if kind else []
        shaped = first_shaped(toks, kind) if kind else None
        value = ents[0].name if ents else shaped.text if shaped is not None else None
        if value:
            cand.argv += [f"--{name}", value]
            cand.used_kinds.add(kind or "")
            cand.score += 0.5
    filled: set[str] = set()
    for i, t in enumerate(toks):  # a cue, then the value: `based on staging`, `containing deploy`
        for name, cues, kind in cued:
            if name in filled or t.low not in cues:
                continue
            if kind in KINDS:
                ent = next((e for e in text.ents if e.kind == kind and i < e.start <= i + 3
                            and not cand.taken & set(range(e.start, e.end))), None)
                if ent is None:
                    continue
                cand.argv += [f"--{name}", ent.name]
                cand.used_kinds.add(kind)
                cand.taken.update(range(ent.start, ent.end))
            elif i + 1 < len(toks) and toks[i + 1].unknown:
                cand.argv += [f"--{name}", toks[i + 1].text]
                cand.taken.add(i + 1)
            else:
                continue
            filled.add(name)
    if rule.then:
        _second(cand, text, rule.then)


def _second(cand: Candidate, text: Text, cues: frozenset[str]) -> None:
    """The second argument after its cue (`config set output to json`, `alias set st for "..."`)."""
    second = cand.node.args[1] if len(cand.node.args) > 1 else None
    if second is not None and (second.nargs in ("+", "*") or second.rest):
        rest = cand.slots.quoted[0] if cand.slots.quoted else _rest_after(text.toks, cues)
        if rest:
            cand.argv.append(rest)
        else:
            cand.complete = False
        return
    given = _value_after(text.toks, cues)
    if given is None:
        cand.complete = False
        return
    cand.argv.append(given.text)
    cand.taken.add(given.index)
    if given.format is not None:
        cand.slots.format = None
    if given.number is not None:
        cand.slots.count = None


def _value_after(toks: list[Tok], words: frozenset[str]) -> Tok | None:
    for i, t in enumerate(toks[:-1]):
        if t.low in words:
            nxt = toks[i + 1]
            if nxt.low in ("a", "the") and i + 2 < len(toks):
                nxt = toks[i + 2]
            return nxt
    return None


def _rest_after(toks: list[Tok], words: frozenset[str]) -> str | None:
    for i, t in enumerate(toks[:-1]):
        if t.low in words:
            rest = [x.text for x in toks[i + 1:] if not x.stop]
            return " ".join(rest) or None
    return None
