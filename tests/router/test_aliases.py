"""flext.router.aliases: placeholders, global options, nesting, cycles, names."""

from __future__ import annotations

import pytest

from flext.core.errors import UsageError
from flext.router import aliases


@pytest.mark.parametrize(
    ("words", "args", "expected"),
    [
        ("pipeline status", [], ["pipeline", "status"]),
        ("pipeline status", ["orders"], ["pipeline", "status", "orders"]),  # unused appended
        ("pipeline logs $1 --tail 50", ["orders"], ["pipeline", "logs", "orders", "--tail", "50"]),
        ("x $2 $1", ["a", "b", "c"], ["x", "b", "a", "c"]),
        ("x $1 $1", ["a"], ["x", "a", "a"]),
        ("x $@ --end", ["a", "b"], ["x", "a", "b", "--end"]),
        ("x $1 $@", ["a", "b"], ["x", "a", "a", "b"]),  # $@ consumes everything
        ("x --since=$1", ["1h", "more"], ["x", "--since=1h", "more"]),  # inside a word
        ("x 'a $@ b'", ["1", "2"], ["x", "a 1 2 b"]),
        ("x $0 $x $ $$", [], ["x", "$0", "$x", "$", "$$"]),  # not placeholders
        # global options are set aside: they neither fill placeholders nor move ahead
        ("pipeline logs $1", ["-o", "json", "orders"], ["pipeline", "logs", "orders", "-o", "json"]),
        ("x $1", ["orders", "--profile=prod", "-y"], ["x", "orders", "--profile=prod", "-y"]),
        ("x $1", ["-yo", "json", "a"], ["x", "a", "-yo", "json"]),
        ("x $1", ["-ojson", "a"], ["x", "a", "-ojson"]),
        ("x $1", ["--tail", "5"], ["x", "--tail", "5"]),  # command options are ordinary words
        ("x $1", ["--", "-o"], ["x", "--", "-o"]),
    ],
)
def test_substitute(words: str, args: list[str], expected: list[str]) -> None:
    assert aliases.substitute(aliases.split(words), args, "al") == expected


@pytest.mark.parametrize(
    ("words", "args", "message"),
    [
        ("x $1", [], "alias 'al' needs argument $1"),
        ("x $1 $3", ["a", "b"], "alias 'al' needs argument $3"),
        ("x $1", ["-o", "json"], "alias 'al' needs argument $1"),
    ],
)
def test_substitute_missing_argument(words: str, args: list[str], message: str) -> None:
    with pytest.raises(UsageError) as info:
        aliases.substitute(aliases.split(words), args, "al")
    assert info.value.message == message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("args", "index"),
    [
        ([], None),
        (["st"], 0),
        (["-p", "prod", "st"], 2),
        (["--profile", "prod", "st"], 2),
        (["--profile=prod", "st"], 1),
        (["-yo", "json", "st"], 2),
        (["-ojson", "st"], 1),
        (["-y", "-q", "st", "-o", "json"], 2),
        (["--no-color", "--", "st"], 2),
        (["-o"], None),
        (["--unknown", "st"], 1),
        (["-", "x"], 0),
    ],
)
def test_first_word(args: list[str], index: int | None) -> None:
    assert aliases.first_word(args) == index


@pytest.mark.parametrize("name", ["st", "S", "a1", "my-alias", "my_alias", "x-1_y"])
def test_valid_names(name: str) -> None:
    aliases.check_name(name)


@pytest.mark.parametrize("name", ["", "1st", "-x", "_x", "a.b", "a b", "a/b", "ünï", "a$"])
def test_invalid_names(name: str) -> None:
    with pytest.raises(UsageError) as info:
        aliases.check_name(name)
    assert info.value.message == f"invalid alias name {name!r}"


@pytest.mark.parametrize(
    ("name", "command"),
    [("config", "config"), ("history", "history"), ("i", "interactive"), ("shell", "interactive"),
     ("secrets", "secret"), ("aliases", "alias"), ("help", "help"), ("st", None), ("show", None)],
)
def test_shadowed(name: str, command: str | None) -> None:
    node = aliases.shadowed(name)
    assert (node.command if node else None) == command


TABLE = {
    "cs": "config show",
    "cg": "config get",
    "g": "cg $1",
    "gg": "-o json g",
    "a": "b x",
    "b": "c",
    "c": "a",
    "self": "self again",
    "config": "never used",  # hand-edited shadowing alias: commands win
    "q": "'unclosed",
}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["cs"], ["config", "show"]),
        (["cs", "-o", "json"], ["config", "show", "-o", "json"]),
        (["-p", "prod", "cs"], ["-p", "prod", "config", "show"]),
        (["cg", "output"], ["config", "get", "output"]),
        (["g", "output"], ["config", "get", "output"]),  # alias calling alias
        (["gg", "output"], ["-o", "json", "config", "get", "output"]),
        (["config", "show"], ["config", "show"]),
        (["nothing"], ["nothing"]),
        ([], []),
    ],
)
def test_expand(argv: list[str], expected: list[str]) -> None:
    assert aliases.expand_alias(TABLE, argv) == expected


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["a"], "alias cycle: a -> b -> c -> a"),
        (["b", "z"], "alias cycle: b -> c -> a -> b"),
        (["self"], "alias cycle: self -> self"),
        (["q"], "alias expansion \"'unclosed\" cannot be split: No closing quotation"),
    ],
)
def test_expand_errors(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError) as info:
        aliases.expand_alias(TABLE, argv)
    assert info.value.message == message


def test_deep_nesting_is_refused() -> None:
    chain = {f"a{k}": f"a{k + 1}" for k in range(40)}
    with pytest.raises(UsageError) as info:
        aliases.expand_alias(chain, ["a0"])
    assert info.value.message.startswith("aliases nest too deeply: a0 -> a1")
    assert aliases.expand_alias({"a0": "a1", "a1": "config show"}, ["a0"]) == ["config", "show"]


@pytest.mark.parametrize(
    ("table", "name", "message"),
    [
        ({"a": "b"}, "a", None),
        ({"a": "b", "b": "config show"}, "a", None),
        ({"a": "config show"}, "a", None),
        ({"a": "b", "b": "a"}, "b", "alias cycle: b -> a -> b"),
        ({"a": "-o json a"}, "a", "alias cycle: a -> a"),
        ({"x": "y 1", "y": "z 2", "z": "x 3"}, "z", "alias cycle: z -> x -> y -> z"),
        ({"a": "config a"}, "a", None),  # `a` is an argument there, not a command word
    ],
)
def test_check_cycle(table: dict[str, str], name: str, message: str | None) -> None:
    if message is None:
        aliases.check_cycle(table, name)
        return
    with pytest.raises(UsageError) as info:
        aliases.check_cycle(table, name)
    assert info.value.message == message
