"""dbt-duckdb over the loaded table: `--transform` after a load, `data dbt run/test`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flext.engine.workspace import init_workspace
from tests.engine.conftest import duckdb_query

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(env: dict[str, str], plugin_cache: dict[str, Path], tmp_path: Path) -> Path:
    """`flext init --example` with the cached real plugins linked in."""
    root = tmp_path / "demo"
    init_workspace(str(root), name="demo", example=True)
    plugins = root / ".flext" / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    for name, path in plugin_cache.items():
        (plugins / name).symlink_to(path, target_is_directory=True)
    return root


def test_transform_builds_and_tests_over_the_loaded_table(demo: Path, flext: Callable[..., Any]) -> None:
    result = flext("-C", str(demo), "pipeline", "run", "orders", "-o", "json")
    assert result.code == 0, result
    record = result.json()
    assert (record["status"], record["records"]) == ("succeeded", 1000)
    log = [json.loads(line) for line in Path(record["log"]).read_text().splitlines()]
    assert any(line["source"] == "dbt" and "Completed successfully" in line["message"] for line in log)
    rows = duckdb_query(demo / "warehouse.duckdb",
                        "select count(*), sum(orders) from analytics.revenue_by_customer")
    assert rows == [(50, 1000)]


def test_dbt_run_and_test_show_each_node(demo: Path, flext: Callable[..., Any]) -> None:
    assert flext("-C", str(demo), "pipeline", "run", "orders").code == 0
    run = flext("-C", str(demo), "data", "dbt", "run", "transform", "-o", "json")
    assert run.code == 0, run
    nodes = run.json()
    assert [(n["node"], n["type"], n["status"]) for n in nodes] == [("revenue_by_customer", "model", "success")]
    assert isinstance(nodes[0]["time_s"], float)
    assert "dbt run: 1 node(s), 0 failed" in run.err
    tested = flext("-C", str(demo), "data", "dbt", "test", "transform", "-o", "json")
    assert tested.code == 0, tested
    assert sorted((n["type"], n["status"]) for n in tested.json()) == [("test", "pass")] * 3
    table = flext("-C", str(demo), "data", "dbt", "test", "transform", "--select", "revenue_by_customer")
    assert table.code == 0
    assert table.out.splitlines()[0].split() == ["NODE", "TYPE", "STATUS", "TIME_S", "ROWS"]


def test_a_failing_dbt_test_exits_1(demo: Path, flext: Callable[..., Any]) -> None:
    assert flext("-C", str(demo), "pipeline", "run", "orders").code == 0
    (demo / "transform" / "tests").mkdir()
    (demo / "transform" / "tests" / "no_big_orders.sql").write_text(
        "select * from {{ ref('revenue_by_customer') }} where orders > 1\n")
    (demo / "transform" / "dbt_project.yml").write_text(
        (demo / "transform" / "dbt_project.yml").read_text() + 'test-paths: ["tests"]\n')
    result = flext("-C", str(demo), "data", "dbt", "test", "transform", "-o", "json")
    assert result.code == 1
    failed = [n for n in result.json() if n["status"] == "fail"]
    assert [n["node"] for n in failed] == ["no_big_orders"]
    # the same failure after a load fails the run
    run = flext("-C", str(demo), "pipeline", "run", "orders")
    assert run.code == 1
    assert "dbt build failed (exit 1): no_big_orders" in run.err


def test_dbt_missing_exits_5_with_the_install_command(demo: Path, flext: Callable[..., Any],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (demo / ".flext" / "plugins" / "dbt").unlink()
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert shutil.which("dbt") is None
    result = flext("-C", str(demo), "data", "dbt", "run", "transform")
    assert result.code == 5
    assert result.err == ("error: dbt is not installed in this workspace or on PATH\n"
                          "hint: install it with `flext data dbt install` (dbt-core~=1.11 with dbt-duckdb)\n")
    # a pipeline with a transform refuses to start rather than load and then fail
    assert flext("-C", str(demo), "pipeline", "run", "orders").code == 5


def test_unknown_dbt_project_is_exit_6(demo: Path, flext: Callable[..., Any]) -> None:
    result = flext("-C", str(demo), "data", "dbt", "run", "transfrom")
    assert result.code == 6
    assert "hint: did you mean 'transform'?" in result.err


def test_a_model_with_a_bad_column_shows_dbts_reason(demo: Path, flext: Callable[..., Any]) -> None:
    assert flext("-C", str(demo), "pipeline", "run", "orders").code == 0
    model = demo / "transform" / "models" / "revenue_by_customer.sql"
    model.write_text(model.read_text().replace("count(*) as orders", "count(nope) as orders"))
    reason = 'Binder Error: Referenced column "nope" not found in FROM clause!'
    run = flext("-C", str(demo), "data", "dbt", "run", "transform")
    assert run.code == 1
    assert run.out.splitlines()[0].split() == ["NODE", "TYPE", "STATUS", "TIME_S", "ROWS", "DETAIL"]
    assert reason in run.out.splitlines()[1]
    as_json = flext("-C", str(demo), "data", "dbt", "run", "transform", "-o", "json").json()
    assert as_json[0]["detail"] == reason
    piped = flext("-C", str(demo), "pipeline", "run", "orders")
    assert piped.code == 1
    assert f"dbt build failed (exit 1): revenue_by_customer: {reason}" in piped.err.splitlines()[0]


def test_a_failing_data_test_shows_how_many_rows(demo: Path, flext: Callable[..., Any]) -> None:
    assert flext("-C", str(demo), "pipeline", "run", "orders").code == 0
    (demo / "transform" / "tests").mkdir()
    (demo / "transform" / "tests" / "no_big_orders.sql").write_text(
        "select * from {{ ref('revenue_by_customer') }} where orders > 1\n")
    (demo / "transform" / "dbt_project.yml").write_text(
        (demo / "transform" / "dbt_project.yml").read_text() + 'test-paths: ["tests"]\n')
    run = flext("-C", str(demo), "data", "dbt", "test", "transform", "-o", "json")
    failed = [n for n in run.json() if n["status"] == "fail"]
    assert [(n["node"], n["detail"]) for n in failed] == [("no_big_orders", "Got 50 results, configured to fail if != 0")]


def test_the_example_pipeline_resumes_with_only_new_records(demo: Path, flext: Callable[..., Any]) -> None:
    """`init --example`'s tap resumes correctly: a new file's records, once, and nothing
    more (tap-jsonl 0.3.1 sent every record again once per saved file)."""
    from tests.engine.conftest import write_jsonl

    first = flext("-C", str(demo), "pipeline", "run", "orders", "-o", "json")
    assert first.json()["records"] == 1000
    write_jsonl(demo / "data" / "more.jsonl", 5001, 25)
    second = flext("-C", str(demo), "pipeline", "run", "orders", "-o", "json")
    assert second.code == 0, second
    assert second.json()["records"] == 25
    assert flext("-C", str(demo), "pipeline", "run", "orders", "-o", "json").json()["records"] == 0
    rows = duckdb_query(demo / "warehouse.duckdb", "select count(*), count(distinct id) from raw.orders")
    assert rows == [(1025, 1025)]
