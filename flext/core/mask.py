"""The one masking function for every sink (DESIGN.md section 2: secrets never leak).

`mask(text)` replaces every known secret value in `text` with MASK: run records and run
logs, service logs, history, audit, `--debug` tracebacks, error messages, streamed rows
and HTTP responses all go through it (`flext.core.secrets.redact_known`, `ctx.redact`
and the server's `flext.server.masking.mask` are this function).

Known values. `remember(value)` adds one: every value this process read, set or resolved
(the secret store calls it), plus, in the engine and the server, every secret the
workspace's config refers to (`learn`). A child process that must mask (a detached run,
a service keeper) is handed the values through a pipe or its private spec, never argv or
env, and remembers them itself. Values shorter than MIN_LEN are not masked: they would
blank out ordinary words.

Spellings. A value is masked however a program may have printed it: raw, JSON-escaped
(`"` and `\\`, with and without `ensure_ascii`, `/` as `\\/`, and escaped twice: a JSON
document inside a JSON string), Python repr, shell-quoted (`shlex.quote`), URL-encoded
(`quote`, `quote_plus`, upper- and lower-case hex), and each substantial line of a
multi-line value (a PEM key). Overlapping occurrences of different values are masked as
their union, so no tail of one value survives the masking of another.

Linear time. One compiled regular expression built from a trie of the spellings: `re`
scans for it with a first-character set (text with no secret costs one C-speed pass),
follows the text down the trie at a candidate position (one branch per character, never
every spelling in turn), and matches the longest spelling that starts there; within a
match each later position is tried once more so an overlapping value extends the masked
interval. The work per position is bounded by the longest spelling, never by the text:
linear in the text length, checked on adversarial input by tests/core/test_mask.py and
measured by bench/redact.py.
"""

from __future__ import annotations

import _thread

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from re import Pattern
    from typing import Any

MASK = "••••••"
MIN_LEN = 4
PREFIX = "secret:"


def spellings(value: str) -> set[str]:
    """The ways `value` may appear in text (each at least MIN_LEN long)."""
    import json
    import re
    import shlex
    from urllib.parse import quote, quote_plus

    if len(value) < MIN_LEN:
        return set()
    parts = {value}
    if "\n" in value:  # a PEM key or similar: also each substantial line on its own
        parts.update(line.strip() for line in value.splitlines() if len(line.strip()) >= 8)
    found: set[str] = set()

    def lower_hex(text: str) -> str:
        return re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)

    for part in parts:
        escaped = {json.dumps(part, ensure_ascii=False)[1:-1], json.dumps(part)[1:-1]}
        escaped |= {e.replace("/", "\\/") for e in escaped}
        twice = {json.dumps(e, ensure_ascii=ascii_)[1:-1] for e in escaped for ascii_ in (False, True)}
        urls = {quote(part, safe=""), quote(part), quote_plus(part), quote_plus(part, safe="/")}
        found |= {part, shlex.quote(part), repr(part)[1:-1]} | escaped | twice | urls | {lower_hex(u) for u in urls}
    return {s for s in found if len(s) >= MIN_LEN}


