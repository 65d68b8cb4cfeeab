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
