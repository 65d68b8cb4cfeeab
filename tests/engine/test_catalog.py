"""flext.engine.catalog: the bundled entries, lookups with did-you-mean, overrides."""

from __future__ import annotations

import pytest

from flext.core.errors import NotFound
from flext.engine import catalog


def test_entries_are_complete_and_unique() -> None:
    entries = catalog.entries()
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names))
    for entry in entries:
        assert entry["kind"] in catalog.KINDS
        assert entry["pip_url"] and entry["executable"] and entry["description"]
        assert isinstance(entry["required_settings"], list)


@pytest.mark.parametrize("system", ["ldap", "ldif", "oracle", "oracle-oic", "oracle-wms"])
def test_flext_taps_and_targets_install_from_git(system: str) -> None:
    for kind in ("tap", "target"):
        entry = catalog.lookup(f"flext-{kind}-{system}", kind)
        assert entry["pip_url"] == f"git+https://github.com/flext-sh/flext-{kind}-{system}.git"
        assert entry["executable"] == f"flext-{kind}-{system}"
        assert entry["source"] == "git"


@pytest.mark.parametrize(
    ("name", "kind", "executable", "pip_url"),
    [
        ("tap-jsonl", "tap", "tap-jsonl", "tap-jsonl==0.3.1"),
        ("tap-csv-folder", "tap", "tap-csv-folder", "tap-csv-folder==0.0.1a1"),
        ("tap-spreadsheets", "tap", "tap-spreadsheets", "tap-spreadsheets==1.1.2"),
        ("tap-jsonfile", "tap", "tap-jsonfile", "tap-jsonfile==0.1.2"),
        ("target-jsonl", "target", "target-jsonl", "target-jsonl==0.1.4"),
        ("target-duckdb", "target", "target-duckdb", "target-duckdb==0.8.0 duckdb==1.0.0"),
        ("target-csv", "target", "target-csv", "meltanolabs-target-csv==0.5.0"),
        ("meltano-map-transform", "mapper", "meltano-map-transform", "meltano-map-transform==0.12.3"),
        ("dbt", "transformer", "dbt", "dbt-core~=1.11.0 dbt-duckdb~=1.11.0"),
    ],
)
def test_index_packages(name: str, kind: str, executable: str, pip_url: str) -> None:
    entry = catalog.lookup(name)
    assert (entry["kind"], entry["executable"], entry["pip_url"], entry["source"]) == (kind, executable, pip_url, "pypi")


@pytest.mark.parametrize(
    ("name", "kind", "hint"),
    [
        ("tap-jsnl", "tap", "did you mean 'tap-jsonl'?"),
        ("target-duckbd", "target", "did you mean 'target-duckdb'?"),
        ("tap-zzzzzzzzzz", "tap", "see `flext data taps list`, or pass --pip-url SPEC to install any package"),
        ("target-jsonl", "tap", "'target-jsonl' is a target, not a tap"),
    ],
)
def test_unknown_names(name: str, kind: str, hint: str) -> None:
    with pytest.raises(NotFound) as info:
        catalog.lookup(name, kind)
    assert info.value.exit_code == 6
    assert info.value.message == f"unknown {kind} {name!r}"
    assert info.value.hint == hint


def test_workspace_overrides_and_additions() -> None:
    table = catalog.merged({"tap-jsonl": {"pip_url": "tap-jsonl==0.3.0"}, "tap-mine": {"executable": "/opt/tap"}})
    assert table["tap-jsonl"]["pip_url"] == "tap-jsonl==0.3.0"
    assert table["tap-jsonl"]["source"] == "pypi"
    assert table["tap-mine"] == {"name": "tap-mine", "kind": "tap", "executable": "/opt/tap", "description": "",
                                 "required_settings": [], "source": "workspace", "pip_url": None}


@pytest.mark.parametrize(
    ("name", "kind"),
    [("tap-x", "tap"), ("target-x", "target"), ("flext-tap-x", "tap"), ("flext-target-x", "target"), ("dbt", None)],
)
def test_kind_of(name: str, kind: str | None) -> None:
    assert catalog.kind_of(name) == kind


def test_split_pip_url() -> None:
    assert catalog.split_pip_url("target-duckdb==0.8.0 duckdb==1.0.0") == ["target-duckdb==0.8.0", "duckdb==1.0.0"]
