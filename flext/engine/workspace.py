"""The workspace: a folder with `flext.toml` and a git-ignored `.flext/` beside it.

Found by `-C DIR`, else by walking up from the current directory (below
FLEXT_CEILING_DIRS), else the user's default workspace under the data dir (created on
first write), so every command works on a fresh machine: `Context.workspace_root`. `init_workspace` is a plain function so the guided
wizard can call it with the answers it collected.
"""

from __future__ import annotations

import os

from flext.core.errors import ConfigError, Conflict
from flext.core.fsutil import atomic_write

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

FILENAME = "flext.toml"
DOT = ".flext"


class Workspace:
    """Paths and the parsed flext.toml of one workspace (parsed once, on first use)."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.toml_path = os.path.join(self.root, FILENAME)
        self.dot = os.path.join(self.root, DOT)
        self._doc: dict[str, Any] | None = None
        self._text = ""

    # -- paths ---------------------------------------------------------------
    def path(self, *parts: str) -> str:
        return os.path.join(self.dot, *parts)

    @property
    def plugins_dir(self) -> str:
        return self.path("plugins")

    def runs_dir(self, pipeline: str) -> str:
        return self.path("runs", pipeline)

    def state_file(self, pipeline: str) -> str:
        return self.path("state", f"{pipeline}.json")

    @property
    def index_file(self) -> str:
        return self.path("index.json")

    def resolve(self, relative: str) -> str:
        """A path from flext.toml: relative ones are relative to the workspace root."""
        return os.path.normpath(os.path.join(self.root, os.path.expanduser(relative)))

    # -- document ------------------------------------------------------------
    @property
    def exists(self) -> bool:
        return os.path.isfile(self.toml_path)

    @property
    def doc(self) -> dict[str, Any]:
        if self._doc is None:
            self.reload()
        assert self._doc is not None
        return self._doc

    @property
    def text(self) -> str:
        self.doc  # noqa: B018 - loads the text too
        return self._text

    def reload(self) -> None:
        try:
            with open(self.toml_path, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            text = ""
        from flext.core.config import parse_toml

        self._text, self._doc = text, parse_toml(text, self.toml_path)

    @property
    def name(self) -> str:
        section = self.doc.get("workspace")
        name = section.get("name") if isinstance(section, dict) else None
        return str(name) if name else os.path.basename(self.root)

    @property
    def pipelines(self) -> dict[str, dict[str, Any]]:
        raw = self.doc.get("pipelines")
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise ConfigError(f"{self.toml_path}: pipelines must be a table")
        return {k: v for k, v in raw.items() if isinstance(v, dict)}

    @property
    def plugin_overrides(self) -> dict[str, dict[str, Any]]:
        raw = self.doc.get("plugins")
        return {k: v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}

    def edit(self, change: Callable[[Any], object], *, check: Callable[[dict[str, Any]], None] | None = None) -> None:
        """Change flext.toml under its lock (`.flext/flext.toml.lock`): re-read, change the
        tomlkit document, check, replace atomically; the user's comments survive, and a
        change another writer saved a moment ago is kept."""
        from flext.core import tomlfile

        ensure_dot(self)
        self._text, self._doc = tomlfile.edit(self.toml_path, change, check=check, lock=self.path("flext.toml.lock"),
                                              mode=None if os.path.exists(self.toml_path) else 0o644)


def ensure_dot(ws: Workspace) -> None:
    """Create `.flext/` with a .gitignore so nothing in it is ever committed."""
    if os.path.isdir(ws.dot):
        return
    os.makedirs(ws.dot, mode=0o700, exist_ok=True)
    with open(os.path.join(ws.dot, ".gitignore"), "w", encoding="utf-8") as fh:
        fh.write("*\n")
    if not os.path.exists(ws.toml_path):
        atomic_write(ws.toml_path, f'[workspace]\nname = "{os.path.basename(ws.root) or "default"}"\n', 0o644)


def from_context(ctx: Any) -> Workspace:
    """The workspace of this invocation (`ctx.workspace_root`: -C, config, walk up, default)."""
    return Workspace(ctx.workspace_root)


def init_workspace(directory: str, *, name: str | None = None, example: bool = False) -> dict[str, Any]:
    """Write flext.toml and .flext/ in `directory`; with `example`, sample data and a pipeline.

    Refuses (exit 7) when flext.toml already exists, so re-running never clobbers work.
    Returns a summary dict for the output layer.
    """
    root = os.path.abspath(directory)
    toml_path = os.path.join(root, FILENAME)
    if os.path.exists(toml_path):
        raise Conflict(f"{toml_path} already exists", hint="edit it, or choose another directory")
    os.makedirs(root, exist_ok=True)
    name = name or os.path.basename(root) or "workspace"
    from flext.core.tomlfile import literal

    lines = ["[workspace]", f"name = {literal(name)}", ""]
    created = [FILENAME, DOT + "/"]
    if example:
        from flext.engine.example import write_example

        lines.extend(write_example(root))
        created.extend(["data/", "transform/"])
    atomic_write(toml_path, "\n".join(lines).rstrip("\n") + "\n", 0o644)
    ws = Workspace(root)
    ensure_dot(ws)
    _gitignore(root)
    return {"workspace": root, "name": name, "created": created, "example": example}


def _gitignore(root: str) -> None:
    """Add `.flext/` to the workspace's .gitignore (created if missing)."""
    path = os.path.join(root, ".gitignore")
    try:
        with open(path, encoding="utf-8") as fh:
            existing = fh.read()
    except FileNotFoundError:
        existing = ""
    if any(line.strip() in (".flext", ".flext/", "/.flext/") for line in existing.splitlines()):
        return
    with open(path, "a", encoding="utf-8") as fh:
        if existing and not existing.endswith("\n"):
            fh.write("\n")
        fh.write(".flext/\n")


__all__ = ["DOT", "FILENAME", "Workspace", "ensure_dot", "from_context", "init_workspace"]
