"""XDG paths, overridable by FLEXT_CONFIG_DIR / FLEXT_DATA_DIR / FLEXT_STATE_DIR.

Tests set these so they never touch $HOME. Directories are created on first write,
never at import or on read.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


class Paths:
    """Where flext keeps its files; computed from an environment mapping."""

    __slots__ = ("cache_dir", "config_dir", "data_dir", "state_dir")

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        e = os.environ if env is None else env
        home = e.get("HOME") or os.path.expanduser("~")

        def xdg(var: str, default: str) -> str:
            value = e.get(var, "")
            return value if os.path.isabs(value) else os.path.join(home, default)

        self.config_dir = e.get("FLEXT_CONFIG_DIR") or os.path.join(xdg("XDG_CONFIG_HOME", ".config"), "flext")
        self.data_dir = e.get("FLEXT_DATA_DIR") or os.path.join(xdg("XDG_DATA_HOME", ".local/share"), "flext")
        self.state_dir = e.get("FLEXT_STATE_DIR") or (
            os.path.join(e["FLEXT_DATA_DIR"], "state")
            if e.get("FLEXT_DATA_DIR")
            else os.path.join(xdg("XDG_STATE_HOME", ".local/state"), "flext")
        )
        self.cache_dir = e.get("FLEXT_CACHE_DIR") or (
            os.path.join(e["FLEXT_DATA_DIR"], "cache")
            if e.get("FLEXT_DATA_DIR")
            else os.path.join(xdg("XDG_CACHE_HOME", ".cache"), "flext")
        )

    @property
    def config_file(self) -> str:
        return os.path.join(self.config_dir, "config.toml")

    @property
    def history_file(self) -> str:
        return os.path.join(self.data_dir, "history.jsonl")

    @property
    def audit_file(self) -> str:
        return os.path.join(self.state_dir, "audit.jsonl")

    @property
    def secret_index(self) -> str:
        return os.path.join(self.data_dir, "secrets.json")

    @property
    def default_workspace(self) -> str:
        return os.path.join(self.data_dir, "workspace")

    @property
    def logs_dir(self) -> str:
        return os.path.join(self.state_dir, "logs")

    def as_dict(self) -> dict[str, str]:
        return {
            "config_file": self.config_file,
            "config_dir": self.config_dir,
            "data_dir": self.data_dir,
            "state_dir": self.state_dir,
            "cache_dir": self.cache_dir,
            "history_file": self.history_file,
            "audit_file": self.audit_file,
            "secret_index": self.secret_index,
            "default_workspace": self.default_workspace,
            "logs_dir": self.logs_dir,
        }


WORKSPACE_FILE = "flext.toml"


def ceilings(env: Mapping[str, str]) -> list[str]:
    """FLEXT_CEILING_DIRS (os.pathsep-separated, like git's GIT_CEILING_DIRECTORIES): the
    walk up for flext.toml stops below each of them, never looking in it or above it."""
    raw = env.get("FLEXT_CEILING_DIRS", "")
    return [os.path.abspath(os.path.expanduser(p)) for p in raw.split(os.pathsep) if p.strip()]


def find_workspace(start: str, env: Mapping[str, str] | None = None) -> str | None:
    """The nearest directory at or above `start` holding flext.toml, below any ceiling."""
    stops = ceilings(os.environ if env is None else env)
    here = os.path.abspath(start)
    while True:
        if here in stops:
            return None
        if os.path.isfile(os.path.join(here, WORKSPACE_FILE)):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


class Scope:
    """Where names and files are looked up for one line: the environment, the directory,
    and a profile chosen for this line or session (`-p`, the shell's `use profile`).

    Session overrides travel here, as data: they are never written into the environment.
    Completion sources (`flext.router.live`) receive one; so do the wizards' pickers.
    """

    __slots__ = ("cwd", "env", "profile")

    def __init__(self, env: Mapping[str, str] | None = None, cwd: str | None = None, profile: str | None = None) -> None:
        self.env: Mapping[str, str] = os.environ if env is None else env
        if cwd is None:
            try:
                cwd = os.getcwd()
            except OSError:
                cwd = self.env.get("PWD") or "/"
        self.cwd = cwd
        self.profile = profile

    @property
    def paths(self) -> Paths:
        return Paths(dict(self.env))

    def workspace(self) -> str:
        """The workspace this scope reads: flext.toml at or above `cwd`, else the default one."""
        return find_workspace(self.cwd, self.env) or self.paths.default_workspace

    def __repr__(self) -> str:
        return f"Scope(cwd={self.cwd!r}, profile={self.profile!r})"


def ensure_dir(path: str, mode: int = 0o700) -> str:
    os.makedirs(path, mode=mode, exist_ok=True)
    return path


__all__ = ["WORKSPACE_FILE", "Paths", "Scope", "ceilings", "ensure_dir", "find_workspace"]
