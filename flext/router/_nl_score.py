"""Scoring the rules of `_nl_rules` against one reading of a text.

`Text` holds what the text says (verbs said and implied, nouns, names, option values);
`score` applies one rule to it and returns a `Candidate`: the command it would run and
how well the text supports it. Nothing here changes the text, so every rule is scored
on the same reading, in any order.
"""

from __future__ import annotations

from flext.router import _nl_words as W
from flext.router._nl_names import Ent, guess_kind
from flext.router._nl_rules import Rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.router._nl_slots import Slots
    from flext.router._nl_tokens import Tok
    from flext.router.spec import Node

__all__ = ["LOOKS", "VIEW", "Candidate", "Text", "find_node", "join", "options", "profile_option", "score"]

VIEW = frozenset(("show", "list", "watch", "status"))  # verbs that only look
LOOKS = frozenset(("logs", "runs", "state", "status", "health", "watch", "list"))  # looks nouns can ask for


def join(argv: list[str]) -> str:
    import shlex

    return " ".join(shlex.quote(a) for a in argv)


class Text:
    """Everything the rules look at, computed once per text (rules never change it)."""

    def __init__(self, toks: list[Tok], asked: bool, slots: Slots, ents: list[Ent], specific: set[str]) -> None:
        self.toks = toks
        self.asked = asked
        self.slots = slots
        self.ents = ents
        self.specific = specific
        self.verbs: set[str] = set()  # said as verbs (`start`, `show`)
        self.soft: set[str] = set()  # implied by nouns and questions (`logs`, `which ...`)
        self.kinds: set[str] = set()
        self.nouns = False  # a noun was said (kinds may also be implied)
        self.plural = False
        self.named = named = {k for e in ents for k in range(e.start, e.end)}
        self.lows = {t.low for t in toks}
        self.cmds = sum(1 for t in toks if t.cmd and t.index not in named)
        for t in toks:
            if t.index in named:
                continue  # the word is a name here, not a verb or a noun
            (self.soft if t.noun else self.verbs).update(t.verbs)
            if t.noun and not (t.used and t.low in ("lines", "line", "entries", "messages")):
                self.kinds.add(t.noun)
                self.nouns = True
                self.plural = self.plural or t.plural
        self.destructive_word = any(t.low in W.DESTRUCTIVE for t in toks if t.word)
        self.qword = any(t.low in ("which", "what", "any", "anything", "whose") for t in toks) or bool(
            toks and toks[0].low in ("is", "are", "was", "were", "does", "did", "has", "have")
        )
        self.profile: Ent | None = None
        self._implied()
        self.said = self.verbs | self.soft  # every verb said or implied

    def _implied(self) -> None:
        toks, slots, soft = self.toks, self.slots, self.soft
        words = {t.low for t in toks}
        if any(t.health for t in toks):
            self.verbs.add("health")  # `is flexcore up?` asks for a health check outright
            if not self.kinds:
                self.kinds.add("service")
        if slots.status and not self.kinds:
            self.kinds.add("pipeline")  # `what failed?`: runs of pipelines fail
        if slots.count_unit == "lines":
            soft.add("logs")
        if "run" in self.kinds:
            soft.add("runs")
        if "state" in self.kinds:
            soft.add("state")
        if slots.full_refresh:
            soft.add("start")
        asks = self.asked or self.qword
        if slots.status and not (self.verbs - VIEW):
            named = any(e.kind in ("pipelines", "services") for e in self.ents)
            soft.add("status" if named and asks and slots.status in ("running", "failed") else "list")
        if (asks or "current" in words) and not self.verbs and not soft:
            if self.plural:
                soft.add("list")
            elif self.kinds or self.ents or "current" in words:
                soft.add("show")
        if not self.verbs and not soft and not self.kinds and any(e.kind == "pipelines" for e in self.ents):
            self.verbs.add("show")  # a pipeline's name alone: show it
        if "create" in self.verbs and words & {"active", "current", "default"} and "profile" in self.kinds:
            self.verbs.discard("create")  # `make staging the active profile`
            self.verbs.add("use")
        # an action said outright wins over what nouns suggest (`search the logs`, `cancel the run`)
        self.active = set(self.verbs) if self.verbs - VIEW else self.verbs | soft

    def unknown(self, taken: set[int]) -> list[Tok]:
        return [t for t in self.toks if t.unknown and not t.used and not t.ent and t.index not in taken]

    def ents_of(self, kind: str) -> list[Ent]:
        return [e for e in self.ents if e.kind == kind and (e is not self.profile or kind == "profiles")]


def profile_option(text: Text) -> None:
    """`on prod`, `in the staging environment`: -p NAME (when the command is not about profiles)."""
    for ent in text.ents:
        if ent.kind != "profiles":
            continue
        before = [t.low for t in text.toks[max(0, ent.start - 2):ent.start]]
        after = text.toks[ent.end].low if ent.end < len(text.toks) else ""
        if any(w in ("on", "in", "against", "using", "for", "with", "at", "via") for w in before) or after in (
            "profile", "environment", "env",
        ):
            text.profile = ent
            return


