"""Wizards on prompt_toolkit pipes: defaults, validation, back, abort; usage errors without a terminal."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from tests.conftest import Run
from tests.keyring.service import clean_keyring, secret_service  # noqa: F401  (fixtures)

ENTER, CLEAR, CTRL_C = "\r", "\x15", "\x03"
PLAIN = {"NO_COLOR": "1"}


@pytest.fixture
def keys() -> Iterator[PipeInput]:
    """Keystrokes for every prompt the wizard shows (prompt_toolkit reads them from a pipe)."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


def answer(pipe: PipeInput, *lines: str | None) -> None:
    """Type each answer over the default; None keeps the default. Then end the input, so a
    wizard that asks more than expected fails (EOF aborts it) instead of waiting forever."""
    for line in lines:
        pipe.send_text(ENTER if line is None else CLEAR + line + ENTER)
    pipe.close()


def pipelines(flext: Callable[..., Run]) -> dict[str, dict[str, object]]:
    return {p["name"]: p for p in json.loads(flext("pipeline", "list", "-o", "json").out)}


def test_pipeline_create_asks_for_what_is_missing_and_prints_the_one_shot(
        world: dict[str, str], flext: Callable[..., Run], keys: PipeInput) -> None:
    answer(keys, "tap-jsonl", "target-jsonl", "", "0 * * * *")
    run = flext("pipeline", "create", "wiz", tty=True, extra_env=PLAIN)
    assert run.code == 0, run
    assert "one-shot: flext pipeline create wiz --tap tap-jsonl --target target-jsonl --schedule '0 * * * *'" in run.err
    made = pipelines(flext)["wiz"]
    assert (made["tap"], made["target"], made["schedule"]) == ("tap-jsonl", "target-jsonl", "0 * * * *")


def test_back_offers_the_earlier_answer_and_validation_keeps_asking(
        world: dict[str, str], flext: Callable[..., Run], keys: PipeInput) -> None:
    keys.send_text("tap-jsonl\r" "target-csv\r" "<\r")  # back from transform to target...
    keys.send_text("\r")  # ...whose earlier answer is the default now
    keys.send_text("\r")  # no transform
    keys.send_text("every hour\r")  # not cron: asked again
    keys.send_text(CLEAR + "@hourly\r")
    keys.close()
    run = flext("pipeline", "create", "wiz2", tty=True, extra_env=PLAIN)
    assert run.code == 0, run
    made = pipelines(flext)["wiz2"]
    assert (made["target"], made["schedule"]) == ("target-csv", "@hourly")


def test_ctrl_c_aborts_and_creates_nothing(world: dict[str, str], flext: Callable[..., Run], keys: PipeInput) -> None:
    keys.send_text("tap-jsonl\r" + CTRL_C)
    keys.close()
    run = flext("pipeline", "create", "never", tty=True, extra_env=PLAIN)
    assert run.code == 130
    assert "aborted; nothing was changed" in run.err
    assert "never" not in pipelines(flext)


@pytest.mark.parametrize(("argv", "message"), [
    (("pipeline", "create", "x"), "error: missing --tap, --target"),
    (("pipeline", "create", "x", "--tap", "tap-jsonl"), "error: missing --target"),
    (("service", "add", "x"), "error: missing --url"),
    (("profile", "create"), "error: missing NAME"),
    (("--no-input", "profile", "create"), "error: missing NAME"),
])
def test_without_a_terminal_a_usage_error_names_the_missing_flags(
        world: dict[str, str], flext: Callable[..., Run], argv: tuple[str, ...], message: str) -> None:
    run = flext(*argv, tty="--no-input" in argv, extra_env=PLAIN)
    assert run.code == 2
    assert run.err.splitlines()[0] == message


def test_service_add(world: dict[str, str], flext: Callable[..., Run], keys: PipeInput) -> None:
    answer(keys, "not a url", "http://127.0.0.1:9100", "/healthz", "", "/var/log/billing.log")
    run = flext("service", "add", "billing", tty=True, extra_env=PLAIN)
    assert run.code == 0, run
    assert ("one-shot: flext service add billing --url http://127.0.0.1:9100 --health-path /healthz "
            "--log-file /var/log/billing.log") in run.err
    shown = json.loads(flext("service", "list", "-o", "json").out)
    billing = next(s for s in shown if s["name"] == "billing")
    assert billing["url"] == "http://127.0.0.1:9100"


def test_profile_create(world: dict[str, str], flext: Callable[..., Run], keys: PipeInput) -> None:
    answer(keys, "staging", "qa", "staging", "", "yes")  # `staging` exists: asked again
    run = flext("profile", "create", tty=True, extra_env=PLAIN)
    assert run.code == 0, run
    assert "one-shot: flext profile create qa --inherit staging --danger" in run.err
    shown = flext("profile", "show", "qa", "-o", "json").json()
    assert shown["own"] == {"inherit": "staging", "danger": True}  # type: ignore[index]


