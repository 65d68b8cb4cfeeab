"""The floors of the house (docs/architecture.md): no import in flext/ goes up a floor.

Every import counts, lazy ones inside functions and those under `if TYPE_CHECKING:`
included: a module that needs something from a higher floor takes it as data (a
"module:function" string resolved at run time, as the command tree's handlers are) or
has it passed in.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# (package, floor). The first matching prefix wins, so bundled plugins (command handlers
# shipped with flext) sit with the commands, not with the plugin machinery.
FLOORS: list[tuple[str, float]] = [
    ("flext.plugins.bundled", 6),
    ("flext.core", 1),
    ("flext.router", 2),
    ("flext.engine", 3),
    ("flext.services", 3.5),
    ("flext.plugins", 3.5),
    ("flext.backend", 4),
    ("flext.prompts", 4),
    ("flext.runner", 5),
    ("flext.commands", 6),
    ("flext.repl", 6),
    ("flext.server", 6),
    ("flext.cli", 7),
    ("flext.__main__", 8),
]
# The engine and the services never need the router (plugins may use its spec types).
NEVER = {"flext.engine": ("flext.router",), "flext.services": ("flext.router",)}


def floor_of(module: str) -> tuple[str, float]:
    for package, level in FLOORS:
        if module == package or module.startswith(package + "."):
            return package, level
    return module, 0  # flext itself (__version__)


def imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name == "flext" or name.startswith("flext.")]


def upward_imports() -> list[str]:
    problems: list[str] = []
    for path in sorted((ROOT / "flext").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        package, level = floor_of(module)
        for line, name in imports(path):
            other, other_level = floor_of(name)
            where = f"{path.relative_to(ROOT)}:{line}: {module} -> {name}"
            if other == package or other == "flext":
                continue
            if other_level > level or (other_level == level and level >= 3) or any(name == f or name.startswith(f + ".") for p, fs in NEVER.items() if package == p for f in fs):
                problems.append(where)
    return problems


def test_no_import_goes_up_a_floor() -> None:
    assert upward_imports() == []


def test_only_main_imports_the_edge() -> None:
    users = [p for p in (ROOT / "flext").rglob("*.py") if p.name != "__main__.py"
             and any(n == "flext.cli" for _, n in imports(p))]
    assert users == []


def test_no_flattened_packages_remain() -> None:
    assert sorted((ROOT / "flext" / "router").glob("_nl_*.py")) == []


@pytest.mark.parametrize(("module", "expected"), [
    ("flext.core.config", 1), ("flext.router.scan", 2), ("flext.engine.runner", 3), ("flext.services.alerts", 3.5),
    ("flext.backend.http", 4), ("flext.prompts.wizards", 4), ("flext.runner", 5), ("flext.commands.pipeline", 6),
    ("flext.plugins.bundled.algar.commands", 6), ("flext.cli", 7),
])
def test_floor_table(module: str, expected: float) -> None:
    assert floor_of(module)[1] == expected


def test_the_rule_catches_an_upward_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "flext" / "core"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text("def f():\n    from flext.commands import pipeline\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert upward_imports() == ["flext/core/bad.py:2: flext.core.bad -> flext.commands"]
