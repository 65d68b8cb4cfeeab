"""`flext meltano install / project init / add / run / schedule list / schedule add / test`: the real meltano."""

from __future__ import annotations

import os

from flext.core.errors import UsageError
from flext.core.output import Result
from flext.plugins import meltano_exec as mx

TYPE_CHECKING = False
if TYPE_CHECKING:

    from flext.core.context import Args, Context



def _passed(ctx: Context, argv: list[str], cwd: str, code: int) -> Result:
    """The outcome of a streamed run: meltano's exit code, data only for machine formats."""
    data = {"command": "meltano " + " ".join(argv), "project": cwd, "exit_code": code}
    message = None if code == 0 else f"meltano exited with code {code}"
    return Result(data, text="", message=message, exit_code=code)  # people saw meltano's own output


def install(ctx: Context, args: Args) -> Result:
    """Meltano into its own venv under the workspace's plugin folder (idempotent; progress on stderr)."""
    info = mx.install(ctx, args.get("pip_url"), force=bool(args.get("force")))
    changed = info.pop("changed")
    verb = "installed" if changed else "already installed"
    return Result(info, columns=["name", "version", "pip_url", "executable"],
                  message=f"✓ meltano {info.get('version') or ''} {verb}: {info.get('executable')}".replace("  ", " "))


def project_init(ctx: Context, args: Args) -> Result:
    target = os.path.abspath(os.path.expanduser(args.dir))
    if os.path.isfile(os.path.join(target, "meltano.yml")):
        from flext.core.errors import Conflict

        raise Conflict(f"{target} already holds a Meltano project", hint="choose another folder")
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    argv = ["init", target, "--no-usage-stats"]
    code = mx.stream(ctx, argv, parent)
    return _passed(ctx, argv, target, code)


def add(ctx: Context, args: Args) -> Result:
    cwd = mx.project_dir(ctx, args.project)
    if bool(args.executable) == bool(args.from_ref):
        raise UsageError("pass exactly one of --executable PATH or --from-ref FILE",
                         hint="e.g. flext meltano add extractor tap-x --executable /path/to/tap-x")
    import tempfile

    ref = args.from_ref
    tmp = None
    if args.executable:
        namespace = args.namespace or args.name.replace("-", "_")
        fd, tmp = tempfile.mkstemp(prefix="flext-meltano-", suffix=".yml")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"name: {_yaml(args.name)}\nnamespace: {_yaml(namespace)}\nexecutable: {_yaml(args.executable)}\n")
        ref = tmp
    argv = ["add", "--plugin-type", args.type, args.name, "--from-ref", os.path.abspath(ref), "--no-install"]
    try:
        code = mx.stream(ctx, argv, cwd)
    finally:
        if tmp:
            os.unlink(tmp)
    return _passed(ctx, argv, cwd, code)


def _yaml(value: str) -> str:
    import json

    return json.dumps(value)  # a JSON string is a valid YAML scalar


def run(ctx: Context, args: Args) -> Result:
    cwd = mx.project_dir(ctx, args.project)
    argv = ["run", *args.block]
    if args.full_refresh:
        argv.append("--full-refresh")
    if args.dry_run:
        argv.append("--dry-run")
    return _passed(ctx, argv, cwd, mx.stream(ctx, argv, cwd))


def schedule_list(ctx: Context, args: Args) -> Result:
    cwd = mx.project_dir(ctx, args.project)
    return Result(mx.schedules(ctx, cwd), columns=["name", "job", "interval", "cron"],
                  empty="no schedules in meltano.yml (add one: flext meltano schedule add NAME --job JOB --interval CRON)")


def schedule_add(ctx: Context, args: Args) -> Result:
    cwd = mx.project_dir(ctx, args.project)
    job = args.job or ctx.ask("Job", flag="--job")
    interval = args.interval or ctx.ask("Interval (cron)", flag="--interval")
    _check_cron(interval)
    argv = ["schedule", "add", args.name, "--job", job, "--interval", interval]
    return _passed(ctx, argv, cwd, mx.stream(ctx, argv, cwd))


def _check_cron(expr: str) -> None:
    from flext.engine.cron import parse

    try:
        parse(expr)
    except Exception as exc:
        raise UsageError(f"invalid --interval {expr!r}: {exc}", hint="e.g. '0 */2 * * *' or @weekly") from None


def test(ctx: Context, args: Args) -> Result:
    cwd = mx.project_dir(ctx, args.project)
    argv = ["test", args.plugin] if args.plugin else ["test", "--all"]
    return _passed(ctx, argv, cwd, mx.stream(ctx, argv, cwd))


__all__ = ["add", "install", "project_init", "run", "schedule_add", "schedule_list", "test"]

