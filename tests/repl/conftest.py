"""Fixtures for the shell: a real workspace with names to complete, and a shell on pipes."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from flext.core.io import IO
from tests.conftest import Run


class Streams:
    """The shell's standard streams, captured."""

    def __init__(self, env: dict[str, str], stdin: str = "", tty: bool = True) -> None:
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.io = IO(io.StringIO(stdin), self.out, self.err, env=env, stdin_tty=tty, stdout_tty=tty,
                     stderr_tty=tty, width=100, no_color=True)


@pytest.fixture
def world(flext: Callable[..., Run], env: dict[str, str]) -> dict[str, str]:
    """A workspace in the current directory with pipelines, profiles, an alias and a service."""
    for argv in (
        ("init",),
        ("pipeline", "create", "orders", "--tap", "tap-jsonl", "--target", "target-jsonl"),
        ("pipeline", "create", "customers", "--tap", "tap-jsonl", "--target", "target-jsonl"),
        ("pipeline", "create", "invoices", "--tap", "tap-jsonl", "--target", "target-jsonl"),
        ("profile", "create", "staging"),
        ("profile", "create", "prod", "--danger", "--api-url", "http://127.0.0.1:9"),
        ("alias", "set", "st", "pipeline status"),
    ):
        run = flext(*argv)
        assert run.code == 0, (argv, run)
    return env


@pytest.fixture
def shell(env: dict[str, str]) -> Iterator[Callable[..., object]]:
    """Build a Shell on captured streams (and optional prompt_toolkit pipes)."""
    from flext.core.context import Context
    from flext.repl.session import Shell

    made: list[Shell] = []

    def build(stdin: str = "", tty: bool = True, **kwargs: object) -> tuple[Shell, Streams]:
        streams = Streams(dict(os.environ), stdin, tty)
        ctx = Context(streams.io, env=dict(os.environ))
        sh = Shell(ctx, **kwargs)  # type: ignore[arg-type]
        made.append(sh)
        return sh, streams

    yield build
    for sh in made:
        sh.names.stop()


@pytest.fixture
def cwd() -> Path:
    return Path(os.getcwd())
