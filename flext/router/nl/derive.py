"""Rules derived from a command of the tree that no fixed rule names (plugin commands).

`algar oud sync [--phase P] [--dry-run]` arrives with a plugin at run time and no rule
of `rules` knows it, so its own words make the rule: the group words (`algar`,
`oud`) say what the text must be about, the last word (`sync`) and its synonyms are
the verb, the first argument takes a name, a quoted word or a word nothing else claims,
and options take what the text says (`dry run`, `phase users`, `follow`). A derived
rule is scored on the scale of the fixed ones: a verb alone is not enough (it costs
when none of its group words is said), and a built-in command's derived rule costs a
little more, so where a fixed rule reads the text as well, the fixed rule still wins.
"""

from __future__ import annotations

from flext.router.nl import words as W
from flext.router.nl.candidate import Candidate, options
from flext.router.nl.rules import Rule
from flext.router.nl.score import lost_names
from flext.router.nl.text import VIEW

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.nl.text import Text
    from flext.router.nl.tok import Tok
    from flext.router.spec import Arg, Node, Opt

__all__ = ["Derived", "fits", "forms", "relevant", "score_derived"]

# options the slots of `slots` already fill for any command (`--tail`, `--dry-run`)
_SLOTTED = frozenset(("since", "interval", "timeout", "tail", "limit", "status", "follow", "wait", "full-refresh",
                      "force", "dry-run", "installed", "all", "url", "api-url", "format"))
_FILLER = frozenset(("a", "an", "the", "to", "of", "=", "as", "at", "is", "be", "with", "every"))
_LINES = ("lines", "line", "entries", "messages")


def forms(word: str) -> frozenset[str]:
    """A command word and its inflections (`deploy`: deploys deployed deploying)."""
    out = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing"}
    if word.endswith("e"):
        out.add(word[:-1] + "ing")
    if word.endswith("y"):
        out |= {word[:-1] + "ies", word[:-1] + "ied"}
    return frozenset(out)


def _nouns(text: str) -> set[str]:
    kinds = set()
    for word in text.lower().replace("-", " ").split():
        kind = W.NOUNS.get(word.strip(".,;:()[]'`\""))
        if kind is not None:
            kinds.add(kind)
    return kinds


class Derived(Rule):
    """A rule made from a node: its group words, its last word, its first argument.

    A plugin may add words in its manifest (`hints`, kept on the node): other words for
    its command word (`mail` for `send`) and for the group before it (`bill` for `invoice`).
    """

    __slots__ = ("choices", "first", "forms", "groups", "leaf", "leaves", "many", "said", "words")

    def __init__(self, node: Node) -> None:
        path = node.path
        leaf = path[-1]
        kinds: set[str] = set()
        groups: list[tuple[frozenset[str], str | None]] = []
        up = node.parent
        chain: list[Node] = []
        while up is not None and up.parent is not None:
            chain.insert(0, up)
            up = up.parent
        hints = node.hints  # a plugin's own words: other words for its command word and for its group
        said = tuple(hints.verbs.split()) if hints is not None else ()
        about = tuple(hints.about.split()) if hints is not None else ()
        for depth, group in enumerate(chain, 1):
            kind = W.NOUNS.get(group.name)
            if kind is not None:
                kinds.add(kind)
            extra = about if depth == len(chain) else ()
            groups.append((frozenset((group.name, group.name + "s", *group.aliases, *extra)), kind))
        arg = self.first = node.args[0] if node.args else None
        need = "" if arg is None else "one" if arg.nargs == 1 else "many" if arg.nargs == "+" else "opt"
        kinds |= _nouns(" ".join((leaf, node.summary, arg.name + " " + arg.help if arg else "")))
        verbs = tuple(dict.fromkeys(v for word in (leaf, *said) for v in (W.VERBS.get(word) or (leaf,))))
        super().__init__(" ".join(path), " ".join(verbs), " ".join(sorted(kinds)), arg.completer if arg else None,
                         need=need, prior=0.0 if node.plugin else -0.5)
        self.leaf = leaf
        self.leaves = frozenset((leaf, *node.aliases, *said))  # the command word as typed
        self.said = frozenset().union(*(forms(w) for w in said))
        if leaf == "status":
            self.implies = frozenset(("status",))  # `is the algar migration done?`: its status answers
        self.forms = frozenset().union(*(forms(w) for w in self.leaves))
        self.groups = tuple(groups)
        self.words = self.forms.union(*(g for g, _kind in groups))  # any of them makes the rule worth scoring
        self.many = arg is not None and arg.nargs in ("+", "*")
        self.choices = {c.lower(): c for c in arg.choices} if arg is not None and arg.choices else {}


