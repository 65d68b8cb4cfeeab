"""The start-up path stays light: no heavy library is imported to print a version, help or completions.

Two guards. At run time, `flext --version`, `--help`, `__complete` and (with a warm config
cache) `config show -o json` run under `python -X importtime` and must not import rich,
prompt_toolkit, httpx, keyring or msgspec. Statically, every module of `flext/cli.py`,
`flext/router/` and `flext/core/` may import at module level only the standard library
(minus its costly modules) and other light flext modules; heavy imports belong inside the
functions that need them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import uninstrumented

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("rich", "prompt_toolkit", "httpx", "keyring", "msgspec")

# Standard-library modules too costly for module level on the start-up path (each pulls in
# a tree of others); import them inside the function that needs them.
COSTLY_STDLIB = frozenset(
    {
        "typing", "dataclasses", "re", "json", "pathlib", "tomllib", "subprocess", "asyncio",
        "email", "logging", "inspect", "importlib.metadata", "urllib", "http", "socket", "ssl",
    }
)

# Modules in the start-up packages that may import heavy things at module level because
# nothing on the start-up path imports them at module level (checked below).
HEAVY_BY_DESIGN = {
    "flext.core.schema": "the msgspec schema, imported only when config.toml is validated",
    "flext.core.contract": "the Backend protocol (typing), imported only by the backends and by mypy",
}


def imported_modules(stderr: str) -> set[str]:
    """Module names from `-X importtime` output (`import time: self | cumulative | name`)."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name)
    return names


def heavy_among(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def run_flext(env: dict[str, str], *argv: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    # a coverage run's subprocess hook would add its own imports to what is measured
    merged = uninstrumented(env)
    merged["PYTHONPATH"] = str(ROOT)
    merged.pop("PYTHONDONTWRITEBYTECODE", None)
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run(
        [sys.executable, *flags, "-m", "flext", *argv],
        capture_output=True, text=True, env=merged, timeout=60, cwd=env["HOME"],
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--version"],
        ["--help"],
        ["help"],
        ["__complete", "pipeline", "st"],
        ["__complete", ""],
        ["config", "--help"],
    ],
    ids=lambda argv: " ".join(argv) or "(empty)",
)
def test_start_up_commands_import_nothing_heavy(env: dict[str, str], argv: list[str]) -> None:
    proc = run_flext(env, *argv, importtime=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = imported_modules(proc.stderr)
    assert "flext.cli" in modules  # the probe works: flext ran and importtime reported it
    assert heavy_among(modules) == []


def test_config_show_with_warm_cache_imports_no_msgspec(env: dict[str, str]) -> None:
    """The first read of a changed config.toml validates it (msgspec); later reads use the cache."""
    assert run_flext(env, "config", "set", "timeout", "15").returncode == 0
    first = run_flext(env, "config", "show", "-o", "json")
    assert first.returncode == 0, first.stderr
    proc = run_flext(env, "config", "show", "-o", "json", importtime=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '"timeout": 15' in proc.stdout
    assert heavy_among(imported_modules(proc.stderr)) == []


# --- the static guard -----------------------------------------------------------------


def start_up_modules() -> dict[str, Path]:
    """Every module of the start-up path: flext/__init__, cli, router/**, core/**."""
    found = {"flext": ROOT / "flext" / "__init__.py", "flext.cli": ROOT / "flext" / "cli.py",
             "flext.runner": ROOT / "flext" / "runner.py"}
    for package in ("router", "core"):
        for path in sorted((ROOT / "flext" / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def top_level_imports(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, absolute module name) for imports that run when the module is imported.

    Imports inside functions and classes' methods and under `if TYPE_CHECKING:` do not run
    at import time and are skipped; `try:`/`if` blocks at module level do run and count.
    """
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.extend((node.lineno, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    name = ".".join([*base, node.module] if node.module else base)
                else:
                    name = node.module or ""
                if name != "__future__":
                    found.append((node.lineno, name))
                    # `from flext.router import live` imports the submodule flext.router.live
                    found.extend((node.lineno, f"{name}.{a.name}") for a in node.names if _is_module(f"{name}.{a.name}"))
            elif isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.With | ast.ClassDef):
                visit(node.body)

    visit(ast.parse(path.read_text(), str(path)).body)
    return found


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (ROOT / rel).with_suffix(".py").is_file() or (ROOT / rel / "__init__.py").is_file()


def test_start_up_modules_import_only_light_modules_at_top_level() -> None:
    modules = start_up_modules()
    light = set(modules) - set(HEAVY_BY_DESIGN)
    problems = []
    for module, path in modules.items():
        for line, name in top_level_imports(path, module):
            where = f"{path.relative_to(ROOT)}:{line}: {name}"
            top = name.split(".")[0]
            if top == "flext":
                if name not in light:
                    problems.append(f"{where} (not a light start-up module; import it inside a function)")
            elif module in HEAVY_BY_DESIGN:
                continue
            elif top not in sys.stdlib_module_names:
                problems.append(f"{where} (third-party at module level; import it inside the function)")
            elif name in COSTLY_STDLIB or top in COSTLY_STDLIB:
                problems.append(f"{where} (costly stdlib module at module level; import it where used)")
    assert problems == []


def test_the_static_guard_sees_what_it_guards() -> None:
    """The guard parses the modules it claims to (a renamed folder must not make it vacuous)."""
    modules = start_up_modules()
    assert {"flext.cli", "flext.runner", "flext.router.parse", "flext.router.spec", "flext.core.config"} <= set(modules)
    cli = {name for _, name in top_level_imports(modules["flext.cli"], "flext.cli")}
    assert {"os", "sys"} <= cli
    runner = {name for _, name in top_level_imports(modules["flext.runner"], "flext.runner")}
    assert {"os", "time", "flext.core.errors"} <= runner


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import rich\n", ["rich"]),
        ("from rich.console import Console\n", ["rich.console"]),
        ("def f():\n    import rich\n", []),
        ("TYPE_CHECKING = False\nif TYPE_CHECKING:\n    import rich\n", []),
        ("try:\n    import msgspec\nexcept ImportError:\n    msgspec = None\n", ["msgspec"]),
        ("from . import errors\n", ["flext.core", "flext.core.errors"]),
        ("from .errors import FlextError\n", ["flext.core.errors"]),
    ],
)
def test_top_level_imports_parser(tmp_path: Path, source: str, expected: list[str]) -> None:
    path = tmp_path / "mod.py"
    path.write_text(source)
    assert [name for _, name in top_level_imports(path, "flext.core.mod")] == expected


def test_importtime_parser() -> None:
    stderr = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       120 |        120 |   _abc\n"
        "import time:      1500 |       1900 | rich.console\n"
    )
    modules = imported_modules(stderr)
    assert modules == {"_abc", "rich.console"}
    assert heavy_among(modules) == ["rich.console"]

