"""flext.engine.uv: which uv is used, the environment it runs with; install progress lines.

Real installs with uv and pip (two workspaces, --no-uv, the fallback, --pip-url) are in
tests/commands/test_data.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flext.engine import plugins, uv


def _fake_uv(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "uv"
    exe.write_text(f"#!/bin/sh\necho 'uv {version} (fake)'\n")
    exe.chmod(0o755)
    return exe


@pytest.mark.parametrize(("on_path", "cached", "expect"), [
    ("0.9.1", True, "path"),  # a recent uv on PATH wins
    ("0.1.0", True, "cache"),  # too old for the flags flext uses: the cached one
    (None, True, "cache"),
])
def test_find_prefers_path_then_the_cache(tmp_path: Path, on_path: str | None, cached: bool, expect: str) -> None:
    path_dir = tmp_path / "bin"
    path_dir.mkdir()
    found = {"path": _fake_uv(path_dir, on_path) if on_path else None,
             "cache": _fake_uv(Path(uv.binary_dir(str(tmp_path / "cache"))), uv.VERSION) if cached else None}
    said: list[str] = []
    assert uv.find(str(tmp_path / "cache"), {"PATH": str(path_dir)}, said.append) == str(found[expect])
    assert said == []  # nothing fetched


def test_child_env_uses_flexts_cache_and_carries_pips_index_settings(tmp_path: Path) -> None:
    env = {"PATH": "/bin", "PYTHONPATH": "/flext.pyz", "PIP_INDEX_URL": "https://mirror/simple",
           "PIP_FIND_LINKS": "/wheels /more", "PIP_EXTRA_INDEX_URL": "https://a/simple https://b/simple",
           "UV_LINK_MODE": "copy"}
    out = uv.child_env(env, str(tmp_path))
    assert out["UV_CACHE_DIR"] == str(tmp_path / "uv-cache")
    assert (out["UV_INDEX_URL"], out["UV_FIND_LINKS"], out["UV_EXTRA_INDEX_URL"]) == (
        "https://mirror/simple", "/wheels,/more", "https://a/simple https://b/simple")
    assert out["UV_LINK_MODE"] == "copy"  # the user's choice stands
    assert (out["UV_PYTHON_DOWNLOADS"], out["UV_NO_PROGRESS"]) == ("never", "1")
    assert "PYTHONPATH" not in out
    own = uv.child_env({"PIP_INDEX_URL": "https://mirror/simple", "UV_INDEX_URL": "https://uv/simple"}, str(tmp_path))
    assert own["UV_INDEX_URL"] == "https://uv/simple"


def test_fetch_without_pip_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uv, "_pip", lambda: None)
    with pytest.raises(uv.Unavailable, match="no pip in flext's Python to fetch uv with"):
        uv.fetch(str(tmp_path), dict(os.environ), lambda _text: None)


@pytest.mark.parametrize(("installer", "line", "note"), [
    ("uv", "Resolved 31 packages in 346ms", "installing 31 packages"),
    ("uv", "Resolved 1 package in 3ms", "installing 1 package"),
    ("uv", "Downloading sqlalchemy (4.5MiB)", "downloading sqlalchemy"),
    ("uv", "Using Python 3.11.7 environment at: venv", None),
    ("uv", "Prepared 31 packages in 79ms", None),
    ("uv", "+ attrs==26.1.0", None),
    ("pip", "Installing collected packages: a, b, c", "installing 3 packages"),
    ("pip", "Collecting singer-sdk~=0.53.4", None),  # one per package: too many to show
    ("pip", "Downloading singer_sdk-0.53.7-py3-none-any.whl (1.2 MB)", None),
    ("pip", "Resolved 31 packages in 346ms", None),
])
def test_progress_lines(installer: str, line: str, note: str | None) -> None:
    assert plugins._progress(line, installer) == note


@pytest.mark.parametrize(("requirement", "dist"), [
    ("tap-jsonl==0.3.1", "tap-jsonl"),
    ("/w/tap_tiny-1.0-py3-none-any.whl", "tap_tiny"),
    ("/w/tap-tiny-1.0.tar.gz", "tap-tiny"),
    ("git+https://github.com/acme/tap-acme.git@v1", "tap-acme"),
])
def test_dist_name(requirement: str, dist: str) -> None:
    assert plugins._dist_name(requirement) == dist
