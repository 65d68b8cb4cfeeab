"""flext-plugin.toml validation: every mistake names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from flext.core.errors import ConfigError
from flext.plugins import manifest
from flext.plugins.index import BUNDLED, bundled_dir

GOOD = '''name = "hello"
version = "1.0.0"
description = "Say hello"
requires = ["other>=1.2"]
[commands."hello greet"]
entry = "hello_plugin:greet"
help = "Greet someone"
'''


def test_reads_the_issue_example(tmp_path: Path) -> None:
    (tmp_path / "flext-plugin.toml").write_text(GOOD)
    m = manifest.read(str(tmp_path))
    assert m.as_dict() == {"name": "hello", "version": "1.0.0", "description": "Say hello",
                           "requires": ["other>=1.2"], "dependencies": [], "commands": ["hello greet"]}
    assert m.commands["hello greet"]["entry"] == "hello_plugin:greet"
    assert "args" not in m.commands["hello greet"]  # argv passed as it is
    assert m.modules == ["hello_plugin"]


@pytest.mark.parametrize(("old", "new", "message"), [
    ('name = "hello"', 'name = "Hello"', "name: must match ^[a-z][a-z0-9-]*$"),
    ('version = "1.0.0"', 'version = "one"', "version: must be a version such as 1.0.0"),
    ('requires = ["other>=1.2"]', 'requires = ["other>>1"]', "requires: invalid requirement 'other>>1'"),
    ('entry = "hello_plugin:greet"', 'entry = "hello_plugin.greet"', "commands.'hello greet'.entry: must be 'module:function'"),
    ('[commands."hello greet"]', '[commands."Hello greet"]', "commands.'Hello greet': command words must match"),
    ('help = "Greet someone"', 'help = "x"\noptions = [{ name = "loud", type = "flag" }]',
     "commands.'hello greet'.options[0].type: must be one of"),
    ('help = "Greet someone"', 'help = "x"\nhints = { verbs = ["Wave"] }', "commands.'hello greet'.hints.verbs: words must"),
    ('help = "Greet someone"', 'help = "x"\nhints = { nouns = ["x"] }', "commands.'hello greet'.hints: unknown key 'nouns'"),
])
def test_mistakes(tmp_path: Path, old: str, new: str, message: str) -> None:
    (tmp_path / "flext-plugin.toml").write_text(GOOD.replace(old, new))
    with pytest.raises(ConfigError) as info:
        manifest.read(str(tmp_path))
    assert info.value.message.startswith(f"{tmp_path / 'flext-plugin.toml'}: {message}")


def test_no_commands_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "flext-plugin.toml").write_text('name = "x"\nversion = "1"\n')
    with pytest.raises(ConfigError, match="a plugin adds at least one command"):
        manifest.read(str(tmp_path))
    with pytest.raises(ConfigError, match=r"no flext-plugin\.toml in"):
        manifest.read(str(tmp_path / "nothing"))


@pytest.mark.parametrize("name", [*BUNDLED, "hello"])
def test_bundled_manifests_are_valid_and_their_entries_exist(name: str) -> None:
    import importlib
    import sys

    m = manifest.read(f"{bundled_dir()}/{name}")
    assert m.name == name
    if name == "hello":
        sys.path.insert(0, f"{bundled_dir()}/hello")
    try:
        for spec in m.commands.values():
            module, _, func = spec["entry"].partition(":")
            assert callable(getattr(importlib.import_module(module), func)), spec["entry"]
    finally:
        if name == "hello":
            sys.path.remove(f"{bundled_dir()}/hello")


def test_bundled_plugins_dependencies_ship_with_flext() -> None:
    """A bundled plugin is installed with flext, never by `plugin install --force`: what its manifest
    lists under `dependencies` must be one of flext's own dependencies (and so in the zipapp)."""
    import importlib.metadata
    import re
    import tomllib

    def name(requirement: str) -> str:
        return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")

    root = Path(__file__).resolve().parents[2]
    declared = {name(r) for r in tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]}
    installed = {name(r) for r in importlib.metadata.requires("flext") or [] if "extra ==" not in r}
    needed = {plugin: [name(d) for d in manifest.read(str(Path(bundled_dir()) / plugin)).dependencies]
              for plugin in BUNDLED}
    assert needed == {"gruponos": ["pyyaml"], "algar": ["ldap3"]}
    for plugin, names in needed.items():
        for dep in names:
            assert dep in declared, f"{plugin} needs {dep}: add it to pyproject.toml [project] dependencies"
            assert dep in installed, f"{dep} is declared but this flext was installed before it (make venv)"
            importlib.metadata.distribution(dep)  # and it is there
