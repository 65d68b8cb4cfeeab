"""Typo-tolerant ranking of many names, fast enough to run on every keystroke.

The ranking is `flext.router.suggest.fuzzy_score` (prefix < substring < subsequence <
small typo), so the shell orders names exactly as the rest of flext does. Scoring
10,000 names one by one in Python costs tens of milliseconds, so the cheap kinds of
match are found first with C-speed string operations, and the slow ones only run when
the cheap ones found too little: subsequences with one regular expression over all
names, typos through an index of one-letter deletions (built once per length).
"""

from __future__ import annotations

import heapq

from flext.router.suggest import fuzzy_score

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Iterable

__all__ = ["NameIndex"]

_SMALL = 2000  # above this many names, the typo index is built ahead (see `warm`)
_VERIFY = 300  # typo candidates scored at most, per keystroke
_HEAD = 8  # typo candidates are found by their first letters (fuzzy_score then decides)


class NameIndex:
    """Names (with an optional description each) and the indexes to rank them."""

    __slots__ = ("_deletions", "_joined", "_starts", "lower", "meta", "names")

    def __init__(self, pairs: Iterable[tuple[str, str] | str]) -> None:
        names: list[str] = []
        meta: list[str] = []
        for item in pairs:
            if isinstance(item, str):
                names.append(item)
                meta.append("")
            else:
                names.append(item[0])
                meta.append(item[1])
        self.names = tuple(names)
        self.meta = tuple(meta)
        self.lower = tuple(n.lower() for n in names)
        self._joined: str | None = None
        self._starts: list[int] = []
        self._deletions: dict[int, dict[str, list[int]]] = {}

    def __len__(self) -> int:
        return len(self.names)

    def __bool__(self) -> bool:
        return bool(self.names)

    def rank(self, typed: str, limit: int = 100) -> list[int]:
        """Indexes of the names matching `typed`, best first, at most `limit`."""
        if not typed:
            return list(range(min(limit, len(self.names))))
        t = typed.lower()
        scored: list[tuple[float, int]] = []
        hit: set[int] = set()
        for i, name in enumerate(self.lower):
            pos = name.find(t)
            if pos == 0:
                scored.append((len(name) / 1000, i))
            elif pos > 0:
                scored.append((1.0 + pos / 100, i))
            else:
                continue
            hit.add(i)
        if len(scored) < limit and len(t) >= 2:
            for i in self._subsequences(t, limit - len(scored)):
                if i not in hit:
                    score = fuzzy_score(t, self.lower[i])
                    if score is not None:
                        scored.append((score, i))
                        hit.add(i)
        if len(scored) < min(limit, 10) and len(t) >= 3:
            for i in self._typos(t):
                if i not in hit:
                    score = fuzzy_score(t, self.lower[i])
                    if score is not None:
                        scored.append((score, i))
                        hit.add(i)
        if len(scored) > limit:
            return [i for _, i in heapq.nsmallest(limit, scored)]
        scored.sort()
        return [i for _, i in scored]

    def _subsequences(self, t: str, want: int) -> list[int]:
        """The first `want` names that contain the letters of `t` in order (one regex)."""
        import bisect
        import re

        if self._joined is None:
            self._joined = "\n".join(self.lower)
            starts = []
            pos = 0
            for name in self.lower:
                starts.append(pos)
                pos += len(name) + 1
            self._starts = starts
        # `[^\nx]*+x` jumps to the next x without backtracking: linear in the text
        pattern: re.Pattern[str] = re.compile(
            "^" + "".join(f"[^\n{re.escape(ch)}]*+{re.escape(ch)}" for ch in t), re.MULTILINE
        )
        found: list[int] = []
        for match in pattern.finditer(self._joined):
            found.append(bisect.bisect_right(self._starts, match.start()) - 1)
            if len(found) >= want:
                break
        return found

    def _typos(self, t: str) -> list[int]:
        """Names whose start is about one edit away from `t` (fuzzy_score then decides).

        Candidates come from the deletion index of the first letters; past those, at
        most one letter may differ, so a long typed word costs no more than a short one.
        """
        size = min(len(t), _HEAD)
        table = self._table(size)
        found: set[int] = set()
        for variant in _variants(t[:size]):
            found.update(table.get(variant, ()))
        tail = t[size:]
        out: list[int] = []
        for i in sorted(found):
            if tail:
                rest = self.lower[i][size:len(t)]
                if sum(1 for a, b in zip(tail, rest, strict=False) if a != b) + abs(len(tail) - len(rest)) > 1:
                    continue
            out.append(i)
            if len(out) >= _VERIFY:
                break
        return out

    def _table(self, size: int) -> dict[str, list[int]]:
        table = self._deletions.get(size)
        if table is None:
            table = {}
            for i, name in enumerate(self.lower):
                for variant in _variants(name[:size]):
                    table.setdefault(variant, []).append(i)
            self._deletions[size] = table
        return table

    def warm(self) -> None:
        """Build the typo indexes now (on the background thread, not on a keystroke)."""
        if len(self.lower) > _SMALL:
            for size in range(3, _HEAD + 1):
                self._table(size)


def _variants(word: str) -> set[str]:
    """The word and every way of deleting one letter from it."""
    out = {word}
    for k in range(len(word)):
        out.add(word[:k] + word[k + 1:])
    return out
