"""The one handler of every plugin command: import the plugin now, call it with argv.

The tree node is found from the command being run; its index record names the entry
(`module:function`). The plugin's folders are appended to `sys.path` (so flext's own
packages win over copies a plugin may carry). A plugin that fails to import is
disabled (persisted) with a warning, so it never breaks the next command either.
"""

from __future__ import annotations

import sys

from flext.core.errors import FlextError, OperationFailed, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.core.context import Args, Context
    from flext.router.spec import Node


def run(ctx: Context, args: Args) -> Any:
    node = _node(ctx.command)
    if node is None or node.plugin is None:
        raise UsageError(f"not a plugin command: {ctx.command!r}")
    from flext.plugins import index

    spec = index.command(node.command)
    if spec is None:
        raise UsageError(f"plugin command `flext {node.command}` is no longer enabled",
                         hint="see `flext plugin list`")
    func = resolve(ctx, spec["plugin"], spec["entry"])
    return func(ctx, argv_of(node, args))


def _node(command: str) -> Node | None:
    from flext.router.spec import tree

    node = tree()
    for word in command.split():
        child = node.child(word) if node.children else None
        if child is None:
            break
        node = child
    return node if node.parent is not None else None


def argv_of(node: Node, args: Args) -> list[str]:
    """The parsed values back as argv: positionals, then `--name=value` / `--flag`."""
    argv: list[str] = []
    for arg in node.args:
        value = args.get(arg.dest)
        if isinstance(value, list):
            argv.extend(str(v) for v in value)
        elif value is not None:
            argv.append(str(value))
    for opt in node.opts:
        value = args.get(opt.dest)
        if opt.flag:
            if value:
                argv.append(f"--{opt.name}")
        elif isinstance(value, list):
            argv.extend(f"--{opt.name}={v}" for v in value)
        elif value is not None:
            argv.append(f"--{opt.name}={value}")
    return argv


def resolve(ctx: Context, plugin: str, entry: str) -> Callable[..., Any]:
    """Import `module:function` of `plugin`; on failure disable it and raise OperationFailed."""
    module_name, _, func_name = entry.partition(":")
    roots = add_paths(ctx, plugin)
    if roots:
        evict(module_name, roots)
    import importlib

    try:
        module = importlib.import_module(module_name)
        func = getattr(module, func_name)
    except FlextError:
        raise
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        broken(ctx, plugin, reason)
        raise OperationFailed(
            f"plugin {plugin!r} failed to load {entry}: {reason}",
            hint=f"it is now disabled; fix it, then `flext plugin enable {plugin}`",
        ) from None
    if not callable(func):
        broken(ctx, plugin, f"{entry} is not callable")
        raise OperationFailed(f"plugin {plugin!r}: {entry} is not a function",
                              hint=f"it is now disabled; fix it, then `flext plugin enable {plugin}`")
    return func  # type: ignore[no-any-return]


def add_paths(ctx: Context, plugin: str) -> list[str]:
    """Put the plugin's folders on sys.path; returns them when its code lives there (not bundled)."""
    from flext.plugins import index

    record = index.load(ctx.paths)["plugins"].get(plugin, {})
    paths = list(record.get("sys_path", []))
    append_paths(paths)
    import importlib

    importlib.invalidate_caches()
    return [] if record.get("source") == "bundled" else paths


def append_paths(paths: list[str]) -> None:
    from flext.plugins import index

    for path in paths:
        index.ADDED_PATHS.add(path)
        if path not in sys.path:
            sys.path.append(path)


def evict(module_name: str, roots: list[str]) -> None:
    """Make `module_name` import from this install: forget a module of that name loaded from
    elsewhere (another install, a replaced version), and drop other plugin folders holding it
    from sys.path (they came earlier and would win), so a long-lived process (the shell) runs
    the plugin as installed now."""
    import os

    from flext.plugins import index

    top = module_name.split(".")[0]
    keep = {root.rstrip("/") for root in roots}
    for path in list(index.ADDED_PATHS):
        if path.rstrip("/") in keep:
            continue
        if os.path.exists(os.path.join(path, top)) or os.path.exists(os.path.join(path, top + ".py")):
            index.ADDED_PATHS.discard(path)
            while path in sys.path:
                sys.path.remove(path)
    loaded = sys.modules.get(top)
    if loaded is None:
        return
    file = getattr(loaded, "__file__", None) or ""
    if any(file.startswith(root + "/") for root in keep):
        return
    for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
        del sys.modules[name]


def broken(ctx: Context, plugin: str, reason: str) -> None:
    """Report and disable a plugin that cannot load (persisted, so other commands never see it)."""
    from flext.plugins.registry import set_enabled
    from flext.router.spec import reset_tree

    ctx.warn(f"plugin {plugin!r} failed to import and was disabled: {ctx.redact(reason)}")
    try:
        set_enabled(ctx.paths, plugin, False, error=reason)
    except (OSError, FlextError) as exc:
        ctx.warn(f"could not record that plugin {plugin!r} is disabled: {exc}")
    reset_tree()


__all__ = ["add_paths", "append_paths", "argv_of", "evict", "resolve", "run"]
