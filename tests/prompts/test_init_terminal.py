"""`flext init` in a real terminal (tmux): each answer is checked as it is typed, TAB completes."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from tests.repl.term import Term

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (apt-get install tmux; .ci/run installs it)")


def test_init_wizard_validates_as_typed_and_completes(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "work" / "fresh-dir").mkdir()
    term = Term(tmp_path, dict(os.environ), argv=[sys.executable, "-m", "flext", "init"])
    try:
        term.wait("Workspace directory")
        term.keys("C-u")
        term.type("fres")
        term.keys("Tab")  # directories complete
        # the answer itself, not the menu that complete-while-typing may show before TAB lands
        term.wait(lambda s: "Workspace directory: fresh-dir" in s.splitlines())
        term.keys("Enter")
        term.wait("Workspace name")
        term.keys("Enter")
        term.wait("Tap to extract with")
        term.keys("C-u")
        term.type("tap-jsnol")
        term.keys("Enter")  # refused at once, with a did-you-mean, and asked again
        term.wait("unknown tap 'tap-jsnol': did you mean tap-jsonl?")
        term.keys("C-u")
        term.type("tap-jsonf")
        term.keys("Tab")  # the one tap that matches
        term.wait(lambda s: "Tap to extract with: tap-jsonfile" in s)
        term.keys("Enter")
        term.wait("Target to load into")
        term.keys("Enter")  # target-jsonl
        term.wait("First pipeline's name")
        term.keys("Enter")  # jsonfile
        term.wait("Install the tap and the target now")
        term.keys("C-u")
        term.type("no")
        term.keys("Enter")
        term.wait("setting paths")
        term.type("data/*.jsonl, more/*.json")
        term.keys("Enter")
        term.wait("EXIT=0", timeout=60)
    finally:
        term.close()
    root = tmp_path / "work" / "fresh-dir"
    spec = tomllib.loads((root / "flext.toml").read_text())["pipelines"]["jsonfile"]
    assert (spec["tap"], spec["target"], spec["tap_config_file"]) == ("tap-jsonfile", "target-jsonl",
                                                                     "config/jsonfile.tap.json")
    assert json.loads((root / "config" / "jsonfile.tap.json").read_text()) == {"paths": ["data/*.jsonl", "more/*.json"]}
