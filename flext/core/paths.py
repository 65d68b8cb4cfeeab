"""XDG paths, overridable by FLEXT_CONFIG_DIR / FLEXT_DATA_DIR / FLEXT_STATE_DIR.

Tests set these so they never touch $HOME. Directories are created on first write,
never at import or on read.
"""

from __future__ import annotations

import os


class Paths:
    """Where flext keeps its files; computed from an environment mapping."""

    __slots__ = ("cache_dir", "config_dir", "data_dir", "state_dir")

    def __init__(self, env: dict[str, str] | os._Environ[str] | None = None) -> None:
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


def ensure_dir(path: str, mode: int = 0o700) -> str:
    os.makedirs(path, mode=mode, exist_ok=True)
    return path


__all__ = ["Paths", "ensure_dir"]
