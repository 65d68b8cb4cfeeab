"""Conversational parser: free text -> one command of the tree (deterministic, offline).

`start the orders pipeline` -> `pipeline start orders`; `which pipelines failed?` ->
`pipeline list --status failed`; `show me the logs of flexcore` -> `service logs
flexcore` when flexcore is a service. The steps: tokens with roles (`_nl_tokens`),
option values (`_nl_slots`), names of things that exist (live names, typo-tolerant and
case-folded), then every rule of `_nl_rules` whose command is in the tree is scored
and the best one wins if it clearly beats the others. Unclear text runs nothing and
lists the candidates. A destructive command is produced only when the text asks to
delete, remove, clear or uninstall something, and never from a negated sentence.
"""

from __future__ import annotations

from flext.core.errors import FlextError, UsageError
from flext.router import _nl_words as W
from flext.router._nl_rules import RULES, Rule
from flext.router._nl_slots import Slots, extract
from flext.router._nl_tokens import Tok, tokenize
from flext.router.suggest import similar

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.core.context import Context
    from flext.router.parse import Invocation
    from flext.router.spec import Node

__all__ = ["KINDS", "Reading", "World", "explain", "free_text", "read", "split_line"]

KINDS = ("pipelines", "services", "profiles", "taps", "targets", "plugins", "secrets", "aliases",
         "dbt_projects", "config_keys", "log_sources")
OK, UNCLEAR, NONE = "ok", "unclear", "none"
MIN_SCORE = 4.0  # below this, the text did not say enough
MARGIN = 1.0  # the winner must beat the next command by this much
VIEW = frozenset(("show", "list", "watch", "status"))  # verbs that only look
LOOKS = frozenset(("logs", "runs", "state", "status", "health", "watch", "list"))  # looks nouns can ask for
_SERVICE_LIKE = ("core", "api", "db", "server", "service", "ldap", "oracle", "postgres", "redis", "grafana",
                 "prometheus", "kafka", "web", "gateway", "proxy", "oud")


class World:
    """The names that exist, per kind (from `flext.router.live`, or given by tests)."""

    def __init__(self, names: Callable[[str], list[str]]) -> None:
        self._names = names
        self._cache: dict[str, dict[str, str]] = {}

    @classmethod
    def of(cls, table: dict[str, list[str]]) -> World:
        """A fixed world (tests, benchmarks); config keys default to the real ones."""
        from flext.router.live import CONFIG_KEYS

        full = {"config_keys": list(CONFIG_KEYS), **table}
        return cls(lambda kind: list(full.get(kind, [])))

    def folded(self, kind: str) -> dict[str, str]:
        """lower-case name -> name."""
        found = self._cache.get(kind)
        if found is None:
            try:
                names = self._names(kind)
            except Exception:
                names = []
            found = self._cache[kind] = {n.lower(): n for n in names if n}
        return found


class Ent:
    """A name found in the text: kind, the real name, how sure, which tokens."""

    __slots__ = ("end", "kind", "name", "score", "start")

    def __init__(self, kind: str, name: str, score: float, start: int, end: int) -> None:
        self.kind = kind
        self.name = name
        self.score = score
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"Ent({self.kind}:{self.name} {self.score})"


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


def join(argv: list[str]) -> str:
    import shlex

    return " ".join(shlex.quote(a) for a in argv)


# -- names ------------------------------------------------------------------------


def guess_kind(word: str) -> str:
    """What an unknown name most likely is: its shape decides, pipelines by default."""
    if word.startswith("tap-"):
        return "taps"
    if word.startswith("target-"):
        return "targets"
    if word.startswith("flext-") and "api" not in word:
        return "plugins"
    if any(part in word for part in _SERVICE_LIKE):
        return "services"
    return "pipelines"


def _forms(window: list[Tok]) -> set[str]:
    words = [t.low for t in window]
    if len(words) == 1:
        return {words[0]}
    return {"-".join(words), "_".join(words), "".join(words), " ".join(words), ".".join(words)}


def find_entities(toks: list[Tok], world: World) -> list[Ent]:
    """Names of existing things in the text: exact (any case), joined words, then typos."""
    found: list[Ent] = []
    covered: set[int] = set()
    config_cue = any(t.noun == "config" or (t.noun is None and set(t.verbs) & {"set", "unset"}) for t in toks)
    for size in (3, 2, 1):
        for i in range(len(toks) - size + 1):
            window = toks[i:i + size]
            if any(t.used or (not t.word and not t.quoted) or k in covered for k, t in enumerate(window, i)):
                continue
            kinds: tuple[str, ...] = KINDS
            if size == 1 and (window[0].stop or window[0].q or window[0].verbs) and not window[0].quoted:
                if window[0].stop or window[0].q or not config_cue:
                    continue
                kinds = ("config_keys",)  # `set output to json`: a verb that names a setting
            forms = _forms(window)
            hits = [Ent(kind, folded[f], 1.0, i, i + size) for kind in kinds
                    for folded in (world.folded(kind),) for f in forms if f in folded]
            if hits:
                found.extend(hits)
                covered.update(range(i, i + size))
    for i, t in enumerate(toks):  # typos and case: only words we do not know
        if i in covered or not t.unknown or t.used or len(t.low) < 4:
            continue
        hits = []
        for kind in KINDS:
            folded = world.folded(kind)
            guess = similar(t.low, list(folded))
            if guess:
                hits.append(Ent(kind, folded[guess[0]], 0.8, i, i + 1))
        if i + 1 < len(toks) and toks[i + 1].unknown and not hits:
            joined = t.low + "-" + toks[i + 1].low
            for kind in KINDS:
                folded = world.folded(kind)
                guess = similar(joined, list(folded))
                if guess:
                    hits.append(Ent(kind, folded[guess[0]], 0.75, i, i + 2))
        if hits:
            found.extend(hits)
            covered.update(range(hits[0].start, hits[0].end))
    for ent in found:
        for k in range(ent.start, ent.end):
            toks[k].ent = True
    return found


