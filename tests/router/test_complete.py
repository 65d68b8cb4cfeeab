"""`flext __complete`: the protocol the shell scripts read, tested in-process and for import cost."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from flext.router import complete
from flext.router.help import TOPICS
from flext.router.spec import tree
from tests.conftest import ROOT, Run, uninstrumented
from tests.router._completion_world import ALIASES, FORMATS, PROFILES, make_world

Flext = Callable[..., Run]


@pytest.fixture
def world(env: dict[str, str]) -> dict[str, str]:
    make_world(env)
    return env


def values(run: Run) -> list[str]:
    assert run.code == 0, run
    assert run.err == ""
    return [line.split("\t", 1)[0] for line in run.out.splitlines()]


def top_level() -> list[str]:
    return [node.name for node in tree().visible_children()]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        # command and group names; an alias only when its command's name does not match
        (["pro"], ["profile"]),
        (["config", "s"], ["show", "set"]),
        (["config", "va"], ["validate"]),
        (["sh"], ["shell"]),
        (["profile", "l"], ["list"]),
        (["profile", "ls"], ["ls"]),
        # user aliases from config.toml complete at the top and expand before the cursor
        (["st", "--rev"], ["--reveal-paths"]),
        (["pu", "st"], ["staging"]),
        # global option values: before the command, attached, or in a short cluster
        (["-o", ""], FORMATS),
        (["--output", "j"], ["json", "jsonl"]),
        (["--output=j"], ["--output=json", "--output=jsonl"]),
        (["-oj"], ["-ojson", "-ojsonl"]),
        (["-o=y"], ["-o=yaml"]),
        (["-yo", "c"], ["csv"]),
        (["-yoc"], ["-yocsv"]),
        (["config", "show", "-o", "p"], ["plain"]),
        # live values
        (["profile", "use", ""], PROFILES),
        (["profile", "create", "x", "--from", "s"], ["staging"]),
        (["profile", "create", "x", "--inherit=p"], ["--inherit=prod"]),
        (["-p", "s"], ["staging"]),
        (["secret", "get", ""], ["api_token", "db_password"]),
        (["-p", "other", "secret", "get", ""], ["other_token", "db_password"]),
        (["secret", "get", "--profile", "other", ""], ["other_token", "db_password"]),
        (["alias", "delete", ""], ALIASES),
        (["config", "get", "repl."], ["repl.edit_mode", "repl.auto_suggest", "repl.prompt"]),
        (["config", "set", "output", ""], []),
        (["completion", ""], ["bash", "zsh", "fish"]),
        # help walks the command tree word by word; topics at the top
        (["help", "con"], ["config"]),
        (["help", "config", "s"], ["show", "set"]),
        (["help", "exit"], ["exit-codes"]),
        (["help", ""], [*top_level(), *TOPICS]),
        (["help", "nosuch", ""], []),
        # durations and paths
        (["history", "--since", ""], ["30s", "10m", "1h", "1d"]),
        (["history", "--since", "5"], ["5s", "5m", "5h", "5d"]),
        (["history", "--since", "1h3"], ["1h3s", "1h3m", "1h3h", "1h3d"]),
        (["history", "--since", "5x"], []),
        (["-C", ""], [":dirs"]),
        (["--workspace=sub/"], [":dirs"]),
        # options: the command's, then the global ones; given ones are not offered again
        (["config", "show", "--rev"], ["--reveal-paths"]),
        (["config", "show", "--reveal-paths", "--rev"], []),
        (["-y", "--y"], []),
        (["history", "--l"], ["--limit"]),
        (["history", "-n"], ["-n"]),
        # after `--` every word is an argument; an Arg.rest argument swallows options too
        (["profile", "use", "--", "st"], ["staging"]),
        (["profile", "use", "--", "-"], []),
        (["explain", "history", "-"], []),
        # nothing to offer
        (["nosuchcommand", ""], []),
        (["profile", "use", "prod", ""], []),
        (["version", "x"], []),
    ],
)
def test_candidates(world: dict[str, str], flext: Flext, words: list[str], expected: list[str]) -> None:
    assert values(flext("__complete", *words)) == expected


def test_top_level_lists_commands_then_user_aliases(world: dict[str, str], flext: Flext) -> None:
    assert values(flext("__complete", "")) == [*top_level(), *ALIASES]
    assert values(flext("__complete")) == [*top_level(), *ALIASES]


def test_aliases_complete_beside_names(world: dict[str, str], flext: Flext) -> None:
    got = values(flext("__complete", "s"))
    assert set(got) == {n for n in top_level() if n.startswith("s")} | {"shell", "st"}
    assert got[-1] == "st"  # user aliases come last
    assert "secrets" not in got  # `secret` matches already


def test_lines_carry_descriptions_after_a_tab(world: dict[str, str], flext: Flext) -> None:
    config = tree().child("config")
    assert config is not None
    expected = "".join(f"{c.name}\t{c.summary}\n" for c in config.visible_children() if c.name.startswith("s"))
    assert flext("__complete", "config", "s").out == expected
    assert flext("__complete", "profile", "use", "st").out == "staging\tthe staging cluster\n"
    assert flext("__complete", "st").out == "st\talias: config show\n"
    assert flext("__complete", "-o", "t").out == "table\n"


def test_options_list_long_and_short_spellings(world: dict[str, str], flext: Flext) -> None:
    got = values(flext("__complete", "config", "show", "-"))
    assert got[0] == "--reveal-paths"
    for spelling in ("--output", "-o", "--profile", "-p", "--workspace", "-C", "--yes", "-y", "--help", "-h"):
        assert spelling in got
    assert "--version" not in got  # hidden
    assert flext("__complete", "-o", "json", "-").out.count("--output") == 0


def test_without_config_only_the_default_profile(env: dict[str, str], flext: Flext) -> None:
    assert values(flext("__complete", "profile", "use", "")) == ["default"]
    assert values(flext("__complete", "secret", "get", "")) == []
    assert values(flext("__complete", "")) == top_level()


def test_a_broken_config_completes_commands_but_no_live_values(world: dict[str, str], flext: Flext) -> None:
    with open(os.path.join(world["FLEXT_CONFIG_DIR"], "config.toml"), "w") as fh:
        fh.write("this is [not toml\n")
    assert values(flext("__complete", "config", "s")) == ["show", "set"]
    assert values(flext("__complete", "profile", "use", "")) == []


def test_an_internal_error_prints_nothing(
    world: dict[str, str], flext: Flext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(complete, "_walk", boom)
    assert (flext("__complete", "config", "s").code, flext("__complete", "x").out) == (1, "")


def test_render_format() -> None:
    assert complete.render([("a", ""), ("b", "two words"), (":files", "")]) == "a\nb\ttwo words\n:files\n"


def test_values_with_control_characters_are_dropped(world: dict[str, str], flext: Flext) -> None:
    with open(os.path.join(world["FLEXT_CONFIG_DIR"], "config.toml"), "a") as fh:
        fh.write('"tab\\tname" = "config show"\n":colon" = "config show"\n')
    assert values(flext("__complete", "alias", "delete", "")) == ALIASES


def importtime(argv: list[str], env: dict[str, str]) -> set[str]:
    """Top-level module names imported by `python -X importtime -m flext ARGV...`."""
    merged = dict(uninstrumented(env), PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "flext", *argv],
        capture_output=True, text=True, env=merged, timeout=60, check=True,
    )
    names: set[str] = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "flext" in names, proc.stderr
    return names


HEAVY = {"rich", "prompt_toolkit", "httpx", "keyring", "msgspec", "tomllib"}


@pytest.mark.parametrize(
    "words",
    [["config", "s"], ["profile", "use", ""], ["secret", "get", ""], [""], ["st", "-"], ["help", "config", ""]],
)
def test_complete_imports_nothing_heavy(world: dict[str, str], words: list[str]) -> None:
    importtime(["__complete", *words], world)  # the first run may parse config.toml (and plugins) and cache them
    assert importtime(["__complete", *words], world) & HEAVY == set()


def test_complete_without_config_never_imports_tomllib(env: dict[str, str]) -> None:
    importtime(["__complete", "config", "s"], env)  # a fresh data dir: plugins build their index once
    assert importtime(["__complete", "profile", "use", ""], env) & HEAVY == set()
    assert importtime(["__complete", "-o", ""], env) & HEAVY == set()
