"""Free text -> tokens with roles (verb, noun, status, number, stop word, unknown...).

Normalising is where politeness, case, contractions, possessives, punctuation and
multi-word phrases (`kick off`, `get rid of`, `in the last`) are taken care of, so
the rules only see canonical words. Quoted text, URLs and paths pass through intact.
"""

from __future__ import annotations

from flext.router.nl import words as W

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Tok", "correct", "drop_filler", "tokenize"]

_EDGE = "?!.,;:()[]{}<>\"“”‘’`"
_PHRASES = {**dict.fromkeys(W.POLITE, ""), **W.PHRASES}


class Tok:
    """One token: as typed (`text`), folded (`low`), and what it may mean."""

    __slots__ = ("cmd", "end", "ent", "format", "health", "index", "low", "made", "neg", "noun", "number", "q",
                 "quoted", "raw", "status", "stop", "text", "used", "verbs")

    def __init__(self, text: str, *, quoted: bool = False, raw: bool = False) -> None:
        self.text = text
        self.low = text if raw or quoted else text.lower()
        self.quoted = quoted
        self.raw = raw  # a URL or a path: never a word
        self.index = 0
        self.used = False  # consumed by a slot (`last 50 lines`, `as json`)
        self.end = False  # a clause ends after it (`,` `;` `.`: `when you can, start orders`)
        self.made = False  # the canonical word of a phrase (`never ran` -> `neverrun`)
        self.ent = False  # names a thing that exists
        self.cmd = False  # a command group word of the tree our vocabulary lacks (`gruponos`, `oud`)
        self.verbs: tuple[str, ...] = ()
        self.noun: str | None = None
        self.status: str | None = None
        self.health = False
        self.number: int | None = None
        self.format: str | None = None
        self.neg = False
        self.q = False
        self.stop = False

    @property
    def word(self) -> bool:
        """An ordinary word (not quoted, not a URL/path)."""
        return not self.quoted and not self.raw

    @property
    def plural(self) -> bool:
        return self.noun is not None and self.low.endswith("s") and self.low not in ("logs", "status", "settings")

    @property
    def unknown(self) -> bool:
        """Nothing we know: maybe the name of a thing."""
        return (
            self.word and not self.verbs and self.noun is None and self.status is None and not self.health
            and self.number is None and self.format is None and not self.neg and not self.q and not self.stop
        )

    def __repr__(self) -> str:
        return f"Tok({self.low!r})"


def _split_quotes(text: str) -> list[tuple[str, bool]]:
    """[(segment, quoted)]: double/curly quotes always; single quotes at a word start."""
    out: list[tuple[str, bool]] = []
    buf: list[str] = []
    i = 0
    n = len(text)
    pairs = {'"': '"', "“": "”", "‘": "’", "'": "'"}
    while i < n:
        ch = text[i]
        if ch in pairs and (ch != "'" or i == 0 or text[i - 1] in " \t"):
            close = text.find(pairs[ch], i + 1)
            if close > i + 1:
                out.append(("".join(buf), False))
                buf = []
                out.append((text[i + 1:close], True))
                i = close + 1
                continue
        buf.append(ch)
        i += 1
    out.append(("".join(buf), False))
    return [(s, q) for s, q in out if s.strip() or q]


def _raw_word(word: str) -> bool:
    return "://" in word or word.startswith(("/", "./", "~/", "../")) or ("@" in word and "." in word)


def _words(segment: str) -> tuple[list[Tok], bool]:
    """Tokens of an unquoted segment, and whether it asked a question."""
    asked = False
    toks: list[Tok] = []
    for piece in segment.replace("’", "'").split():
        if _raw_word(piece):
            toks.append(Tok(piece.rstrip(".,;!?)"), raw=True))
            continue
        if "?" in piece:
            asked = True
        word = piece.strip(_EDGE).lower()
        if word.startswith("--") or (word.startswith("-") and len(word) == 2 and word[1].isalpha()):
            toks.append(Tok(word))  # `tail -f` and friends, left for the phrase table
            continue
        word = word.strip("-'")
        if not word:
            continue
        expansion = W.CONTRACTIONS.get(word)
        if expansion:
            toks.extend(Tok(w) for w in expansion.split())
            continue
        if word.endswith("'s"):
            word = word[:-2]
        elif word.endswith("s'"):
            word = word[:-1]
        if word:
            toks.append(Tok(word))
        if toks and piece.rstrip("\"'”’)]").endswith((",", ";", ".", "!", "?", ":")):
            toks[-1].end = True
    return toks, asked


def _phrases(toks: list[Tok]) -> list[Tok]:
    """Replace multi-word phrases (longest first) by their canonical word."""
    longest = 6
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        replaced = False
        for size in range(min(longest, len(toks) - i), 0, -1):
            window = toks[i:i + size]
            if any(not t.word for t in window):
                continue
            key = " ".join(t.low for t in window)
            canon = _PHRASES.get(key)
            if canon is None or (size == 1 and canon == key):
                continue
            if canon:
                for word in canon.split():
                    out.append(Tok(word))
                    out[-1].made = True
            if window[-1].end and out:
                out[-1].end = True
            i += size
            replaced = True
            break
        if not replaced:
            out.append(toks[i])
            i += 1
    return out


