"""Issue 11 item 15, the CLI's path: `flext data pipeline create FILE` refuses a name that
is not a string (JSON `NaN`, TOML `nan`, a number) instead of creating pipeline `nan`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # real plugins linked into the workspace


@pytest.mark.parametrize(("name", "body", "shown"), [
    ("nan.json", '{"pipelines": [{"name": NaN, "tap": "tap-jsonl", "target": "target-jsonl"}]}', "float"),
    ("inf.json", '[{"name": Infinity, "tap": "tap-jsonl", "target": "target-jsonl"}]', "float"),
    ("int.json", '{"name": 7, "tap": "tap-jsonl", "target": "target-jsonl"}', "int"),
    ("nan.toml", '[[pipelines]]\nname = nan\ntap = "tap-jsonl"\ntarget = "target-jsonl"\n', "float"),
    ("list.toml", '[[pipelines]]\nname = ["a"]\ntap = "tap-jsonl"\ntarget = "target-jsonl"\n', "list"),
])
def test_a_name_that_is_not_a_string_is_refused(workspace: Path, flext: Callable[..., Any], name: str, body: str,
                                                shown: str) -> None:
    before = (workspace / "flext.toml").read_text()
    path = workspace / name
    path.write_text(body)
    result = flext("data", "pipeline", "create", str(path))
    assert result.code == 5, result
    assert result.err.startswith(f"error: pipelines[0].name: must be a string, got {shown}\n"), result
    assert (workspace / "flext.toml").read_text() == before
    assert flext("pipeline", "list", "-o", "json").json() == []
