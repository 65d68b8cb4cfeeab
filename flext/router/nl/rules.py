"""Which command a reading of free text points at: one rule per command, scored.

A rule names the verbs that ask for the command, the kinds of thing it is about and
the kind of name its argument takes (the `completer` kind of the tree, e.g.
`pipelines`). Scoring rewards a matching verb, a matching noun, a name that exists
as the right kind of thing, and option values the command can take; it penalises
names of other kinds and values it cannot take. So `logs of flexcore` reads as
`service logs` when flexcore is a service and `pipeline logs` when it is a pipeline.
Rules whose command is not in the tree are skipped, so the parser follows the tree; a
command no rule names (a plugin's) gets a rule derived from its words (`derive`).
"""

from __future__ import annotations

__all__ = ["RULES", "Rule"]


class Rule:
    """One command the parser can produce."""

    __slots__ = ("arg", "destructive_opt", "implied", "kinds", "need", "new", "path", "prior", "verbs")

    def __init__(
        self,
        path: str,
        verbs: str,
        kinds: str,
        arg: str | None = None,
        *,
        need: str = "",
        new: bool = False,
        implied: str = "",
        prior: float = 0.0,
        destructive_opt: str | None = None,
    ) -> None:
        self.path = path
        self.verbs = frozenset(verbs.split())
        self.kinds = frozenset(kinds.split())
        self.arg = arg  # entity kind of the first argument (a `completer` name)
        self.need = need  # one | many | opt | "" (no argument)
        self.new = new  # the argument names a new thing (`create ... called X`)
        self.implied = frozenset(implied.split())  # nouns that ask for it alone (`history`, `flexcore logs`)
        self.prior = prior  # breaks ties between rules that read the same
        self.destructive_opt = destructive_opt  # an option that makes it destructive (`--clear`)

    def __repr__(self) -> str:
        return f"Rule({self.path!r})"


