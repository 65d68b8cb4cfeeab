"""Every example in every help text, and every hint the code can print, is a command that works.

Examples are read from the rendered help of every node of the tree (built-in commands,
groups, the bundled plugins' commands and the root page): each must parse against the
tree, and each runs in an `init --example` workspace without a usage error (exit 2).

Hints are collected statically from the source: every string of a `hint=` argument or
of a variable named `hint` (f-strings too), so new code is covered without a list to
keep. Each command-looking part (`flext ...` in backticks, or unquoted after a known
command word) must parse; `{placeholders}` and metavariables (NAME, DIR, ...) stand for
any value, and a placeholder where a command word goes stands for any command there.
"""

from __future__ import annotations

import ast
import itertools
import re
import shlex
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from flext.core.errors import UsageError
from tests.conftest import ROOT, Run

HOLE = "\x00"  # where an f-string's {value} was
METAVAR = re.compile(r"^[A-Z][A-Z0-9_]*(?:=[A-Z][A-Z0-9_]*)?(?:\.\.\.)?$")
VALUES = ("x", "5", "10m")

# Examples that are not run (they are still parsed), each with the reason.
NOT_RUN: dict[str, str] = {
    "serve": "a server: runs until it is stopped",
    "interactive": "the shell: needs a terminal",
    "config edit": "opens an editor: needs a terminal",
    "data taps install": "installs from the package index (minutes); covered by tests/engine",
    "data targets install": "installs from the package index (minutes); covered by tests/engine",
    "data dbt install": "installs from the package index (minutes); covered by tests/engine",
    "meltano install": "installs meltano from the package index; covered by tests/commands/test_meltano.py",
    "plugin install": "installs from an index or a folder; covered by tests/commands/test_plugin.py",
    "monitor dashboard": "a live screen that refreshes until q",
    "service start": "starts processes; covered by tests/services",
    "service restart": "starts processes; covered by tests/services",
    "algar oud sync": "talks to a directory server; covered by tests/plugins/test_algar.py",
}
EXAMPLE_NOT_RUN: dict[str, str] = {
    "flext secret set oracle_password": "asks for the value, hidden, on a terminal (the piped example runs)",
}
FOLLOWS = ("-f", "--follow")  # follows a stream until Ctrl-C


# -- collecting -----------------------------------------------------------------------


def _examples() -> list[tuple[str, str]]:
    """(the help page, one example line) for every node's rendered help."""
    from flext.router.help import render_help
    from flext.router.spec import reset_tree, tree

    reset_tree()
    out: list[tuple[str, str]] = []
    for node in tree().walk():
        if node.hidden:
            continue
        page = "flext " + node.command if node.parent is not None else "flext"
        taking = False
        for line in render_help(node).splitlines():
            if line.strip() == "Examples:":
                taking = True
                continue
            if taking:
                if not line.strip():
                    break
                out.append((page, line.strip()))
    return sorted(set(out))


def _argv(example: str) -> tuple[list[str], bool]:
    """The flext argv of one example shell line, and whether something is piped into it."""
    lexer = shlex.shlex(example, posix=True, punctuation_chars="|&;<>")
    lexer.whitespace_split = True
    tokens = list(lexer)
    pieces: list[list[str]] = [[]]
    joins: list[str] = []
    for token in tokens:
        if token and set(token) <= set("|&;<>"):
            joins.append(token)
            pieces.append([])
        else:
            pieces[-1].append(token)
    piped = False
    words = pieces[0]
    if "flext" not in words and joins[:1] == ["|"]:
        words, piped = pieces[1], True  # printf %s "$PW" | flext secret set ...
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
        words.pop(0)  # EDITOR=vim flext config edit
    words = [w for w in words if not w.startswith("$(")]
    assert words and words[0] == "flext", example
    return words[1:], piped


def _source_hints() -> Iterator[tuple[str, int, str]]:
    """(file, line, text) of every string that can be printed as a hint."""
    for path in sorted((ROOT / "flext").rglob("*.py")):
        if path.name.startswith(("nl", "_nl")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values: list[ast.expr] = []
            if isinstance(node, ast.Call):
                values = [kw.value for kw in node.keywords if kw.arg == "hint"]
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and "hint" in t.id for t in targets):
                    values = [node.value]
            for value in values:
                for sub in ast.walk(value):
                    if isinstance(sub, ast.JoinedStr):
                        text = "".join(v.value if isinstance(v, ast.Constant) else HOLE for v in sub.values)
                    elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                        if any(isinstance(p, ast.JoinedStr) and sub in p.values for p in ast.walk(value)):
                            continue  # a piece of an f-string, seen whole above
                        text = sub.value
                    else:
                        continue
                    yield str(path.relative_to(ROOT)), sub.lineno, text


def _commands_in(text: str, top: set[str]) -> list[str]:
    """The command-looking parts of a hint: `flext ...` in backticks, and unquoted
    `flext WORD ...` where WORD is a command, group or global option."""
    found: list[str] = []
    for quoted in re.findall(r"`(flext [^`]*)`", text):
        found.append(quoted)
    bare = re.sub(r"`[^`]*`", " ", text)
    for match in re.finditer(r"(?<![\w./-])flext ([^;`()]*)", bare):
        rest = re.split(r",\s| or | to | and |\s\(", match.group(1))[0].strip()
        first = rest.split(" ", 1)[0] if rest else ""
        if first in top or first.startswith("-") or first == HOLE:
            found.append("flext " + rest)
    return found


# -- checking -------------------------------------------------------------------------


