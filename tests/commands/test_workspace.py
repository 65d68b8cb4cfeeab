"""`flext init`: flext.toml, a git-ignored .flext/, the example, and how commands find it."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any


def test_init_writes_toml_and_ignored_dot_dir(flext: Callable[..., Any], tmp_path: Path) -> None:
    result = flext("init", "etl", "-o", "json")
    assert result.code == 0, result
    root = tmp_path / "work" / "etl"
    assert result.json() == {"workspace": str(root), "name": "etl", "created": ["flext.toml", ".flext/"], "example": False}
    assert result.err == f"✓ created workspace 'etl' in {root}\n"
    assert tomllib.loads((root / "flext.toml").read_text()) == {"workspace": {"name": "etl"}}
    assert (root / ".flext" / ".gitignore").read_text() == "*\n"
    assert (root / ".gitignore").read_text() == ".flext/\n"


def test_init_name_and_current_directory(flext: Callable[..., Any], tmp_path: Path) -> None:
    assert flext("init", "--name", "sales").code == 0
    assert tomllib.loads((tmp_path / "work" / "flext.toml").read_text())["workspace"]["name"] == "sales"


def test_init_refuses_an_existing_workspace(flext: Callable[..., Any], tmp_path: Path) -> None:
    assert flext("init", "w").code == 0
    again = flext("init", "w")
    assert again.code == 7
    assert again.err == (f"error: {tmp_path / 'work' / 'w' / 'flext.toml'} already exists\n"
                         "hint: edit it, or choose another directory\n")


def test_init_keeps_an_existing_gitignore(flext: Callable[..., Any], tmp_path: Path) -> None:
    (tmp_path / "work" / ".gitignore").write_text("*.pyc")
    assert flext("init").code == 0
    assert (tmp_path / "work" / ".gitignore").read_text() == "*.pyc\n.flext/\n"


def test_init_example(flext: Callable[..., Any], tmp_path: Path) -> None:
    result = flext("init", "demo", "--example")
    assert result.code == 0, result
    root = tmp_path / "work" / "demo"
    doc = tomllib.loads((root / "flext.toml").read_text())
    assert sorted(doc["pipelines"]) == ["customers", "orders"]
    assert doc["pipelines"]["orders"]["transform"] == "transform"
    assert len((root / "data" / "orders.jsonl").read_text().splitlines()) == 1000
    first = json.loads((root / "data" / "orders.jsonl").read_text().splitlines()[0])
    assert sorted(first) == ["amount", "created_at", "customer", "id"]
    assert (root / "data" / "customers" / "customers.csv").read_text().startswith("id,name,city\nc001,Customer 1,")
    assert (root / "transform" / "dbt_project.yml").exists() and (root / "transform" / "profiles.yml").exists()
    listed = flext("-C", str(root), "pipeline", "list", "-o", "json")
    assert [(p["name"], p["status"]) for p in listed.json()] == [("customers", "never"), ("orders", "never")]


def test_commands_find_the_workspace_by_walking_up(flext: Callable[..., Any], tmp_path: Path) -> None:
    assert flext("init", "w", "--example").code == 0
    deep = tmp_path / "work" / "w" / "data" / "customers"
    os.chdir(deep)
    names = [p["name"] for p in flext("pipeline", "list", "-o", "json").json()]
    assert names == ["customers", "orders"]


def test_without_a_workspace_the_default_one_is_used(flext: Callable[..., Any], env: dict[str, str]) -> None:
    assert flext("pipeline", "list", "-o", "json").json() == []
    default = Path(env["FLEXT_DATA_DIR"]) / "workspace"
    assert not default.exists()  # nothing is created by reading
    created = flext("pipeline", "create", "p", "--tap", "tap-jsonl", "--target", "target-jsonl")
    assert created.code == 0, created
    assert tomllib.loads((default / "flext.toml").read_text())["pipelines"]["p"] == {"tap": "tap-jsonl", "target": "target-jsonl"}
