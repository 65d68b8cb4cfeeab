"""Scoring a rule declared by a command's hints against one reading of a text.

`score` applies one rule to a `Text` and returns a `Candidate`: the command it would
run and how well the text supports it. It rewards a matching verb, a matching noun,
a name that exists as the right kind of thing and option values the command can take;
it penalises names of other kinds and values it cannot take.
"""

from __future__ import annotations

from flext.router.nl import words as W
from flext.router.nl.candidate import Candidate, options
from flext.router.nl.names import KINDS, first_shaped, guess_kind
from flext.router.nl.text import LOOKS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.nl.names import Ent
    from flext.router.nl.rules import Rule
    from flext.router.nl.text import Text
    from flext.router.nl.tokens import Tok
    from flext.router.spec import Node

__all__ = ["lost_names", "score"]


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


def _fill(cand: Candidate, text: Text) -> tuple[list[str], float]:
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
                _unknown(cand, text, tok.text)
        return list(dict.fromkeys(e.name for e in chosen)), 2.0 * min(e.score for e in chosen)
    if cand.slots.name:
        if ents:
            cand.used_kinds.add(rule.arg)
        _unknown(cand, text, cand.slots.name)
        return [cand.slots.name], 2.0 if rule.new else 1.5
    near = _near(text, rule, cand)
    if near is not None:
        tok, own = near
        cand.taken.add(tok.index)
        _unknown(cand, text, tok.text)
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
        _unknown(cand, text, loose[0].text)
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


def _many(node: Node) -> bool:
    """Does the command take several names (`pipeline status [NAME...]`)?"""
    return bool(node.args) and node.args[0].nargs in ("+", "*")


def _unknown(cand: Candidate, text: Text, word: str) -> None:
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


def _hinted(cand: Candidate, text: Text) -> None:
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


def score(rule: Rule, node: Node, text: Text) -> Candidate:
    cand = Candidate(rule, node, text.slots)
    said = text.verbs
    # what a look asks for in particular: `status`, or `logs` in `show me the logs`
    looks = (said - {"show", "list"}) | (text.active & LOOKS)
    if rule.verbs & looks & said:
        cand.score += 3.0
        if rule.verbs & text.specific & said:
            cand.score += 1.5  # `restart`, `whoami`: verbs few commands answer to
    elif rule.verbs & looks:
        cand.score += 3.0 if said <= {"show", "list"} else 2.0  # `show me the logs`: logs
    elif rule.verbs & text.active:
        # `show me the status of ...`: `show` only carries the look that was said
        carried = bool(looks & said) and rule.verbs & text.active <= {"show", "list"}
        cand.score += 1.0 if carried else 2.0 if looks or not (rule.verbs & said) else 2.5
    elif rule.implied & text.kinds and not said:
        cand.score += 2.0
    else:
        cand.score -= 3.0
    kind_hit = text.kinds & rule.kinds
    if kind_hit:
        cand.score += 2.0
    if node.name == "list" and rule.need == "":
        # `show the orders pipeline` asks for one; `audit` alone, or asked about, for the list
        cand.score += 0.5 if text.plural else -0.5 if text.nouns and (text.verbs or text.ents) else 0.0
        if any(t.low == "current" for t in text.toks):
            cand.score -= 1.0  # `what profile am i using?` asks for one
    elif rule.need in ("one", "opt") and text.plural and not text.ents_of(rule.arg or "") and not _many(node):
        cand.score -= 0.5  # `show all my profiles` asks for many
    cand.score -= 1.0 * len(text.kinds - rule.kinds - {"file"})
    _hinted(cand, text)
    values, fit = _fill(cand, text)
    opts, gain = options(cand, bool(values))
    if values:
        cand.score += fit
        cand.argv[len(rule.path.split()):len(rule.path.split())] = values
    elif rule.need in ("one", "many", "query") and not (rule.need == "many" and cand.slots.all and node.find_opt("all")):
        cand.score -= 2.5
        cand.complete = False
        cand.argv.insert(len(rule.path.split()), rule.arg.rstrip("s").upper() if rule.arg else "TEXT")
    if rule.need in ("", "opt") and not values and rule.arg:
        cand.used_kinds.add(rule.arg)
    others = {e.kind for e in text.ents if e is not text.profile and not cand.taken & set(range(e.start, e.end))}
    others -= cand.used_kinds | {"log_sources"}
    cand.score -= 1.5 * len(others)
    cand.score += gain
    cand.score -= 0.4 * len(text.unknown(cand.taken))
    cand.score -= 1.5 * text.cmds  # `sync oud`: a word of a plugin's commands, not a name for this one
    if rule.kinds and not kind_hit and not values and gain <= 0 and not (rule.verbs & text.specific & said):
        cand.score -= 1.0  # a bare verb (`show`, `list`) says nothing about what
    cand.argv += opts
    if text.profile is not None and rule.arg != "profiles":
        cand.argv += ["-p", text.profile.name]
    lost_names(cand, text)
    return cand


def lost_names(cand: Candidate, text: Text) -> None:
    """Names the line gives that nothing has and the command did not take (`on uat`, `the kafka
    service`): the command would run against something that does not exist."""
    for kind, tok in text.lost:
        if tok.index in cand.taken or kind in cand.used_kinds:  # `the api service, flext-api`: named already
            continue
        cand.taken.add(tok.index)
        cand.missing.append((kind, tok.text))
        if kind == "profiles" and cand.rule.arg != "profiles":
            cand.argv += ["-p", tok.text]

