"""`flext plugin ...`: install from a folder, a wheel, an index; requires in order; refusals;
a broken plugin disabled without breaking others; help and completion follow enable/disable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run
from tests.plugins._make import index_file, plugin_folder, wheel

Flext = Callable[..., Run]


def _ok(run: Run) -> Run:
    assert run.code == 0, run
    return run


def _complete(env: dict[str, str], *words: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "flext", "__complete", *words], capture_output=True, text=True,
                          env=dict(env, PYTHONPATH=str(ROOT)), check=True)
    return [line.split("\t", 1)[0] for line in proc.stdout.splitlines()]


def _rows(flext: Flext) -> dict[str, dict[str, object]]:
    return {row["name"]: row for row in _ok(flext("plugin", "list", "-o", "json")).json()}  # type: ignore[index,union-attr]


def test_bundled_plugins_ship_enabled(flext: Flext) -> None:
    rows = _rows(flext)
    assert {k: (v["version"], v["state"], v["source"]) for k, v in rows.items()} == {
        "algar": ("1.0.0", "enabled", "bundled"),
        "gruponos": ("1.0.0", "enabled", "bundled"),
    }
    assert rows["gruponos"]["commands"] == ["gruponos doctor", "gruponos init", "gruponos logs", "gruponos pipeline deploy",
                                            "gruponos run", "gruponos status"]
    top = _ok(flext("--help")).out
    assert "  algar     ALGAR: OID -> OUD" in top and "  gruponos  GrupoNos:" in top


def test_install_from_folder_runs_and_lists(flext: Flext, tmp_path: Path) -> None:
    folder = plugin_folder(tmp_path, "acme")
    run = _ok(flext("plugin", "install", str(folder), "-o", "json"))
    assert run.json() == [{"name": "acme", "version": "1.0.0", "source": str(folder), "commands": ["acme greet"]}]
    assert "✓ installed acme 1.0.0" in run.err
    greet = _ok(flext("acme", "greet", "Ada", "Lovelace", "-o", "json"))
    assert greet.json() == {"plugin": "acme", "version": "1.0.0", "argv": ["Ada", "Lovelace"]}
    # options a plugin did not declare reach it after `--`
    assert _ok(flext("acme", "greet", "-o", "json", "--", "--loud")).json()["argv"] == ["--loud"]
    row = _rows(flext)["acme"]
    assert (row["state"], row["commands"], row["source"]) == ("enabled", ["acme greet"], str(folder))
    info = _ok(flext("plugin", "info", "acme", "-o", "json")).json()
    assert info["commands"] == [{"command": "acme greet", "help": "Run greet of acme"}]
    assert info["path"].endswith(os.path.join("plugins", "acme", "src"))  # a copy: the source may go away
    again = flext("plugin", "install", str(folder))
    assert (again.code, again.err) == (7, "error: plugin 'acme' 1.0.0 is already installed (from "
                                          f"{folder})\nhint: pass --force to replace it, or `flext plugin uninstall acme` first\n")
    newer = plugin_folder(tmp_path / "v2", "acme", version="2.0.0")
    _ok(flext("plugin", "install", str(newer), "--force"))
    assert _ok(flext("acme", "greet", "-o", "json")).json()["version"] == "2.0.0"


@pytest.mark.slow
def test_install_from_wheel_built_here(flext: Flext, tmp_path: Path) -> None:
    whl = wheel(tmp_path, "packed")
    run = _ok(flext("plugin", "install", str(whl), "-o", "json"))
    assert run.json()[0]["name"] == "packed"
    assert _ok(flext("packed", "greet", "x", "-o", "json")).json() == {
        "plugin": "packed", "from": "wheel", "version": "1.0.0", "argv": ["x"]}
    assert _rows(flext)["packed"]["source"] == str(whl)


@pytest.mark.slow
def test_install_pkg_eq_version_from_the_package_index(flext: Flext, tmp_path: Path) -> None:
    whl = wheel(tmp_path, "indexed", version="1.2.0", dist="flext-indexed")
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(whl.parent)}
    run = flext("plugin", "install", "flext-indexed==1.2.0", "-o", "json", extra_env=offline)
    assert _ok(run).json()[0]["version"] == "1.2.0"
    assert _ok(flext("indexed", "greet", "-o", "json")).json()["version"] == "1.2.0"
    missing = flext("plugin", "install", "flext-nothing-such==9.9", extra_env=offline)
    assert missing.code == 6 and "error: no package flext-nothing-such==9.9 in the package index" in missing.err


def test_install_bundled_example_by_name(flext: Flext) -> None:
    _ok(flext("plugin", "install", "hello"))
    assert _ok(flext("hello", "greet", "Ada", "-o", "json")).json() == {"greeting": "hello, Ada"}
    assert _rows(flext)["hello"]["source"] == "bundled:hello"


def test_requires_installed_first_in_dependency_order(flext: Flext, tmp_path: Path) -> None:
    c = plugin_folder(tmp_path, "cc", version="1.5.0")
    b = plugin_folder(tmp_path, "bb", requires=["cc>=1.2"])
    old_c = plugin_folder(tmp_path / "old", "cc", version="1.0.0")
    index = index_file(tmp_path, [
        {"name": "bb", "version": "1.0.0", "path": b.name},
        {"name": "cc", "version": "1.0.0", "path": f"old/{old_c.name}"},
        {"name": "cc", "version": "1.5.0", "path": c.name},
    ])
    _ok(flext("config", "set", "plugins.index_url", str(index)))
    a = plugin_folder(tmp_path / "top", "aa", requires=["bb"])
    run = _ok(flext("plugin", "install", str(a), "-o", "json"))
    assert [(r["name"], r["version"]) for r in run.json()] == [("cc", "1.5.0"), ("bb", "1.0.0"), ("aa", "1.0.0")]
    assert run.err.splitlines() == [
        f"installing cc 1.5.0 from {c}", f"installing bb 1.0.0 from {b}", f"installing aa 1.0.0 from {a}",
        "✓ installed cc 1.5.0, bb 1.0.0, aa 1.0.0",
    ]
    for name in ("aa", "bb", "cc"):
        assert _ok(flext(name, "greet", "-o", "json")).json()["plugin"] == name
    # uninstall is refused while an enabled plugin requires it
    refused = flext("plugin", "uninstall", "cc", "--yes")
    assert (refused.code, refused.err) == (7, "error: plugin 'cc' is required by enabled plugin(s): bb\n"
                                              "hint: uninstall or disable those first, or pass --force\n")
    assert flext("plugin", "disable", "cc").code == 7
    _ok(flext("plugin", "uninstall", "aa", "--yes"))
    _ok(flext("plugin", "uninstall", "cc", "--yes", "--force"))
    assert "cc" not in _rows(flext)
    assert not (Path(os.environ["FLEXT_DATA_DIR"]) / "plugins" / "cc").exists()


@pytest.mark.parametrize(("specs", "message"), [
    ({"aa": ["bb"], "bb": ["cc"], "cc": ["aa"]}, "error: dependency cycle: aa -> bb -> cc -> aa\n"),
    ({"aa": ["bb"], "bb": ["bb"]}, "error: dependency cycle: bb -> bb\n"),
    ({"aa": ["bb", "cc"], "bb": ["cc>=2"], "cc": []}, "error: version conflict: aa -> bb requires cc>=2; available: 1.0.0\n"),
    ({"aa": ["cc<2", "bb"], "bb": ["cc>=1.5"], "cc": []},
     "error: version conflict: aa -> bb requires cc>=1.5, but aa needs cc 1.0.0\n"),
])
def test_cycles_and_version_conflicts_refused(flext: Flext, tmp_path: Path, specs: dict[str, list[str]],
                                              message: str) -> None:
    entries = []
    for name, requires in specs.items():
        folder = plugin_folder(tmp_path, name, requires=requires)
        entries.append({"name": name, "version": "1.0.0", "path": folder.name})
    _ok(flext("config", "set", "plugins.index_url", str(index_file(tmp_path, entries))))
    run = flext("plugin", "install", "aa")
    assert run.code == 7, run
    assert run.err.splitlines()[0] == message.rstrip("\n")
    assert sorted(_rows(flext)) == ["algar", "gruponos"]  # nothing half-installed


def test_conflict_with_an_installed_version(flext: Flext, tmp_path: Path) -> None:
    _ok(flext("plugin", "install", str(plugin_folder(tmp_path / "x", "cc", version="1.0.0"))))
    run = flext("plugin", "install", str(plugin_folder(tmp_path, "aa", requires=["cc>=2"])))
    assert (run.code, run.err.splitlines()[0]) == (7, "error: version conflict: aa requires cc>=2, but cc 1.0.0 is installed")


def test_missing_requirement_is_not_found(flext: Flext, tmp_path: Path) -> None:
    run = flext("plugin", "install", str(plugin_folder(tmp_path, "aa", requires=["ghost>=1"])))
    assert (run.code, run.err.splitlines()[0]) == (6, "error: aa requires ghost>=1, which is in no plugin index")


@pytest.mark.parametrize(("words", "message"), [
    ("config show", "error: plugin 'bad' cannot replace the built-in command `flext config show` (it declares `config show`)"),
    ("config", "error: plugin 'bad' cannot replace the built-in command group `flext config` (it declares `config`)"),
    ("plugin list extra", "error: plugin 'bad' cannot replace the built-in command `flext plugin list` (it declares `plugin list extra`)"),
    ("gruponos status", "error: plugin 'bad' and plugin 'gruponos' both declare `flext gruponos status`"),
])
def test_cannot_replace_a_built_in_or_another_plugin(flext: Flext, tmp_path: Path, words: str, message: str) -> None:
    run = flext("plugin", "install", str(plugin_folder(tmp_path, "bad", commands={words: "greet"})))
    assert (run.code, run.err.splitlines()[0]) == (7, message)
    assert "bad" not in _rows(flext)


def test_a_plugin_may_add_under_a_built_in_group(flext: Flext, tmp_path: Path) -> None:
    _ok(flext("plugin", "install", str(plugin_folder(tmp_path, "extra", commands={"config lint": "greet"}))))
    assert _ok(flext("config", "lint", "-o", "json")).json()["plugin"] == "extra"
    assert _ok(flext("config", "path")).out.strip().endswith("config.toml")


def test_broken_plugin_is_disabled_with_a_warning_and_others_work(flext: Flext, tmp_path: Path,
                                                                  env: dict[str, str]) -> None:
    _ok(flext("plugin", "install", str(plugin_folder(tmp_path, "good"))))
    boom = plugin_folder(tmp_path, "boom", code="raise RuntimeError('exploded at import')\n")
    _ok(flext("plugin", "install", str(boom)))
    assert "boom" in _complete(env, "")
    run = flext("boom", "greet")
    assert run.code == 1
    assert run.err == (
        "warning: plugin 'boom' failed to import and was disabled: RuntimeError: exploded at import\n"
        "error: plugin 'boom' failed to load boom_plugin:greet: RuntimeError: exploded at import\n"
        "hint: it is now disabled; fix it, then `flext plugin enable boom`\n"
    )
    row = _rows(flext)["boom"]
    assert (row["state"], row["error"]) == ("broken", "RuntimeError: exploded at import")
    gone = flext("boom", "greet")
    assert gone.code == 2 and gone.err.startswith("error: unknown command 'boom'")
    assert "boom" not in _complete(env, "")
    assert _ok(flext("good", "greet", "-o", "json")).json()["plugin"] == "good"
    assert _ok(flext("config", "path")).code == 0
    still = flext("plugin", "enable", "boom")
    assert (still.code, still.err.splitlines()[0]) == (
        1, "error: plugin 'boom' still fails to import boom_plugin: RuntimeError: exploded at import")
    (tmp_path / "data").exists()
    fixed = Path(os.environ["FLEXT_DATA_DIR"]) / "plugins" / "boom" / "src" / "boom_plugin.py"
    fixed.write_text("def greet(ctx, argv):\n    return {'fixed': True}\n")
    _ok(flext("plugin", "enable", "boom"))
    assert _ok(flext("boom", "greet", "-o", "json")).json() == {"fixed": True}


def test_disable_removes_commands_from_help_and_completion(flext: Flext, env: dict[str, str]) -> None:
    assert "algar" in _complete(env, "")
    assert _complete(env, "algar", "") == ["logs", "migrate", "migration", "oud", "pipeline"]
    assert _complete(env, "algar", "oud", "sync", "--")[:2] == ["--phase", "--dry-run"]
    assert _complete(env, "plugin", "info", "") == ["algar", "gruponos"]
    _ok(flext("plugin", "disable", "algar"))
    assert "algar" not in _complete(env, "")
    assert "  algar " not in _ok(flext("--help")).out
    assert flext("algar", "logs").code == 2
    assert _rows(flext)["algar"]["state"] == "disabled"
    _ok(flext("plugin", "enable", "algar"))
    assert "algar" in _complete(env, "")
    assert "  algar " in _ok(flext("--help")).out


def test_uninstall_bundled_and_bring_it_back(flext: Flext) -> None:
    _ok(flext("plugin", "uninstall", "gruponos", "--yes"))
    assert "gruponos" not in _rows(flext)
    assert flext("gruponos", "status").code == 2
    _ok(flext("plugin", "install", "gruponos"))
    assert _rows(flext)["gruponos"]["state"] == "enabled"
    again = flext("plugin", "install", "gruponos")
    assert (again.code, again.err) == (7, "error: plugin 'gruponos' is bundled and already installed (enabled)\n"
                                          "hint: nothing to do\n")


def test_search_bundled_and_configured_index(flext: Flext, tmp_path: Path) -> None:
    found = _ok(flext("plugin", "search", "ldap", "-o", "json")).json()
    assert [(r["name"], r["installed"], r["index"]) for r in found] == [("algar", "1.0.0", "bundled")]
    assert [r["name"] for r in _ok(flext("plugin", "search", "-o", "json")).json()] == ["gruponos", "algar", "hello"]
    index = index_file(tmp_path, [{"name": "ldap-extra", "version": "0.1.0", "description": "More LDAP", "pip": "x==0.1"}])
    _ok(flext("config", "set", "plugins.index_url", index.as_uri()))
    found = _ok(flext("plugin", "search", "ldap", "-o", "json")).json()
    assert [(r["name"], r["index"]) for r in found] == [("algar", "bundled"), ("ldap-extra", index.as_uri())]


def test_unknown_plugin_suggests(flext: Flext) -> None:
    run = flext("plugin", "info", "grupono")
    assert (run.code, run.err) == (6, "error: plugin 'grupono' is not installed\nhint: did you mean 'gruponos'?\n")


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["config", "path"], ["gruponos", "--help"]])
def test_start_up_imports_no_plugin_code(env: dict[str, str], tmp_path: Path, argv: list[str]) -> None:
    from flext.cli import main

    folder = plugin_folder(tmp_path, "acme")
    assert main(["plugin", "install", str(folder)], env=env) == 0
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "flext", *argv], capture_output=True, text=True,
                          env=dict(env, PYTHONPATH=str(ROOT)), check=True)
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert "flext.cli" in imported
    plugin_code = [m for m in imported if m.startswith(("flext.plugins.bundled", "flext.plugins.loader", "acme_plugin"))]
    assert plugin_code == []
    if argv == ["--version"]:
        assert not any(m.startswith("flext.plugins") for m in imported)


def test_index_cache_is_rebuilt_when_state_changes(flext: Flext, tmp_path: Path) -> None:
    data = Path(os.environ["FLEXT_DATA_DIR"]) / "plugins"
    _ok(flext("--help"))
    assert (data / "index.marshal").exists()
    _ok(flext("plugin", "install", str(plugin_folder(tmp_path, "acme"))))
    state = json.loads((data / "plugins.json").read_text())
    assert state["plugins"]["acme"]["enabled"] is True
    # an edit made behind flext's back (another process) is seen by the next start-up
    state["plugins"]["acme"]["enabled"] = False
    (data / "plugins.json").write_text(json.dumps(state))
    assert flext("acme", "greet").code == 2


@pytest.mark.slow
def test_entry_point_plugin_in_flexts_own_environment(env: dict[str, str], tmp_path: Path) -> None:
    """A package pip-installed next to flext that declares `flext.plugins` is found without `plugin install`."""
    whl = wheel(tmp_path, "epp", dist="flext-epp")
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                    "--target", str(site), str(whl)], check=True, capture_output=True)
    proc_env = dict(env, PYTHONPATH=os.pathsep.join([str(ROOT), str(site)]))

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "flext", *argv], capture_output=True, text=True, env=proc_env)

    listed = {r["name"]: r for r in json.loads(run("plugin", "list", "-o", "json").stdout)}
    assert (listed["epp"]["source"], listed["epp"]["state"]) == ("entry-point:flext-epp", "enabled")
    greet = run("epp", "greet", "-o", "json")
    assert json.loads(greet.stdout)["from"] == "wheel", greet.stderr
    uninstall = run("plugin", "uninstall", "epp", "--yes")
    assert (uninstall.returncode, uninstall.stderr) == (
        2, "error: plugin 'epp' was installed with pip as flext-epp\n"
           "hint: `pip uninstall flext-epp`, or `flext plugin disable epp`\n")
    assert run("plugin", "disable", "epp").returncode == 0
    assert run("epp", "greet").returncode == 2