def find_node(root: Node, path: str) -> Node | None:
    node: Node | None = root
    for word in path.split():
        node = node.child(word) if node is not None else None
    return node if node is not None and node.runnable else None


class Candidate:
    """One rule applied to one text: its score and the command it would run."""

    __slots__ = ("argv", "complete", "destructive", "node", "rule", "score", "slots", "taken", "used_kinds")

    def __init__(self, rule: Rule, node: Node, slots: Slots) -> None:
        self.rule = rule
        self.node = node
        self.score = rule.prior
        self.argv: list[str] = rule.path.split()
        self.complete = True
        self.destructive = node.destructive
        self.slots = slots.copy()  # a rule may take a slot's word as a value (`set output to json`)
        self.taken: set[int] = set()  # token indexes this rule used as values
        self.used_kinds: set[str] = set()


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
        if rule.need == "many":
            names = list(dict.fromkeys(e.name for e in sorted(ents, key=lambda e: e.start)))
            return names, 2.0 * min(e.score for e in ents)
        best = max(ents, key=lambda e: (e.score, -e.start))
        return [best.name], 2.0 * best.score
    if cand.slots.name:
        if ents:
            cand.used_kinds.add(rule.arg)
        return [cand.slots.name], 2.0 if rule.new else 1.5
    near = _near(text, rule, cand)
    if near is not None:
        tok, own = near
        cand.taken.add(tok.index)
        if own or rule.new:
            return [tok.text], 1.5
        return [tok.text], 1.2 if guess_kind(tok.low) == rule.arg else 0.1
    loose = text.unknown(cand.taken)
    if rule.arg in ("taps", "targets"):
        prefix = "tap-" if rule.arg == "taps" else "target-"
        hits = [t for t in text.toks if t.word and t.low.startswith(prefix)]
        if hits:
            cand.taken.add(hits[0].index)
            cand.used_kinds.add(rule.arg)
            return [hits[0].text], 2.0
    if loose and (rule.need in ("one", "many") or (rule.need == "opt" and guess_kind(loose[0].low) == rule.arg)):
        cand.taken.add(loose[0].index)
        if rule.new:
            return [loose[0].text], 0.6
        # a name nothing has: guess what it is by its shape (`flexcore` a service, `sales` a pipeline)
        return [loose[0].text], 1.2 if guess_kind(loose[0].low) == rule.arg else 0.3
    if ents and rule.new:
        cand.used_kinds.add(rule.arg)
        return [ents[0].name], 0.5
    return [], 0.0


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
    if cand.rule.path == "logs search" and "error" in text.kinds:
        return ["error"], 1.0  # `errors in the logs today`
    return [], 0.0


def _seconds(value: str) -> str:
    from flext.core.durations import parse_duration

    number = parse_duration(value)
    return str(int(number)) if number.is_integer() else str(number)


def options(cand: Candidate, has_values: bool) -> tuple[list[str], float]:
    """(option words, score for the slots the command takes or cannot take)."""
    from flext.router.spec import BOOL, DURATION

    node, slots, rule = cand.node, cand.slots, cand.rule
    out: list[str] = []
    gain = 0.0
    asks_status = rule.path in ("pipeline status", "service health", "service status")

    def opt(name: str) -> Any:
        return node.find_opt(name)

    def duration(o: Any, value: str) -> str:
        return value if o.type in (DURATION, "str") else _seconds(value)

    if slots.since:
        o = opt("since")
        if o is not None:
            out += ["--since", duration(o, slots.since)]
            gain += 0.5
        else:
            gain -= 1.0
    if slots.duration and not slots.since:
        o = opt("since") or opt("interval") or opt("timeout")
        if o is not None:
            out += [f"--{o.name}", duration(o, slots.duration)]
            gain += 0.5
    if slots.timeout:
        o = opt("timeout")
        if o is not None:
            out += ["--timeout", duration(o, slots.timeout)]
            gain += 0.5
        else:
            gain -= 1.0
    if slots.count is not None:
        unit = slots.count_unit
        if unit in ("lines", None) and opt("tail"):
            out += ["--tail", str(slots.count)]
            gain += 0.5
        elif unit in ("runs", "items", None) and opt("limit"):
            out += ["--limit", str(slots.count)]
            gain += 0.5
        elif not (unit == "runs" and slots.count == 1):
            gain -= 1.0
    if slots.status:
        o = opt("status")
        flag = opt(slots.status)
        if o is not None and (not o.choices or slots.status in o.choices):
            out += ["--status", slots.status]
            gain += 1.0
        elif flag is not None and flag.type == BOOL:
            out.append(f"--{flag.name}")
            gain += 0.25
        elif asks_status:
            gain += 0.5
        else:
            gain -= 1.0
    for key, name in (("follow", "follow"), ("wait", "wait"), ("full_refresh", "full-refresh"),
                      ("force", "force"), ("dry_run", "dry-run"), ("installed", "installed")):
        if getattr(slots, key):
            if opt(name):
                out.append(f"--{name}")
                gain += 0.5
            elif not (key == "follow" and rule.path == "monitor dashboard") and not (
                key == "installed" and rule.path == "plugin list"
            ):
                gain -= 1.0
    if slots.foreground:
        gain += 2.0 if rule.path == "pipeline run" else -1.0
    if slots.all:
        if rule.need == "many" and opt("all") and not has_values:
            out.append("--all")
            gain += 1.0
        elif rule.need in ("opt", ""):
            gain += 0.25
        else:
            gain -= 1.0
    if slots.url:
        o = opt("url") or opt("api-url")
        if o is not None:
            out += [f"--{o.name}", slots.url]
            gain += 0.5
        else:
            gain -= 1.0
    if slots.format:
        o = opt("format")
        if o is not None and o.choices and slots.format in o.choices:
            out += ["--format", slots.format]
        else:
            out += ["-o", slots.format]
    return out, gain


