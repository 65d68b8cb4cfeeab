"""What one line of free text says: verbs said and implied, nouns, names, option values.

`Text` is computed once per line; every rule is scored against the same `Text` and
none changes it, so rules can be scored in any order.
"""

from __future__ import annotations

from flext.router.nl import words as W

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.nl.names import Ent, World
    from flext.router.nl.slots import Slots
    from flext.router.nl.tok import Tok

__all__ = ["LOOKS", "VIEW", "Text", "profile_option"]

VIEW = frozenset(("show", "list", "watch", "status"))  # verbs that only look
LOOKS = frozenset(("logs", "runs", "state", "status", "health", "watch", "list"))  # looks nouns can ask for

_NAMED = ("pipeline", "service", "profile")  # nouns whose neighbour is a name of their kind


class Text:
    """Everything the rules look at, computed once per text (rules never change it)."""

    def __init__(self, toks: list[Tok], asked: bool, slots: Slots, ents: list[Ent], specific: set[str],
                 world: World) -> None:
        self.toks = toks
        self.world = world
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
            if t.index in named or (t.used and t.text == slots.name):
                continue  # the word is a name here (`named perf`), not a verb or a noun
            (self.soft if t.noun else self.verbs).update(t.verbs)
            if t.noun and not (t.used and t.low in ("lines", "line", "entries", "messages")):
                self.kinds.add(t.noun)
                self.nouns = True
                self.plural = self.plural or t.plural
        if self.kinds & W.FOCUS:  # `who changed the config?`: the audit, of the config
            self.kinds &= W.FOCUS
            self.plural = any(t.plural for t in toks if t.noun in W.FOCUS)
            slots.status = None  # `how fast are my running pipelines`: the pipelines are running
        self.destructive_word = any(t.low in W.DESTRUCTIVE for t in toks if t.word)
        self.qword = any(t.low in ("which", "what", "any", "anything", "whose") for t in toks) or bool(
            toks and toks[0].low in ("is", "are", "was", "were", "does", "did", "has", "have")
        )
        self.profile: Ent | None = None
        self.lost: list[tuple[str, Tok]] = []  # (kind, word): `the kafka service`, `on uat`, naming nothing
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
        runs = any(t.noun == "run" and t.plural for t in toks) or slots.count_unit == "runs"
        if runs:
            soft.add("runs")  # `the runs of orders`; one run (`how did the last sync go`) asks its status
        elif "howdid" in words:
            soft.add("status")  # `how did the last sync of customers go?`: how it ended
        if "state" in self.kinds:
            soft.add("state")
        if slots.full_refresh:
            soft.add("start")
        asks = self.asked or self.qword
        if slots.status and not (self.verbs - VIEW):
            # `did orders succeed?`, `is the algar migration done?`: the status of a thing named
            named = any(e.kind not in ("profiles", "config_keys") for e in self.ents) or bool(self.cmds)
            soft.add("status" if named and asks else "list")  # `did orders succeed?`: its status
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
    """`on prod`, `in the staging environment`: -p NAME (when the command is not about profiles).

    A word in that place that names no profile (`on uat`), or beside the noun of a kind
    whose names exist (`the kafka service`), is kept in `lost`: the line names a thing
    that does not exist, and runs nothing (unless the command takes it as a new name).
    """
    toks = text.toks
    for ent in text.ents:
        if ent.kind != "profiles":
            continue
        before = [t.low for t in toks[max(0, ent.start - 2):ent.start]]
        after = toks[ent.end].low if ent.end < len(toks) else ""
        if any(w in ("on", "in", "against", "using", "for", "with", "at", "via") for w in before) or after in (
            "profile", "environment", "env",
        ):
            text.profile = ent
            return
    for i, t in enumerate(toks):
        if not t.unknown or t.used or t.ent:
            continue
        left = toks[i - 1] if i > 0 else None
        right = toks[i + 1] if i + 1 < len(toks) else None
        if left is not None and left.low in ("on", "against", "using", "via"):
            kinds = ["profiles"]
        else:  # `the kafka service`, `pipeline payments`: a word beside the (singular) noun of its kind
            kinds = [f"{n.noun}s" for n in (left, right)
                     if n is not None and n.noun in _NAMED and not n.used and not n.plural]
        for kind in kinds:
            if text.world.missing(kind, t.text):
                text.lost.append((kind, t))
                break