def relevant(rule: Derived, text: Text) -> bool:
    """Worth scoring: the text says one of its words, or its verb (else it cannot win)."""
    return bool(rule.words & text.lows or rule.verbs & text.said)


def _own(rule: Derived, text: Text) -> tuple[list[bool], set[int], list[int]]:
    """(which group words were said, the tokens saying them, the tokens saying the command word)."""
    hit = [False] * len(rule.groups)
    own: set[int] = set()
    for t in text.toks:
        if t.raw:
            continue
        for i, (names, kind) in enumerate(rule.groups):
            if t.low in names or (kind is not None and t.noun == kind and t.index not in text.named):
                hit[i] = True
                own.add(t.index)
    for ent in text.ents:  # `grupnos`: a typo of the plugin's name, found as a name
        low = ent.name.lower()
        for i, (names, _kind) in enumerate(rule.groups):
            if low in names:
                hit[i] = True
                own.update(range(ent.start, ent.end))
    leaf = [t.index for t in text.toks if t.word and t.index not in own and t.index not in text.named
            and (t.low in rule.leaves or (t.low in rule.forms and set(t.verbs) & rule.verbs))
            and not (t.low in W.VERBS and not t.verbs)]  # `the last run`: a noun here
    return hit, own, leaf


def _phrase(toks: list[Tok], words: list[str], blocked: set[int]) -> list[int]:
    """Token indexes saying an option's name (`dry run`, `replace`, `replaced`)."""
    n = len(words)
    single = forms(words[0]) if n == 1 else frozenset(("".join(words), "-".join(words)))
    for t in toks:
        if t.index not in blocked and t.word and t.low in single:
            return [t.index]
    for i in range(len(toks) - n + 1):
        window = toks[i:i + n]
        if all(t.word and t.low == w and t.index not in blocked for t, w in zip(window, words, strict=True)):
            return [t.index for t in window]
    return []


def fits(spec: Arg | Opt | None, raw: str) -> bool:
    """Would the parser take this value (`completion 42` would not: bash, zsh or fish)?"""
    if spec is None:
        return True
    from flext.core.errors import FlextError
    from flext.router.values import convert

    try:
        convert(spec, raw, "nl")
    except (FlextError, ValueError):
        return False
    return True


def _value_after(toks: list[Tok], at: int, blocked: set[int], spec: Opt) -> Tok | None:
    for t in toks[at + 1:at + 4]:
        if t.index in blocked:
            return None
        if t.low in _FILLER and t.word:
            continue
        if (t.quoted or t.raw or t.number is not None or t.unknown or t.ent) and fits(spec, t.text):
            return t
        return None
    return None


