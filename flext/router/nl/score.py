"""Scoring a rule declared by a command's hints against one reading of a text.

`score` applies one rule to a `Text` and returns a `Candidate`: the command it would
run and how well the text supports it. It rewards a matching verb, a matching noun,
a name that exists as the right kind of thing and option values the command can take;
it penalises names of other kinds and values it cannot take.
"""

from __future__ import annotations

from flext.router.nl.candidate import Candidate, options
from flext.router.nl.fill import fill
from flext.router.nl.hinted import hinted
from flext.router.nl.text import LOOKS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.nl.rules import Rule
    from flext.router.nl.text import Text
    from flext.router.spec import Node

__all__ = ["lost_names", "score"]


def _many(node: Node) -> bool:
    """Does the command take several names (`pipeline status [NAME...]`)?"""
    return bool(node.args) and node.args[0].nargs in ("+", "*")


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
    hinted(cand, text)
    values, fit = fill(cand, text)
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

