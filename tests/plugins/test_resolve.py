"""Dependency order, cycles and conflicts, without installing anything."""

from __future__ import annotations

import pytest

from flext.core.errors import Conflict, NotFound
from flext.plugins.resolve import Candidate, plan

Index = dict[str, list[tuple[str, list[str]]]]


def _plan(root: tuple[str, list[str]], index: Index, installed: dict[str, str] | None = None) -> list[str]:
    def find(name: str) -> list[Candidate]:
        return [Candidate(name, v, reqs) for v, reqs in sorted(index.get(name, []), reverse=True)]

    order = plan(Candidate("root", root[0], root[1]), installed or {}, find)
    return [f"{c.name} {c.version}" for c in order]


@pytest.mark.parametrize(("requires", "index", "installed", "expected"), [
    ([], {}, {}, ["root 1.0"]),
    (["a"], {"a": [("1.0", ["b"])], "b": [("1.0", [])]}, {}, ["b 1.0", "a 1.0", "root 1.0"]),
    (["a", "b"], {"a": [("1.0", ["c"])], "b": [("1.0", ["c"])], "c": [("1.0", [])]}, {},
     ["c 1.0", "a 1.0", "b 1.0", "root 1.0"]),
    (["a>=1.5"], {"a": [("1.0", []), ("2.0", []), ("1.5", [])]}, {}, ["a 2.0", "root 1.0"]),
    (["a<2"], {"a": [("1.0", []), ("2.0", []), ("1.5", [])]}, {}, ["a 1.5", "root 1.0"]),
    (["a>=1"], {}, {"a": "1.2"}, ["root 1.0"]),  # already installed and fitting: nothing to do
])
def test_order(requires: list[str], index: Index, installed: dict[str, str], expected: list[str]) -> None:
    assert _plan(("1.0", requires), index, installed) == expected


@pytest.mark.parametrize(("requires", "index", "installed", "error", "message"), [
    (["a"], {"a": [("1.0", ["root"])]}, {}, Conflict, "dependency cycle: root -> a -> root"),
    (["a"], {"a": [("1.0", ["b"])], "b": [("1.0", ["a"])]}, {}, Conflict, "dependency cycle: a -> b -> a"),
    (["a>=2"], {"a": [("1.0", []), ("1.5", [])]}, {}, Conflict,
     "version conflict: root requires a>=2; available: 1.5, 1.0"),
    (["a>=2"], {}, {"a": "1.0"}, Conflict, "version conflict: root requires a>=2, but a 1.0 is installed"),
    (["a<2", "b"], {"a": [("1.0", []), ("3.0", [])], "b": [("1.0", ["a>=3"])]}, {}, Conflict,
     "version conflict: root -> b requires a>=3, but root needs a 1.0"),
    (["ghost"], {}, {}, NotFound, "root requires ghost, which is in no plugin index"),
])
def test_refused(requires: list[str], index: Index, installed: dict[str, str], error: type[Exception],
                 message: str) -> None:
    with pytest.raises(error) as info:
        _plan(("1.0", requires), index, installed)
    assert info.value.message == message  # type: ignore[attr-defined]
