"""What the runner writes about a line never holds a secret: history, audit, `--debug`
tracebacks, error lines and streamed rows (issue 11 items 7 and 13).

In-process runs of `flext.cli.main`; the secret values are made known the way a real run
knows them (`remember`, what the secret store does when it reads, sets or resolves one).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from flext.core import mask
from flext.core.mask import MASK, Masker
from tests.conftest import Run

Flext = Callable[..., Run]
TYPED = "Typed-By-Mistake-9f3a"


@pytest.fixture(autouse=True)
def masker() -> Iterator[Masker]:
    fresh = Masker()
    old = mask.swap_default(fresh)
    yield fresh
    mask.swap_default(old)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize("argv", [
    ("secret", "set", "db", TYPED),
    ("secret", "set", "--from-stdin", "db", TYPED),
    ("-p", "prod", "secrets", "set", "db", TYPED, "--from-stdin"),
    ("secret", "set", "db", "x", TYPED),
])
def test_a_secret_typed_as_an_argument_is_refused_and_masked(flext: Flext, env: dict[str, str],
                                                              argv: tuple[str, ...]) -> None:
    result = flext(*argv)
    assert result.code == 2, result
    assert result.err.startswith("error: refusing a secret value typed as an argument of `flext secret set`"), result
    assert "hint: pipe it in: printf %s \"$VALUE\" | flext secret set db --from-stdin" in result.err
    assert TYPED not in result.out + result.err
    history = _jsonl(Path(env["FLEXT_DATA_DIR"]) / "history.jsonl")
    audit = _jsonl(Path(env["FLEXT_STATE_DIR"]) / "audit.jsonl")
    assert [e["exit"] for e in history] == [2]
    assert MASK in history[0]["line"] and TYPED not in history[0]["line"]
    assert [(e["action"], e["target"], e["result"]) for e in audit] == [("secret set", "db", "failed")]
    assert TYPED not in json.dumps(audit)


@pytest.mark.parametrize("argv", [
    ("explain", f"secret set db {TYPED}"),
    ("explain", "secret", "set", "db", TYPED),
])
def test_explaining_such_a_line_masks_it_without_refusing(flext: Flext, env: dict[str, str],
                                                          argv: tuple[str, ...]) -> None:
    result = flext(*argv)
    assert TYPED not in result.out + result.err
    assert "refusing a secret value" not in result.err
    (entry,) = _jsonl(Path(env["FLEXT_DATA_DIR"]) / "history.jsonl")
    assert TYPED not in entry["line"] and MASK in entry["line"]


def test_a_short_typed_value_is_masked_too(flext: Flext, env: dict[str, str]) -> None:
    assert flext("secret", "set", "db", "abc").code == 2
    (entry,) = _jsonl(Path(env["FLEXT_DATA_DIR"]) / "history.jsonl")
    assert entry["line"] == f"secret set db '{MASK}'"


def _crash(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    import flext.commands.config as config_commands

    def get(ctx: Any, args: Any) -> Any:
        raise exc

    monkeypatch.setattr(config_commands, "get", get)


SECRET = 'crash"Secret\\42'


@pytest.mark.parametrize("kind", ["internal", "flext-error"])
def test_debug_tracebacks_are_masked(flext: Flext, masker: Masker, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    from flext.core.errors import ConfigError

    masker.remember(SECRET)
    try:
        raise KeyError(SECRET)
    except KeyError as cause:
        try:
            if kind == "internal":
                raise RuntimeError(f"could not log in with {SECRET!r} ({json.dumps({'pw': SECRET})})") from cause
            raise ConfigError(f"password {SECRET} refused", hint=f"check {SECRET}") from cause
        except Exception as exc:
            failure = exc
    _crash(monkeypatch, failure)
    result = flext("--debug", "config", "get", "x")
    assert result.code == (1 if kind == "internal" else 5), result
    assert "Traceback (most recent call last)" in result.err
    assert MASK in result.err
    for spelling in (SECRET, json.dumps(SECRET)[1:-1], repr(SECRET)[1:-1]):
        assert spelling not in result.err, result.err
