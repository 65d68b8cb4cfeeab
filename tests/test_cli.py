"""The edge: quiet exits on a closed pipe and on Ctrl-C, one-line errors, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Run

ROOT = Path(__file__).resolve().parent.parent


def _env(env: dict[str, str]) -> dict[str, str]:
    merged = dict(env)
    merged["PYTHONPATH"] = str(ROOT)
    return merged


def test_closed_pipe_ends_quietly(env: dict[str, str]) -> None:
    cfg = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text("[aliases]\n" + "".join(f'a{i} = "config show --reveal-paths {"x" * 40}"\n' for i in range(5000)))
    proc = subprocess.run(
        f"{sys.executable} -m flext alias list | head -1; {sys.executable} -m flext help | head -1",
        shell=True, capture_output=True, text=True, env=_env(env), timeout=60,
    )
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["NAME", "EXPANSION"]
    assert lines[1] == "One command-line shell for the FLEXT data-integration platform."


def test_ctrl_c_exits_130_without_traceback(env: dict[str, str]) -> None:
    pexpect = pytest.importorskip("pexpect")
    marker = f"flext-test-editor-{os.getpid()}-{os.urandom(4).hex()}"  # unique: other jobs may run `sleep 30` too
    child = pexpect.spawn(
        sys.executable, ["-m", "flext", "config", "edit"],
        env={**_env(env), "EDITOR": f"sh -c 'sleep 30' {marker}", "TERM": "xterm"}, encoding="utf-8", timeout=20,
    )
    # wait until the editor runs, then interrupt the whole foreground group like a terminal does
    deadline = 100
    while deadline:
        out = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout
        if out.strip():
            break
        deadline -= 1
        child.expect([pexpect.TIMEOUT], timeout=0.1)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")


@pytest.mark.parametrize(
    ("argv", "code"),
    [(["nope"], 2), (["config", "get", "nothing"], 6), (["profile", "use", "ghost"], 6), (["--output", "xml", "help"], 2)],
)
def test_errors_are_one_error_line_and_one_hint(flext_proc, argv: list[str], code: int) -> None:
    run = flext_proc(*argv)
    assert run.code == code
    lines = run.err.splitlines()
    assert lines[0].startswith("error: ")
    assert len(lines) <= 2 and all(not line.startswith("Traceback") for line in lines)
    if len(lines) == 2:
        assert lines[1].startswith("hint: ")


def test_debug_shows_traceback(flext_proc) -> None:
    run = flext_proc("--debug", "profile", "use", "ghost")
    assert run.code == 6 and "Traceback" in run.err and "error: profile 'ghost' does not exist" in run.err


def test_no_input_env_never_prompts(flext_proc) -> None:
    run = flext_proc("profile", "create", "x")
    assert run.code == 0
    run = flext_proc("profile", "delete", "x", extra_env={"FLEXT_NO_INPUT": "1"})
    assert run.code == 2 and "pass --yes" in run.err
    assert os.environ.get("FLEXT_NO_INPUT") is None


def test_workspace_flag_to_a_missing_directory_exits_6_and_creates_nothing(flext_proc: Callable[..., Run],
                                                                          tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    run = flext_proc("-C", str(missing), "pipeline", "create", "p1", "--tap", "tap-jsonl", "--target", "target-jsonl")
    assert (run.code, run.out) == (6, "")
    assert run.err == (f"error: workspace directory {missing} does not exist (-C)\n"
                       f"hint: create it with `flext init {missing}`, or check the path\n")
    assert not missing.exists() and not (Path("/") / "flext.toml").exists()


@pytest.mark.parametrize(("argv", "hint"), [
    (["debug", "paths"], "hint: rerun with --debug for the traceback, and report it (correlation id "),
    (["--debug", "debug", "paths"], "hint: report it with the traceback above (correlation id "),
])
def test_an_internal_error_hint_never_asks_for_the_debug_already_given(
        flext: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, argv: list[str], hint: str) -> None:
    import flext.commands.debug as debug

    def broken(ctx: object, args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(debug, "paths", broken)
    run = flext(*argv)
    assert run.code == 1
    lines = run.err.splitlines()
    assert lines[-2] == "error: internal error: RuntimeError: a bug"
    assert lines[-1].startswith(hint)
    assert ("Traceback" in run.err) == ("--debug" in argv)
