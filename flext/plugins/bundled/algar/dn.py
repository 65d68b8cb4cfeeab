"""Distinguished names: split into RDNs, compare, move from one base DN to another.

Comparison follows what directories do for the usual attributes: attribute names and
values case-insensitively, spaces around `,` `=` `+` ignored. Escapes (`\\,`) are kept.
"""

from __future__ import annotations


def split(dn: str) -> list[str]:
    """RDNs of `dn`, outermost last, each stripped; escaped commas stay inside their RDN."""
    if "\\" not in dn and '"' not in dn:  # the common case, at str.split speed
        return [p.strip() for p in dn.split(",")] if dn.strip() else []
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    quoted = False
    for ch in dn:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == '"':
            quoted = not quoted
            current.append(ch)
        elif ch == "," and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    tail = "".join(current).strip()
    if tail or parts:
        parts.append(tail)
    return parts


def norm_rdn(rdn: str) -> str:
    if "+" not in rdn:
        name, _, value = rdn.partition("=")
        return f"{name.strip().lower()}={' '.join(value.lower().split())}"
    pieces = []
    for ava in rdn.split("+"):
        name, _, value = ava.partition("=")
        pieces.append(f"{name.strip().lower()}={' '.join(value.strip().lower().split())}")
    return "+".join(sorted(pieces))


def normalize(dn: str) -> str:
    return ",".join(norm_rdn(r) for r in split(dn))


def depth(dn: str) -> int:
    return len(split(dn))


class Mover:
    """Rewrites DNs under `source` to be under `target` (both None: nothing moves)."""

    def __init__(self, source: str | None, target: str | None) -> None:
        self.source = source
        self.target = target
        self._tail = [norm_rdn(r) for r in split(source)] if source else []
        self._hint = self._tail[0].split("=", 1)[1] if self._tail else ""  # cheap pre-check on values

    def under(self, dn: str) -> bool:
        """Whether `dn` is the source base or below it."""
        if not self._tail:
            return True
        rdns = split(dn)
        n = len(self._tail)
        return len(rdns) >= n and [norm_rdn(r) for r in rdns[-n:]] == self._tail

    def move(self, dn: str) -> str:
        """`dn` with its source-base suffix replaced by the target base (unchanged when not under it)."""
        if not self._tail or self.target is None or self.source == self.target:
            return dn
        rdns = split(dn)
        n = len(self._tail)
        if len(rdns) < n or [norm_rdn(r) for r in rdns[-n:]] != self._tail:
            return dn
        head = rdns[:-n]
        return ",".join([*head, self.target]) if head else self.target

    def value(self, value: str) -> str:
        """An attribute value rewritten when it is a DN under the source base (member, owner, ...)."""
        if not self._tail or self.target is None or "=" not in value or self._hint not in value.lower():
            return value
        return self.move(value)


__all__ = ["Mover", "depth", "norm_rdn", "normalize", "split"]
