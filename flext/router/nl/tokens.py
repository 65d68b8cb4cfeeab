"""Free text -> tokens with roles (verb, noun, status, number, stop word, unknown...).

Normalising is where politeness, case, contractions, possessives, punctuation and
multi-word phrases (`kick off`, `get rid of`, `in the last`) are taken care of, so
the rules only see canonical words. Quoted text, URLs and paths pass through intact.
A clause break (`,` `;` `.`) is kept on the token before it (`Tok.end`); the forms of
the sentence (`forms`) are read last.
"""

from __future__ import annotations

from flext.router.nl import words as W
from flext.router.nl.forms import shape
from flext.router.nl.tok import Tok, classify

__all__ = ["Tok", "tokenize"]

_EDGE = "?!.,;:()[]{}<>\"“”‘’`"
_PHRASES = {**dict.fromkeys(W.POLITE, ""), **W.PHRASES}


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
        classify(tok, prev)
        if tok.low == "run" and verb_seen:  # `cancel the invoices run`: the run, a noun
            tok.verbs, tok.noun = (), "run"
        verb_seen = verb_seen or bool(tok.verbs)
        prev = tok
    shape(toks, asked)
    return toks, asked
