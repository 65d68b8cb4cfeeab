"""Versions and requirement strings (`other>=1.2,<2`) without third-party packages.

Plugin versions are simple release numbers with an optional pre-release tag
(`1.2.0`, `2.0rc1`); that is all `requires` needs to compare.
"""

from __future__ import annotations

import re

_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)(?:[-_.]?(dev|a|alpha|b|beta|rc|c)[-_.]?(\d*))?$", re.IGNORECASE)
_REQUIREMENT = re.compile(r"^\s*([a-z][a-z0-9-]*)\s*(.*?)\s*$")
_SPEC = re.compile(r"^(==|!=|>=|<=|~=|>|<)\s*([0-9A-Za-z.\-_+*]+)$")
_PRE_ORDER = {"dev": 0, "a": 1, "alpha": 1, "b": 2, "beta": 2, "rc": 3, "c": 3}

Key = tuple[tuple[int, ...], tuple[int, int]]


def valid(version: str) -> bool:
    return bool(_VERSION.match(version.strip()))


def key(version: str) -> Key:
    """A sort key: release numbers (trailing zeros dropped), then pre-release (final sorts last)."""
    match = _VERSION.match(version.strip())
    if match is None:
        raise ValueError(f"invalid version {version!r}")
    release = [int(p) for p in match.group(1).split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    tag = match.group(2)
    pre = (_PRE_ORDER[tag.lower()], int(match.group(3) or 0)) if tag else (9, 0)
    return tuple(release), pre


class Requirement:
    """`name` plus zero or more `(operator, version)` constraints."""

    __slots__ = ("name", "specs", "text")

    def __init__(self, text: str) -> None:
        match = _REQUIREMENT.match(text)
        if match is None:
            raise ValueError(f"invalid requirement {text!r}: expected a plugin name, e.g. 'other>=1.2'")
        self.text = text.strip()
        self.name = match.group(1)
        self.specs: list[tuple[str, str]] = []
        rest = match.group(2)
        if rest:
            for part in rest.split(","):
                spec = _SPEC.match(part.strip())
                if spec is None or (not spec.group(2).endswith(".*") and not valid(spec.group(2))):
                    raise ValueError(f"invalid requirement {text!r}: cannot read {part.strip()!r}")
                self.specs.append((spec.group(1), spec.group(2)))

    def __str__(self) -> str:
        return self.text

    def allows(self, version: str) -> bool:
        return all(_holds(version, op, bound) for op, bound in self.specs)


def _holds(version: str, op: str, bound: str) -> bool:
    if bound.endswith(".*"):  # ==1.2.* / !=1.2.*
        prefix = key(bound[:-2])[0]
        release = key(version)[0] + (0,) * len(prefix)
        same = release[: len(prefix)] == prefix
        return same if op == "==" else not same
    have, want = key(version), key(bound)
    if op == "==":
        return have == want
    if op == "!=":
        return have != want
    if op == ">=":
        return have >= want
    if op == "<=":
        return have <= want
    if op == ">":
        return have > want
    if op == "<":
        return have < want
    # ~=1.4.2 means >=1.4.2, ==1.4.*
    parts = [int(p) for p in _VERSION.match(bound).group(1).split(".")]  # type: ignore[union-attr]
    upper = tuple(parts[:-1] if len(parts) > 1 else parts)
    release = have[0] + (0,) * len(upper)
    return have >= want and release[: len(upper)] == upper


__all__ = ["Requirement", "key", "valid"]
