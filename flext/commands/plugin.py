"""`flext plugin list/info/search/install/uninstall/enable/disable`."""

from __future__ import annotations

from flext.core.errors import Conflict, FlextError, NotFound, OperationFailed
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Args, Context
    from flext.plugins.registry import Installed

COLUMNS = ["name", "version", "state", "commands", "source"]
STYLES = {"state": {"enabled": "green", "disabled": "yellow", "broken": "red"}}


def _installed(ctx: Context) -> dict[str, Installed]:
    from flext.plugins.registry import installed

    return installed(ctx.paths)


def _get(ctx: Context, name: str) -> Installed:
    current = _installed(ctx)
    if name not in current:
        from flext.core.suggest import closest

        guess = closest(name, list(current))
        raise NotFound(f"plugin {name!r} is not installed",
                       hint=f"did you mean {guess!r}?" if guess else f"see `flext plugin search {name}`")
    return current[name]


def _row(item: Installed) -> dict[str, Any]:
    return {
        "name": item.name, "version": item.version, "state": item.state,
        "commands": sorted(item.manifest.commands), "source": item.source,
        "description": item.manifest.description, "error": item.error,
    }


def list_(ctx: Context, args: Args) -> Result:
    rows = [_row(item) for _, item in sorted(_installed(ctx).items())]
    return Result(rows, columns=COLUMNS, styles=STYLES)


def info(ctx: Context, args: Args) -> Result:
    from flext.plugins.install import requirers

    current = _installed(ctx)
    item = _get(ctx, args.name)
    m = item.manifest
    data = dict(_row(item), kind=item.kind, requires=list(m.requires), required_by=requirers(current, m.name),
                dependencies=list(m.dependencies), path=m.root, installed_at=item.installed_at,
                commands=[{"command": w, "help": spec["help"]} for w, spec in sorted(m.commands.items())])
    return Result(data)


def search(ctx: Context, args: Args) -> Result:
    from flext.plugins import catalog

    query = " ".join(args.query or [])
    try:
        found = catalog.search(ctx, query)
    except FlextError as exc:  # an unreachable index still leaves the bundled one
        ctx.warn(f"{exc.message}; showing the bundled index only")
        words = query.lower().split()
        found = [e for e in catalog.bundled()
                 if all(w in " ".join([e.name, e.description, *e.keywords]).lower() for w in words)]
    current = _installed(ctx)
    rows = []
    for entry in found:
        row = entry.row()
        have = current.get(entry.name)
        row["installed"] = have.version if have else None
        rows.append(row)
    return Result(rows, columns=["name", "version", "description", "installed", "index"])


def install(ctx: Context, args: Args) -> Result:
    from flext.plugins.install import install as run_install

    rows = run_install(ctx, args.source, force=bool(args.force))
    names = ", ".join(f"{r['name']} {r['version']}" for r in rows)
    return Result(rows, columns=["name", "version", "source", "commands"], message=f"✓ installed {names}")


def uninstall(ctx: Context, args: Args) -> Result:
    from flext.plugins.install import uninstall as run_uninstall

    item = _get(ctx, args.name)
    if not ctx.confirm(f"Uninstall plugin {item.name} {item.version}?"):
        raise OperationFailed("cancelled", exit_code=1)
    data = run_uninstall(ctx, args.name, force=bool(args.force))
    return Result(data, message=f"✓ uninstalled {item.name} {item.version}")


def enable(ctx: Context, args: Args) -> Result:
    from flext.plugins import conflicts
    from flext.plugins.registry import set_enabled
    from flext.plugins.version import Requirement

    current = _installed(ctx)
    item = _get(ctx, args.name)
    if item.enabled:
        return Result(_row(item), message=f"plugin {item.name} is already enabled")
    for text in item.manifest.requires:
        req = Requirement(text)
        dep = current.get(req.name)
        if dep is None or not dep.enabled or not req.allows(dep.version):
            have = "not installed" if dep is None else f"{dep.version}, {dep.state}"
            raise Conflict(f"plugin {item.name} requires {req} ({req.name}: {have})",
                           hint=f"`flext plugin install {req.name}` or `flext plugin enable {req.name}` first")
    conflicts.check(item.manifest, [i.manifest for i in current.values() if i.enabled and i.name != item.name])
    _try_import(ctx, item)
    set_enabled(ctx.paths, item.name, True)
    item.enabled, item.error = True, None
    return Result(_row(item), columns=COLUMNS, message=f"✓ enabled {item.name}: {', '.join(sorted(item.manifest.commands))}")


def _try_import(ctx: Context, item: Installed) -> None:
    """Import the plugin's modules now, so a broken plugin is refused instead of enabled."""
    import importlib

    from flext.plugins.loader import append_paths

    append_paths(item.sys_path)
    importlib.invalidate_caches()
    for module in item.manifest.modules:
        try:
            importlib.import_module(module)
        except Exception as exc:
            from flext.plugins.registry import set_enabled

            set_enabled(ctx.paths, item.name, False, error=f"{type(exc).__name__}: {exc}")
            raise OperationFailed(f"plugin {item.name!r} still fails to import {module}: {type(exc).__name__}: {exc}",
                                  hint="fix the plugin and enable it again") from None


def disable(ctx: Context, args: Args) -> Result:
    from flext.plugins.install import requirers
    from flext.plugins.registry import set_enabled

    current = _installed(ctx)
    item = _get(ctx, args.name)
    if not item.enabled:
        return Result(_row(item), message=f"plugin {item.name} is already disabled")
    needed = requirers(current, item.name)
    if needed and not args.force:
        raise Conflict(f"plugin {item.name!r} is required by enabled plugin(s): {', '.join(needed)}",
                       hint="disable those first, or pass --force")
    set_enabled(ctx.paths, item.name, False)
    item.enabled = False
    return Result(_row(item), columns=COLUMNS, message=f"✓ disabled {item.name}")


__all__ = ["disable", "enable", "info", "install", "list_", "search", "uninstall"]
