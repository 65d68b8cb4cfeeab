"""Read one line of free text against the tree and the names that exist: a `Reading`.

The steps: tokens with roles (`tokens`), option values (`slots`), names of things that
exist (`names`), then every rule of the tree's grammar (`grammar`: the hints declared
on the commands, and rules derived from the other commands) is scored and the best one
wins if it clearly beats the others. Unclear text runs nothing and lists the candidates.
A destructive command is produced only when the text asks to delete, remove, clear or
uninstall something, and never from a negated sentence.
"""

from __future__ import annotations

from flext.router.nl import words as W
from flext.router.nl.asides import drop_filler
from flext.router.nl.derive import relevant, score_derived
from flext.router.nl.grammar import grammar, mark
from flext.router.nl.names import World, find_entities
from flext.router.nl.score import score
from flext.router.nl.slots import extract
from flext.router.nl.text import Text, profile_option
from flext.router.nl.tokens import tokenize
from flext.router.nl.typos import correct

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.nl.candidate import Candidate
    from flext.router.nl.grammar import Grammar
    from flext.router.nl.tok import Tok
    from flext.router.spec import Node

__all__ = ["MARGIN", "MIN_SCORE", "MISSING", "NONE", "OK", "UNCLEAR", "Reading", "join", "read", "weigh"]


def join(argv: list[str]) -> str:
    """A command line as the user would type it (quoted where needed)."""
    import shlex

    return " ".join(shlex.quote(a) for a in argv)


OK, UNCLEAR, NONE, MISSING = "ok", "unclear", "none", "missing"
MIN_SCORE = 4.0  # below this, the text did not say enough
MARGIN = 1.0  # the winner must beat the next command by this much


class Reading:
    """The outcome: `status` ok (argv set), unclear (alternatives), missing (the line names a
    pipeline, service or profile that does not exist: `reason`, the closest names), or none."""

    __slots__ = ("alternatives", "argv", "closest", "confidence", "destructive", "kind", "mutating", "reason",
                 "status")

    def __init__(self, status: str, argv: list[str] | None = None, confidence: float = 0.0,
                 alternatives: list[str] | None = None, mutating: bool = False, destructive: bool = False) -> None:
        self.status = status
        self.argv = argv or []
        self.confidence = confidence
        self.alternatives = alternatives or []
        self.mutating = mutating
        self.destructive = destructive
        self.reason = ""  # missing: `no pipeline named 'payments'`
        self.kind = ""  # missing: the kind of name it looked for (`pipelines`)
        self.closest: list[str] = []  # missing: the names of that kind most like it

    @property
    def command(self) -> str | None:
        return join(self.argv) if self.status == OK else None

    def __repr__(self) -> str:
        return f"Reading({self.status}, {self.command or self.alternatives}, {self.confidence:.2f})"


def read(text: str, world: World, root: Node | None = None) -> Reading:
    """Read one line of free text against the tree and the names that exist."""
    if root is None:
        from flext.router.spec import tree

        root = tree()
    assert root is not None
    rules = grammar(root)
    toks, asked = tokenize(text)
    if not toks:
        return Reading(NONE)
    mark(toks, rules)
    correct(toks, lambda word: word in rules.words or world.similar_name(word))
    toks = drop_filler(toks, world.similar_name)
    if any(t.neg for t in toks):
        return Reading(NONE)  # `don't stop orders`: we never guess the opposite
    howto = any(t.low == "howto" for t in toks)
    helpwith = any(t.low == "helpwith" for t in toks)
    if any(t.low == "helpme" for t in toks) and len([t for t in toks if not t.stop]) <= 2:
        return Reading(OK, ["help"], 0.9)
    toks = [t for t in toks if t.low not in ("howto", "helpwith")]
    view, cands = weigh(toks, asked, world, rules)
    if not cands:
        return Reading(NONE)
    ents = view.ents
    best = cands[0]
    second = next((c for c in cands[1:] if c.rule.path != best.rule.path), None)
    margin = best.score - second.score if second is not None else 9.0
    # deleting needs a word that asks for it and a thing to delete: `clear` alone clears no history
    deletes = view.destructive_word and bool(view.kinds or ents or view.lost)
    # removing a part of a thing is not deleting the thing: `remove the schedule of orders`
    parts = {t.low for t in toks if t.word and t.low in W.PARTS}
    if deletes and parts and best.destructive and not parts & set(best.rule.path.split()):
        return _unset_part(best, sorted(parts), root)
    alternatives = [join(c.argv) for c in cands[:3] if c.score >= MIN_SCORE - 2.0 and (deletes or not c.destructive)]
    if howto or helpwith:
        return _help(view, best, margin, root, helpwith)
    if best.destructive and not deletes:
        others = [a for a in alternatives if a != join(best.argv)]
        return Reading(UNCLEAR if others else NONE, alternatives=others)
    anchored = bool(view.verbs or view.kinds or ents)
    if best.missing and best.complete and anchored and best.score >= MIN_SCORE - 2.5:
        return _missing(best, cands, world)
    if best.score < MIN_SCORE or not best.complete or margin < MARGIN:
        if not anchored or best.score < MIN_SCORE - 2.5:
            return Reading(NONE)
        return Reading(UNCLEAR, alternatives=alternatives)
    confidence = 0.5 + 0.05 * (best.score - MIN_SCORE) + 0.08 * min(margin, 3.0) - 0.1 * len(view.unknown(best.taken))
    return Reading(OK, best.argv, round(max(0.05, min(0.99, confidence)), 2),
                   alternatives=alternatives[1:], mutating=best.node.mutating or best.destructive,
                   destructive=best.destructive)