def _extra_options(cand: Candidate, text: Text) -> tuple[list[str], float]:
    """Options the slots do not know: flags by their words, choices by value, values after the name."""
    out: list[str] = []
    gain = 0.0
    toks, taken = text.toks, cand.taken
    verbs = [t.index for t in toks if set(t.verbs) & cand.rule.verbs]
    for o in cand.node.opts:
        if o.name in _SLOTTED or o.hidden:
            continue
        words = o.name.split("-")
        at = _phrase(toks, words, taken)
        if o.flag:
            if at:
                out.append(f"--{o.name}")
                taken.update(at)
                gain += 0.5
                cand.destructive = cand.destructive or any(w in W.DESTRUCTIVE for w in words)
            continue
        if o.choices:
            folded = {c.lower(): c for c in o.choices}
            near = sorted(toks, key=lambda t: min((abs(k - t.index) for k in at), default=0))  # `phase users` first
            for t in near:
                if t.index not in taken and not t.raw and t.low in folded:
                    out += [f"--{o.name}", folded[t.low]]
                    taken.add(t.index)
                    gain += 1.0
                    if at and min(abs(k - t.index) for k in at) <= 2:  # `the users phase`
                        taken.update(at)
                        gain += 0.5
                    break
            continue
        if at and verbs != at:  # `schedule the sync`: the option's word is the verb here
            value = _value_after(toks, max(at), taken, o)
            if value is not None:
                out += [f"--{o.name}", value.text]
                taken.update(at)
                taken.add(value.index)
                gain += 0.5
    return out, gain


def _fill(cand: Candidate, text: Text, own: list[int]) -> tuple[list[str], float]:
    """The first argument: a name of its kind, a choice, quoted text, `called X`, or an unclaimed word."""
    rule = cand.rule
    assert isinstance(rule, Derived)
    if not rule.need:
        return [], 0.0
    taken, arg = cand.taken, rule.first
    toks = text.toks
    free = [e for e in text.ents if e is not text.profile and not taken & set(range(e.start, e.end))
            and not any(toks[k].cmd for k in range(e.start, e.end)) and fits(arg, e.name)]  # `gruponos`: a command
    if rule.arg:
        mine = [e for e in free if e.kind == rule.arg]
        if mine:
            cand.used_kinds.add(rule.arg)
            chosen = sorted(mine, key=lambda e: e.start) if rule.many else [max(mine, key=lambda e: (e.score, -e.start))]
            for e in chosen:
                taken.update(range(e.start, e.end))
            return list(dict.fromkeys(e.name for e in chosen)), 2.0 * min(e.score for e in chosen)
    if rule.choices:
        for t in text.toks:
            if t.index not in taken and not t.raw and t.low in rule.choices:
                taken.add(t.index)
                return [rule.choices[t.low]], 2.0
    if rule.choices:
        return [], 0.0  # no other word can be one of them
    quoted = [t for t in text.toks if t.quoted and t.index not in taken and fits(arg, t.text)]
    if quoted:
        quoted = quoted if rule.many else quoted[:1]
        taken.update(t.index for t in quoted)
        return [t.text for t in quoted], 1.5
    if cand.slots.name and fits(arg, cand.slots.name):
        return [cand.slots.name], 1.5
    # `invoice 1234`, `in ./proj`: an id or a path is a value here
    loose = [t for t in toks if t.index not in taken and not t.used and not t.ent and not t.cmd
             and (t.unknown or t.raw or (t.word and t.low.isdigit())) and fits(arg, t.text)]
    near = [t for t in loose if any(abs(t.index - k) <= 2 for k in own)]
    fit = 1.5 if near else 1.0
    if rule.many:  # `meltano run tap-csv target-jsonl`: every value, names of things too
        named = [e for e in free if e.kind not in ("config_keys", "profiles")]
        spans = sorted([(t.index, t.index + 1, t.text) for t in loose] + [(e.start, e.end, e.name) for e in named])
        for start, end, _value in spans:
            taken.update(range(start, end))
        if spans:
            return list(dict.fromkeys(value for _s, _e, value in spans)), fit if rule.need == "many" else fit - 0.5
    if loose:
        picked = near[0] if near else loose[0]
        taken.add(picked.index)
        if picked.word and text.world.missing(rule.arg, picked.text):  # a pipeline the plugin's job does not have
            cand.missing.append((rule.arg or "", picked.text))
        return [picked.text], fit if rule.need == "one" else fit - 0.5
    if rule.need in ("one", "many") and free:  # a job named like a pipeline: the name is still the value
        ent = free[0]
        taken.update(range(ent.start, ent.end))
        return [ent.name], 0.8
    return [], 0.0


