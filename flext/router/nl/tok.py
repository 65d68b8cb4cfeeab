"""One word of free text and what it may mean: verb, noun, status, number, stop word...

`classify` gives a token its roles from the vocabulary (`words`), inflections included
(`adding` is add); a word with none of them is `unknown`: maybe the name of a thing.
"""

from __future__ import annotations

from flext.router.nl import words as W

__all__ = ["Tok", "classify"]


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


def classify(tok: Tok, prev: Tok | None) -> None:
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
