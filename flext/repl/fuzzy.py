"""Typo-tolerant ranking of many names, fast enough to run on every keystroke.

The ranking is `flext.core.suggest.fuzzy_score` (prefix < substring < subsequence <
small typo), so the shell orders names exactly as the rest of flext does. Scoring
10,000 names one by one in Python costs tens of milliseconds, so the cheap kinds of
match are found first with C-speed string operations, and the slow ones only run when
the cheap ones found too little: subsequences with one regular expression over all
names, typos through an index of one-letter deletions (built once per length).
"""

from __future__ import annotations

import heapq
from itertools import compress, repeat
from operator import eq, gt

from flext.core.suggest import fuzzy_score

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Iterable

__all__ = ["NameIndex"]

_SMALL = 2000  # above this many names, the typo index is built ahead (see `warm`)
_FEW = 10  # fewer direct matches than this: look for subsequences and typos too
_MORE = 30  # and add at most this many of them (a menu, not a search engine)
_SCAN = 2000  # names checked one by one for a typo late in a long word, at most
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
        # C-level passes over all names: where `t` occurs, then which start with it
        positions = list(map(str.find, self.lower, repeat(t)))
        everything = range(len(positions))
        prefix = list(compress(everything, map(eq, positions, repeat(0))))
        if len(prefix) >= limit:  # enough names start with it: nothing else can rank higher
            return heapq.nsmallest(limit, prefix, key=lambda i: (len(self.lower[i]), i))
        scored: list[tuple[float, int]] = [(len(self.lower[i]) / 1000, i) for i in prefix]
        scored += [(1.0 + positions[i] / 100, i) for i in compress(everything, map(gt, positions, repeat(0)))]
        hit = {i for _, i in scored}
        direct = len(scored)
        if len(scored) < min(limit, _FEW) and len(t) >= 2:  # few direct matches: look further
            for i in self._subsequences(t, min(limit - len(scored), _MORE)):
                if i not in hit:
                    score = fuzzy_score(t, self.lower[i])
                    if score is not None:
                        scored.append((score, i))
                        hit.add(i)
        if len(scored) < min(limit, _FEW) and len(t) >= 3:
            for i, d in self._typos(t, min(limit - len(scored), _MORE), late=not direct):
                if i not in hit:
                    scored.append((3.0 + d, i))  # fuzzy_score's typo tier, without its O(n²) distance
                    hit.add(i)
        if len(scored) > limit:
            return [i for _, i in heapq.nsmallest(limit, scored)]
        scored.sort()
        return [i for _, i in scored]

    def _text(self) -> tuple[str, list[int]]:
        """All names in one string (one per line) and where each starts: C-speed searching."""
        if self._joined is None:
            starts: list[int] = []
            pos = 0
            for name in self.lower:
                starts.append(pos)
                pos += len(name) + 1
            self._starts = starts
            self._joined = "\n".join(self.lower)
        return self._joined, self._starts

    def _subsequences(self, t: str, want: int) -> list[int]:
        """The first `want` names that contain the letters of `t` in order (one regex)."""
        import bisect
        import re

        joined, starts = self._text()
        # `x[^\ny]*+y...`: the regex engine finds each x fast, then jumps to the next letter
        # without backtracking, so the cost is linear in the names, whatever `t` is
        first, rest = re.escape(t[0]), t[1:]
        pattern: re.Pattern[str] = re.compile(
            first + "".join(f"[^\n{re.escape(ch)}]*+{re.escape(ch)}" for ch in rest)
        )
        found: list[int] = []
        last = -1
        for match in pattern.finditer(joined):
            index = bisect.bisect_right(starts, match.start()) - 1
            if index != last:
                found.append(index)
                last = index
                if len(found) >= want:
                    break
        return found

    def _typos(self, t: str, want: int, late: bool = True) -> list[tuple[int, int]]:
        """(index, edits) of names that `t` spells with a typo or two.

        The first letters are looked up in an index of one-letter deletions (one edit
        there); each spelling of them that exists is then tried with the rest of `t` as
        a prefix, at C speed. Only when that finds nothing is a typo in the rest looked
        for, by counting differing letters over a bounded number of names. No edit
        distance is computed per name, so a keystroke stays cheap with 10,000 names.
        """
        size = min(len(t), _HEAD)
        head, tail = t[:size], t[size:]
        table = self._table(size)
        found: set[int] = set()
        for variant in _variants(head):
            found.update(table.get(variant, ()))
        if not found:
            return []
        ordered = sorted(found)
        out: list[tuple[int, int]] = []
        for spelling in sorted({self.lower[i][:size] for i in ordered}, key=lambda h: h != head):
            whole = spelling + tail
            edits = 0 if spelling == head else 1
            out += [(i, edits) for i in ordered if self.lower[i].startswith(whole)][: want - len(out)]
            if len(out) >= want:
                return out
        if out or not tail or not late:
            return out
        half = len(tail) // 2
        front, back = tail[:half], tail[half:]
        for i in ordered[:_SCAN]:  # a typo after the first letters: one half of the rest is intact
            name = self.lower[i]
            rest = name[size:len(t)]
            if rest[:half] != front and rest[half:] != back:
                continue
            edits = (0 if name.startswith(head) else 1) + abs(len(tail) - len(rest))
            edits += sum(1 for a, b in zip(tail, rest, strict=False) if a != b)
            if edits <= 3:  # the typo tier of fuzzy_score allows up to 3 for long words
                out.append((i, edits))
                if len(out) >= want:
                    break
        out.sort(key=lambda pair: pair[1])
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
        """Build the search text and typo indexes now (on the background thread, not on a keystroke)."""
        self._text()
        if len(self.lower) > _SMALL:
            for size in range(3, _HEAD + 1):
                self._table(size)


def _variants(word: str) -> set[str]:
    """The word and every way of deleting one letter from it."""
    out = {word}
    for k in range(len(word)):
        out.add(word[:k] + word[k + 1:])
    return out
