"""The per-invocation Context: terminal, paths, global options, lazy config/secrets/backend.

Built once per command (one-shot or REPL line) and passed down; nothing global and
mutable. Heavy things (config parse, keyring, backend) are created on first use.
"""

from __future__ import annotations

import os

from flext.core.errors import UsageError
from flext.core.io import IO
from flext.core.paths import Paths

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from flext.core.config import Config
    from flext.core.contract import Backend
    from flext.core.paths import Scope
    from flext.core.secrets import SecretStore


class Args(dict):  # type: ignore[type-arg]
    """Parsed values of a command, readable as attributes (`args.name`)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Context:
    def __init__(
        self,
        io: IO | None = None,
        paths: Paths | None = None,
        options: dict[str, Any] | None = None,
        *,
        source: str = "cli",
        session: str | None = None,
        env: dict[str, str] | os._Environ[str] | None = None,
        backend_factory: Callable[[Context], Backend] | None = None,
    ) -> None:
        self.env = os.environ if env is None else env
        self.backend_factory = backend_factory
        self.options = dict(options or {})
        self.io = io or IO(env=self.env, no_color=bool(self.options.get("no_color")))
        if self.options.get("no_color"):
            self.io.no_color = True
        self.paths = paths or Paths(self.env)
        self.source = source
        self.session = session or os.urandom(6).hex()
        self.correlation_id = os.urandom(8).hex()
        self.command = ""  # the canonical command being run, set by the dispatcher
        self.sticky: dict[str, Any] = {}  # REPL session context (`use profile`, `use workspace`)
        self._config: Config | None = None
        self._secrets: SecretStore | None = None
        self._settings: dict[str, Any] | None = None
        self._backend: Backend | None = None
        self._workspace_found: tuple[str, str] | None = None

    def derive(self, **options: Any) -> Context:
        """A Context for the same terminal, session and engine factory with some global
        options changed (a wizard working in the workspace it just created)."""
        other = Context(self.io, self.paths, {**self.options, **options}, source=self.source, session=self.session,
                        env=self.env, backend_factory=self.backend_factory)
        other.sticky.update(self.sticky)
        return other

    # -- global options ----------------------------------------------------
    @property
    def yes(self) -> bool:
        return bool(self.options.get("yes"))

    @property
    def quiet(self) -> bool:
        return bool(self.options.get("quiet"))

    @property
    def verbose(self) -> bool:
        return bool(self.options.get("verbose"))

    @property
    def debug(self) -> bool:
        return bool(self.options.get("debug")) or self.env.get("FLEXT_DEBUG", "") not in ("", "0")

    @property
    def no_input(self) -> bool:
        return bool(self.options.get("no_input")) or not self.io.interactive

    @property
    def can_prompt(self) -> bool:
        return not self.no_input

    @property
    def workspace_root(self) -> str:
        """The workspace of this invocation, found once: the directory asked for (or the
        nearest flext.toml at or above it), else the nearest flext.toml at or above the
        current directory (below FLEXT_CEILING_DIRS), else the default workspace.

        A directory asked for must exist: NotFound (exit 6), and nothing is created."""
        return self._workspace()[0]

    @property
    def workspace_origin(self) -> str:
        """How `workspace_root` was chosen: flag, session, config, found or default."""
        return self._workspace()[1]

    def _workspace(self) -> tuple[str, str]:
        if self._workspace_found is not None:
            return self._workspace_found
        from flext.core.paths import find_workspace

        asked, origin = self.options.get("workspace"), "flag"
        if not asked:
            asked, origin = self.sticky.get("workspace"), "session"
        if not asked and self.has_config:
            asked, origin = self.settings.get("workspace"), "config"
        if asked:
            folder = os.path.abspath(os.path.expanduser(str(asked)))
            if not os.path.isdir(folder):
                from flext.core.errors import NotFound

                where = {"flag": "-C", "session": "use workspace", "config": "`workspace` in config.toml"}[origin]
                raise NotFound(f"workspace directory {folder} does not exist ({where})",
                               hint=f"create it with `flext init {folder}`, or check the path")
            found = (find_workspace(folder, self.env) or folder, origin)
        else:
            try:
                here: str | None = os.getcwd()
            except OSError:  # the current directory was deleted under us
                here = None
            root = find_workspace(here, self.env) if here else None
            found = (root, "found") if root else (self.paths.default_workspace, "default")
        self._workspace_found = found
        return found

    def scope(self) -> Scope:
        """Where this line reads names and files: `-C`/`use workspace` as the directory,
        `-p`/`use profile` as the profile (data, never written into the environment)."""
        from flext.core.paths import Scope

        override = self.options.get("profile") or self.sticky.get("profile")
        folder = self.options.get("workspace") or self.sticky.get("workspace")
        return Scope(self.env, os.path.abspath(str(folder)) if folder else None, str(override) if override else None)

    # -- config ------------------------------------------------------------
    @property
    def has_config(self) -> bool:
        """Is there a config file (or a config already read)? Without one, defaults apply."""
        return self._config is not None or os.path.exists(self.paths.config_file)

    @property
    def config(self) -> Config:
        if self._config is None:
            from flext.core.config import Config

            self._config = Config(self.paths, self.env)
        return self._config

    def reload_config(self) -> None:
        self._config = None
        self._settings = None
        self._workspace_found = None

    @property
    def profile(self) -> str:
        override = self.options.get("profile") or self.sticky.get("profile")
        return self.config.current_profile(str(override) if override else None)

    @property
    def settings(self) -> dict[str, Any]:
        if self._settings is None:
            self._settings = self.config.effective(self.profile)
        return self._settings

    @property
    def output(self) -> str:
        """flag > FLEXT_OUTPUT > profile > defaults > table."""
        flag = self.options.get("output")
        if flag:
            return str(flag)
        env = self.env.get("FLEXT_OUTPUT")
        if env:
            from flext.core.io import OUTPUT_FORMATS

            if env not in OUTPUT_FORMATS:
                raise UsageError(
                    f"FLEXT_OUTPUT must be one of {', '.join(OUTPUT_FORMATS)}; got {env!r}",
                    hint="unset FLEXT_OUTPUT or fix its value",
                )
            return env
        if not self.has_config:
            return "table"
        return str(self.settings.get("output") or "table")

    # -- secrets -----------------------------------------------------------
    @property
    def secrets(self) -> SecretStore:
        if self._secrets is None:
            from flext.core.secrets import SecretStore

            self._secrets = SecretStore(self.paths, self.env, profile=lambda: self.profile,
                                        chain=lambda name: self.config.chain(name))
        return self._secrets

    def redact(self, text: str) -> str:
        """Mask every secret value this process has seen (history, audit, logs, errors)."""
        if self._secrets is None:
            from flext.core.secrets import redact_known

            return redact_known(text)
        return self._secrets.redact(text)

    # -- backend ---------------------------------------------------------
    @property
    def backend(self) -> Backend:
        """The engine for this profile, built on first use by the factory the runner gave
        (`flext.backend.select.select`); core never chooses one itself."""
        if self._backend is None:
            if self.backend_factory is None:
                from flext.core.errors import FlextError

                raise FlextError("no engine for this command", hint="build the Context with flext.runner.make_context")
            self._backend = self.backend_factory(self)
        return self._backend

    # -- interaction -------------------------------------------------------
    def confirm(self, question: str, *, flag: str = "--yes", force_prompt: bool = False) -> bool:
        """Ask yes/no on the terminal; --yes answers for us; without a terminal, a usage error.

        `force_prompt` ignores --yes (destructive commands read from free text).
        """
        if self.yes and not force_prompt:
            return True
        if not self.can_prompt:
            raise UsageError(f"{question.rstrip('?')}: confirmation needed and no terminal to ask on",
                             hint=f"pass {flag} to confirm" if not force_prompt else "type the command itself instead of free text")
        self.io.stderr.write(f"{question} [y/N] ")
        self.io.stderr.flush()
        answer = self.io.stdin.readline()
        return answer.strip().lower() in ("y", "yes")

    def ask(self, label: str, *, flag: str, default: str | None = None, secret: bool = False) -> str:
        """Prompt for a value on the terminal, or fail naming the flag to pass."""
        if not self.can_prompt:
            raise UsageError(f"missing value for {label}", hint=f"pass {flag}")
        suffix = f" [{default}]" if default else ""
        if secret:
            import getpass

            value = getpass.getpass(f"{label}{suffix}: ", stream=self.io.stderr)  # type: ignore[arg-type]
        else:
            self.io.stderr.write(f"{label}{suffix}: ")
            self.io.stderr.flush()
            value = self.io.stdin.readline().rstrip("\n")
        return value or (default or "")

    def message(self, text: str) -> None:
        """A progress or status note on stderr (not with --quiet)."""
        if not self.quiet:
            self.io.err(text)

    def warn(self, text: str) -> None:
        self.io.err(self.io.style("warning:", "33", err=True) + " " + text)


__all__ = ["Args", "Context"]
