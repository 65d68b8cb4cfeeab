"""Conversational parser: free text -> one command of the tree (deterministic, offline).

`start the orders pipeline` -> `pipeline start orders`; `which pipelines failed?` ->
`pipeline list --status failed`; `show me the logs of flexcore` -> `service logs
flexcore` when flexcore is a service. The steps: tokens with roles (`_nl_tokens`),
option values (`_nl_slots`), names of things that exist (live names, typo-tolerant and
case-folded), then every rule of `_nl_rules` whose command is in the tree, and a rule
derived from every other command of the tree (plugin commands: `_nl_derive`), is
scored and the best one wins if it clearly beats the others. Unclear text runs nothing and
lists the candidates. A destructive command is produced only when the text asks to
delete, remove, clear or uninstall something, and never from a negated sentence.
"""

from __future__ import annotations

from flext.core.errors import FlextError, UsageError
from flext.router._nl_derive import relevant, score_derived
from flext.router._nl_grammar import grammar, mark
from flext.router._nl_names import KINDS, World, find_entities
from flext.router._nl_score import Text, join, profile_option, score
from flext.router._nl_slots import extract
from flext.router._nl_tokens import tokenize

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Context
    from flext.router.parse import Invocation
    from flext.router.spec import Node

__all__ = ["KINDS", "Reading", "World", "explain", "free_text", "read", "split_line"]

OK, UNCLEAR, NONE = "ok", "unclear", "none"
MIN_SCORE = 4.0  # below this, the text did not say enough
MARGIN = 1.0  # the winner must beat the next command by this much


class Reading:
    """The outcome: `status` ok (argv set), unclear (alternatives), or none."""

    __slots__ = ("alternatives", "argv", "confidence", "destructive", "mutating", "status")

    def __init__(self, status: str, argv: list[str] | None = None, confidence: float = 0.0,
                 alternatives: list[str] | None = None, mutating: bool = False, destructive: bool = False) -> None:
        self.status = status
        self.argv = argv or []
        self.confidence = confidence
        self.alternatives = alternatives or []
        self.mutating = mutating
        self.destructive = destructive

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
    rules = grammar(root)
    toks, asked = tokenize(text)
    if not toks:
        return Reading(NONE)
    mark(toks, rules)
    if any(t.neg for t in toks):
        return Reading(NONE)  # `don't stop orders`: we never guess the opposite
    howto = any(t.low == "howto" for t in toks)
    if any(t.low == "helpme" for t in toks) and len([t for t in toks if not t.stop]) <= 2:
        return Reading(OK, ["help"], 0.9)
    toks = [t for t in toks if t.low != "howto"]
    for index, t in enumerate(toks):
        t.index = index
    slots = extract(toks)
    ents = find_entities(toks, world)
    view = Text(toks, asked, slots, ents, rules.specific)
    profile_option(view)
    cands = [score(rule, node, view) for rule, node in rules.fixed]
    cands += [score_derived(rule, node, view) for rule, node in rules.derived if relevant(rule, view)]
    if not cands:
        return Reading(NONE)
    cands.sort(key=lambda c: -c.score)
    best = cands[0]
    second = next((c for c in cands[1:] if c.rule.path != best.rule.path), None)
    margin = best.score - second.score if second is not None else 9.0
    alternatives = [join(c.argv) for c in cands[:3] if c.score >= MIN_SCORE - 2.0]
    if howto:
        if best.score >= MIN_SCORE - 2.0 and margin >= 0.5:
            return Reading(OK, ["help", *best.rule.path.split()], 0.8)
        return Reading(UNCLEAR, alternatives=["help"])
    if best.destructive and not view.destructive_word:
        others = [a for a in alternatives if a != join(best.argv)]
        return Reading(UNCLEAR if others else NONE, alternatives=others)
    anchored = bool(view.verbs or view.kinds or ents)
    if best.score < MIN_SCORE or not best.complete or margin < MARGIN:
        if not anchored or best.score < MIN_SCORE - 2.5:
            return Reading(NONE)
        return Reading(UNCLEAR, alternatives=alternatives)
    confidence = 0.5 + 0.05 * (best.score - MIN_SCORE) + 0.08 * min(margin, 3.0) - 0.1 * len(view.unknown(best.taken))
    return Reading(OK, best.argv, round(max(0.05, min(0.99, confidence)), 2),
                   alternatives=alternatives[1:], mutating=best.node.mutating or best.destructive,
                   destructive=best.destructive)


