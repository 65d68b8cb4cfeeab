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

PLUGINS = ("tap-jsonl", "tap-csv-folder", "target-jsonl", "target-duckdb", "dbt")
_LOCK = threading.Lock()


def _cache_root() -> Path:
    root = os.environ.get("FLEXT_TEST_PLUGINS") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "flext-test-plugins")
    return Path(root)


def uv_cache_root() -> Path:
    """A flext cache dir kept between test sessions (`FLEXT_TEST_UV`, default
    ~/.cache/flext-test-uv): the uv flext fetches and uv's package cache, both warm after
    the first session. Tests that install point FLEXT_CACHE_DIR here."""
    root = os.environ.get("FLEXT_TEST_UV") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "flext-test-uv")
    return Path(root)


@pytest.fixture(scope="session")
def uv_cache() -> Path:
    root = uv_cache_root()
    root.mkdir(parents=True, exist_ok=True)
    return root


def make_wheel(folder: Path, name: str = "tap-tiny", version: str = "1.0") -> Path:
    """A pure-Python wheel with a `name` console script that answers `--about`: installs
    with no index (pip or uv), so install paths can be tested offline and fast."""
    import base64
    import hashlib
    import zipfile

    module = name.replace("-", "_")
    info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": ("import json, sys\n\n\ndef main():\n    if '--about' in sys.argv:\n"
                                  f"        print(json.dumps({{'name': {name!r}, 'version': {version!r}}}))\n"
                                  "    return 0\n"),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: flext-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": f"[console_scripts]\n{name} = {module}:main\n",
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{module}-{version}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            data = text.encode()
            archive.writestr(member, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{member},sha256={digest},{len(data)}")
        record.append(f"{info}/RECORD,,")
        archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


def installer_of(venv: Path, dist: str) -> str:
    """What installed `dist` into `venv`: the INSTALLER file pip and uv both write."""
    found = list(venv.glob(f"lib/python*/site-packages/{dist.replace('-', '_')}-*.dist-info/INSTALLER"))
    assert len(found) == 1, found
    return found[0].read_text().strip()


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
        plugins.install(ws, entry, cache_dir=str(uv_cache_root()))  # idempotent: a cached, working install is kept
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


__all__ = ["add_pipeline", "duckdb_query", "installer_of", "make_wheel", "poll", "read_record", "uv_cache_root",
           "write_jsonl"]
_ = Iterator