# -- the reading of one text ------------------------------------------------------------


class _Text:
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
        named = {k for e in ents for k in range(e.start, e.end)}
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


def _profile_option(text: _Text) -> None:
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


def _node(root: Node, path: str) -> Node | None:
    node: Node | None = root
    for word in path.split():
        node = node.child(word) if node is not None else None
    return node if node is not None and node.runnable else None


class _Candidate:
    """One rule applied to one text: its score and the command it would run."""

    __slots__ = ("argv", "complete", "destructive", "node", "rule", "score", "slots", "taken", "used_kinds")

    def __init__(self, rule: Rule, node: Node, slots: Slots) -> None:
        import copy

        self.rule = rule
        self.node = node
        self.score = rule.prior
        self.argv: list[str] = rule.path.split()
        self.complete = True
        self.destructive = node.destructive
        self.slots = copy.copy(slots)  # a rule may take a slot's word as a value (`set output to json`)
        self.taken: set[int] = set()  # token indexes this rule used as values
        self.used_kinds: set[str] = set()


def _near(text: _Text, rule: Rule, cand: _Candidate) -> tuple[Tok, bool] | None:
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


def _fill(cand: _Candidate, text: _Text) -> tuple[list[str], float]:
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


def _query(cand: _Candidate, text: _Text) -> tuple[list[str], float]:
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
    from flext.router.values import parse_duration

    number = parse_duration(value)
    return str(int(number)) if number.is_integer() else str(number)


def _options(cand: _Candidate, has_values: bool) -> tuple[list[str], float]:
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


def _specials(cand: _Candidate, text: _Text) -> None:
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


def _score(rule: Rule, node: Node, text: _Text) -> _Candidate:
    cand = _Candidate(rule, node, text.slots)
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
    opts, gain = _options(cand, bool(values))
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
    if rule.kinds and not kind_hit and not values and gain <= 0 and not (rule.verbs & text.specific & said):
        cand.score -= 1.0  # a bare verb (`show`, `list`) says nothing about what
    cand.argv += opts
    if text.profile is not None and rule.arg != "profiles":
        cand.argv += ["-p", text.profile.name]
    return cand


def _specific(root: Node) -> set[str]:
    """Verbs that at most two commands of this tree answer to."""
    count: dict[str, int] = {}
    for rule in RULES:
        if _node(root, rule.path) is not None:
            for verb in rule.verbs:
                count[verb] = count.get(verb, 0) + 1
    return {verb for verb, n in count.items() if n <= 2}


def read(text: str, world: World, root: Node | None = None) -> Reading:
    """Read one line of free text against the tree and the names that exist."""
    if root is None:
        from flext.router.spec import tree

        root = tree()
    toks, asked = tokenize(text)
    if not toks:
        return Reading(NONE)
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
    view = _Text(toks, asked, slots, ents, _specific(root))
    _profile_option(view)
    cands = []
    for rule in RULES:
        node = _node(root, rule.path)
        if node is not None:
            cands.append(_score(rule, node, view))
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
    import os

    from flext.router.live import names

    env = dict(ctx.env)
    profile = ctx.options.get("profile") or ctx.sticky.get("profile")
    if profile:
        env["FLEXT_PROFILE"] = str(profile)
    cwd = str(ctx.options.get("workspace") or ctx.sticky.get("workspace") or os.getcwd())
    return World(lambda kind: names(kind, env, cwd))


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
    """(the free-text words, the option words set aside: `-p prod`, `--yes`, `--tail 5`)."""
    from flext.router.spec import GLOBAL_OPTS

    takes = {f"--{o.name}" for o in GLOBAL_OPTS if not o.flag} | {f"-{o.short}" for o in GLOBAL_OPTS if o.short and not o.flag}
    words: list[str] = []
    options: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if token.startswith("-") and len(token) > 1 and not token[1:].isdigit():
            options.append(token)
            if token in takes and i + 1 < len(args):
                options.append(args[i + 1])
                i += 1
            elif token.startswith("--") and "=" not in token and i + 1 < len(args) and not args[i + 1].startswith("-"):
                nxt = args[i + 1]
                if nxt.isdigit() or (len(nxt) <= 4 and nxt[:1].isdigit()):  # `--tail 50`, `--since 1h`
                    options.append(nxt)
                    i += 1
        else:
            words.append(token)
        i += 1
    return words, options


def _typo(word: str) -> bool:
    """Is the first word a misspelt command group (`confg`)? Then the did-you-mean is better."""
    from flext.router.spec import tree
    from flext.router.suggest import similar

    return bool(similar(word, [c.name for c in tree().visible_children()]))


def free_text(ctx: Context, line: list[str], error: FlextError) -> Invocation:
    """One-shot free text: read it, show it, confirm it, and return what to run.

    Raises `error` (the parser's did-you-mean) when the first word is a command, an
    alias or a typo of one and nothing was understood; exit 2 listing candidates when
    the text is unclear. A mutating command asks first on a terminal and needs
    --yes elsewhere; a destructive one always asks, and is refused without a terminal.
    """
    from flext.core.aliases import first_word
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
