"""flext.core.history: the record, redaction, on/off switches, and the REPL helpers."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flext.core import history, jsonl
from flext.core.context import Context
from flext.core.io import IO
from flext.core.secrets import MASK, remember


def _ctx(env: dict[str, str], **kw: Any) -> Context:
    stream = IO(io.StringIO(), io.StringIO(), io.StringIO(), env=env, stdin_tty=False, stdout_tty=False, stderr_tty=False)
    return Context(stream, env=env, **kw)


def _write_config(env: dict[str, str], text: str) -> None:
    path = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_record_has_the_design_fields(env: dict[str, str]) -> None:
    ctx = _ctx(env, source="repl", session="s1")
    history.record(ctx, ["config", "get", "output"], 0, 12)
    history.record(ctx, ["pipeline", "start", "my orders"], 1, 3400)
    entries = list(history.entries(ctx))
    assert [list(e) for e in entries] == [history.FIELDS, history.FIELDS]
    first, second = entries
    assert first["session"] == "s1" and first["source"] == "repl"
    assert first["cwd"] == os.getcwd()
    assert first["profile"] == "default"
    assert (first["line"], first["exit"], first["duration_ms"]) == ("config get output", 0, 12)
    assert (second["line"], second["exit"], second["duration_ms"]) == ("pipeline start 'my orders'", 1, 3400)
    assert isinstance(first["ts"], float) and first["ts"] <= second["ts"]
    assert stat.S_IMODE(os.stat(ctx.paths.history_file).st_mode) == 0o600


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["config", "show"], "config show"),
        (["x", "--password", "hunter22"], f"x --password '{MASK}'"),
        (["x", "--api-token=abc123"], f"x '--api-token={MASK}'"),
        (["x", "--db-secret", "s", "--name", "n"], f"x --db-secret '{MASK}' --name n"),
        (["x", "PG_PASSWORD=hunter22", "user=bob"], f"x 'PG_PASSWORD={MASK}' user=bob"),
        (["x", "--url", "postgres://bob:hunter22@db:5432/x"], f"x --url 'postgres://bob:{MASK}@db:5432/x'"),
        (["x", "--url", "https://db:8443/path"], "x --url https://db:8443/path"),
        (["x", "--tokens"], "x --tokens"),  # a flag at the end: nothing to mask
    ],
)
def test_secret_looking_values_are_redacted(env: dict[str, str], argv: list[str], line: str) -> None:
    ctx = _ctx(env)
    history.record(ctx, argv, 0, 1)
    assert [e["line"] for e in history.entries(ctx)] == [line]


def test_known_secret_values_are_redacted(env: dict[str, str]) -> None:
    remember("s3cr3t-value-xyz")
    ctx = _ctx(env)
    history.record(ctx, ["profile", "create", "x", "--api-url", "https://h/?k=s3cr3t-value-xyz"], 0, 1)
    (entry,) = history.entries(ctx)
    assert "s3cr3t-value-xyz" not in entry["line"]
    assert MASK in entry["line"]


@pytest.mark.parametrize(
    ("no_history", "config", "recorded"),
    [
        (None, None, True),
        ("0", None, True),
        ("1", None, False),
        ("yes", None, False),
        (None, "[defaults.history]\nenabled = false\n", False),
        (None, "[defaults.history]\nenabled = true\n", True),
        ("1", "[defaults.history]\nenabled = true\n", False),
        (None, "this is = = not toml\n", True),  # a broken config must not lose history
    ],
)
def test_switches(env: dict[str, str], no_history: str | None, config: str | None, recorded: bool) -> None:
    if no_history is not None:
        env = {**env, "FLEXT_NO_HISTORY": no_history}
    if config is not None:
        _write_config(env, config)
    ctx = _ctx(env)
    history.record(ctx, ["config", "show"], 0, 1)
    assert os.path.exists(ctx.paths.history_file) is recorded


def test_a_successful_clear_is_not_recorded(env: dict[str, str]) -> None:
    ctx = _ctx(env)
    ctx.command = "history clear"
    history.record(ctx, ["history", "clear", "--yes"], 0, 1)
    history.record(ctx, ["history", "clear"], 2, 1)
    assert [e["line"] for e in history.entries(ctx)] == ["history clear"]


def test_lines_are_unique_newest_first_and_by_profile(env: dict[str, str]) -> None:
    ctx = _ctx(env)
    path = ctx.paths.history_file
    for line, profile in [("a", "default"), ("b", "prod"), ("a", "default"), ("c", "prod"), ("b", "default")]:
        jsonl.append(path, {"ts": 1.0, "line": line, "profile": profile, "exit": 0})
    jsonl.append(path, {"ts": 1.0, "line": "", "profile": "prod"})
    jsonl.append(path, {"ts": 1.0, "profile": "prod"})
    assert history.lines(ctx) == ["b", "c", "a"]
    assert history.lines(ctx, profile="prod") == ["c", "b"]
    assert history.lines(ctx, profile="default") == ["b", "a"]
    assert history.lines(ctx, profile="none") == []


def test_full_disk_does_not_fail_the_command(
    flext: Callable[..., Any], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kw: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jsonl, "append", full)
    run = flext("config", "get", "output")
    assert (run.code, run.out, run.err) == (0, "table\n", "")
    run = flext("-v", "config", "get", "output")
    assert (run.code, run.out) == (0, "table\n")
    assert run.err == "warning: could not write history: No space left on device\n"


def test_rotation_limit_is_passed_through(env: dict[str, str]) -> None:
    ctx = _ctx(env)
    for n in range(50):
        history.record(ctx, ["config", "get", f"k{n:02d}"], 0, 1, max_bytes=2000)
    lines = [e["line"] for e in history.entries(ctx)]
    assert os.path.getsize(ctx.paths.history_file) <= 2000
    assert lines == [f"config get k{n:02d}" for n in range(50 - len(lines), 50)]
