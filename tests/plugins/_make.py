"""Build plugin folders, wheels and index files for tests (real files, real pip)."""

from __future__ import annotations

import base64
import hashlib
import json
import textwrap
import zipfile
from pathlib import Path


def plugin_folder(
    base: Path,
    name: str,
    *,
    version: str = "1.0.0",
    requires: list[str] | None = None,
    commands: dict[str, str] | None = None,
    code: str | None = None,
    module: str | None = None,
) -> Path:
    """A folder plugin `name` whose commands (words -> function) live in module `<name>_plugin`."""
    module = module or f"{name.replace('-', '_')}_plugin"
    commands = commands or {f"{name} greet": "greet"}
    folder = base / f"{name}-{version}"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f'name = "{name}"', f'version = "{version}"', f'description = "The {name} test plugin"',
        f"requires = {json.dumps(requires or [])}", "",
    ]
    for words, func in commands.items():
        lines += [f'[commands."{words}"]', f'entry = "{module}:{func}"', f'help = "Run {func} of {name}"', ""]
    (folder / "flext-plugin.toml").write_text("\n".join(lines))
    (folder / f"{module}.py").write_text(code if code is not None else textwrap.dedent(f"""\
        def greet(ctx, argv):
            return {{"plugin": "{name}", "version": "{version}", "argv": list(argv)}}
        """))
    return folder


def wheel(base: Path, name: str, *, version: str = "1.0.0", dist: str | None = None) -> Path:
    """A real wheel (PEP 427: dist-info, entry points, RECORD with hashes) declaring `flext.plugins`.

    Written with zipfile so the test needs no build backend; pip installs it like any other.
    """
    dist = dist or f"flext-{name}"
    pkg = f"{name.replace('-', '_')}_pkg"
    stem = f"{dist.replace('-', '_')}-{version}"
    info = f"{stem}.dist-info"
    files = {
        f"{pkg}/__init__.py": textwrap.dedent(f"""\
            def greet(ctx, argv):
                return {{"plugin": "{name}", "from": "wheel", "version": "{version}", "argv": list(argv)}}
            """),
        f"{pkg}/flext-plugin.toml": textwrap.dedent(f"""\
            name = "{name}"
            version = "{version}"
            description = "The {name} plugin, packaged"
            [commands."{name} greet"]
            entry = "{pkg}:greet"
            help = "Greet from a wheel"
            """),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: flext-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": f"[flext.plugins]\n{name} = {pkg}\n",
        f"{info}/top_level.txt": f"{pkg}\n",
    }
    out = base / "wheels"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{stem}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for arc, text in files.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{arc},sha256={digest},{len(data)}")
            zf.writestr(arc, data)
        record.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


def index_file(base: Path, entries: list[dict[str, object]]) -> Path:
    path = base / "index.json"
    path.write_text(json.dumps({"plugins": entries}))
    return path