def _specials(cand: Candidate, text: Text) -> None:
    """What only one command takes: taps and targets, a value to set, an alias expansion."""
    path, toks = cand.rule.path, text.toks
    if path == "pipeline create":
        for kind, option in (("taps", "--tap"), ("targets", "--target")):
            ents = text.ents_of(kind)
            prefix = "tap-" if kind == "taps" else "target-"
            value = ents[0].name if ents else next((t.text for t in toks if t.word and t.low.startswith(prefix)), None)
            if value:
                cand.argv += [option, value]
                cand.used_kinds.add(kind)
                cand.score += 0.5
    elif path == "profile create":
        for i, t in enumerate(toks):
            if t.low in ("based", "from", "copy", "like", "inherit", "inheriting", "inherits", "clone"):
                ent = next((e for e in text.ents if e.kind == "profiles" and i < e.start <= i + 3), None)
                if ent is not None:
                    cand.argv += ["--inherit" if t.low.startswith("inherit") else "--from", ent.name]
                    cand.used_kinds.add("profiles")
                    break
        if any(t.low in ("danger", "dangerous", "risky", "protected") for t in toks):
            cand.argv.append("--danger")
    elif path == "pipeline state":
        if text.verbs & {"clear", "delete"}:
            cand.argv.append("--clear")
            cand.destructive = True
    elif path == "config set":
        given = _value_after(toks, ("to", "=", "as", "into"))
        if given is None:
            cand.complete = False
        else:
            cand.argv.append(given.text)
            cand.taken.add(given.index)
            if given.format is not None:
                cand.slots.format = None
            if given.number is not None:
                cand.slots.count = None
    elif path == "alias set":
        expansion = cand.slots.quoted[0] if cand.slots.quoted else _rest_after(toks, ("for", "to", "as"))
        if expansion:
            cand.argv.append(expansion)
        else:
            cand.complete = False
    elif path == "history":
        for i, t in enumerate(toks[:-1]):
            if t.low in ("containing", "matching", "mentioning", "with") and toks[i + 1].unknown:
                cand.argv += ["--search", toks[i + 1].text]
                cand.taken.add(i + 1)
                break


def _value_after(toks: list[Tok], words: tuple[str, ...]) -> Tok | None:
    for i, t in enumerate(toks[:-1]):
        if t.low in words:
            nxt = toks[i + 1]
            if nxt.low in ("a", "the") and i + 2 < len(toks):
                nxt = toks[i + 2]
            return nxt
    return None


def _rest_after(toks: list[Tok], words: tuple[str, ...]) -> str | None:
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
        cand.score += 2.0 if looks or not (rule.verbs & said) else 2.5
    elif rule.implied & text.kinds and not said:
        cand.score += 2.0
    else:
        cand.score -= 3.0
    kind_hit = text.kinds & rule.kinds
    if kind_hit:
        cand.score += 2.0
    if rule.path.endswith("list") and rule.need == "":
        cand.score += 0.5 if text.plural else -0.5 if text.nouns else 0.0
        if any(t.low == "current" for t in text.toks):
            cand.score -= 1.0  # `what profile am i using?` asks for one
    elif rule.need in ("one", "opt") and text.plural and not text.ents_of(rule.arg or ""):
        cand.score -= 0.5  # `show all my profiles` asks for many
    cand.score -= 1.0 * len(text.kinds - rule.kinds - {"file"})
    _specials(cand, text)
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
    if rule.path == "logs tail":
        others.discard("services")
    cand.score -= 1.5 * len(others)
    cand.score += gain
    cand.score -= 0.4 * len(text.unknown(cand.taken))
    cand.score -= 1.5 * text.cmds  # `sync oud`: a word of a plugin's commands, not a name for this one
    if rule.kinds and not kind_hit and not values and gain <= 0 and not (rule.verbs & text.specific & said):
        cand.score -= 1.0  # a bare verb (`show`, `list`) says nothing about what
    cand.argv += opts
    if text.profile is not None and rule.arg != "profiles":
        cand.argv += ["-p", text.profile.name]
    return cand

