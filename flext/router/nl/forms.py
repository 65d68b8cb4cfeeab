"""What the form of a sentence says beyond its words.

A question tells of an action rather than ordering it (`did orders run?`); `what can
this tool do?` asks for help; `get the orders pipeline going`, `I need the snowflake
loader installed` want the last word done.
"""

from __future__ import annotations

from flext.router.nl import words as W
from flext.router.nl.tok import Tok

__all__ = ["reported", "shape", "wanted", "what_can_do"]


def shape(toks: list[Tok], asked: bool) -> None:
    """Apply every sentence form to the classified tokens (in place)."""
    wanted(toks)
    what_can_do(toks)
    reported(toks, asked)


_AUX = frozenset(("do", "does", "did", "has", "have", "had"))
_SUBJECTS = frozenset(("i", "we", "you", "they"))
_LOOK = frozenset(("show", "list", "logs", "status", "health", "search", "watch", "help", "where", "whoami",
                   "authstatus", "version", "check", "validate", "test", "discover"))


def reported(toks: list[Tok], asked: bool) -> None:
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


def what_can_do(toks: list[Tok]) -> None:
    """`what can this tool do?`, `what can flext do for me`: what there is to do (help)."""
    words = [t.low for t in toks]
    for i in range(len(words) - 2):
        if words[i:i + 2] == ["what", "can"]:
            for j in range(i + 3, min(i + 6, len(words))):
                if words[j] == "do" and all(t.stop for t in toks[j + 1:]):
                    toks[i:j + 1] = [Tok("helpme")]
                    return


_WANT = frozenset(("get", "got", "need", "needs", "want", "wants", "like", "have", "would"))


def wanted(toks: list[Tok]) -> None:
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
