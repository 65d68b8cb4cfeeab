"""`flext profile list/use/create/delete/show`."""

from __future__ import annotations

from flext.core.config import DEFAULT_PROFILE, check_profile_name
from flext.core.errors import Conflict, NotFound, OperationFailed, UsageError
from flext.core.output import Result

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.core.context import Args, Context

def _exists(ctx: Context, name: str) -> None:
    if name != DEFAULT_PROFILE and name not in ctx.config.profiles:
        from flext.core.suggest import closest

        guess = closest(name, ctx.config.profile_names())
        raise NotFound(f"profile {name!r} does not exist",
                       hint=f"did you mean {guess!r}?" if guess else "see `flext profile list`")


def list_(ctx: Context, args: Args) -> Result:
    cfg = ctx.config
    current = ctx.profile
    rows = []
    for name in cfg.profile_names():
        own = cfg.profiles.get(name, {}) if name != DEFAULT_PROFILE else cfg.defaults
        effective = cfg.effective(name)
        rows.append({
            "name": name,
            "current": name == current,
            "inherit": own.get("inherit") if name != DEFAULT_PROFILE else None,
            "backend": effective.get("backend"),
            "api_url": effective.get("api_url"),
            "danger": bool(effective.get("danger")),
        })
    return Result(rows, columns=["name", "current", "inherit", "backend", "api_url", "danger"],
                  styles={"danger": {"yes": "bold red"}, "current": {"yes": "green"}})


def use(ctx: Context, args: Args) -> Result:
    _exists(ctx, args.name)
    ctx.config.write_value([], "current_profile", args.name)
    return Result({"current_profile": args.name}, message=f"✓ now using profile {args.name!r}")


def create(ctx: Context, args: Args) -> Result:
    if not args.name:  # a guided set-up on a terminal, else a usage error naming NAME
        from flext.prompts.wizards import profile_create

        args.update(profile_create(ctx, dict(args)))
    name: str = args.name
    check_profile_name(name)
    cfg = ctx.config
    if name == DEFAULT_PROFILE or name in cfg.profiles:
        raise Conflict(f"profile {name!r} already exists", hint=f"see `flext profile show {name}`")
    body: dict[str, object] = {}
    if args.copy_from:
        _exists(ctx, args.copy_from)
        source = cfg.defaults if args.copy_from == DEFAULT_PROFILE else cfg.profiles[args.copy_from]
        body.update(source)
    if args.inherit:
        _exists(ctx, args.inherit)
        if args.inherit != DEFAULT_PROFILE:
            body["inherit"] = args.inherit
    if args.get("backend"):
        body["backend"] = args.backend  # http, flexcore and airflow need an api_url (here or inherited)
    if args.api_url:
        from flext.core import schema

        try:  # typed on the command line: a usage error (exit 2), not a broken config file
            body["api_url"] = schema.coerce("api_url", args.api_url)
        except ValueError as exc:
            raise UsageError(f"--api-url {exc}", hint="nothing was written") from None
        body.setdefault("backend", "http")
    if args.danger:
        body["danger"] = True
    if not body:
        body["description"] = f"profile {name}"
    table = ["profiles", name]
    for key, value in body.items():
        cfg.write_value(table, key, value)
    cfg.effective(name)
    return Result({"name": name, **body}, message=f"✓ created profile {name!r}")


def delete(ctx: Context, args: Args) -> Result:
    name: str = args.name
    if name == DEFAULT_PROFILE:
        raise UsageError("the default profile cannot be deleted", hint="clear its settings with `flext config unset KEY`")
    _exists(ctx, name)
    cfg = ctx.config
    children = [p for p, body in cfg.profiles.items() if body.get("inherit") == name]
    if children:
        raise Conflict(f"profile {name!r} is inherited by {', '.join(children)}",
                       hint="change their `inherit` first")
    if not ctx.confirm(f"Delete profile {name!r}?"):
        raise OperationFailed("cancelled; nothing was deleted")
    cfg.remove_table(["profiles", name])
    if cfg.data.get("current_profile") == name:
        cfg.remove_value([], "current_profile")
    return Result({"name": name, "deleted": True}, message=f"✓ deleted profile {name!r}")


def show(ctx: Context, args: Args) -> Result:
    name = args.name or ctx.profile
    _exists(ctx, name)
    cfg = ctx.config
    own = cfg.defaults if name == DEFAULT_PROFILE else cfg.profiles[name]
    data = {
        "name": name,
        "current": name == ctx.profile,
        "chain": ["defaults", *cfg.chain(name)],
        "own": own,
        "effective": {k: v for k, v in cfg.effective(name, with_env=False).items() if k != "profile"},
    }
    return Result(data)