def test_init_onboarding_without_installing(env: dict[str, str], flext: Callable[..., Run], keys: PipeInput,
                                            tmp_path: Path) -> None:
    target = tmp_path / "etl"
    data = tmp_path / "orders.jsonl"
    answer(keys, str(target), None, "tap-jsonl", "target-jsonl", "orders", "no", str(data))
    run = flext("init", tty=True, extra_env=PLAIN)
    assert run.code == 0, run
    doc = tomllib.loads((target / "flext.toml").read_text())
    assert doc["workspace"]["name"] == "etl"
    spec = doc["pipelines"]["orders"]
    assert (spec["tap"], spec["target"]) == ("tap-jsonl", "target-jsonl")
    assert spec["tap_config_file"] == "config/orders.tap.json"  # relative: the workspace can move
    config = json.loads((target / spec["tap_config_file"]).read_text())
    assert config == {"path": str(data)}
    assert f"one-shot: flext init {target} --name etl" in run.err
    assert (f"one-shot: flext -C {target} pipeline create orders --tap tap-jsonl --target target-jsonl "
            f"--tap-config {target / 'config' / 'orders.tap.json'}") in run.err


@pytest.mark.keyring
@pytest.mark.usefixtures("clean_keyring")
def test_init_keeps_secret_settings_in_the_keyring(env: dict[str, str], flext: Callable[..., Run], keys: PipeInput,
                                                   tmp_path: Path, flext_proc: Callable[..., Run]) -> None:
    target = tmp_path / "ora"
    answer(keys, str(target), None, "flext-tap-oracle", "target-jsonl", "hr", "no",
           "db.example", "ORCL", "scott", "tiger-secret-42")
    run = flext("init", tty=True, extra_env=PLAIN)
    assert run.code == 0, run
    spec = tomllib.loads((target / "flext.toml").read_text())["pipelines"]["hr"]
    text = (target / spec["tap_config_file"]).read_text()
    assert "tiger-secret-42" not in text and "tiger-secret-42" not in run.err
    assert json.loads(text)["password"] == "secret:hr_password"
    got = flext_proc("secret", "get", "hr_password", "--reveal")
    assert got.out.strip() == "tiger-secret-42"
    assert os.stat(target / spec["tap_config_file"]).st_mode & 0o777 == 0o600


def test_init_checks_each_answer_as_it_is_typed(env: dict[str, str], flext: Callable[..., Run], keys: PipeInput,
                                              tmp_path: Path) -> None:
    """A workspace that exists, an unknown tap or target, a bad pipeline name: each is
    refused at its own prompt (and asked again), not at the end."""
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "flext.toml").write_text("[workspace]\n")
    target = tmp_path / "fresh"
    answer(keys, str(taken), str(target), None, "tap-jsnol", "tap-jsonl", "target-nope", "target-jsonl",
           "bad name!", "orders", "no", "data/*.jsonl")
    run = flext("init", tty=True, extra_env=PLAIN)
    assert run.code == 0, run
    spec = tomllib.loads((target / "flext.toml").read_text())["pipelines"]["orders"]
    assert (spec["tap"], spec["target"]) == ("tap-jsonl", "target-jsonl")
    assert (taken / "flext.toml").read_text() == "[workspace]\n"


def test_init_failing_at_the_end_leaves_nothing_behind(env: dict[str, str], flext: Callable[..., Run],
                                                      keys: PipeInput, tmp_path: Path) -> None:
    """The keyring refuses the tap's password after the workspace was made: the half-made
    workspace is removed again and the error says why (exit 5)."""
    target = tmp_path / "ora"
    answer(keys, str(target), None, "flext-tap-oracle", "target-jsonl", "hr", "no",
           "db.example", "ORCL", "scott", "tiger-secret-42")
    run = flext("init", tty=True, extra_env={**PLAIN, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert run.code == 5, run
    assert not target.exists()
    assert "tiger-secret-42" not in run.err


def test_init_keeps_a_directory_it_did_not_make(env: dict[str, str], flext: Callable[..., Run],
                                                keys: PipeInput, tmp_path: Path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    answer(keys, str(target), None, "flext-tap-oracle", "target-jsonl", "hr", "no",
           "db.example", "ORCL", "scott", "tiger-secret-42")
    run = flext("init", tty=True, extra_env={**PLAIN, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert run.code == 5, run
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_tab_typed_with_the_text_completes(env: dict[str, str], flext: Callable[..., Run], keys: PipeInput,
                                           tmp_path: Path) -> None:
    """TAB arriving in the same read as the text before it (typed fast, or pasted) completes:
    prompt_toolkit's own TAB lost that race to complete-while-typing and left `fres`."""
    (tmp_path / "fresh-dir").mkdir()
    keys.send_text(CLEAR + str(tmp_path / "fres") + "\t" + ENTER)  # one directory matches
    keys.send_text(ENTER)  # the workspace's name
    keys.send_text(CLEAR + "tap-jsonf" + "\t" + ENTER)  # one tap matches
    answer(keys, None, None, "no", "data/*.jsonl")
    run = flext("init", tty=True, extra_env=PLAIN)
    assert run.code == 0, run
    spec = tomllib.loads((tmp_path / "fresh-dir" / "flext.toml").read_text())["pipelines"]["jsonfile"]
    assert (spec["tap"], spec["target"]) == ("tap-jsonfile", "target-jsonl")
