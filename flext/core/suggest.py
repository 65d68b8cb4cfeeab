"""Did-you-mean: edit distance with transpositions, and fuzzy subsequence scoring.

Shared by the parser (unknown command/option/value), the REPL completer and the
conversational parser.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


def distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    if a == b:
        return 0
    la, lb = len(a), len(b)
    if not la:
        return lb
    if not lb:
        return la
    prev2: list[int] = []
    prev = list(range(lb + 1))
    for i in range(1, la + 1):
        cur = [i] + [0] * lb
        ca = a[i - 1]
        for j in range(1, lb + 1):
            cb = b[j - 1]
            cost = 0 if ca == cb else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
        prev2, prev = prev, cur
    return prev[lb]


def _limit(word: str) -> int:
    return 1 if len(word) <= 3 else 2 if len(word) <= 6 else 3


def similar(word: str, candidates: Iterable[str], limit: int | None = None) -> list[str]:
    """Candidates within a small edit distance of `word` (or that it prefixes), best first."""
    w = word.lower()
    max_d = _limit(w) if limit is None else limit
    scored: list[tuple[int, int, str]] = []
    for index, cand in enumerate(candidates):
        c = cand.lower()
        if c == w:
            scored.append((0, index, cand))
            continue
        if len(w) >= 3 and c.startswith(w):
            scored.append((1, index, cand))
            continue
        if abs(len(c) - len(w)) > max_d:
            continue
        d = distance(w, c)
        if d <= max_d:
            scored.append((d + 1, index, cand))
    scored.sort()
    seen: set[str] = set()
    out: list[str] = []
    for _, _, cand in scored:
        if cand not in seen:
            seen.add(cand)
            out.append(cand)
    return out


def closest(word: str, candidates: Iterable[str]) -> str | None:
    found = similar(word, candidates)
    return found[0] if found else None


def fuzzy_score(typed: str, candidate: str) -> float | None:
    """Score how well `typed` matches `candidate` for completion; None when it does not.

    Prefix beats substring beats in-order subsequence beats a small typo.
    """
    t = typed.lower()
    c = candidate.lower()
    if not t:
        return 0.0
    if c.startswith(t):
        return 0.0 + len(c) / 1000
    pos = c.find(t)
    if pos >= 0:
        return 1.0 + pos / 100
    # subsequence
    i = 0
    gaps = 0
    last = -1
    for j, ch in enumerate(c):
        if i < len(t) and ch == t[i]:
            if last >= 0 and j != last + 1:
                gaps += 1
            last = j
            i += 1
    if i == len(t) and len(t) >= 2:
        return 2.0 + gaps / 10
    # typo tolerance against the same-length prefix of the candidate
    if len(t) >= 3:
        d = distance(t, c[: len(t)])
        if d <= _limit(t) - (1 if len(t) <= 4 else 0) or d <= 1:
            return 3.0 + d
    return None


__all__ = ["closest", "distance", "fuzzy_score", "similar"]
