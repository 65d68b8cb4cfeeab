"""The README says what a new user needs to know, and stays true to the code it describes."""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_make_test_lists_every_package_ci_installs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = ci.split("packages=(", 1)[1].split(")", 1)[0]
    packages = [w for line in block.splitlines() for w in line.split("#", 1)[0].split()]
    packages = [p for p in packages if p not in ("python3-venv", "make", "git")]
    assert packages
    for package in packages:
        assert f"`{package}`" in README, package


def test_pytest_reports_skip_reasons() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'addopts = "[^"]*-r[a-zA-Z]*[as]', pyproject)
    assert "pytest lists every skip with its reason" in README


def test_the_first_day_facts_are_documented() -> None:
    text = " ".join(README.split())
    for fact in (
        "the **default workspace** `~/.local/share/flext/workspace`",
        "`pipeline status` exits 1 when the last run of a pipeline it lists failed",
        "`flext service health` is an explicit check and always probes",
        "`--force` elsewhere means",
        "installed into its own venv under the workspace's `.flext/plugins/NAME/venv`",
        "relative to the workspace, so a workspace can be moved or committed to git; a path outside the workspace "
        "stays absolute",
    ):
        assert fact in text, fact
    assert re.search(r"Measured on a busy two-core machine: about \d+ s the first time", text), "make demo's duration"
