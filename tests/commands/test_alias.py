"""`flext alias list/set/delete`, and aliases at work: running, help, explain."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Runner = Callable[..., Any]


def _config(env: dict[str, str]) -> dict[str, Any]:
    path = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    return tomllib.loads(path.read_text()) if path.exists() else {}


def _set(flext: Runner, *pairs: tuple[str, str]) -> None:
    for name, expansion in pairs:
        run = flext("alias", "set", name, "--", expansion)  # `--`: an expansion may start with `-`
        assert run.code == 0, run


def test_set_list_delete(flext: Runner, env: dict[str, str]) -> None:
    run = flext("alias", "list")
    assert (run.code, run.out, run.err) == (0, "", "no aliases yet (define one: flext alias set NAME EXPANSION...)\n")
    run = flext("alias", "set", "cs", "config", "show")  # words are joined with spaces
    assert (run.code, run.err) == (0, "✓ set alias cs = config show\n")
    assert run.out == "name       cs\nexpansion  config show\nprevious   -\n"
    run = flext("alias", "set", "lg", "pipeline logs $1 --tail 50")
    assert run.code == 0
    run = flext("alias", "set", "cs", "config show --reveal-paths")
    assert (run.code, run.err) == (0, "✓ changed alias cs = config show --reveal-paths\n")
    assert _config(env)["aliases"] == {"cs": "config show --reveal-paths", "lg": "pipeline logs $1 --tail 50"}
    run = flext("alias", "list")
    assert (run.code, run.out) == (0, "NAME  EXPANSION\ncs    config show --reveal-paths\nlg    pipeline logs $1 --tail 50\n")
    run = flext("aliases", "ls", "-o", "json")
    assert run.json() == [{"name": "cs", "expansion": "config show --reveal-paths"},
                          {"name": "lg", "expansion": "pipeline logs $1 --tail 50"}]
    run = flext("alias", "delete", "lg")
    assert (run.code, run.err) == (0, "✓ deleted alias lg\n")
    assert _config(env)["aliases"] == {"cs": "config show --reveal-paths"}


@pytest.mark.parametrize(
    ("argv", "code", "err"),
    [
        (("alias", "set", "config", "show"), 2,
         "error: alias 'config' would shadow the built-in command `flext config`\n"
         "hint: built-in commands always win; choose another name\n"),
        (("alias", "set", "i", "config show"), 2,
         "error: alias 'i' would shadow the built-in command `flext interactive` (alias 'i')\n"
         "hint: built-in commands always win; choose another name\n"),
        (("alias", "set", "history", "config show"), 2,
         "error: alias 'history' would shadow the built-in command `flext history`\n"
         "hint: built-in commands always win; choose another name\n"),
        (("alias", "set", "1x", "config show"), 2,
         "error: invalid alias name '1x'\n"
         "hint: an alias name starts with a letter and has only letters, digits, '-' and '_'\n"),
        (("alias", "set", "--", "-x", "config show"), 2,
         "error: invalid alias name '-x'\n"
         "hint: an alias name starts with a letter and has only letters, digits, '-' and '_'\n"),
        (("alias", "set", "a.b", "config show"), 2,
         "error: invalid alias name 'a.b'\n"
         "hint: an alias name starts with a letter and has only letters, digits, '-' and '_'\n"),
        (("alias", "set", "q", "config 'show"), 2,
         "error: alias expansion \"config 'show\" cannot be split: No closing quotation\n"
         "hint: check the quotes in the expansion\n"),
        (("alias", "set", "e", " "), 2,
         "error: alias 'e' needs an expansion\nhint: flext alias set e 'config show'\n"),
        (("alias", "set", "x"), 2, "error: missing argument EXPANSION\nhint: usage: flext alias set NAME EXPANSION...\n"),
        (("alias", "delete", "nope"), 6, "error: alias 'nope' does not exist\nhint: see `flext alias list`\n"),
    ],
)
def test_refused(flext: Runner, env: dict[str, str], argv: tuple[str, ...], code: int, err: str) -> None:
    run = flext(*argv)
    assert (run.code, run.out, run.err) == (code, "", err)
    assert "aliases" not in _config(env)


def test_delete_did_you_mean(flext: Runner, env: dict[str, str]) -> None:
    _set(flext, ("status", "config show"))
    run = flext("alias", "delete", "statu")
    assert (run.code, run.err) == (6, "error: alias 'statu' does not exist\nhint: did you mean 'status'?\n")


def test_cycles_are_refused_when_set(flext: Runner, env: dict[str, str]) -> None:
    _set(flext, ("a", "b"), ("b", "c --x"))
    run = flext("alias", "set", "c", "a")
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "error: alias cycle: c -> a -> b -> c\n"
        "hint: change one of them with `flext alias set NAME EXPANSION` or remove it with `flext alias delete b`\n"
    )
    run = flext("alias", "set", "self", "self -o json")
    assert (run.code, run.err.splitlines()[0]) == (2, "error: alias cycle: self -> self")
    assert _config(env)["aliases"] == {"a": "b", "b": "c --x"}


def test_cycles_are_refused_when_expanded(flext: Runner, env: dict[str, str]) -> None:
    path = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[aliases]\na = "b"\nb = "a"\n')  # edited by hand
    run = flext("a")
    assert (run.code, run.out) == (2, "")
    assert run.err.splitlines()[0] == "error: alias cycle: a -> b -> a"


def test_running_aliases(flext: Runner, env: dict[str, str]) -> None:
    _set(
        flext,
        ("cs", "config show"),
        ("cg", "config get"),
        ("g", "config get $1"),
        ("gj", "-o json g"),
        ("two", "config get $2 $1"),
        ("gall", "config get $@"),
    )
    assert flext("cs").out == flext("config", "show").out
    assert flext("cs", "-o", "json").json() == flext("config", "show", "-o", "json").json()
    assert flext("-o", "json", "cs").json() == flext("config", "show", "-o", "json").json()
    assert flext("-p", "default", "cs").code == 0
    assert (flext("cg", "output").code, flext("cg", "output").out) == (0, "table\n")  # appended
    assert flext("g", "timeout").out == "10\n"  # placeholder
    assert flext("g", "-o", "json", "timeout").json() == {"key": "timeout", "value": 10.0, "profile": "default"}
    assert flext("gj", "retries").json() == {"key": "retries", "value": 3, "profile": "default"}  # alias -> alias
    run = flext("two", "extra", "output")  # $2 $1 -> config get output extra
    assert (run.code, run.err.splitlines()[0]) == (2, "error: unexpected argument 'extra' for `flext config get`")
    run = flext("g")
    assert (run.code, run.err) == (2, "error: alias 'g' needs argument $1\nhint: pass at least 1 argument after g\n")
    assert flext("gall", "color").out == "auto\n"


def test_alias_in_a_real_process(flext_proc: Runner, env: dict[str, str]) -> None:
    assert flext_proc("alias", "set", "cs", "config show").code == 0
    run = flext_proc("cs", "-o", "json")
    assert run.code == 0, run
    assert run.json()["color"] == "auto"
    assert flext_proc("history", "-o", "json").json()[-1]["line"] == "cs -o json"  # what was typed


def test_help_lists_aliases(flext: Runner, env: dict[str, str]) -> None:
    _set(flext, ("cs", "config show"), ("lg", "pipeline logs $1 --tail 50"))
    out = flext("help").out
    assert "\nAliases:\n  cs  config show\n  lg  pipeline logs $1 --tail 50\n\n" in out
    assert "Aliases:" not in flext("help", "config").out


@pytest.mark.parametrize(
    ("argv", "out"),
    [
        (("explain", "cs"), "flext config show\n  source: alias\n  expands to: config show\n  mutating: no\n"),
        (("explain", "g", "output"),
         "flext config get output\n  source: alias\n  expands to: config get output\n  mutating: no\n"),
        (("explain", "config", "show"), "flext config show\n  source: command\n  mutating: no\n"),
    ],
)
def test_explain_an_alias(flext: Runner, env: dict[str, str], argv: tuple[str, ...], out: str) -> None:
    _set(flext, ("cs", "config show"), ("g", "config get $1"))
    run = flext(*argv)
    assert (run.code, run.out) == (0, out)


def test_explain_an_alias_as_json(flext: Runner, env: dict[str, str]) -> None:
    _set(flext, ("st", "config show"))
    doc = flext("-o", "json", "explain", "st").json()
    assert (doc["source"], doc["command"], doc["argv"], doc["mutating"]) == ("alias", "config show", ["config", "show"], False)


def test_alias_changes_are_audited(flext: Runner, env: dict[str, str]) -> None:
    _set(flext, ("cs", "config show"))
    flext("alias", "set", "config", "x")
    flext("alias", "delete", "cs")
    rows = flext("audit", "list", "-o", "json").json()
    assert [(r["action"], r["target"], r["result"], r["exit"]) for r in rows] == [
        ("alias set", "cs", "ok", 0),
        ("alias set", "config", "failed", 2),
        ("alias delete", "cs", "ok", 0),
    ]
