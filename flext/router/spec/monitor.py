"""`flext monitor ...`: metrics, alerts, performance and the live dashboard."""

from flext.router.spec import BOOL, DURATION, FLOAT, INT, Arg, Hints, Node, Opt

NODES = [
    Node(
        "monitor", "Metrics, alerts, performance and a live dashboard",
        aliases=("mon",),
        children=[
            Node("dashboard", "Full-screen live view (q or Ctrl-C quits); one snapshot when not on a terminal",
                 opts=[Opt("interval", "Seconds between refreshes (default 2)", type=FLOAT, metavar="S")],
                 examples=["flext monitor dashboard", "flext monitor dashboard --interval 5"],
                 hints=Hints("watch show", "dashboard", alone="dashboard", implies="follow"),
                 handler="flext.commands.monitor:dashboard", aliases=("dash", "top")),
            Node("metrics", "Read a service's metrics (Prometheus text or JSON) as a table",
                 description="With no SERVICE on a remote profile: the server's own /metrics.",
                 args=[Arg("service", "Service name, or a metrics URL (none: the server's own, on a remote profile)",
                           nargs="?", completer="services")],
                 opts=[Opt("match", "Only metrics whose name contains this", metavar="TEXT"),
                       Opt("timeout", "Timeout in seconds", type=FLOAT, metavar="S")],
                 examples=["flext monitor metrics flexcore", "flext monitor metrics flexcore --match http_ -o json",
                           "flext -p team monitor metrics --match flext_runs"],
                 hints=Hints("show", "metric", alone="metric"),
                 handler="flext.commands.monitor:metrics"),
            Node("alerts", "Alert rules: evaluated on demand here, and by `flext serve`, which notifies",
                 children=[
                     Node("list", "List alert rules with their state (firing, ok, unknown) and the values they read",
                          opts=[Opt("timeout", "Timeout in seconds for the checks rules need", type=FLOAT, metavar="S"),
                                Opt("no-eval", "List the rules without evaluating them", type=BOOL)],
                          examples=["flext monitor alerts list", "flext monitor alerts list -o json"],
                          hints=Hints("list show", "alert", alone="alert"),
                          handler="flext.commands.monitor:alerts_list", aliases=("ls",)),
                     Node("add", "Add an alert rule (rejected with the error position if it does not parse)",
                          args=[Arg("name", "Alert name")],
                          opts=[Opt("when", "The rule, e.g. 'run_duration(orders) > 10m'", metavar="EXPR"),
                                Opt("notify", "Where `flext serve` sends it: an Apprise URL (json://, mailto://, "
                                              "slack://, ...; secrets as secret:NAME)", metavar="URL", repeat=True),
                                Opt("description", "What it means", metavar="TEXT"),
                                Opt("replace", "Overwrite an existing rule", type=BOOL)],
                          description=(
                              "Rules: service_down(S), service_up(S), service_degraded(S), service_latency(S), "
                              "service_crashloop(S), service_restarts(S), "
                              "pipeline_failed(P), pipeline_running(P), run_duration(P), run_records(P), "
                              "metric(S, \"name{label=\\\"v\\\"}\"); numbers with units (500ms, 10m, 2h); "
                              "comparisons < <= > >= == !=; and, or, not, parentheses. `flext serve` evaluates the "
                              "rules every alerts.interval seconds (30) and when a run or a service changes, and "
                              "notifies once when a rule starts firing, once when it resolves, and every "
                              "alerts.repeat (4h) while it fires."),
                          examples=["flext monitor alerts add core-down --when 'service_down(flexcore)'",
                                    "flext monitor alerts add core-down --when 'service_down(flexcore)' "
                                    "--notify json://127.0.0.1:9000/hook --notify 'mailto://ops@example.com' --replace",
                                    "flext monitor alerts add slow-orders --when 'run_duration(orders) > 10m'",
                                    "flext monitor alerts add busy --when 'metric(flexcore, \"http_requests_total\") > 1e6'"],
                          handler="flext.commands.monitor:alerts_add", mutating=True),
                     Node("remove", "Delete an alert rule",
                          args=[Arg("name", "Alert name")],
                          examples=["flext monitor alerts remove core-down --yes"],
                          handler="flext.commands.monitor:alerts_remove", destructive=True, aliases=("rm",)),
                     Node("notify", "Add or remove where an alert rule sends notifications",
                          args=[Arg("name", "Alert name")],
                          opts=[Opt("add", "An Apprise URL to send to (secrets as secret:NAME)", metavar="URL",
                                    repeat=True),
                                Opt("remove", "A URL to stop sending to (as written, or as listed)", metavar="URL",
                                    repeat=True)],
                          examples=["flext monitor alerts notify core-down --add 'slack://secret:slack_token/#ops'",
                                    "flext monitor alerts notify core-down --remove json://127.0.0.1:9000/hook"],
                          handler="flext.commands.monitor:alerts_notify", mutating=True),
                     Node("test", "Send a test notification to each URL of an alert rule now",
                          args=[Arg("name", "Alert name")],
                          description="On a remote profile the server sends it. Exit 1 when a delivery failed.",
                          examples=["flext monitor alerts test core-down"],
                          handler="flext.commands.monitor:alerts_test", mutating=True),
                     Node("history", "Transitions of alert rules and deliveries of their notifications",
                          args=[Arg("name", "Only this alert", nargs="?")],
                          opts=[Opt("limit", "The last N entries (default 50)", type=INT, metavar="N")],
                          examples=["flext monitor alerts history", "flext monitor alerts history core-down -o json"],
                          handler="flext.commands.monitor:alerts_history"),
                 ],
            ),
            Node("performance", "Command latency percentiles (history) and records/second per pipeline run",
                 opts=[Opt("since", "Only the last 1h, 2d, ...", type=DURATION, metavar="DURATION"),
                       Opt("limit", "At most N commands and N runs (default 20)", type=INT, metavar="N")],
                 examples=["flext monitor performance", "flext monitor performance --since 1d -o json"],
                 hints=Hints("show status", "performance", alone="performance"),
                 handler="flext.commands.monitor:performance", aliases=("perf",)),
        ],
    ),
]