# -- wiring: explain, one-shot free text --------------------------------------------------


def world_for(ctx: Context) -> World:
    """Live names as `flext.router.live` reports them for this invocation."""
    from flext.router.live import names

    scope = ctx.scope()
    return World(lambda kind: names(kind, scope))


def explain(ctx: Context, text: str, world: World | None = None) -> dict[str, Any] | None:
    """The explain document for free text, or None when nothing at all was understood."""
    reading = read(text, world or world_for(ctx))
    if reading.status == NONE:
        return None
    return {
        "command": reading.command,
        "argv": list(reading.argv) if reading.status == OK else [],
        "source": "conversational",
        "confidence": reading.confidence if reading.status == OK else 0.0,
        "mutating": reading.mutating,
        "alternatives": reading.alternatives,
    }


def split_line(args: list[str]) -> tuple[list[str], list[str]]:
    """(the free-text words, the option words set aside: `-p prod`, `--yes`, `--tail 5`).

    The one scanner reads the line as free text: global options with their values are set
    aside; `--` ends options (the words after it are text, even `-x`). An option no
    command of free text knows keeps a short number-like word after it (`--tail 50`,
    `--since 1h`): the command the text turns into reads it.
    """
    from flext.router.scan import END, FREE, OPTION, UNKNOWN, VALUE, scan_free

    words: list[str] = []
    options: list[str] = []
    tokens = scan_free(args).tokens
    skip = -1
    for k, token in enumerate(tokens):
        if k == skip or token.kind == END:
            continue
        if token.kind in (OPTION, VALUE):
            options.append(token.text)
        elif token.kind == UNKNOWN:
            options.append(token.text)
            nxt = tokens[k + 1] if k + 1 < len(tokens) else None
            if token.text.startswith("--") and "=" not in token.text and nxt is not None and nxt.kind == FREE:
                value = nxt.text
                if value.isdigit() or (len(value) <= 4 and value[:1].isdigit()):  # `--tail 50`, `--since 1h`
                    options.append(value)
                    skip = k + 1
        else:
            words.append(token.text)
    return words, options


def _typo(word: str) -> bool:
    """Is the first word a misspelt command group (`confg`)? Then the did-you-mean is better."""
    from flext.core.suggest import similar
    from flext.router.spec import tree

    return bool(similar(word, [c.name for c in tree().visible_children()]))


def free_text(ctx: Context, line: list[str], error: FlextError) -> Invocation:
    """One-shot free text: read it, show it, confirm it, and return what to run.

    Raises `error` (the parser's did-you-mean) when the first word is a command, an
    alias or a typo of one and nothing was understood; exit 2 listing candidates when
    the text is unclear. A mutating command asks first on a terminal and needs
    --yes elsewhere; a destructive one always asks, and is refused without a terminal.
    """
    from flext.router.aliases import first_word
    from flext.router.parse import parse
    from flext.router.spec import tree

    index = first_word(line)
    if not isinstance(error, UsageError) or index is None or tree().child(line[index]) is not None:
        raise error
    words, options = split_line(line)
    text = " ".join(words)
    reading = read(text, world_for(ctx))
    if reading.status == NONE or (reading.status == UNCLEAR and error.candidates and _typo(line[index])):
        raise error
    if reading.status == UNCLEAR:
        listed = "; ".join(f"flext {a}" for a in reading.alternatives) or "see `flext help`"
        raise UsageError(f"not sure what {text!r} asks for", hint=f"candidates: {listed}",
                         candidates=list(reading.alternatives))
    argv = reading.argv + options
    inv = parse(argv)
    ctx.options.update(inv.globals)
    ctx.io.err(ctx.io.style(f"→ flext {join(argv)}", "36", err=True))
    if reading.destructive or inv.node.destructive:
        if not ctx.confirm(f"Run `flext {join(argv)}` (it deletes data)?", force_prompt=True):
            raise UsageError("cancelled; nothing was run")
        inv.globals["yes"] = True  # asked once, here: the command does not ask again
    elif (reading.mutating or inv.node.mutating) and not ctx.confirm(f"Run `flext {join(argv)}`?"):
        raise UsageError("cancelled; nothing was run")
    return inv
