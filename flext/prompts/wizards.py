"""The guided set-ups: `init`, `pipeline create`, `service add`, `profile create`.

Each takes the values already given as flags and returns them completed (a dict keyed
like the command's `args`); the command handler then does exactly what the one-shot
command does. Every wizard ends by printing that one-shot command, so what was set up
by answering questions can be repeated by a script. Without a terminal nothing is
asked: a usage error names the missing flags.
"""

from __future__ import annotations

import os

from flext.core.errors import FlextError
from flext.prompts.wizard import Step, ask, one_shot

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.core.context import Context

__all__ = ["init", "pipeline_create", "profile_create", "service_add"]


def _problem(check: Callable[[str], object]) -> Callable[[str, dict[str, Any]], str | None]:
    """A step check from a validator that raises a FlextError (the command's own rules)."""

    def run(text: str, answers: dict[str, Any]) -> str | None:
        try:
            check(text)
        except FlextError as exc:
            return exc.message
        except ValueError as exc:
            return str(exc)
        return None

    return run


def _live(ctx: Context, kind: str) -> list[tuple[str, str]]:
    from flext.router.live import entries

    return entries(kind, ctx.scope())


def _catalog(kind: str) -> list[tuple[str, str]]:
    """Taps or targets the bundled catalog knows, with their description."""
    try:
        from flext.engine import catalog
    except ImportError:
        return []
    return [(e["name"], str(e.get("description") or "")) for e in catalog.entries() if e.get("kind") == kind]


def _plugins(ctx: Context, kind: str) -> list[tuple[str, str]]:
    installed = _live(ctx, kind + "s")
    known = {name for name, _ in installed}
    return installed + [pair for pair in _catalog(kind) if pair[0] not in known]


