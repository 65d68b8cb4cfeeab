"""Dependency order for `requires`: depth first, dependencies before dependents.

Pure logic over candidates, so it is tested without installing anything. A cycle or a
version no candidate satisfies is a Conflict (exit 7) naming the chain that led there.
"""

from __future__ import annotations

from flext.core.errors import Conflict, NotFound
from flext.plugins.version import Requirement

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class Candidate:
    """A plugin that could be installed; `requires` may be read lazily (staging)."""

    __slots__ = ("_requires", "name", "payload", "version")

    def __init__(self, name: str, version: str, requires: list[str] | Callable[[], list[str]], payload: Any = None) -> None:
        self.name = name
        self.version = version
        self._requires = requires
        self.payload = payload

    @property
    def requires(self) -> list[str]:
        if callable(self._requires):
            self._requires = self._requires()
        return self._requires

    def __repr__(self) -> str:
        return f"{self.name} {self.version}"


def plan(
    root: Candidate,
    installed: dict[str, str],
    find: Callable[[str], list[Candidate]],
) -> list[Candidate]:
    """Candidates to install, in order (root last). `installed`: name -> version."""
    order: list[Candidate] = []
    chosen: dict[str, tuple[Candidate, str]] = {}  # name -> (candidate, who required it)
    stack: list[str] = []

    def chain(*more: str) -> str:
        return " -> ".join([*stack, *more])

    def visit(c: Candidate) -> None:
        stack.append(c.name)
        for text in c.requires:
            req = Requirement(text)
            if req.name in stack:
                cycle = [*stack[stack.index(req.name):], req.name]
                raise Conflict(f"dependency cycle: {' -> '.join(cycle)}",
                               hint="a plugin cannot require itself through its dependencies")
            if req.name in installed and req.name not in chosen:
                have = installed[req.name]
                if not req.allows(have):
                    raise Conflict(f"version conflict: {chain()} requires {req}, but {req.name} {have} is installed",
                                   hint=f"upgrade it (`flext plugin install {req.name} --force`) or relax the requirement")
                continue
            if req.name in chosen:
                picked, by = chosen[req.name]
                if not req.allows(picked.version):
                    raise Conflict(f"version conflict: {chain()} requires {req}, but {by} needs {picked.name} "
                                   f"{picked.version}", hint="no single version satisfies both")
                continue
            candidates = find(req.name)
            if not candidates:
                raise NotFound(f"{chain()} requires {req}, which is in no plugin index",
                               hint="install it first from a folder or wheel, or set plugins.index_url")
            fitting = [x for x in candidates if req.allows(x.version)]
            if not fitting:
                versions = ", ".join(x.version for x in candidates)
                raise Conflict(f"version conflict: {chain()} requires {req}; available: {versions}",
                               hint="no available version satisfies the requirement")
            pick = fitting[0]
            chosen[pick.name] = (pick, " -> ".join(stack))
            visit(pick)
        stack.pop()
        order.append(c)

    chosen[root.name] = (root, "the command line")
    visit(root)
    return order


__all__ = ["Candidate", "plan"]
