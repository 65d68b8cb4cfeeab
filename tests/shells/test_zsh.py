"""zsh: real completion (compinit, _main_complete, _describe, _files) in a pseudo-terminal.

An interactive zsh loads the script, either autoloaded from $fpath (as an installed
`_flext`) or with `source <(flext completion zsh)`. A `compadd` wrapper records every
match zsh would offer (and its display string, where descriptions show) to a file,
then adds it for real. The test types a line, presses TAB, and reads the record.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.shells.conftest import COMMON_CASES, generate, need

pytestmark = pytest.mark.shells

# Records matches as `match<TAB>display`; calls that only compute (-O -A -D) pass through.
CAPTURE = r"""
compadd() {
    if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
        builtin compadd "$@"
        return $?
    fi
    local -a __hits __disp
    local __d __i
    if (( $@[(I)-d] )); then
        __d=${@[$(( ${@[(i)-d]} + 1 ))]}
        if [[ $__d == \(* ]]; then eval "__disp=$__d"; else __disp=("${(@P)__d}"); fi
    fi
    builtin compadd -A __hits "$@"
    for (( __i = 1; __i <= $#__hits; __i++ )); do
        print -r -- "$__hits[__i]"$'\t'"${__disp[__i]}" >> $FLEXT_CAPTURE
    done
    builtin compadd "$@"
}
"""


class Zsh:
    """One interactive zsh with flext completion loaded."""

    def __init__(self, env: dict[str, str], home: Path, mode: str, script: Path) -> None:
        pexpect = pytest.importorskip("pexpect")
        zdot = home / "zdotdir"
        zdot.mkdir()
        self.capture = home / "capture.txt"
        if mode == "fpath":
            load = f"fpath=({shlex.quote(str(script.parent))} $fpath)\nautoload -U compinit && compinit -u -D\n"
        else:
            load = "autoload -U compinit && compinit -u -D\nsource <(flext completion zsh)\n"
        (zdot / ".zshrc").write_text("PS1='%% '\nunsetopt beep\n" + load + CAPTURE)
        env = dict(env, ZDOTDIR=str(zdot), TERM="dumb", FLEXT_CAPTURE=str(self.capture))
        self.child = pexpect.spawn(need("zsh"), ["-d", "-i"], env=env, encoding="utf-8", timeout=30,
                                   dimensions=(300, 250))
        self.child.sendline("echo RE''ADY")
        self.child.expect_exact("READY\r\n")

    def complete(self, line: str) -> list[tuple[str, str]]:
        """(match, display) pairs zsh offered for `line` + TAB, sorted, without repeats."""
        if self.capture.exists():
            self.capture.unlink()
        self.child.send(line + "\t")
        self.child.send("\x15")  # kill the line
        self.child.sendline("echo MA''RK")
        self.child.expect_exact("MARK\r\n")
        if not self.capture.exists():
            return []
        rows = {tuple(row.split("\t", 1)) for row in self.capture.read_text().splitlines()}
        return sorted((r[0], r[1] if len(r) > 1 else "") for r in rows)

    def close(self) -> None:
        self.child.close(force=True)


@pytest.fixture(scope="module", params=["fpath", "source"])
def zsh(request: pytest.FixtureRequest, shell_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zsh]:
    """One interactive zsh per loading mode, shared by the tests of this module (they only read)."""
    need("zsh")
    home = tmp_path_factory.mktemp(f"zsh-{request.param}")
    script = generate("zsh", shell_env, home / "zfunc" / "_flext")
    session = Zsh(shell_env, home, request.param, script)
    yield session
    session.close()


def values(pairs: list[tuple[str, str]]) -> list[str]:
    return sorted({match for match, _ in pairs})


def test_script_parses(shell_env: dict[str, str], tmp_path: Path) -> None:
    script = generate("zsh", shell_env, tmp_path / "_flext")
    assert subprocess.run([need("zsh"), "-n", str(script)], capture_output=True, timeout=60).returncode == 0


@pytest.mark.parametrize(("line", "expected"), COMMON_CASES)
def test_candidates(zsh: Zsh, line: str, expected: list[str]) -> None:
    assert values(zsh.complete(line)) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("flext --output=j", ["--output=json", "--output=jsonl"]),
        ("flext profile create x --from=st", ["--from=staging"]),
        ("flext -C $FILES/t", ["tdir"]),
        ("flext --workspace=$FILES/t", ["tdir"]),
    ],
)
def test_attached_values_and_paths(zsh: Zsh, shell_env: dict[str, str], line: str, expected: list[str]) -> None:
    assert values(zsh.complete(line.replace("$FILES", shell_env["FILES"]))) == expected


def test_descriptions_are_shown(zsh: Zsh) -> None:
    shown = dict(zsh.complete("flext profile use st"))
    assert shown["staging"].split() == ["staging", "--", "the", "staging", "cluster"]
    shown = dict(zsh.complete("flext config s"))
    assert " -- Show the effective settings" in shown["show"]


def test_sourcing_without_compinit_says_what_to_do(shell_env: dict[str, str], tmp_path: Path) -> None:
    script = generate("zsh", shell_env, tmp_path / "_flext")
    proc = subprocess.run([need("zsh"), "-f", "-c", f"source {shlex.quote(str(script))}"], env=shell_env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "compinit" in proc.stderr


def test_completion_runs_the_typed_executable(shell_env: dict[str, str], tmp_path: Path) -> None:
    """`/path/to/flext pro<TAB>` asks that executable, even when no `flext` is on PATH."""
    script = generate("zsh", shell_env, tmp_path / "zfunc" / "_flext")
    bin_dir, _, rest = shell_env["PATH"].partition(os.pathsep)
    session = Zsh(dict(shell_env, PATH=rest), tmp_path, "fpath", script)
    try:
        assert values(session.complete(f"{bin_dir}/flext pro")) == ["profile"]
    finally:
        session.close()
