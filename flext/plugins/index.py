"""The start-up index of plugin commands: read without importing any plugin code.

`add_to_tree(root)` is the one call `flext.router.spec.tree()` makes into plugins. It
reads `<data>/plugins/index.marshal` (marshal: no json/tomllib import on the hot path),
checked against a key of cheap `stat`s (the state file, the bundled manifests, the
site-packages folders where a pip install would add an entry-point plugin), and
rebuilds it from the manifests only when that key changed. Each command becomes a
`Node` whose handler is `flext.plugins.loader:run`; the plugin's module is imported
only when the command runs. Standard library only; never raises (a broken index
means no plugin commands, never a broken `flext`).
"""

from __future__ import annotations

import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.paths import Paths
    from flext.router.spec import Node

BUNDLED = ("gruponos", "algar")  # shipped with flext, installed and enabled by default
LOADER = "flext.plugins.loader:run"
_CACHE_VERSION = 2
_LOADED: dict[str, Any] | None = None
ADDED_PATHS: set[str] = set()  # plugin folders this process put on sys.path (not flext's environment)


def bundled_dir() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bundled")


def state_file(paths: Paths) -> str:
    return os.path.join(paths.data_dir, "plugins", "plugins.json")


def cache_file(paths: Paths) -> str:
    return os.path.join(paths.data_dir, "plugins", "index.marshal")


def _stamp(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _key(paths: Paths) -> tuple[Any, ...]:
    from flext import __version__

    base = bundled_dir()
    sites = tuple(
        (p, _stamp(p)) for p in sys.path if p.endswith(("site-packages", "dist-packages")) and os.path.isdir(p)
    )
    return (
        _CACHE_VERSION, __version__, state_file(paths), _stamp(state_file(paths)),
        tuple(_stamp(os.path.join(base, name, "flext-plugin.toml")) for name in BUNDLED), sites,
    )


def load(paths: Paths) -> dict[str, Any]:
    """The index (cached per process), rebuilt when its key no longer matches."""
    global _LOADED
    key = _key(paths)
    if _LOADED is not None and _LOADED.get("key") == key:
        return _LOADED
    try:
        with open(cache_file(paths), "rb") as fh:
            data = marshal.load(fh)
        if isinstance(data, dict) and data.get("key") == key:
            _LOADED = data
            return data
    except (OSError, EOFError, ValueError, TypeError):
        pass
    return rebuild(paths, key)


def rebuild(paths: Paths, key: tuple[Any, ...] | None = None) -> dict[str, Any]:
    """Read every manifest again and rewrite the cache (best effort: a read-only disk is fine)."""
    global _LOADED
    try:
        from flext.plugins.registry import build_index

        data = build_index(paths)
    except Exception:
        data = {"plugins": {}, "commands": [], "groups": {}}
    data["key"] = key if key is not None else _key(paths)
    try:
        from flext.core.fsutil import atomic_write

        atomic_write(cache_file(paths), marshal.dumps(data))
    except (OSError, ValueError):
        pass
    _LOADED = data
    return data


def forget() -> None:
    """Drop the per-process copy (tests; after a plugin change the key changes anyway)."""
    global _LOADED
    _LOADED = None


def _paths() -> Paths:
    from flext.core.paths import Paths

    return Paths(os.environ)


def add_to_tree(root: Node) -> None:
    """Add enabled plugins' commands to the assembled tree; built-ins always win."""
    try:
        data = load(_paths())
        for spec in data["commands"]:
            _add(root, spec, data["groups"])
    except Exception:  # never let a plugin break start-up
        if os.environ.get("FLEXT_DEBUG", "") not in ("", "0"):
            raise


def _add(root: Node, spec: dict[str, Any], groups: dict[str, list[str]]) -> None:
    from flext.router.spec import Hints, Node

    words = spec["words"].split()
    plugin = spec["plugin"]
    node = root
    for i, word in enumerate(words[:-1]):
        child = node.child(word)
        if child is None:
            _owner, summary = groups.get(" ".join(words[: i + 1]), (plugin, f"Commands of the {plugin} plugin"))
            child = Node(word, summary)
            child.plugin = plugin
            node.add(child)
        elif child.runnable and child.plugin is None:
            return  # under a built-in command: refused
        elif child.plugin is not None and child.plugin != plugin:
            return  # another plugin's group
        node = child
    leaf = node.child(words[-1])
    if leaf is not None and (leaf.plugin != plugin or leaf.runnable):
        return  # a built-in (or another plugin) already owns these words
    args, opts = _arguments(spec)
    examples = spec["examples"] or [f"flext {spec['words']}"]
    if leaf is None:
        leaf = Node(words[-1], spec["help"], description=spec["description"], args=args, opts=opts,
                    examples=examples, handler=LOADER, aliases=tuple(spec["aliases"]),
                    mutating=spec["mutating"], destructive=spec["destructive"])
        leaf.plugin = plugin
        node.add(leaf)
    else:  # a group word that is also a command
        leaf.summary, leaf.description, leaf.args, leaf.opts = spec["help"], spec["description"], args, opts
        leaf.examples, leaf.handler = examples, LOADER
        leaf.mutating, leaf.destructive = spec["mutating"] or spec["destructive"], spec["destructive"]
    words_for = spec.get("hints")  # free text's extra words for it (an index from an older flext has none)
    if words_for:
        leaf.hints = Hints(" ".join(words_for.get("verbs", ())), " ".join(words_for.get("about", ())))


def _arguments(spec: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    from flext.router.spec import Arg, Opt

    opts = []
    for o in spec["options"]:
        choices = tuple(o["choices"]) if o.get("choices") else None
        opts.append(Opt(o["name"], o.get("help", ""), short=o.get("short"), type=o.get("type", "str"),
                        default=o.get("default"), choices=choices, metavar=o.get("metavar"),
                        repeat=bool(o.get("repeat", False)), completer=o.get("completer")))
    if "args" not in spec:
        return [Arg("argv", "Arguments passed to the plugin as they are (put options after --)", nargs="*")], opts
    args = []
    for a in spec["args"]:
        choices = tuple(a["choices"]) if a.get("choices") else None
        args.append(Arg(a["name"], a.get("help", ""), type=a.get("type", "str"), nargs=a.get("nargs", 1),
                        choices=choices, completer=a.get("completer")))
    return args, opts


def command(words: str) -> dict[str, Any] | None:
    """The index record of the plugin command spelled `words`."""
    for spec in load(_paths())["commands"]:
        if spec["words"] == words:
            return dict(spec)
    return None


__all__ = ["BUNDLED", "LOADER", "add_to_tree", "bundled_dir", "cache_file", "command", "forget", "load",
           "rebuild", "state_file"]