def _classify(tok: Tok, prev: Tok | None) -> None:
    if not tok.word:
        return
    low = tok.low
    if low.isdigit():
        tok.number = int(low)
        return
    if low in W.NUMBERS and low not in ("a", "an", "half", "single"):
        tok.number = W.NUMBERS[low]
    verbs = W.VERBS.get(low, ())
    if low == "run" and prev is not None and prev.low in ("last", "latest", "previous", "recent", "first", "next"):
        verbs = ()  # `the last run`: a noun
        tok.noun = "run"
    tok.verbs = verbs
    if tok.noun is None:
        tok.noun = W.NOUNS.get(low)
    tok.status = W.STATUS.get(low)
    tok.health = low in W.HEALTH
    tok.format = W.FORMATS.get(low) if low in ("json", "jsonl", "ndjson", "yaml", "yml", "csv") else None
    tok.neg = low in W.NEGATIONS
    tok.q = low in W.QUESTION
    if tok.number is None and not verbs and tok.noun is None and tok.status is None and not tok.health:
        tok.stop = low in W.STOP
        if not tok.stop and not tok.q and not tok.neg and tok.format is None:
            _inflected(tok)


def _inflected(tok: Tok) -> None:
    """A form the tables do not list: `adding` is add, `succeed` succeeded, `loaders` loader.

    Not -ed forms of verbs: those are adjectives as often (`installed taps`, `enabled plugins`).
    """
    low = tok.low
    if low.endswith("ing"):
        verb = W.base(low, W.VERBS)
        if verb is not None:
            tok.verbs = W.VERBS[verb]
            return
    status = W.base(low, W.STATUS)
    if status is not None and not low.endswith(("ing", "s")):
        tok.status = W.STATUS[status]
        return
    if low.endswith("s"):
        noun = W.base(low, W.NOUNS)
        if noun is not None:
            tok.noun = W.NOUNS[noun]


def tokenize(text: str) -> tuple[list[Tok], bool]:
    """(tokens, asked a question) for a line of free text."""
    toks: list[Tok] = []
    asked = False
    for segment, quoted in _split_quotes(text):
        if quoted:
            toks.append(Tok(segment, quoted=True))
            continue
        words, q = _words(segment)
        asked = asked or q
        toks.extend(words)
    toks = _phrases(toks)
    prev: Tok | None = None
    verb_seen = False
    for index, tok in enumerate(toks):
        tok.index = index
        _classify(tok, prev)
        if tok.low == "run" and verb_seen:  # `cancel the invoices run`: the run, a noun
            tok.verbs, tok.noun = (), "run"
        verb_seen = verb_seen or bool(tok.verbs)
        prev = tok
    _get_going(toks)
    _what_can_do(toks)
    _reported(toks, asked)
    return toks, asked


_AUX = frozenset(("do", "does", "did", "has", "have", "had"))
_SUBJECTS = frozenset(("i", "we", "you", "they"))
_LOOK = frozenset(("show", "list", "logs", "status", "health", "search", "watch", "help", "where", "whoami",
                   "authstatus", "version", "check", "validate", "test", "discover"))


def _reported(toks: list[Tok], asked: bool) -> None:
    """A question tells of an action, it does not order it: `did my last elt run of orders
    succeed?`, `when did billing run last?` ask about runs; `what services do we run?` asks
    what there is. The first action verb after `did`/`does`/`has`... is no order: a start
    becomes the noun run, after `we`/`i`/`you` (`do we run`) it is plain `have`.
    """
    if not toks or not (asked or toks[0].q or any(t.low in _AUX for t in toks[:2])):  # `how did` -> `howdid did`
        return
    for i, tok in enumerate(toks):
        if tok.low not in _AUX:
            continue
        for j in range(i + 1, min(i + 6, len(toks))):
            verb = toks[j]
            if not verb.verbs:
                continue
            if not set(verb.verbs) <= _LOOK:
                if toks[j - 1].low in _SUBJECTS:
                    verb.verbs, verb.stop = (), True
                elif "start" in verb.verbs:
                    verb.verbs, verb.noun = (), "run"
                else:
                    verb.verbs = ()
            break
        return


def _what_can_do(toks: list[Tok]) -> None:
    """`what can this tool do?`, `what can flext do for me`: what there is to do (help)."""
    words = [t.low for t in toks]
    for i in range(len(words) - 2):
        if words[i:i + 2] == ["what", "can"]:
            for j in range(i + 3, min(i + 6, len(words))):
                if words[j] == "do" and all(t.stop for t in toks[j + 1:]):
                    toks[i:j + 1] = [Tok("helpme")]
                    return


_WANT = frozenset(("get", "got", "need", "needs", "want", "wants", "like", "have", "would"))


