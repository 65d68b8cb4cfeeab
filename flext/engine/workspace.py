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
CHECKED = "flext.toml.ok"  # the (inode, size, mtime) of the flext.toml that last passed its check


class Workspace:
    """Paths and the parsed flext.toml of one workspace (parsed once, on first use)."""

    def __init__(self, root: str, origin: str | None = None) -> None:
        self.root = os.path.abspath(root)
        self.toml_path = os.path.join(self.root, FILENAME)
        self.dot = os.path.join(self.root, DOT)
        # how it was chosen (Context.workspace_origin): "default" when no flext.toml was
        # found and the user's default workspace is used; None when a caller names it
        self.origin = origin
        self._doc: dict[str, Any] | None = None
        self._text = ""

    # -- naming it in messages ------------------------------------------------
    def describe(self) -> str:
        """`the default workspace (~/.local/share/flext/workspace)` or `workspace ~/proj`,
        for every "not found" and every note about where something was created."""
        shown = _home_short(self.root)
        return f"the default workspace ({shown})" if self.origin == "default" else f"workspace {shown}"

    def elsewhere_hint(self) -> str | None:
        """What to do when the default workspace was searched by surprise."""
        if self.origin != "default":
            return None
        return "no flext.toml in this directory or above it, so the default workspace was used: " \
               "cd into your workspace, or pass -C DIR"

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
        """Read and check flext.toml: bytes that are not UTF-8, TOML that does not parse and
        keys that do not fit (`wsschema`) are errors naming the file and line (exit 5).

        The check runs when the file changed since it last passed: `.flext/flext.toml.ok`
        holds the (inode, size, mtime) of the version that passed, like config.toml's cache."""
        from flext.core import tomlfile

        key = _stat_key(self.toml_path)
        text = tomlfile.read_text(self.toml_path)
        doc = tomlfile.parse(text, self.toml_path)
        if key is not None and self._checked() != key:
            from flext.engine import wsschema

            wsschema.check(doc, text, self.toml_path)
            if _stat_key(self.toml_path) == key:
                self._remember_checked(key)
        self._text, self._doc = text, doc

    def check(self) -> None:
        """Read and check flext.toml now, schedules included (for `flext debug check`)."""
        from flext.core import tomlfile
        from flext.engine import wsschema

        text = tomlfile.read_text(self.toml_path)
        wsschema.check(tomlfile.parse(text, self.toml_path), text, self.toml_path, strict=True)
        self._doc = None
        self.reload()

    def _checked(self) -> str | None:
        try:
            with open(self.path(CHECKED), encoding="utf-8") as fh:
                return fh.read().strip()
        except OSError:
            return None

    def _remember_checked(self, key: str) -> None:
        if not os.path.isdir(self.dot):
            return  # never create .flext/ just to remember a check
        try:
            atomic_write(self.path(CHECKED), key + "\n", 0o644, durable=False)
        except OSError:
            pass

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
        from flext.engine import wsschema

        def checked(data: dict[str, Any]) -> None:
            found = wsschema.problem(data)  # the new values were checked in full before (pipelines.validate)
            if found is not None:
                raise ConfigError(f"{self.toml_path}: {found.key}: {found.message}",
                                  hint=(found.hint + "; " if found.hint else "") + "nothing was written")
            if check is not None:
                check(data)

        ensure_dot(self)
        self._text, self._doc = tomlfile.edit(self.toml_path, change, check=checked, lock=self.path("flext.toml.lock"),
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
    return Workspace(ctx.workspace_root, origin=ctx.workspace_origin)


def _stat_key(path: str) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _home_short(path: str) -> str:
    home = os.environ.get("HOME")
    if home and home != "/" and (path == home or path.startswith(home.rstrip("/") + "/")):
        return "~" + path[len(home.rstrip("/")):]
    return path


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
    from flext.engine import index

    index.refresh(ws)  # its pipelines complete at once
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
