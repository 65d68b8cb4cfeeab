"""Names of things that exist, found in free text: exact, joined, case-folded, or misspelt.

`web events` finds the pipeline `web-events`, `ORDERS` finds `orders`, `odrers` finds
it too (as a weaker match), `postgres` finds `tap-postgres` and `target-postgres`. A name that exists as a pipeline and as a service is found
as both; the rules decide by what the text says around it. A word that names nothing
is guessed by its shape (`tap-x` a tap, `flexcore` a service, else a pipeline).
"""

from __future__ import annotations

from flext.core.suggest import similar

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from flext.router.nl.tok import Tok

__all__ = ["KINDS", "LIVE", "Ent", "World", "find_entities", "first_shaped", "guess_kind"]

KINDS = ("pipelines", "services", "profiles", "taps", "targets", "plugins", "secrets", "aliases",
         "dbt_projects", "config_keys", "log_sources")
# kinds whose names free text must not invent: a line naming one that does not exist runs nothing
LIVE = ("pipelines", "services", "profiles")
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

    def missing(self, kind: str | None, word: str) -> bool:
        """Is `word` no name of this kind, when the kind is one whose names we know (pipelines,
        services, profiles) and some exist? A glob (`wms-*`) is a name when it matches one.

        A kind with no names at all says nothing (a fresh workspace, names not loaded yet,
        a remote backend): then the command itself reports what does not exist.
        """
        if kind not in LIVE:
            return False
        folded = self.folded(kind)
        low = word.lower()
        if not folded or low in folded:
            return False
        if any(ch in low for ch in "*?["):
            from fnmatch import fnmatchcase

            return not any(fnmatchcase(name, low) for name in folded)
        return True

    def similar_name(self, word: str) -> bool:
        """Is `word` a name of anything, or a typo of one (of a name long enough to have typos)?"""
        return any(word in folded or similar(word, _typos(folded)) for folded in map(self.folded, KINDS))

    def closest(self, kind: str, word: str, limit: int = 3) -> list[str]:
        """The names of this kind most like `word`, however far (a close typo would have been found)."""
        import difflib

        folded = self.folded(kind)
        found = difflib.get_close_matches(word.lower(), list(folded), n=limit, cutoff=0.0)
        return [folded[f] for f in found]

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


_PREFIX = {"taps": "tap-", "targets": "target-"}  # kinds whose names say what they are


def first_shaped(toks: list[Tok], kind: str | None) -> Tok | None:
    """The first word shaped like a name of this kind (`tap-foo` for taps), existing or not."""
    prefix = _PREFIX.get(kind or "")
    return next((t for t in toks if t.word and t.low.startswith(prefix)), None) if prefix else None


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


def _typos(folded: dict[str, str]) -> list[str]:
    """Names a misspelling may stand for: not two-letter ones (`st` is no typo of `lsit`)."""
    return [name for name in folded if len(name) >= 4]


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
            guess = similar(t.low, _typos(folded))
            if guess:
                hits.append(Ent(kind, folded[guess[0]], 0.8, i, i + 1))
            elif kind in _PREFIX and _PREFIX[kind] + t.low in folded:  # `the postgres extractor`: tap-postgres
                hits.append(Ent(kind, folded[_PREFIX[kind] + t.low], 0.8, i, i + 1))
        if i + 1 < len(toks) and toks[i + 1].unknown and not hits:
            joined = t.low + "-" + toks[i + 1].low
            for kind in KINDS:
                folded = world.folded(kind)
                guess = similar(joined, _typos(folded))
                if guess:
                    hits.append(Ent(kind, folded[guess[0]], 0.75, i, i + 2))
        if hits:
            found.extend(hits)
            covered.update(range(hits[0].start, hits[0].end))
    for ent in found:
        for k in range(ent.start, ent.end):
            toks[k].ent = True
    return found