def _next_value(cand: Candidate, text: Text, arg: Arg) -> str | None:
    """A later argument: one of its choices, else the first word or name nothing has taken."""
    taken = cand.taken
    for t in text.toks:
        if t.index in taken or t.used or t.cmd:
            continue
        if arg.choices:
            if t.low in {c.lower() for c in arg.choices}:
                taken.add(t.index)
                return next(c for c in arg.choices if c.lower() == t.low)
            continue
        ent = next((e for e in text.ents if e.start == t.index and e is not text.profile), None)
        if ent is not None and fits(arg, ent.name):
            taken.update(range(ent.start, ent.end))
            return ent.name
        if (t.unknown or t.raw or t.quoted or (t.word and t.low.isdigit())) and fits(arg, t.text):
            taken.add(t.index)
            return t.text
    return None


def score_derived(rule: Derived, node: Node, text: Text) -> Candidate:
    cand = Candidate(rule, node, text.slots)
    hit, groups, leaf = _own(rule, text)
    own = sorted(groups.union(leaf))
    cand.taken.update(own)
    toks = text.toks
    # the verb: the command's own word, a synonym said, or one implied by the nouns
    if leaf:
        cand.score += 3.5
    elif rule.verbs & text.verbs:
        cand.score += 3.0
    elif rule.verbs & text.active:
        cand.score += 2.0
    else:
        cand.score -= 3.0
    if any(t.verbs and t.index not in cand.taken and t.index not in text.named and not t.noun
           and not set(t.verbs) & (rule.verbs | VIEW) for t in toks):
        cand.score -= 3.0  # `delete the algar logs`: the text asks for another action
    # what the command is about: its groups, the plugin's name first
    if rule.groups:
        if not any(hit):
            cand.score -= 2.0
        for (_names, kind), said in zip(rule.groups, hit, strict=True):
            if said:
                cand.score += 1.5 if kind is not None else 2.0  # `pipeline` is said of many things, `oud` is not
        cand.score += 0.5 if hit[0] else 0.0  # the plugin's name
        cand.score -= 1.0 * hit[1:].count(False)  # `add X to meltano` is not `meltano schedule add`
    extra, gain = _extra_options(cand, text)
    values, fit = _fill(cand, text, own)
    opts, more = options(cand, bool(values))
    cand.score += gain + more + fit
    if values:
        cand.argv += values
    elif rule.need in ("one", "many"):
        cand.score -= 2.5
        cand.complete = False
        cand.argv.append(node.args[0].name.upper())
    for arg in node.args[1:] if not rule.many else ():  # `meltano add TYPE NAME`: the next words, in order
        value = _next_value(cand, text, arg)
        if value is not None:
            cand.argv.append(value)
        elif arg.required:
            cand.score -= 1.0
            cand.complete = False
            cand.argv.append(arg.name.upper())
    kinds = {t.noun for t in toks if t.noun and t.index not in cand.taken and t.index not in text.named
             and not (t.used and t.low in _LINES)}
    if kinds & rule.kinds:
        cand.score += 1.0
    cand.score -= 1.0 * len(kinds - rule.kinds - {"file"})
    others = {e.kind for e in text.ents if e is not text.profile and not cand.taken & set(range(e.start, e.end))}
    cand.score -= 1.5 * len(others - cand.used_kinds - {"log_sources"})
    cand.score -= 0.4 * len(text.unknown(cand.taken))
    cand.score -= 1.5 * sum(1 for t in toks if t.cmd and t.index not in cand.taken and t.index not in text.named)
    cand.argv += extra + opts
    if text.profile is not None:
        cand.argv += ["-p", text.profile.name]
    lost_names(cand, text)
    return cand
