"""fish: the script sourced into a real fish, asked with `complete --do-complete` (what TAB runs)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from flext.router.spec import GLOBAL_OPTS
from tests.shells.conftest import COMMON_CASES, generate, need

pytestmark = pytest.mark.shells


@pytest.fixture(scope="module")
def script(shell_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    need("fish")
    return generate("fish", shell_env, tmp_path_factory.mktemp("fish") / "flext.fish")


def complete(env: dict[str, str], script: Path, line: str) -> list[tuple[str, str]]:
    """(candidate, description) pairs fish offers for `line` with the cursor at its end."""
    proc = subprocess.run(
        [need("fish"), "--no-config", "-c", "source $argv[1]; complete --do-complete=$argv[2]", str(script), line],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode in (0, 1), proc.stderr  # 1: nothing to offer
    assert proc.stderr == ""
    rows = [row.split("\t", 1) for row in proc.stdout.splitlines() if row]
    return sorted((r[0], r[1] if len(r) > 1 else "") for r in rows)


def values(pairs: list[tuple[str, str]]) -> list[str]:
    return [value for value, _ in pairs]


def test_script_parses(script: Path) -> None:
    assert subprocess.run([need("fish"), "--no-execute", str(script)], capture_output=True, timeout=60).returncode == 0


@pytest.mark.parametrize(("line", "expected"), COMMON_CASES)
def test_candidates(shell_env: dict[str, str], script: Path, line: str, expected: list[str]) -> None:
    assert values(complete(shell_env, script, line)) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("flext --output=j", ["--output=json", "--output=jsonl"]),
        ("flext profile create x --from=st", ["--from=staging"]),
        ("flext -C $FILES/t", ["$FILES/tdir/"]),
        ("flext --workspace=$FILES/t", ["--workspace=$FILES/tdir/"]),
    ],
)
def test_attached_values_and_paths(shell_env: dict[str, str], script: Path, line: str, expected: list[str]) -> None:
    files = shell_env["FILES"]
    got = values(complete(shell_env, script, line.replace("$FILES", files)))
    assert got == [e.replace("$FILES", files) for e in expected]


def test_descriptions_are_shown(shell_env: dict[str, str], script: Path) -> None:
    assert complete(shell_env, script, "flext profile use st") == [("staging", "the staging cluster")]
    output = next(o for o in GLOBAL_OPTS if o.name == "output")
    assert dict(complete(shell_env, script, "flext -")).get("--output") == output.help
