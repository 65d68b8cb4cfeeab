"""Free text -> tokens with roles (verb, noun, status, number, stop word, unknown...).

Normalising is where politeness, case, contractions, possessives, punctuation and
multi-word phrases (`kick off`, `get rid of`, `in the last`) are taken care of, so
the rules only see canonical words. Quoted text, URLs and paths pass through intact.
"""

from __future__ import annotations

from flext.router.nl import words as W

__all__ = ["Tok", "tokenize"]

_EDGE = "?!.,;:()[]{}<>\"“”‘’`"
_PHRASES = {**dict.fromkeys(W.POLITE, ""), **W.PHRASES}


class Tok:
    """One token: as typed (`text`), folded (`low`), and what it may mean."""

    __slots__ = ("cmd", "ent", "format", "health", "index", "low", "neg", "noun", "number", "q", "quoted", "raw",
                 "status", "stop", "text", "used", "verbs")

    def __init__(self, text: str, *, quoted: bool = False, raw: bool = False) -> None:
        self.text = text
        self.low = text if raw or quoted else text.lower()
        self.quoted = quoted
        self.raw = raw  # a URL or a path: never a word
        self.index = 0
        self.used = False  # consumed by a slot (`last 50 lines`, `as json`)
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
                out.extend(Tok(c) for c in canon.split())
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
    return toks, asked


def _get_going(toks: list[Tok]) -> None:
    """`get the orders pipeline going`: a start, however far apart the words are."""
    words = [t.low for t in toks]
    if toks and words[-1] in ("going", "started", "moving") and any(w in ("get", "got") for w in words[:-1]):
        toks[-1].verbs, toks[-1].status, toks[-1].stop = ("start",), None, False