RULES: list[Rule] = [
    # pipelines
    Rule("pipeline list", "list show", "pipeline", implied="pipeline", prior=0.3),
    Rule("pipeline show", "show", "pipeline", "pipelines", need="one", prior=-0.2),
    Rule("pipeline create", "create setup", "pipeline", "pipelines", need="one", new=True),
    Rule("pipeline delete", "delete", "pipeline", "pipelines", need="one"),
    Rule("pipeline start", "start rerun", "pipeline run", "pipelines", need="many", prior=0.3),
    Rule("pipeline run", "start", "pipeline", "pipelines", need="one", prior=-1.0),
    Rule("pipeline stop", "stop", "pipeline run", "pipelines", need="many", prior=0.3),
    Rule("pipeline status", "status check", "pipeline", "pipelines", need="opt", prior=0.1),
    Rule("pipeline logs", "logs", "pipeline log", "pipelines", need="one", implied="log", prior=0.2),
    Rule("pipeline runs", "runs", "pipeline run", "pipelines", need="one", implied="run"),
    Rule("pipeline state", "state clear", "state", "pipelines", need="one", implied="state",
         destructive_opt="clear"),
    # data: taps, targets, dbt
    Rule("data taps list", "list show", "tap", implied="tap"),
    Rule("data targets list", "list show", "target", implied="target"),
    Rule("data taps install", "install create", "tap", "taps", need="one"),
    Rule("data targets install", "install create", "target", "targets", need="one"),
    Rule("data taps discover", "discover show", "stream", "taps", need="one", implied="stream"),
    Rule("data dbt run", "start", "dbt", "dbt_projects", need="one"),
    Rule("data dbt test", "test", "dbt", "dbt_projects", need="one"),
    # services
    Rule("service list", "list show", "service", implied="service"),
    Rule("service discover", "discover search", "service"),
    Rule("service add", "create setup", "service", "services", need="one", new=True),
    Rule("service remove", "delete", "service", "services", need="one"),
    Rule("service health", "health check healthcheck", "service", "services", need="opt", prior=0.2),
    Rule("service status", "status", "service"),
    Rule("service logs", "logs", "service log", "services", need="one", implied="log", prior=0.2),
    Rule("service start", "start", "service", "services", need="one"),
    Rule("service stop", "stop", "service", "services", need="one"),
    Rule("service restart", "restart", "service", "services", need="one"),
    # monitoring, logs
    Rule("monitor dashboard", "watch show", "dashboard", implied="dashboard"),
    Rule("monitor metrics", "show", "metric", "services", need="one", implied="metric"),
    Rule("monitor alerts list", "list show", "alert", implied="alert"),
    Rule("monitor performance", "show status", "performance", implied="performance"),
    Rule("logs search", "search", "log error", need="query", implied="error"),
    Rule("logs tail", "logs", "log", "log_sources", need="many", prior=-1.5),
    Rule("logs export", "export", "log"),
    # profiles, secrets, aliases, config, history, audit
    Rule("profile list", "list show", "profile", implied="profile"),
    Rule("profile use", "use set", "profile", "profiles", need="one", prior=0.2),
    Rule("profile create", "create setup", "profile", "profiles", need="one", new=True),
    Rule("profile delete", "delete", "profile", "profiles", need="one"),
    Rule("profile show", "show", "profile", "profiles", need="opt"),
    Rule("secret list", "list show", "secret", implied="secret"),
    Rule("secret set", "set create", "secret", "secrets", need="one", new=True),
    Rule("secret delete", "delete", "secret", "secrets", need="one"),
    Rule("secret where", "where", "secret keyring", prior=-0.5),
    Rule("alias list", "list show", "alias", implied="alias"),
    Rule("alias set", "create set", "alias", "aliases", need="one", new=True),
    Rule("alias delete", "delete", "alias", "aliases", need="one"),
    Rule("config show", "show list", "config", implied="config"),
    Rule("config get", "show", "config", "config_keys", need="one"),
    Rule("config set", "set use", "config", "config_keys", need="one"),
    Rule("config unset", "unset delete clear", "config", "config_keys", need="one"),
    Rule("config path", "where", "config", prior=-0.3),
    Rule("config edit", "edit", "config"),
    Rule("config validate", "validate check", "config"),
    Rule("history", "show list", "history command", implied="history command"),
    Rule("history clear", "clear delete", "history command"),
    Rule("history export", "export", "history command"),
    Rule("audit list", "list show", "audit", implied="audit"),
    Rule("audit export", "export", "audit"),
    # plugins
    Rule("plugin list", "list show", "plugin", implied="plugin"),
    Rule("plugin info", "show", "plugin info", "plugins", need="one"),
    Rule("plugin search", "search", "plugin", need="query"),
    Rule("plugin install", "install create", "plugin", "plugins", need="one", new=True),
    Rule("plugin uninstall", "uninstall delete", "plugin", "plugins", need="one"),
    Rule("plugin enable", "enable", "plugin", "plugins", need="one"),
    Rule("plugin disable", "disable", "plugin", "plugins", need="one"),
    # identity, diagnostics, the rest
    Rule("auth login", "login", "token"),
    Rule("auth logout", "logout", ""),
    Rule("auth status", "authstatus", ""),
    Rule("auth whoami", "whoami", ""),
    Rule("auth token list", "list show", "token", implied="token"),
    Rule("debug check", "diagnose check", "debug", implied="debug", prior=-0.2),
    Rule("debug info", "show", "debug info", implied="info", prior=-0.4),
    Rule("debug connectivity", "check show", "connectivity", implied="connectivity"),
    Rule("debug paths", "show where", "file path", implied="file path", prior=-0.5),
    Rule("version", "show version", "version", implied="version"),
    Rule("help", "help helpme", "", prior=-0.5),
    Rule("serve", "serve", ""),
    Rule("init", "init setup create", "workspace", prior=-0.3),
]
