"""The Context: which workspace a line works in, and where it reads names (its Scope)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flext.core.context import Context
from flext.core.errors import NotFound
from flext.core.paths import Scope, find_workspace


def _ctx(env: dict[str, str], **options: object) -> Context:
    return Context(env=env, options=options)


def test_workspace_found_by_walking_up(env: dict[str, str], tmp_path: Path) -> None:
    ws = tmp_path / "work" / "proj"
    (ws / "a" / "b").mkdir(parents=True)
    (ws / "flext.toml").write_text("")
    os.chdir(ws / "a" / "b")
    ctx = _ctx(env)
    assert (ctx.workspace_root, ctx.workspace_origin) == (str(ws), "found")


def test_no_workspace_means_the_default_one(env: dict[str, str]) -> None:
    ctx = _ctx(env)
    assert (ctx.workspace_root, ctx.workspace_origin) == (os.path.join(env["FLEXT_DATA_DIR"], "workspace"), "default")


def test_a_flext_toml_above_the_ceiling_is_not_seen(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "flext.toml").write_text("")  # above the test's ceiling, like a stray /tmp/flext.toml
    assert _ctx(env).workspace_origin == "default"
    env2 = {**env, "FLEXT_CEILING_DIRS": ""}
    assert _ctx(env2).workspace_root == str(tmp_path)


@pytest.mark.parametrize("ceilings", ["{up}", "/nonexistent{sep}{up}", "{up}{sep}"])
def test_ceilings_are_a_path_list(tmp_path: Path, ceilings: str) -> None:
    (tmp_path / "flext.toml").write_text("")
    start = tmp_path / "x" / "y"
    start.mkdir(parents=True)
    env = {"FLEXT_CEILING_DIRS": ceilings.format(up=tmp_path / "x", sep=os.pathsep)}
    assert find_workspace(str(start), env) is None
    assert find_workspace(str(start), {}) == str(tmp_path)


def test_dash_c_to_a_missing_directory_is_not_found_and_creates_nothing(env: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    ctx = _ctx(env, workspace=str(missing))
    with pytest.raises(NotFound) as raised:
        _ = ctx.workspace_root
    assert raised.value.exit_code == 6
    assert raised.value.message == f"workspace directory {missing} does not exist (-C)"
    assert not missing.exists()


def test_dash_c_to_a_folder_inside_a_workspace_finds_it(env: dict[str, str], tmp_path: Path) -> None:
    ws = tmp_path / "w"
    (ws / "sub").mkdir(parents=True)
    (ws / "flext.toml").write_text("")
    ctx = _ctx(env, workspace=str(ws / "sub"))
    assert (ctx.workspace_root, ctx.workspace_origin) == (str(ws), "flag")


def test_scope_carries_session_overrides_as_data(env: dict[str, str], tmp_path: Path) -> None:
    ctx = _ctx(env)
    ctx.sticky.update({"profile": "staging", "workspace": str(tmp_path)})
    scope = ctx.scope()
    assert (scope.profile, scope.cwd) == ("staging", str(tmp_path))
    assert "FLEXT_PROFILE" not in ctx.env
    flagged = _ctx(env, profile="prod").scope()
    assert flagged.profile == "prod"


def test_scope_workspace_is_found_from_its_directory(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "w" / "deep").mkdir(parents=True)
    (tmp_path / "w" / "flext.toml").write_text("")
    assert Scope(env, str(tmp_path / "w" / "deep")).workspace() == str(tmp_path / "w")
