"""`flext help`, `--help` anywhere, topics, version."""

from __future__ import annotations

import json

import pytest

from flext import __version__


@pytest.mark.parametrize(
    ("argv", "first_line"),
    [
        (["help"], "One command-line shell for the FLEXT data-integration platform."),
        (["--help"], "One command-line shell for the FLEXT data-integration platform."),
        (["help", "config", "set"], "flext config set — Set a setting in [defaults], or in the profile given with --profile"),
        (["config", "set", "--help"], "flext config set — Set a setting in [defaults], or in the profile given with --profile"),
        (["config", "-h"], "flext config — Read and change settings (config.toml)"),
        (["help", "exit-codes"], "Exit codes"),
        (["help", "environment"], "Environment variables"),
    ],
)
def test_help_first_lines(flext, argv: list[str], first_line: str) -> None:
    run = flext(*argv)
    assert run.code == 0, run
    assert run.out.splitlines()[0] == first_line


def test_command_help_has_all_sections(flext) -> None:
    out = flext("help", "history").out
    for section in ("Usage:", "Commands:", "Options:", "Global options:", "Examples:"):
        assert section in out
    assert "--limit N" in out and "[default: 50]" in out


def test_help_unknown_word_suggests(flext) -> None:
    run = flext("help", "confg")
    assert run.code == 2
    assert run.err == "error: no help for 'confg'\nhint: did you mean `flext help config`?\n"


def test_exit_codes_topic_lists_every_code(flext) -> None:
    out = flext("help", "exit-codes").out
    for code in ("0", "1", "2", "3", "4", "5", "6", "7", "130"):
        assert any(line.strip().startswith(code + " ") for line in out.splitlines())


def test_bare_flext_piped_prints_help(flext) -> None:
    run = flext()
    assert run.code == 0 and run.out.startswith("One command-line shell")


def test_version(flext) -> None:
    assert flext("--version").out == f"flext {__version__}\n"
    assert flext("version").out == f"flext {__version__}\n"
    data = json.loads(flext("version", "--verbose", "-o", "json").out)
    assert data["version"] == __version__ and "python" in data and "rich" in data


def test_unknown_command_across_groups(flext) -> None:
    run = flext("confg", "show")
    assert run.code == 2
    assert run.err == "error: unknown command 'confg'\nhint: did you mean `flext config show`?\n"


def test_exit_codes_topic_states_the_one_rule_for_bad_values(flext) -> None:
    out = " ".join(flext("help", "exit-codes").out.split())
    assert ("One rule for bad values: a value typed on the command line (an option such as `--timeout 5x` or "
            "`--schedule bogus`, an argument, the VALUE of `config set`) is a usage error, 2, naming the option; "
            "the same mistake read from a file (config.toml, flext.toml, a settings file, a saved state) is a "
            "configuration error, 5, naming the file, the line and the key.") in out
    assert "`pipeline status` exits 1 when the last run of a pipeline it lists failed" in out


@pytest.mark.parametrize(("old", "new"), [
    (["plugin", "remove", "x"], "plugin uninstall"),
    (["plugin", "update", "x"], "plugin install"),
    (["config", "set-value", "output", "json"], "config set"),
    (["debug", "validate"], "config validate"),
    (["debug", "health"], "service health"),
    (["debug", "logs", "orders"], "logs tail"),
    (["debug", "performance"], "monitor performance"),
    (["auth", "token", "show"], "auth token list"),
    (["algar", "diagnose"], "algar migration status"),
    (["gruponos", "pipelines"], "gruponos status"),
    (["gruponos", "health"], "gruponos doctor"),
    (["gruponos", "config-show"], "gruponos doctor"),
])
def test_upstream_spellings_parse_as_the_new_commands(old: list[str], new: str) -> None:
    from flext.router.parse import parse
    from flext.router.spec import moved_spelling, reset_tree

    reset_tree()
    inv = parse(old)
    assert inv.node.command == new
    assert moved_spelling(inv.words) == (" ".join(old[: len(inv.words)]), new)


def test_upstream_spellings_are_hidden_from_help_and_completion(flext, flext_proc) -> None:
    assert "validate" not in flext("help", "debug").out
    assert "remove" not in flext("plugin", "--help").out.split("Commands:")[1].split("Global options")[0]
    assert "set-value" not in flext_proc("__complete", "config", "").out
    assert "validate" not in flext_proc("__complete", "debug", "").out


def test_an_upstream_spelling_runs_and_says_the_new_one_once(flext) -> None:
    run = flext("debug", "validate")
    assert run.code == 0
    assert run.err.splitlines()[0] == "note: `flext debug validate` is now `flext config validate` (the old spelling still works)"
    quiet = flext("-q", "config", "set-value", "output", "json")
    assert (quiet.code, quiet.err) == (0, "")


@pytest.mark.parametrize(("words", "first_line"), [
    (["with", "pipelines"], "flext pipeline — "),
    (["me", "with", "the", "logs"], "flext logs — "),
    (["on", "secrets"], "flext secret — "),
    (["about", "exit-codes"], "Exit codes"),
])
def test_help_with_what_people_type_before_the_command(flext, words: list[str], first_line: str) -> None:
    got = flext("help", *words)
    assert got.code == 0, got
    assert got.out.startswith(first_line)


def test_help_output_names_every_format_and_the_terminal_rules(flext) -> None:
    from flext.core.output import OUTPUT_FORMATS

    run = flext("help", "output")
    assert run.code == 0 and run.out.startswith("Output formats (-o/--output FORMAT, FLEXT_OUTPUT, or `output` in a profile)")
    listed = [line.split()[0] for line in run.out.splitlines()[2:2 + len(OUTPUT_FORMATS)]]
    assert listed == list(OUTPUT_FORMATS)
    assert "first leaves out its spare columns" in run.out and "never with NO_COLOR" in run.out