def _url(text: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("a URL like http://host:8080")


def _say(ctx: Context, command: str) -> None:
    ctx.io.err(ctx.io.style("one-shot:", "36", err=True) + " " + command)


# -- pipeline create ---------------------------------------------------------------------


def pipeline_create(ctx: Context, partial: dict[str, Any]) -> dict[str, Any]:
    """`flext pipeline create NAME` with --tap/--target missing: ask for them."""
    from flext.engine import cron, pipelines

    existing = {name for name, _ in _live(ctx, "pipelines")}

    def new_name(text: str) -> None:
        pipelines.check_name(text)
        if text in existing:
            raise ValueError(f"pipeline {text!r} already exists (pass --replace to overwrite)")

    steps = [
        Step("name", "Pipeline name", "NAME", check=_problem(new_name)),
        Step("tap", "Tap (extract from)", "--tap", choices=lambda a: _plugins(ctx, "tap"),
             help="a catalog name, an installed tap or any executable"),
        Step("target", "Target (load into)", "--target", choices=lambda a: _plugins(ctx, "target")),
        Step("transform", "dbt project to run after loading", "--transform", optional=True,
             choices=lambda a: _live(ctx, "dbt_projects")),
        Step("schedule", "Schedule (cron, e.g. 0 * * * *)", "--schedule", optional=True,
             check=_problem(cron.parse), help="run by `flext serve`"),
    ]
    answers = ask(ctx, steps, partial, title="New pipeline")
    if ctx.can_prompt:
        _say(ctx, one_shot(["pipeline", "create", answers["name"]], [
            ("--tap", answers.get("tap")), ("--target", answers.get("target")),
            ("--transform", answers.get("transform")), ("--schedule", answers.get("schedule")),
            ("--select", answers.get("select")), ("--tap-config", answers.get("tap_config")),
            ("--target-config", answers.get("target_config")),
        ]))
    return answers


# -- service add -------------------------------------------------------------------------


def service_add(ctx: Context, partial: dict[str, Any]) -> dict[str, Any]:
    """`flext service add NAME` with --url missing: ask for it and the usual extras."""
    from flext.services import registry

    steps = [
        Step("name", "Service name", "NAME", check=_problem(registry.check_name)),
        Step("url", "URL", "--url", check=_problem(_url), default="http://127.0.0.1:8080"),
        Step("health_path", "Health check path", "--health-path", default="/health", optional=True),
        Step("command", "Command that starts it (for service start/stop)", "--command", optional=True),
        Step("log_file", "Its log file", "--log-file", optional=True, help="read by `flext service logs`"),
    ]
    answers = ask(ctx, steps, partial, title="New service")
    if ctx.can_prompt:
        _say(ctx, one_shot(["service", "add", answers["name"]], [
            ("--url", answers.get("url")), ("--health-path", answers.get("health_path")),
            ("--command", answers.get("command")), ("--log-file", answers.get("log_file")),
        ]))
    return answers


# -- profile create ----------------------------------------------------------------------


def profile_create(ctx: Context, partial: dict[str, Any]) -> dict[str, Any]:
    """`flext profile create` without a name: ask for it, a base and the API URL."""
    names = [name for name, _ in _live(ctx, "profiles")]

    def new_name(text: str) -> None:
        from flext.core.config import check_profile_name

        check_profile_name(text)
        if text in names:
            raise ValueError(f"profile {text!r} already exists")

    def other(text: str) -> None:
        if text not in names:
            raise ValueError(f"no profile {text!r}; one of: {', '.join(names)}")

    steps = [
        Step("name", "Profile name", "NAME", check=_problem(new_name)),
        Step("inherit", "Inherit the settings of", "--inherit", optional=True, check=_problem(other),
             choices=lambda a: [(n, "") for n in names], help="changes to it show through; empty for none"),
        Step("api_url", "Remote API URL (empty: the local engine)", "--api-url", optional=True,
             check=_problem(_url)),
        Step("danger", "Dangerous (production)? The shell shows it in red", "--danger", yes_no=True,
             default="no"),
    ]
    answers = ask(ctx, steps, partial, title="New profile")
    if ctx.can_prompt:
        _say(ctx, one_shot(["profile", "create", answers["name"]], [
            ("--from", answers.get("copy_from")), ("--inherit", answers.get("inherit")),
            ("--api-url", answers.get("api_url")), ("--danger", bool(answers.get("danger"))),
        ]))
    return answers


# -- init --------------------------------------------------------------------------------


_SECRETISH = ("password", "secret", "token", "key", "credential", "passphrase")


def _backend_plugins(ctx: Context, kind: str) -> list[tuple[str, str]]:
    """Taps or targets the profile's engine knows (catalog, installed, on PATH), described."""
    try:
        rows = ctx.backend.list_plugins(kind)
    except FlextError:
        return _catalog(kind)
    return [(str(r["name"]), str(r.get("description") or ("installed" if r.get("installed") else ""))) for r in rows]


def _known(kind: str, pool: Callable[[], list[tuple[str, str]]]) -> Callable[[str, dict[str, Any]], str | None]:
    """A step check: the answer is a tap (or target) the engine knows, else a did-you-mean."""

    def check(text: str, answers: dict[str, Any]) -> str | None:
        names = [name for name, _ in pool()]
        if text in names:
            return None
        from flext.core.suggest import closest

        guess = closest(text, names)
        return (f"unknown {kind} {text!r}" + (f": did you mean {guess}?" if guess else "")
                + f" (TAB lists them; see `flext data {kind}s list`)")

    return check


def _new_workspace(text: str, answers: dict[str, Any]) -> str | None:
    path = os.path.abspath(os.path.expanduser(text))
    if os.path.exists(os.path.join(path, "flext.toml")):
        return f"{path} is a workspace already (it has a flext.toml): choose another directory"
    if os.path.exists(path) and not os.path.isdir(path):
        return f"{path} is a file, not a directory"
    parent = path
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.access(parent, os.W_OK):
        return f"cannot create files in {parent}"
    return None


def init(ctx: Context, partial: dict[str, Any]) -> dict[str, Any]:
    """Onboarding: a workspace, a tap and a target installed, their settings, a pipeline.

    Each answer is checked as it is typed (the directory is free, the tap and target are
    names the engine knows, the pipeline name is valid) and TAB completes at each prompt,
    so nothing fails only at the end. If setting up fails anyway (an install, the
    keyring), what the wizard made is removed again. Secret settings are asked hidden and
    stored in the keyring; the tap's config file holds `secret:NAME` references only.
    Offers to run the pipeline at the end. Returns a summary for the output layer.
    """
    from flext.engine import catalog, pipelines

    cache: dict[str, list[tuple[str, str]]] = {}

    def pool(kind: str) -> Callable[[], list[tuple[str, str]]]:
        def load() -> list[tuple[str, str]]:
            if kind not in cache:
                cache[kind] = _backend_plugins(ctx, kind)
            return cache[kind]

        return load

    def entry(name: str) -> dict[str, Any]:
        try:
            return catalog.lookup(name)
        except FlextError:
            return {}

    steps = [
        Step("dir", "Workspace directory", "DIR", default=os.getcwd(), check=_new_workspace, paths=True,
             help="TAB completes directories"),
        Step("name", "Workspace name", "--name", default=lambda a: os.path.basename(os.path.abspath(a["dir"]))),
        Step("tap", "Tap to extract with", "TAP", default="tap-jsonfile", choices=lambda a: pool("tap")(),
             check=_known("tap", pool("tap")), help="TAB lists the taps"),
        Step("target", "Target to load into", "TARGET", default="target-jsonl", choices=lambda a: pool("target")(),
             check=_known("target", pool("target")), help="TAB lists the targets"),
        Step("pipeline", "First pipeline's name", "PIPELINE", check=_problem(pipelines.check_name),
             default=lambda a: str(a["tap"]).removeprefix("flext-").removeprefix("tap-") or "first"),
        Step("install", "Install the tap and the target now", "--install", yes_no=True, default="yes",
             help="each in its own virtual environment, from the package index"),
    ]
    answers = ask(ctx, steps, partial, title="Set up flext")
    settings: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    setting_steps = []
    tap = entry(answers["tap"])
    lists = set(tap.get("list_settings") or [])
    for key in [str(s) for s in tap.get("required_settings") or []]:
        hidden = any(word in key.lower() for word in _SECRETISH)
        setting_steps.append(Step(key, f"{answers['tap']} setting {key}" + (" (hidden, kept in the keyring)"
                                  if hidden else "") + (" (comma-separated)" if key in lists else ""),
                                  f"tap_config.{key}", secret=hidden))
    if setting_steps:
        given = ask(ctx, setting_steps, {}, title=f"Settings of {answers['tap']}")
        for key, value in given.items():
            if any(word in key.lower() for word in _SECRETISH):
                secrets[f"{answers['pipeline']}_{key}"] = str(value)
                settings[key] = f"secret:{answers['pipeline']}_{key}"
            elif key in lists:
                settings[key] = [v.strip() for v in str(value).split(",") if v.strip()]
            else:
                settings[key] = value
    return _set_up(ctx, answers, settings, secrets)


def _set_up(ctx: Context, answers: dict[str, Any], settings: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
    """Do what the answers say, through the same functions the one-shot commands use; on
    any failure (or Ctrl-C), undo what was made here: nothing half-made is left behind."""
    undo: list[Callable[[], None]] = []
    try:
        return _do_set_up(ctx, answers, settings, secrets, undo)
    except BaseException:
        for step in reversed(undo):
            try:
                step()
            except Exception:  # best effort: the first error is the one to report
                pass
        raise


def _do_set_up(ctx: Context, answers: dict[str, Any], settings: dict[str, Any], secrets: dict[str, str],
               undo: list[Callable[[], None]]) -> dict[str, Any]:
    import json
    import shutil

    from flext.core.fsutil import atomic_write
    from flext.engine.workspace import init_workspace

    root = os.path.abspath(os.path.expanduser(str(answers["dir"])))
    existed = os.path.isdir(root)
    before = set(os.listdir(root)) if existed else set()

    def remove_workspace() -> None:
        if not existed:
            shutil.rmtree(root, ignore_errors=True)
            return
        for name in set(os.listdir(root)) - before:  # only what the wizard added
            path = os.path.join(root, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)

    def forget(name: str) -> Callable[[], None]:
        def run() -> None:
            here.secrets.delete(name)

        return run

    undo.append(remove_workspace)
    info = init_workspace(root, name=answers.get("name"))
    root = info["workspace"]
    here = ctx.derive(workspace=root)
    steps = [one_shot(["init", root], [("--name", info["name"])])]
    for name, value in secrets.items():
        existing = name in here.secrets.names()
        here.secrets.set(name, value)
        if not existing:
            undo.append(forget(name))
        steps.append(one_shot(["secret", "set", name], []))
    if answers.get("install"):
        for kind in ("tap", "target"):
            here.message(f"installing {answers[kind]} (a minute or two the first time)")
            here.backend.install_plugin(answers[kind], kind, on_status=here.message)
            steps.append(one_shot(["data", f"{kind}s", "install", answers[kind]], []))
    config_file = None
    if settings:
        config_file = os.path.join("config", f"{answers['pipeline']}.tap.json")  # relative to the workspace
        os.makedirs(os.path.join(root, "config"), exist_ok=True)
        atomic_write(os.path.join(root, config_file), json.dumps(settings, indent=2) + "\n", 0o600)
    spec: dict[str, Any] = {"name": answers["pipeline"], "tap": answers["tap"], "target": answers["target"]}
    if config_file:
        spec["tap_config_file"] = config_file
    here.backend.create_pipeline(spec)
    steps.append(one_shot(["-C", root, "pipeline", "create", answers["pipeline"]], [
        ("--tap", answers["tap"]), ("--target", answers["target"]),
        ("--tap-config", os.path.join(root, config_file) if config_file else None)]))
    undo.clear()  # the workspace is whole: a failure to run it now keeps it
    ran: dict[str, Any] | None = None
    if answers.get("install") and ctx.can_prompt:
        run = ask(ctx, [Step("run", f"Run {answers['pipeline']} now", "--run", yes_no=True, default="yes")], {},
                  title="Ready")
        if run.get("run"):
            ran = here.backend.start(answers["pipeline"])
            steps.append(one_shot(["-C", root, "pipeline", "start", answers["pipeline"]], []))
    for command in steps:
        _say(ctx, command)
    return {**info, "pipeline": answers["pipeline"], "tap": answers["tap"], "target": answers["target"],
            "installed": bool(answers.get("install")), "run": ran["id"] if ran else None}
