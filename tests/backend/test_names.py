"""Completion sources read .flext/index.json (stdlib), rebuilt when flext.toml changed by hand."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flext.backend import names
from flext.core.paths import Scope
from flext.services.builtin import BUILTIN


def test_names_follow_writes(flext: Callable[..., Any], env: dict[str, str], tmp_path: Path) -> None:
    assert flext("init", "w", "--example").code == 0
    root = tmp_path / "work" / "w"
    deep = str(root / "data")
    assert names.pipelines(Scope(env, deep)) == ["customers", "orders"]  # `init --example` writes the index
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
    from flext.engine.index import source_key

    (root / ".flext" / "index.json").write_text(json.dumps({"source": source_key(str(root)), "runs": {
        "a": ["20261127T100000Z-aaaaaa", "20261126T100000Z-bbbbbb"], "b": ["20261127T110000Z-cccccc"]}}))
    assert names.runs(Scope({}, str(root))) == [("20261127T110000Z-cccccc", "b"), ("20261127T100000Z-aaaaaa", "a"),
                                         ("20261126T100000Z-bbbbbb", "a")]


def test_default_workspace_and_broken_index(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "workspace" / ".flext").mkdir(parents=True)
    (data / "workspace" / ".flext" / "index.json").write_text('{"source": null, "pipelines": ["p"]}')
    assert names.pipelines(Scope({"FLEXT_DATA_DIR": str(data)}, str(tmp_path))) == ["p"]
    (data / "workspace" / ".flext" / "index.json").write_text('{"pipelines": [')
    assert names.pipelines(Scope({"FLEXT_DATA_DIR": str(data)}, str(tmp_path))) == []


def test_imports_only_the_standard_library() -> None:
    code = ("import sys; before = set(sys.modules); import flext.backend.names as n; "
            "extra = {m.split('.')[0] for m in set(sys.modules) - before}; "
            "print(sorted(extra - {'flext'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(Path(__file__).resolve().parents[2])).stdout.strip()
    assert "tomllib" not in out and "rich" not in out and "msgspec" not in out, out


def test_a_hand_edit_of_flext_toml_completes_at_once(flext: Callable[..., Any], flext_proc: Callable[..., Any],
                                                     tmp_path: Path) -> None:
    """`init --example` writes the index, and a pipeline added to flext.toml in an editor
    completes at the next TAB: the index follows the file (one stat per read)."""
    import os

    assert flext("init", "w", "--example").code == 0
    root = tmp_path / "work" / "w"
    os.chdir(root)
    assert flext_proc("__complete", "pipeline", "start", "cu").out.split() == ["customers"]
    with (root / "flext.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[pipelines.curated]\ntap = "tap-jsonl"\ntarget = "target-jsonl"\n')
    assert flext_proc("__complete", "pipeline", "start", "cu").out.split() == ["curated", "customers"]
    # removed by hand: gone at once too
    text = (root / "flext.toml").read_text()
    (root / "flext.toml").write_text(text.replace("[pipelines.customers]", "[pipelines.clients]"))
    assert flext_proc("__complete", "pipeline", "start", "cu").out.split() == ["curated"]


def test_a_broken_flext_toml_keeps_the_last_good_names(flext: Callable[..., Any], env: dict[str, str],
                                                       tmp_path: Path) -> None:
    assert flext("init", "w", "--example").code == 0
    root = tmp_path / "work" / "w"
    with (root / "flext.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[pipelines.broken\n")
    assert names.pipelines(Scope(env, str(root))) == ["customers", "orders"]

# -- services and log sources (was tests/services/test_names.py) --


def test_services_merge_builtins_config_and_workspace(env: dict[str, str], tmp_path: Path) -> None:
    config = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[services.billing]\nurl = "http://h:1"\n[services.grafana]\nenabled = false\n')
    ws = tmp_path / "ws"
    (ws / "sub").mkdir(parents=True)
    (ws / "flext.toml").write_text('[services.local-api]\nurl = "http://h:2"\n')
    found = names.services(Scope(env, str(ws / "sub")))
    assert found == sorted((set(BUILTIN) - {"grafana"}) | {"billing", "local-api"})


def test_services_survive_a_broken_config(env: dict[str, str], tmp_path: Path) -> None:
    config = Path(env["FLEXT_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[services.x\n")
    assert names.services(Scope(env, str(tmp_path))) == sorted(BUILTIN)


def test_log_sources(env: dict[str, str], tmp_path: Path) -> None:
    logs = Path(env["FLEXT_STATE_DIR"]) / "logs" / "services"
    logs.mkdir(parents=True)
    (logs / "app.jsonl").write_text("")
    ws = tmp_path / "ws"
    (ws / ".flext" / "runs" / "orders").mkdir(parents=True)
    (ws / "flext.toml").write_text('[services.ext]\nurl = "http://h:1"\nlog_file = "ext.log"\n')
    assert names.log_sources(Scope(env, str(ws))) == ["app", "ext", "orders"]