def _get_going(toks: list[Tok]) -> None:
    """`get the orders pipeline going`, `i need the snowflake loader installed`: the last word
    is what is wanted done (a start, an install), however far from `get`/`need`/`want`."""
    words = [t.low for t in toks]
    want = max((i for i, w in enumerate(words[:-1]) if w in _WANT), default=None)
    if want is None or all(t.stop for t in toks[want + 1:-1]):
        return  # `the taps I have installed`: no thing between, a tense, not a wish
    last = toks[-1]
    if words[-1] in ("going", "started", "moving"):
        last.verbs, last.status, last.stop = ("start",), None, False
        return
    verb = W.base(words[-1], W.VERBS) if words[-1].endswith(("ed", "en")) else None
    if verb is not None and last.word:
        last.low, last.verbs, last.status, last.stop = verb, W.VERBS[verb], None, False


_VERBISH: list[str] = []
_NOUNISH: list[str] = []
_KEEP = frozenset(("half", "past", "last", "ago", "latest", "recent", "since", "within", "today", "yesterday",
                   "tonight", "month", "months", "line", "lines", "entries", "entry", "kind", "kinds"))


def _vocabulary(verbs: bool) -> list[str]:
    """Words a typo may stand for (verbs and health words, or nouns and statuses); never one
    that deletes."""
    if not _VERBISH:
        _VERBISH.extend(w for w in dict.fromkeys([*W.VERBS, *sorted(W.HEALTH)]) if w not in W.DESTRUCTIVE and len(w) >= 4)
        _NOUNISH.extend(w for w in dict.fromkeys([*W.NOUNS, *W.STATUS]) if w not in W.DESTRUCTIVE and len(w) >= 4)
    return _VERBISH if verbs else _NOUNISH


def correct(toks: list[Tok], is_name: Callable[[str], bool]) -> None:
    """Typos of our own words where the line lacks one: `lsit services` has no verb, so
    `lsit` is list; `show secretes` has no noun, so `secretes` is secrets; `dash` alone is
    the dashboard. One edit away or the start of the word; never a name or a typo of one
    (names keep their own typos), never a word of time or counting (`half an hour`), never
    a word that deletes (`clean` stays a word we do not know); the first letter stays and
    the word it becomes has four letters or more (`send` is no typo of `end`).
    """
    from flext.core.suggest import similar

    verbless = not any(t.verbs or t.health for t in toks)
    nounless = not any(t.noun or t.status for t in toks)
    if not (verbless or nounless):
        return
    prev: Tok | None = None
    for tok in toks:
        low = tok.low
        if (tok.unknown and len(low) >= 4 and low.isalpha() and low not in _KEEP and low not in W.TIME_UNITS
                and low not in W.NUMBERS and not is_name(low)):
            words = (_vocabulary(True) if verbless else []) + (_vocabulary(False) if nounless else [])
            guess = similar(low, [w for w in words if w[0] == low[0]], limit=1)  # a typo keeps its first letter
            if guess:
                tok.low = guess[0]
                _classify(tok, prev)
                verbless = verbless and not (tok.verbs or tok.health)
                nounless = nounless and not (tok.noun or tok.status)
        prev = tok


_ASIDES = frozenset(("if", "when", "whenever", "once", "while", "sorry", "thanks", "thank", "hi", "hello", "hey"))


def drop_filler(toks: list[Tok], is_name: Callable[[str], bool]) -> list[Tok]:
    """Clauses that ask for nothing, beside one that does: `when you have a moment, show the
    audit log`, `thanks in advance, could you ...`, `if it is not too much trouble, start
    orders`; and a relative clause that only describes (`the profiles that exist`).

    A clause is dropped only when it holds no verb, status, number, name or quoted text, and
    opens with `if`/`when`/`sorry`/`thanks`... (or holds stop words only). The
    negation in a dropped aside (`if it is not too much trouble`) goes with it.
    """
    clauses: list[list[Tok]] = [[]]
    for tok in toks:
        clauses[-1].append(tok)
        if tok.end:
            clauses.append([])
    clauses = [c for c in clauses if c]

    def says(tok: Tok) -> bool:
        return bool(tok.verbs or tok.health or tok.status or tok.number is not None or not tok.word
                    or tok.cmd or (tok.made and not tok.stop) or (tok.unknown and is_name(tok.low)))

    def empty(clause: list[Tok]) -> bool:
        if any(says(t) for t in clause):
            return False
        return clause[0].low in _ASIDES or all(t.stop for t in clause)

    if len(clauses) > 1:
        kept = [c for c in clauses if not empty(c)]
        if kept and any(any(says(t) or t.noun for t in c) for c in kept):
            toks = [t for c in kept for t in c]
    for i in range(1, len(toks) - 1):  # `the profiles that exist`: a relative clause at the end
        if toks[i].low in ("that", "which", "who") and toks[i - 1].noun and not toks[i - 1].end:
            rest = toks[i + 1:]
            if not any(says(t) or t.noun or t.neg for t in rest) and sum(1 for t in rest if t.unknown) <= 1:
                return toks[:i]
    return toks
