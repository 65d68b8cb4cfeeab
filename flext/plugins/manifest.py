"""`flext-plugin.toml`: what a plugin is called, needs and adds, read without importing it.

    name = "hello"              # ^[a-z][a-z0-9-]*$
    version = "1.0.0"
    description = "Say hello"
    requires = []               # other plugins, e.g. ["other>=1.2"]
    dependencies = []           # optional: Python packages, installed with pip next to it
    [groups."hello"]            # optional: summaries for the group words
    help = "Greetings"
    [commands."hello greet"]    # the command words it adds
    entry = "hello_plugin:greet"  # function(ctx, argv: list[str]) -> data or None
    help = "Greet someone"
    examples = ["flext hello greet Ada"]   # optional
    mutating = false                       # optional (destructive too)
    args = [{ name = "who", help = "...", nargs = "?" }]          # optional; without it the
    options = [{ name = "loud", type = "bool", help = "..." }]     # command takes argv as is
    hints = { verbs = ["welcome"], about = ["person"] }            # optional: more words free text
                                                                   # knows it by (see flext.router.spec.Hints)

Every mistake is a ConfigError naming the file and the key, so `plugin install`
refuses a bad plugin before copying anything.
"""

from __future__ import annotations

import os
import re

from flext.core.errors import ConfigError
from flext.plugins.version import Requirement, valid

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FILENAME = "flext-plugin.toml"
NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_WORD = re.compile(r"^[a-z][a-z0-9-]*$")
_ENTRY = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_ARG_KEYS = {"name", "help", "nargs", "choices", "completer", "type"}
_OPT_KEYS = {"name", "help", "short", "type", "default", "choices", "metavar", "repeat", "completer"}
_TYPES = {"str", "int", "float", "bool", "path", "duration", "choice"}


class Manifest:
    """A validated manifest; `commands` maps "word word" -> its table."""

    __slots__ = ("commands", "dependencies", "description", "file", "groups", "name", "requires", "root", "version")

    def __init__(self, data: dict[str, Any], file: str) -> None:
        self.file = file
        self.root = os.path.dirname(file)
        where = file

        def fail(key: str, message: str) -> ConfigError:
            return ConfigError(f"{where}: {key}: {message}", hint="see `flext plugin --help` for the manifest format")

        name = data.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            raise fail("name", "must match ^[a-z][a-z0-9-]*$")
        version = data.get("version")
        if not isinstance(version, str) or not valid(version):
            raise fail("version", "must be a version such as 1.0.0")
        description = data.get("description", "")
        if not isinstance(description, str):
            raise fail("description", "must be a string")
        self.name, self.version, self.description = name, version, description
        self.requires: list[str] = []
        for text in _strings(data.get("requires", []), fail, "requires"):
            try:
                Requirement(text)
            except ValueError as exc:
                raise fail("requires", str(exc)) from None
            self.requires.append(text)
        self.dependencies = _strings(data.get("dependencies", []), fail, "dependencies")
        self.groups: dict[str, str] = {}
        groups = data.get("groups", {})
        if not isinstance(groups, dict):
            raise fail("groups", "must be a table")
        for words, table in groups.items():
            _words(words, fail, f"groups.{words!r}")
            summary = table.get("help") if isinstance(table, dict) else None
            if not isinstance(summary, str):
                raise fail(f"groups.{words!r}.help", "must be a string")
            self.groups[" ".join(words.split())] = summary
        commands = data.get("commands")
        if not isinstance(commands, dict) or not commands:
            raise fail("commands", "a plugin adds at least one command: [commands.\"word word\"]")
        self.commands: dict[str, dict[str, Any]] = {}
        for words, table in commands.items():
            key = f"commands.{words!r}"
            _words(words, fail, key)
            if not isinstance(table, dict):
                raise fail(key, "must be a table")
            entry = table.get("entry")
            if not isinstance(entry, str) or not _ENTRY.match(entry):
                raise fail(f"{key}.entry", "must be 'module:function'")
            help_ = table.get("help", "")
            if not isinstance(help_, str):
                raise fail(f"{key}.help", "must be a string")
            spec: dict[str, Any] = {
                "entry": entry,
                "help": help_ or f"{name} command",
                "description": str(table.get("description", "")),
                "examples": _strings(table.get("examples", []), fail, f"{key}.examples"),
                "mutating": bool(table.get("mutating", False)),
                "destructive": bool(table.get("destructive", False)),
                "aliases": _strings(table.get("aliases", []), fail, f"{key}.aliases"),
            }
            if "args" in table:
                spec["args"] = _specs(table["args"], _ARG_KEYS, fail, f"{key}.args")
            spec["options"] = _specs(table.get("options", []), _OPT_KEYS, fail, f"{key}.options")
            if "hints" in table:
                spec["hints"] = _hints(table["hints"], fail, f"{key}.hints")
            self.commands[" ".join(words.split())] = spec

    @property
    def modules(self) -> list[str]:
        """The modules its commands live in (imported by `plugin enable` to check them)."""
        return sorted({spec["entry"].partition(":")[0] for spec in self.commands.values()})

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "version": self.version, "description": self.description,
            "requires": list(self.requires), "dependencies": list(self.dependencies),
            "commands": sorted(self.commands),
        }


