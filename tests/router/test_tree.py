"""The real command tree: every command parses, has help, a summary and an example."""

from __future__ import annotations

import shlex

import pytest

from flext.router.help import render_help
from flext.router.parse import parse
from flext.router.spec import GLOBAL_OPTS, Node, tree


def _commands() -> list[Node]:
    return [n for n in tree().walk() if n.parent is not None and n.runnable]


def _ids(nodes: list[Node]) -> list[str]:
    return [n.command for n in nodes]


COMMANDS = _commands()


@pytest.mark.parametrize("node", COMMANDS, ids=_ids(COMMANDS))
def test_every_command_has_help_and_example(node: Node) -> None:
    assert node.summary and node.summary[0].isupper(), node.command
    assert node.examples, f"{node.command} needs at least one example"
    text = render_help(node)
    assert f"flext {node.command}" in text
    assert "Usage:" in text and "Examples:" in text
    for opt in node.opts:
        assert f"--{opt.name}" in text or opt.hidden


@pytest.mark.parametrize("node", COMMANDS, ids=_ids(COMMANDS))
def test_every_example_parses_to_its_command(node: Node) -> None:
    for example in node.examples:
        words = shlex.split(example.split("|")[-1] if example.startswith(("printf", "echo")) else example)
        # drop env assignments and redirections
        words = [w for w in words if "=" not in w.split("/")[0] or w.startswith("-")]
        if ">" in words:
            words = words[: words.index(">")]
        start = words.index("flext") + 1
        inv = parse(words[start:])
        assert inv.node is node or inv.node.command.startswith(node.command), (example, inv.node.command)


def test_option_names_are_unique_and_do_not_clash_with_globals() -> None:
    global_names = {o.name for o in GLOBAL_OPTS}
    global_shorts = {o.short for o in GLOBAL_OPTS if o.short}
    for node in COMMANDS:
        names = [o.name for o in node.opts]
        assert len(names) == len(set(names)), node.command
        for opt in node.opts:
            assert opt.name not in global_names, f"{node.command} --{opt.name} shadows a global option"
            if opt.short and opt.short in global_shorts:
                # a command may reuse a global short letter only for the same meaning
                raise AssertionError(f"{node.command} -{opt.short} clashes with a global option")


def test_names_and_aliases_are_unique_per_group() -> None:
    for node in tree().walk():
        words: list[str] = []
        for child in node.children.values():
            words.extend([child.name, *child.aliases])
        assert len(words) == len(set(words)), f"duplicate word under {node.command or 'flext'}"


def test_destructive_commands_are_mutating() -> None:
    for node in COMMANDS:
        if node.destructive:
            assert node.mutating
