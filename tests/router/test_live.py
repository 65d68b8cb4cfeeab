"""Live values: the registry, flext's own sources, and that nothing ever raises."""

from __future__ import annotations

import json
import os
import sys

import pytest

from flext.core.paths import Paths, Scope
from flext.core.schema import setting_keys
from flext.router import live
from flext.router.spec import tree
from tests.router._completion_world import ALIASES, PROFILES, make_world


@pytest.fixture
def world(env: dict[str, str]) -> dict[str, str]:
    make_world(env)
    return env


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """COMPLETERS, restored after the test."""
    saved = dict(live.COMPLETERS)
    monkeypatch.setattr(live, "COMPLETERS", saved)
    return saved


def test_config_keys_match_the_schema() -> None:
    assert list(live.CONFIG_KEYS) == setting_keys()
    assert live.names("config_keys", Scope({}, "/")) == setting_keys()


def test_every_registered_source_is_a_function_that_takes_a_scope() -> None:
    """A typo in a "module:function" target would silently complete nothing (missing modules yield [])."""
    import importlib
    import inspect

    for kind, target in live.COMPLETERS.items():
        module, _, name = target.partition(":")
        source = getattr(importlib.import_module(module), name, None)
        assert callable(source), f"{kind}: {target} is not a function"
        assert len(inspect.signature(source).parameters) == 1, f"{kind}: {target} must take the scope only"


def test_every_completer_in_the_tree_is_registered() -> None:
    used: set[str] = set()
    for node in tree().walk():
        used.update(a.completer for a in node.args if a.completer)
        used.update(o.completer for o in node.opts if o.completer)
    missing = used - live.COMPLETERS.keys()
    assert not missing, f"add these kinds to flext.router.live.COMPLETERS: {sorted(missing)}"


def _boom(scope: object) -> list[str]:
    raise RuntimeError("a broken source")


def _mixed(scope: object) -> object:
    return ["a", ("b", "the b"), ("a", "again"), 3, ("c", None), "", ("d",)]


def _described(scope: object) -> dict[str, str]:
    return {"x": "the x", "y": ""}


def _not_a_list(scope: object) -> object:
    return 42


@pytest.mark.parametrize(
    ("target", "entries"),
    [
        ("tests.router.test_live:_boom", []),
        ("tests.router.test_live:_mixed", [("a", ""), ("b", "the b"), ("c", "")]),
        ("tests.router.test_live:_described", [("x", "the x"), ("y", "")]),
        ("tests.router.test_live:_not_a_list", []),
        ("tests.router.test_live:_no_such_function", []),
        ("flext.no_such_module:names", []),
        ("not even a target", []),
    ],
)
def test_sources_are_normalised_and_never_raise(registry: dict[str, str], target: str, entries: list[tuple[str, str]]) -> None:
    live.register("thing", target)
    assert live.entries("thing", Scope({}, "/")) == entries
    assert live.names("thing", Scope({}, "/")) == [name for name, _ in entries]


def test_unknown_kind_gives_nothing() -> None:
    assert live.names("no-such-kind", Scope({}, "/")) == []


@pytest.mark.parametrize("kind", ["pipelines", "runs", "taps", "targets", "dbt_projects", "services", "plugins", "log_sources"])
def test_kinds_of_other_modules_give_a_list_on_a_fresh_machine(env: dict[str, str], kind: str) -> None:
    got = live.names(kind, Scope(env, os.getcwd()))
    assert isinstance(got, list)
    assert all(isinstance(name, str) for name in got)


def test_profiles_and_aliases_from_config(world: dict[str, str]) -> None:
    assert live.names("profiles", Scope(world, "/")) == PROFILES
    assert ("staging", "the staging cluster") in live.entries("profiles", Scope(world, "/"))
    assert live.entries("aliases", Scope(world, "/")) == [("st", "config show"), ("pu", "profile use $1")]
    assert live.names("aliases", Scope(world, "/")) == ALIASES


def test_without_config_only_default(env: dict[str, str]) -> None:
    assert live.names("profiles", Scope(env, "/")) == ["default"]
    assert live.names("aliases", Scope(env, "/")) == []


def test_a_profile_named_default_is_listed_once(env: dict[str, str]) -> None:
    os.makedirs(env["FLEXT_CONFIG_DIR"])
    with open(Paths(env).config_file, "w") as fh:
        fh.write('[profiles.a]\n[profiles.default]\ndescription = "mine"\n')
    assert live.entries("profiles", Scope(env, "/")) == [("a", ""), ("default", "mine")]


def test_config_values_come_from_the_cache_without_tomllib(world: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert live.names("profiles", Scope(world, "/")) == PROFILES  # parses and caches
    monkeypatch.setitem(sys.modules, "tomllib", None)  # any import of tomllib now fails
    assert live.names("profiles", Scope(world, "/")) == PROFILES
    with open(Paths(world).config_file, "a") as fh:
        fh.write("[profiles.new]\n")
    assert live.names("profiles", Scope(world, "/")) == []  # a stale cache is not trusted; no tomllib -> nothing


def test_broken_config_gives_nothing(world: dict[str, str]) -> None:
    with open(Paths(world).config_file, "w") as fh:
        fh.write("[profiles\n")
    assert live.names("profiles", Scope(world, "/")) == []
    assert live.names("aliases", Scope(world, "/")) == []


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (None, ["api_token", "db_password"]),  # current_profile prod inherits staging, then default
        ("staging", ["api_token", "db_password"]),
        ("other", ["other_token", "db_password"]),
        ("default", ["db_password"]),
        ("unknown", ["db_password"]),
    ],
)
def test_secrets_the_current_profile_can_read(world: dict[str, str], profile: str | None, expected: list[str]) -> None:
    env = dict(world)
    if profile:
        env["FLEXT_PROFILE"] = profile
    assert live.names("secrets", Scope(env, "/")) == expected


def test_secret_descriptions_name_the_profile(world: dict[str, str]) -> None:
    assert live.entries("secrets", Scope(world, "/")) == [
        ("api_token", "secret of profile staging"),
        ("db_password", "secret of profile default"),
    ]


@pytest.mark.parametrize(
    "content",
    ["", "not json", "[1, 2]", '{"version": 1}', '{"profiles": []}', '{"profiles": {"default": ["a"]}}'],
)
def test_a_missing_or_damaged_secret_index_gives_nothing(env: dict[str, str], content: str) -> None:
    assert live.names("secrets", Scope(env, "/")) == []
    path = Paths(env).secret_index
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(content)
    assert live.names("secrets", Scope(env, "/")) == []


def test_secrets_with_an_inheritance_cycle_terminate(env: dict[str, str]) -> None:
    os.makedirs(env["FLEXT_CONFIG_DIR"])
    with open(Paths(env).config_file, "w") as fh:
        fh.write('current_profile = "a"\n[profiles.a]\ninherit = "b"\n[profiles.b]\ninherit = "a"\n')
    path = Paths(env).secret_index
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        json.dump({"version": 1, "profiles": {"b": {"x": {}}, "default": {"y": {}}}}, fh)
    assert live.names("secrets", Scope(env, "/")) == ["x", "y"]


def test_commands_are_every_runnable_path() -> None:
    got = dict(live.entries("commands", Scope({}, "/")))
    expected = {n.command: n.summary for n in tree().walk() if n.parent is not None and n.runnable}
    hidden = {n.command for n in tree().walk() if n.hidden}
    assert got == {k: v for k, v in expected.items() if not any(k == h or k.startswith(h + " ") for h in hidden)}
    assert "config show" in got