class Masker:
    """A set of known values and the compiled patterns that mask them."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._lock = _thread.allocate_lock()
        self._values: frozenset[str] = frozenset()
        self._spellings: frozenset[str] = frozenset()
        self._pattern: Pattern[str] | None = None
        self.update(values)

    def remember(self, value: object) -> bool:
        """Know `value` from now on; False when it is too short (or not text) to mask."""
        return self.update([value])

    def update(self, values: Iterable[object]) -> bool:
        new = {v for v in values if isinstance(v, str) and len(v) >= MIN_LEN} - self._values
        if not new:
            return False
        added: set[str] = set()
        for value in new:
            added |= spellings(value)
        with self._lock:
            self._values = self._values | new
            if not added <= self._spellings:
                self._spellings = self._spellings | added
                self._pattern = None
        return True

    def known(self) -> bool:
        return bool(self._spellings)

    def values(self) -> list[str]:
        """The raw values (to hand to a child process that must mask too)."""
        return sorted(self._values)

    def _compiled(self) -> Pattern[str] | None:
        pattern = self._pattern
        if pattern is None and self._spellings:

            with self._lock:
                pattern = self._pattern = _compile(self._spellings)
        return pattern

    def __call__(self, text: str) -> str:
        if not text or not self._spellings:
            return text
        pattern = self._compiled()
        found = pattern.search(text) if pattern is not None else None
        if pattern is None or found is None:
            return text
        out: list[str] = []
        kept = 0  # text[:kept] is in `out` already
        while found is not None:
            start, end = found.span()  # the longest spelling that starts at `start`
            here = start + 1
            while True:
                while here < end:  # one that starts inside may reach further: mask the union
                    inner = pattern.match(text, here)
                    if inner is not None and inner.end() > end:
                        end = inner.end()
                    here += 1
                after = pattern.match(text, end)  # one right after: the same mask
                if after is None or after.end() == end:
                    break
                here, end = end + 1, after.end()
            out.append(text[kept:start])
            out.append(MASK)
            kept = end
            found = pattern.search(text, end)
        out.append(text[kept:])
        return "".join(out)

    def tree(self, doc: Any) -> Any:
        """A copy of a JSON-like document with every string (keys too) masked."""
        if isinstance(doc, str):
            return self(doc)
        if isinstance(doc, dict):
            return {self(k) if isinstance(k, str) else k: self.tree(v) for k, v in doc.items()}
        if isinstance(doc, (list, tuple)):
            return [self.tree(v) for v in doc]
        return doc


def _compile(words: frozenset[str]) -> Pattern[str]:
    """One pattern matching, at a position, the longest of `words` that starts there.

    Built from a trie of the words (`tok-0001|tok-0002` becomes `tok\\-000(?:1|2)`): at
    each position `re` follows the text down the trie, one branch per character, instead
    of trying every word in turn (20x faster on 200 values). A trie too deep for `re`'s
    parser (thousands of nested ends) falls back to the flat alternation, longest first."""
    import re

    try:
        return re.compile(_trie_pattern(words))
    except (RecursionError, re.error, OverflowError):
        ordered = sorted(words, key=lambda w: (-len(w), w))  # longest first: the first that matches wins
        return re.compile("|".join(re.escape(w) for w in ordered))


_END = ""  # the key marking "a word ends here" in a trie node
_MAX_DEPTH = 200  # nested groups: beyond this, the flat alternation


def _trie_pattern(words: frozenset[str]) -> str:
    import re

    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = {}

    def build(node: dict[str, Any], depth: int) -> str | None:
        if depth > _MAX_DEPTH:
            raise RecursionError("trie too deep")
        chain = ""
        while len(node) == 1 and _END not in node:  # a run of single children: literal text
            (char, node), = node.items()
            chain += re.escape(char)
        ends = _END in node
        alternatives, singles = [], []
        for char in sorted(k for k in node if k != _END):
            rest = build(node[char], depth + 1)
            if rest is None:
                singles.append(re.escape(char))
            else:
                alternatives.append(re.escape(char) + rest)
        if singles:  # words ending one character on: a character class
            alternatives.append(singles[0] if len(singles) == 1 else "[" + "".join(singles) + "]")
        if not alternatives:
            return chain or None
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return chain + ("(?:" + body + ")?" if ends else body)  # greedy: the longer word first

    return build(trie, 0) or ""


_DEFAULT = Masker()


def default() -> Masker:
    """The process-wide masker (a value seen under one Context stays masked under the next)."""
    return _DEFAULT


def remember(value: object) -> bool:
    return _DEFAULT.remember(value)


def remember_all(values: Iterable[object]) -> bool:
    return _DEFAULT.update(values)


def mask(text: str) -> str:
    """Every secret value this process knows masked in `text`, in every spelling (linear time)."""
    return _DEFAULT(text)


def mask_tree(doc: Any) -> Any:
    return _DEFAULT.tree(doc)


def known() -> bool:
    """Whether any value is known at all (when none is, masking is a no-op)."""
    return _DEFAULT.known()


def known_values() -> list[str]:
    return _DEFAULT.values()


def references(doc: Any) -> set[str]:
    """Names of the `secret:NAME` strings anywhere in a parsed document."""
    found: set[str] = set()
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, str) and item.startswith(PREFIX) and len(item) > len(PREFIX):
            found.add(item[len(PREFIX):])
    return found


def learn(store: Any, names: Iterable[str]) -> list[str]:
    """Read (and so remember) the secrets `names` from `store` (a SecretStore); the names
    that could not be read (no keyring, no such secret: nothing to mask for them)."""
    from flext.core.errors import NotFound

    missing: list[str] = []
    ordered = sorted(set(names))
    for index, name in enumerate(ordered):
        try:
            remember(store.get(name))
        except NotFound:
            missing.append(name)
        except Exception:  # no usable keyring: the others cannot be read either, don't wait for each
            missing += ordered[index:]
            break
    return missing


def swap_default(masker: Masker) -> Masker:
    """Replace the process-wide masker (tests isolate themselves with it); returns the old one."""
    global _DEFAULT
    old, _DEFAULT = _DEFAULT, masker
    return old


__all__ = ["MASK", "MIN_LEN", "Masker", "default", "known", "known_values", "learn", "mask", "mask_tree",
           "references", "remember", "remember_all", "spellings", "swap_default"]