def _candidates(words: list[str]) -> Iterator[list[str]]:
    """Concrete argvs for a command with holes: a hole where a command word goes becomes
    each child of the node reached there, elsewhere one of a few plain values."""
    from flext.router.spec import tree

    if any(w in ("...", "…") for w in words):  # "and so on": with it as a value, or without it
        yield from _candidates([("x" if w in ("...", "…") else w) for w in words])
        words = [w for w in words if w not in ("...", "…")]
    node = tree()
    prefix: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("-") or not node.children:
            break
        if HOLE in word:
            if word == HOLE:  # it may stand for nothing too (`flext {group + ' ' if ...}--help`)
                yield from _candidates([*prefix, *words[index + 1:]])
            pattern = re.compile("^" + ".+".join(re.escape(p) for p in word.split(HOLE)) + "$")
            for child in node.visible_children():
                if pattern.match(child.name):
                    yield from _candidates([*prefix, child.name, *words[index + 1:]])
            return
        child = node.child(word)
        if child is None:
            break
        node, prefix = child, [*prefix, word]
        index += 1
    rest = words[index:]
    holes = [i for i, w in enumerate(rest) if HOLE in w or METAVAR.match(w)]
    for combo in itertools.product(VALUES, repeat=min(len(holes), 4)):
        filled = list(rest)
        for i, value in zip(holes, combo, strict=False):
            filled[i] = value if METAVAR.match(filled[i]) or filled[i] == HOLE else filled[i].replace(HOLE, value)
        filled = [w.replace(HOLE, "x") for w in filled]
        yield [*prefix, *filled]


def _parses(command: str) -> str | None:
    """None when some reading of `command` parses; else the parser's complaint."""
    from flext.router.parse import parse

    text = command.split(" | ")[0]
    text = re.sub(HOLE + "(?=-)", HOLE + " ", text)  # a hole glued to an option: `{cmd}--help`
    try:
        words = shlex.split(text.replace(HOLE, "\x01"))
    except ValueError as exc:
        return f"cannot split: {exc}"
    words = [w.replace("\x01", HOLE) for w in words][1:]
    problem = "no reading of it parses"
    for argv in _candidates(words):
        try:
            inv = parse(argv)
        except UsageError as exc:
            problem = exc.message
            continue
        if inv.node.parent is None and not inv.help:
            problem = "no command in it"
            continue
        return None
    return problem


EXAMPLES = _examples()


def test_there_are_examples_of_every_group() -> None:
    pages = {page for page, _ in EXAMPLES}
    for group in ("flext pipeline", "flext service", "flext monitor", "flext data", "flext gruponos", "flext algar"):
        assert group in pages


@pytest.mark.parametrize(("page", "example"), EXAMPLES)
def test_every_example_parses(page: str, example: str) -> None:
    argv, _ = _argv(example)
    problem = _parses("flext " + shlex.join(argv))
    assert problem is None, f"{page}: `{example}`: {problem}"


def test_every_hint_names_a_command_that_parses() -> None:
    from flext.router.spec import reset_tree, tree

    reset_tree()
    root = tree()
    top = set(root.children) | {alias for c in root.children.values() for alias in c.aliases}
    checked = 0
    broken: list[str] = []
    for path, line, text in _source_hints():
        for command in _commands_in(text, top):
            checked += 1
            problem = _parses(command)
            if problem is not None:
                broken.append(f"{path}:{line}: `{command.replace(HOLE, '{…}')}`: {problem}")
    assert checked > 100  # the collector found the hints
    assert broken == []


@pytest.mark.parametrize(("text", "commands"), [
    ("run `flext data \x00 install \x00`", ["flext data \x00 install \x00"]),
    ("stop it first: flext pipeline stop \x00", ["flext pipeline stop \x00"]),
    ("flext monitor metrics SERVICE (or a URL); see `flext service list`",
     ["flext service list", "flext monitor metrics SERVICE"]),
    ("fix the file in an editor, or move it away; flext did not change it", []),
    ("it is in flext.toml under [plugins.x]", []),
])
def test_the_hint_reader_finds_commands(text: str, commands: list[str]) -> None:
    assert _commands_in(text, {"data", "pipeline", "monitor", "service"}) == commands


@pytest.mark.parametrize(("command", "ok"), [
    ("flext pipeline \x00 NAME...", True),  # some verb of pipeline takes a name
    ("flext data \x00s list", True),  # taps / targets
    ("flext config", False),  # a group: needs a command
    ("flext config unset", False),  # a missing KEY
    ("flext pipline list", False),
    ("flext pipeline logs NAME --run ID --tail N", True),
])
def test_the_hint_checker_can_fail(command: str, ok: bool) -> None:
    assert (_parses(command) is None) is ok


# -- running examples -----------------------------------------------------------------


@pytest.fixture
def example_workspace(flext: Callable[..., Run], tmp_path: Path) -> Path:
    assert flext("init", "--example", "--name", "demo").code == 0
    return tmp_path / "work"


@pytest.mark.timeout(600)
def test_every_example_runs_without_a_usage_error(example_workspace: Path, flext: Callable[..., Run],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """In an example workspace, each example does its job or fails for a reason of the
    world (not installed, not reachable, not found) but never with exit 2."""
    from flext.router.parse import parse

    monkeypatch.setenv("FLEXT_TIMEOUT", "0.5")  # services that do not answer: fail fast
    usage_errors: list[str] = []
    ran = 0
    for page, example in EXAMPLES:
        argv, piped = _argv(example)
        inv = parse(argv)
        if inv.node.command in NOT_RUN or example in EXAMPLE_NOT_RUN or any(f in argv for f in FOLLOWS):
            continue
        result: Any = flext(*argv, stdin="example-value\n" if piped else "")
        ran += 1
        if result.code == 2:
            usage_errors.append(f"{page}: `{example}` -> {result.err.strip()}")
    assert ran > 150
    assert usage_errors == [], "\n".join(usage_errors)