def _unset_part(best: Candidate, parts: list[str], root: Node) -> Reading:
    """`remove the schedule of orders`: `pipeline edit orders --unset schedule` (it asks first),
    never the pipeline's deletion; without a pipeline named, nothing."""
    edit = root.child("pipeline")
    edit = edit.child("edit") if edit is not None else None
    names = best.argv[2:3] if best.argv[:1] == ["pipeline"] and len(best.argv) > 2 else []
    if edit is None or not names or names[0].startswith("-"):
        return Reading(NONE)
    argv = ["pipeline", "edit", names[0]]
    for part in parts:
        argv += ["--unset", W.PARTS[part]]
    return Reading(OK, argv, 0.6, mutating=True)


def _help(view: Text, best: Candidate, margin: float, root: Node, about: bool) -> Reading:
    """`how do i start a pipeline?` -> help pipeline start; `help with profiles` -> help profile.

    A question about one thing that exists (`how do I run my orders job?`) asks for its
    command: that is shown, and asked for, like any other (never one that deletes: `how do
    I delete orders?` gets the help of `pipeline delete`). A `help with` that names only a
    kind of thing asks for the help of its group.
    """
    named = bool(view.ents) and bool(best.used_kinds & {e.kind for e in view.ents}) and not best.destructive
    if not about and named and best.complete and not best.missing and best.score >= MIN_SCORE and margin >= MARGIN:
        return Reading(OK, best.argv, 0.6, mutating=best.node.mutating or best.destructive,
                       destructive=best.destructive)
    acts = view.verbs - {"show", "list", "help"}
    if about and not acts:
        groups = [c.name for c in root.visible_children() if W.NOUNS.get(c.name) in view.kinds]
        if len(groups) == 1:
            return Reading(OK, ["help", groups[0]], 0.8)
        if not view.kinds:
            return Reading(OK, ["help"], 0.7)
    if best.score >= MIN_SCORE - 2.0 and margin >= 0.5:
        return Reading(OK, ["help", *best.rule.path.split()], 0.8)
    return Reading(UNCLEAR, alternatives=["help"])


def weigh(toks: list[Tok], asked: bool, world: World, rules: Grammar) -> tuple[Text, list[Candidate]]:
    """What the tokens say, and every rule scored against it, best first."""
    for index, t in enumerate(toks):
        t.index = index
    slots = extract(toks)
    ents = find_entities(toks, world)
    view = Text(toks, asked, slots, ents, rules.specific, world)
    profile_option(view)
    cands = [score(rule, node, view) for rule, node in rules.fixed]
    cands += [score_derived(rule, node, view) for rule, node in rules.derived if relevant(rule, view)]
    cands.sort(key=lambda c: -c.score)
    return view, cands


def _missing(best: Candidate, cands: list[Candidate], world: World) -> Reading:
    """`start the payments pipeline` with no pipeline payments: no command, the closest names."""
    kind, word = best.missing[0]
    kinds = [kind]
    for other in cands[1:4]:  # `show logs of marketing`: no pipeline and no service of that name
        kinds += [k for k, w in other.missing if w == word and k not in kinds and other.score >= best.score - MARGIN]
    closest = world.closest(kind, word)
    # the same command with each closest name; never for deleting (`delete payments` is no ask to delete orders)
    offered = closest if word in best.argv and not best.destructive else []
    reading = Reading(MISSING, alternatives=[join([name if a == word else a for a in best.argv]) for name in offered])
    reading.reason = f"no {' or '.join(k.removesuffix('s') for k in kinds)} named {word!r}"
    reading.kind = kind
    reading.closest = closest
    return reading
