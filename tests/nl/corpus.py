"""Read a phrase -> command corpus, and compare commands the way the parser reads them.

Format (tab separated): `phrase<TAB>command`, `?` when nothing may run; `#` comments;
`#! kind: name name ...` lines declare the live names the phrases are read against.
A corpus without `#!` lines is read in the default world of tests/nl/corpus.tsv.
Shared by tests/nl and bench/nl.py.
"""

from __future__ import annotations

import shlex
from pathlib import Path

DEFAULT = Path(__file__).with_name("corpus.tsv")
BLIND = Path(__file__).with_name("blind.tsv")  # written before the reader was tuned on it (issue 15)


class Corpus:
    def __init__(self, rows: list[tuple[str, str]], world: dict[str, list[str]]) -> None:
        self.rows = rows
        self.world = world


def load(path: Path = DEFAULT) -> Corpus:
    rows: list[tuple[str, str]] = []
    world: dict[str, list[str]] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.startswith("#!"):
            kind, _, names = raw[2:].partition(":")
            world[kind.strip()] = names.split()
            continue
        if not raw.strip() or raw.startswith("#"):
            continue
        phrase, sep, expected = raw.partition("\t")
        if not sep:
            raise ValueError(f"{path}:{number}: expected `phrase<TAB>command`")
        rows.append((phrase.strip(), expected.strip()))
    if not world and path != DEFAULT:
        world = load(DEFAULT).world
    return Corpus(rows, world)


def parsed(command: str) -> object | None:
    """(node, values, globals) of a command line, or None when it does not parse."""
    from flext.core.errors import FlextError
    from flext.router.parse import parse

    try:
        inv = parse(shlex.split(command))
    except FlextError:
        return None
    return (inv.node.command, inv.values, inv.globals)


def same(got: str | None, expected: str) -> bool:
    """Equal as commands: same node, same values, same global options (order free)."""
    if expected == "?":
        return got is None
    if got is None:
        return False
    want = parsed(expected)
    return want is not None and parsed(got) == want


def applicable(expected: str) -> bool:
    """Rows whose command exists in this tree (a group not installed yet is skipped)."""
    return expected == "?" or parsed(expected) is not None


def destructive(command: str | None) -> bool:
    """Would running this delete something? (destructive node, or `pipeline state --clear`)."""
    if command is None:
        return False
    from flext.router.parse import parse

    try:
        inv = parse(shlex.split(command))
    except Exception:
        return False
    return inv.node.destructive or bool(inv.values.get("clear"))
