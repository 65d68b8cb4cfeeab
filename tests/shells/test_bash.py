"""bash: the completion function called as bash calls it, and real readline in a pseudo-terminal."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.shells.conftest import COMMON_CASES, generate, need

pytestmark = pytest.mark.shells


def comp_words(line: str) -> list[str]:
    """Split a line as bash fills COMP_WORDS: at blanks, and around runs of `=` and `:`."""
    words = re.findall(r"[=:]+|[^\s=:]+", line)
    if not line or line[-1].isspace():
        words.append("")
    return words


def complete(env: dict[str, str], script: Path, line: str) -> list[str]:
    """COMPREPLY after calling the registered function for `line` with the cursor at its end."""
    bash = need("bash")
    words = comp_words(line)
    program = "\n".join([
        f"source {shlex.quote(str(script))}",
        'fn=$(complete -p flext | sed -n "s/.*-F \\([^ ]*\\) .*/\\1/p")',
        f"COMP_LINE={shlex.quote(line)}; COMP_POINT={len(line)}",
        f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)}); COMP_CWORD={len(words) - 1}",
        'COMPREPLY=(); "$fn" flext "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
        "printf '%s\\n' \"${COMPREPLY[@]}\"",
    ])
    proc = subprocess.run([bash, "--norc", "--noprofile", "-c", program], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return sorted(line for line in proc.stdout.splitlines() if line)


@pytest.fixture(scope="module")
def script(shell_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    need("bash")
    return generate("bash", shell_env, tmp_path_factory.mktemp("bash") / "flext.bash")


def test_comp_words_split_like_bash() -> None:
    assert comp_words("flext --output=js") == ["flext", "--output", "=", "js"]
    assert comp_words("flext -o ") == ["flext", "-o", ""]


def test_script_parses(script: Path) -> None:
    assert subprocess.run([need("bash"), "-n", str(script)], capture_output=True, timeout=60).returncode == 0


@pytest.mark.parametrize(("line", "expected"), COMMON_CASES)
def test_candidates(shell_env: dict[str, str], script: Path, line: str, expected: list[str]) -> None:
    assert complete(shell_env, script, line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # COMP_WORDBREAKS splits at '=': readline replaces only the text after it
        ("flext --output=j", ["json", "jsonl"]),
        ("flext --output=", ["csv", "json", "jsonl", "plain", "table", "yaml"]),
        ("flext profile create x --from=st", ["staging"]),
        ("flext -o=y", ["yaml"]),
        # paths: the shell's own file completion; -C takes a directory
        ("flext -C $FILES/t", ["$FILES/tdir"]),
        ("flext --workspace=$FILES/t", ["$FILES/tdir"]),
    ],
)
def test_word_breaks_and_paths(shell_env: dict[str, str], script: Path, line: str, expected: list[str]) -> None:
    files = shell_env["FILES"]
    got = complete(shell_env, script, line.replace("$FILES", files))
    assert got == [e.replace("$FILES", files) for e in expected]


def test_the_shipped_file_is_what_flext_prints(script: Path) -> None:
    from tests.conftest import ROOT

    assert (ROOT / "completions" / "flext.bash").read_text() == script.read_text()


@pytest.mark.parametrize(
    ("typed", "line"),
    [
        ("flext pro", "flext profile "),
        ("flext profile use st", "flext profile use staging "),
        ("flext --output=ya", "flext --output=yaml "),
        ("flext -o js", "flext -o json"),  # json and jsonl: the common part, no space
        ("flext -C $FILES/td", "flext -C $FILES/tdir/"),
        ("flext secret get d", "flext secret get db_password "),
        ("flext nosuchcommand ", "flext nosuchcommand "),
    ],
)
def test_real_readline(shell_env: dict[str, str], script: Path, tmp_path: Path, typed: str, line: str) -> None:
    """Type, press TAB in an interactive bash, and read back the edited line (READLINE_LINE)."""
    pexpect = pytest.importorskip("pexpect")
    files = shell_env["FILES"]
    rc = tmp_path / "bashrc"
    rc.write_text(
        "PS1='$ '\n"
        f"source {shlex.quote(str(script))}\n"
        "bind 'set bell-style none'\n"
        """bind -x '"\\C-t": printf "<%s>\\n" "$READLINE_LINE"'\n"""
    )
    env = dict(shell_env, TERM="dumb", INPUTRC="/dev/null")
    child = pexpect.spawn(need("bash"), ["--noprofile", "--rcfile", str(rc), "-i"], env=env, encoding="utf-8",
                          timeout=30, dimensions=(100, 250))
    try:
        child.sendline("echo RE''ADY")
        child.expect_exact("READY\r\n")
        child.send(typed.replace("$FILES", files) + "\t")
        child.send("\x14")  # C-t: print the line being edited
        child.send("\x15")  # C-u: discard it
        child.sendline("echo MA''RK")
        child.expect_exact("MARK\r\n")
        printed = re.findall(r"<([^<>\r\n]*)>\r?\n", child.before)
    finally:
        child.close(force=True)
    assert printed, child.before
    assert printed[-1] == line.replace("$FILES", files)