def _strings(value: Any, fail: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, "must be a list of strings")
    return list(value)


def _words(words: str, fail: Any, key: str) -> None:
    parts = words.split()
    if not parts or not all(_WORD.match(p) for p in parts):
        raise fail(key, "command words must match ^[a-z][a-z0-9-]*$")


def _hints(value: Any, fail: Any, key: str) -> dict[str, list[str]]:
    """`{ verbs = [...], about = [...] }`: words free text may use for the command and its group."""
    if not isinstance(value, dict):
        raise fail(key, "must be a table: { verbs = [...], about = [...] }")
    unknown = set(value) - {"verbs", "about"}
    if unknown:
        raise fail(key, f"unknown key {sorted(unknown)[0]!r}")
    out: dict[str, list[str]] = {}
    for name in ("verbs", "about"):
        words = _strings(value.get(name, []), fail, f"{key}.{name}")
        if not all(_WORD.match(w) for w in words):
            raise fail(f"{key}.{name}", "words must match ^[a-z][a-z0-9-]*$")
        out[name] = words
    return out


def _specs(value: Any, allowed: set[str], fail: Any, key: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise fail(key, "must be a list of tables")
    out: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        where = f"{key}[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not _WORD.match(item["name"]):
            raise fail(where, "needs a name matching ^[a-z][a-z0-9-]*$")
        unknown = set(item) - allowed
        if unknown:
            raise fail(where, f"unknown key {sorted(unknown)[0]!r}")
        if item.get("type", "str") not in _TYPES:
            raise fail(f"{where}.type", f"must be one of {', '.join(sorted(_TYPES))}")
        if "nargs" in item and item["nargs"] not in (1, "?", "+", "*"):
            raise fail(f"{where}.nargs", "must be 1, '?', '+' or '*'")
        if "short" in item and (not isinstance(item["short"], str) or len(item["short"]) != 1):
            raise fail(f"{where}.short", "must be one letter")
        if "choices" in item:
            item = dict(item, choices=_strings(item["choices"], fail, f"{where}.choices"))
        out.append(dict(item))
    return out


def read(path: str) -> Manifest:
    """The manifest in `path` (a folder holding flext-plugin.toml, or the file itself)."""
    import tomllib

    file = os.path.join(path, FILENAME) if os.path.isdir(path) else path
    try:
        with open(file, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"no {FILENAME} in {path}", hint="a plugin is a folder or package with flext-plugin.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    return Manifest(data, file)


__all__ = ["FILENAME", "NAME", "Manifest", "read"]
