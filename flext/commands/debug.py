"""`flext debug info/paths/env/check/connectivity`: diagnose flext itself."""

from __future__ import annotations

import os
import shutil
import sys

from flext import __version__
from flext.core.errors import FlextError
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from flext.core.context import Args, Context

_SECRET_WORDS = ("TOKEN", "PASSWORD", "PASSWD", "SECRET", "KEY", "CREDENTIAL", "AUTH", "PRIVATE")
_RELATED = ("NO_COLOR", "TERM", "PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME",
            "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "VISUAL", "EDITOR", "SHIV_ROOT")


def _keyring_status(ctx: Context) -> dict[str, Any]:
    try:
        where = ctx.secrets.where()
    except FlextError as exc:
        return {"backend": None, "usable": False, "error": exc.message, "hint": exc.hint}
    except AttributeError:
        return {"backend": None, "usable": False, "error": "secret store not available"}
    return dict(where)


def _config_status(ctx: Context) -> dict[str, Any]:
    try:
        ctx.config.validate()
        for name in ctx.config.profile_names():
            ctx.config.chain(name)
    except FlextError as exc:
        return {"path": ctx.paths.config_file, "valid": False, "error": exc.message}
    return {"path": ctx.paths.config_file, "valid": True, "exists": os.path.exists(ctx.paths.config_file)}


def _workspace_status(ctx: Context) -> tuple[bool, str]:
    """Is this invocation's flext.toml readable and valid? (ok, the file or the error)."""
    from flext.engine.workspace import from_context

    try:
        ws = from_context(ctx)
        if not ws.exists:
            return True, f"{ws.describe()} (no flext.toml yet)"
        ws.check()
    except FlextError as exc:
        return False, exc.message
    return True, ws.toml_path


def info(ctx: Context, args: Args) -> Result:
    import platform
    from importlib import metadata

    libs: dict[str, str | None] = {}
    for dist in ("prompt-toolkit", "rich", "httpx", "msgspec", "keyring"):
        try:
            libs[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            libs[dist] = None
    cfg = _config_status(ctx)
    data: dict[str, Any] = {
        "version": __version__,
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "profile": _safe(lambda: ctx.profile),
        "output": ctx.output if cfg["valid"] else None,
        "config": cfg,
        "keyring": _keyring_status(ctx),
        "libraries": libs,
        "paths": ctx.paths.as_dict(),
    }
    return Result(data)


def _safe(fn: Any) -> Any:
    try:
        return fn()
    except FlextError as exc:
        return f"error: {exc.message}"


def paths(ctx: Context, args: Args) -> Result:
    rows = [{"name": k, "path": v, "exists": os.path.exists(v)} for k, v in ctx.paths.as_dict().items()]
    return Result(rows, columns=["name", "path", "exists"])


def mask(name: str, value: str) -> str:
    """Mask values whose name suggests a secret, and any value the redactor knows."""
    upper = name.upper()
    if any(word in upper for word in _SECRET_WORDS) and value:
        return "••••••"
    if "://" in value and "@" in value.split("://", 1)[1].split("/", 1)[0]:
        scheme, rest = value.split("://", 1)
        host = rest.split("@", 1)[1]
        return f"{scheme}://••••••@{host}"
    return value


def env(ctx: Context, args: Args) -> Result:
    rows = []
    for name in sorted(ctx.env):
        if name.startswith("FLEXT_") or name in _RELATED:
            rows.append({"name": name, "value": ctx.redact(mask(name, ctx.env[name]))})
    return Result(rows, columns=["name", "value"])


def check(ctx: Context, args: Args) -> Result:
    rows: list[dict[str, Any]] = []

    def add(name: str, ok: bool, detail: str) -> None:
        rows.append({"check": name, "ok": ok, "detail": detail})

    cfg = _config_status(ctx)
    add("config", bool(cfg["valid"]), cfg.get("error") or cfg["path"])
    ws_ok, ws_detail = _workspace_status(ctx)
    add("workspace", ws_ok, ws_detail)
    kr = _keyring_status(ctx)
    usable = bool(kr.get("usable"))  # why not, when not (`flext secret where` adds how to fix it)
    add("keyring", usable, str(kr.get("backend") if usable else kr.get("reason") or kr.get("error") or kr.get("backend")))
    for name, path in (("config dir", ctx.paths.config_dir), ("data dir", ctx.paths.data_dir),
                       ("state dir", ctx.paths.state_dir)):
        parent = path
        while not os.path.exists(parent) and os.path.dirname(parent) != parent:
            parent = os.path.dirname(parent)
        add(name, os.access(parent, os.W_OK), path)
    add("python", sys.version_info >= (3, 11), sys.version.split()[0])
    try:
        from flext.services.status import disk

        space = disk(ctx, ctx.workspace_root)
        add("disk", not space["warning"], space["warning"] or
            f"workspace {space['workspace_mb']} MiB at {space['path']}; {space['free_gb']} GiB free "
            f"({space['used_percent']}% of the disk used, warning from {space['warn_percent']:g}%)")
    except FlextError as exc:
        add("disk", False, exc.message)
    for tool in ("git",):
        found = shutil.which(tool)
        add(f"tool {tool}", True, found or "not found (optional)")
    failed = [r for r in rows if not r["ok"]]
    message = f"{len(failed)} problem(s) found" if failed else "✓ all checks passed"
    return Result(rows, columns=["check", "ok", "detail"], message=message, exit_code=1 if failed else 0,
                  styles={"ok": {"yes": "green", "no": "bold red"}})


def connectivity(ctx: Context, args: Args) -> Result:
    """The backend this profile really uses: its URL, version, latency, and who the token
    maps to. Unreachable exits 3, a refused token 4 (the errors the backend raises)."""
    doc = {"profile": ctx.profile, **ctx.backend.connectivity()}
    return Result(doc)
