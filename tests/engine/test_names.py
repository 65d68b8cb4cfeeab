"""Completion sources read .flext/index.json only (stdlib, no TOML)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flext.core.paths import Scope
from flext.engine import names


def test_names_follow_writes(flext: Callable[..., Any], env: dict[str, str], tmp_path: Path) -> None:
    assert flext("init", "w", "--example").code == 0
    root = tmp_path / "work" / "w"
    deep = str(root / "data")
    assert names.pipelines(Scope(env, deep)) == []  # nothing written through the engine yet
    assert flext("-C", str(root), "pipeline", "create", "extra", "--tap", "tap-jsonl", "--target", "target-jsonl").code == 0
    assert names.pipelines(Scope(env, deep)) == ["customers", "extra", "orders"]
    assert names.dbt_projects(Scope(env, deep)) == ["transform"]
    assert "tap-jsonl" in names.taps(Scope(env, deep)) and "target-duckdb" in names.targets(Scope(env, deep))
    assert "target-duckdb" not in names.taps(Scope(env, deep))
    assert flext("-C", str(root), "pipeline", "delete", "extra", "--yes").code == 0
    assert names.pipelines(Scope(env, deep)) == ["customers", "orders"]


def test_runs_newest_first(tmp_path: Path) -> None:
    root = tmp_path / "w"
    (root / ".flext").mkdir(parents=True)
    (root / "flext.toml").write_text("")
    (root / ".flext" / "index.json").write_text(
        '{"runs": {"a": ["20261127T100000Z-aaaaaa", "20261126T100000Z-bbbbbb"], "b": ["20261127T110000Z-cccccc"]}}')
    assert names.runs(Scope({}, str(root))) == [("20261127T110000Z-cccccc", "b"), ("20261127T100000Z-aaaaaa", "a"),
                                         ("20261126T100000Z-bbbbbb", "a")]


def test_default_workspace_and_broken_index(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "workspace" / ".flext").mkdir(parents=True)
    (data / "workspace" / ".flext" / "index.json").write_text('{"pipelines": ["p"]}')
    assert names.pipelines(Scope({"FLEXT_DATA_DIR": str(data)}, str(tmp_path))) == ["p"]
    (data / "workspace" / ".flext" / "index.json").write_text('{"pipelines": [')
    assert names.pipelines(Scope({"FLEXT_DATA_DIR": str(data)}, str(tmp_path))) == []


def test_imports_only_the_standard_library() -> None:
    code = ("import sys; before = set(sys.modules); import flext.engine.names as n; "
            "extra = {m.split('.')[0] for m in set(sys.modules) - before}; "
            "print(sorted(extra - {'flext'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(Path(__file__).resolve().parents[2])).stdout.strip()
    assert "tomllib" not in out and "rich" not in out and "msgspec" not in out, out
