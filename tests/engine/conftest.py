"""Engine test fixtures: real taps, targets and dbt, installed once and shared.

`plugin_cache` installs each plugin with the engine's own installer into one directory
kept between test sessions (`FLEXT_TEST_PLUGINS`, default ~/.cache/flext-test-plugins,
keyed by the pip spec, so a catalog change reinstalls), in parallel. A test workspace
then links `.flext/plugins/<name>` to the cached install: installing for real once per
machine, not once per test.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

PLUGINS = ("tap-jsonl", "tap-jsonfile", "tap-csv-folder", "target-jsonl", "target-csv", "target-duckdb", "dbt")
_LOCK = threading.Lock()


def _cache_root() -> Path:
    root = os.environ.get("FLEXT_TEST_PLUGINS") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "flext-test-plugins")
    return Path(root)


@pytest.fixture(scope="session")
def plugin_cache() -> dict[str, Path]:
    """name -> the installed plugin's directory (holding venv/ and plugin.json)."""
    from flext.engine import catalog, plugins
    from flext.engine.workspace import Workspace

    root = _cache_root()
    root.mkdir(parents=True, exist_ok=True)
    (root / "flext.toml").write_text('[workspace]\nname = "plugin-cache"\n')
    ws = Workspace(str(root))
    table = catalog.merged()

    def one(name: str) -> tuple[str, Path]:
        entry = table[name]
        plugins.install(ws, entry)  # idempotent: a cached, working install is kept
        return name, Path(plugins.plugin_dir(ws, name))

    with ThreadPoolExecutor(max_workers=len(PLUGINS)) as pool:
        return dict(pool.map(one, PLUGINS))


@pytest.fixture
def workspace(env: dict[str, str], plugin_cache: dict[str, Path], tmp_path: Path) -> Path:
    """An empty workspace in the current directory with every cached plugin linked in."""
    from flext.engine.workspace import init_workspace

    root = tmp_path / "work"
    init_workspace(str(root), name="test")
    plugins_dir = root / ".flext" / "plugins"
    plugins_dir.mkdir(parents=True, exist_ok=True)
    for name, path in plugin_cache.items():
        (plugins_dir / name).symlink_to(path, target_is_directory=True)
    return root


def write_jsonl(path: Path, start: int, count: int, *, pad: int = 0) -> None:
    """`count` order records with ids start..start+count-1 (`pad` bytes of filler each)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    filler = "x" * pad
    with path.open("a", encoding="utf-8") as fh:
        for i in range(start, start + count):
            fh.write(json.dumps({"id": i, "customer": f"c{i % 97}", "amount": i % 1000 + 0.5, "note": filler}) + "\n")


def add_pipeline(root: Path, name: str, body: str) -> None:
    with (root / "flext.toml").open("a", encoding="utf-8") as fh:
        fh.write(f"\n[pipelines.{name}]\n{body.strip()}\n")


def read_record(root: Path, pipeline: str, run_id: str) -> dict[str, Any]:
    return json.loads((root / ".flext" / "runs" / pipeline / f"{run_id}.json").read_text())


def poll(check: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    """Wait for `check()` to return something truthy (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(delay)
        delay = min(0.25, delay * 1.5)


def duckdb_query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def log_lines() -> Callable[[Path, str, str], list[dict[str, Any]]]:
    def read(root: Path, pipeline: str, run_id: str) -> list[dict[str, Any]]:
        path = root / ".flext" / "runs" / pipeline / f"{run_id}.log"
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    return read


__all__ = ["add_pipeline", "duckdb_query", "poll", "read_record", "write_jsonl"]
_ = Iterator
