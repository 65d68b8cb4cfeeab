"""`flext history ...`"""

from flext.router.spec import BOOL, DURATION, INT, Hints, Node, Opt

NODES = [
    Node(
        "history", "Search the command history (shared by one-shot commands and the shell)",
        opts=[
            Opt("search", "Only lines containing this text", short="s", metavar="Q"),
            Opt("limit", "Show at most N entries, the newest (0: all)", short="n", type=INT, default=50, metavar="N"),
            Opt("failed", "Only commands that failed", type=BOOL),
            Opt("since", "Only commands newer than this (30s, 10m, 1h, 2d)", type=DURATION, metavar="DURATION"),
            Opt("profile-only", "Only commands run with the current profile", type=BOOL),
        ],
        examples=["flext history", "flext history --search pipeline --failed --since 1h"],
        hints=Hints("show list", "history command", alone="history command",
                    opts={"search": "containing matching mentioning with"}),
        handler="flext.commands.history:list_",
        children=[
            Node("clear", "Delete the whole history", examples=["flext history clear --yes"],
                 hints=Hints("clear delete", "history command"),
                 handler="flext.commands.history:clear", destructive=True),
            Node("export", "Write the history to stdout",
                 opts=[Opt("format", "Export format", choices=("jsonl", "csv"), default="jsonl")],
                 examples=["flext history export > history.jsonl", "flext history export --format csv"],
                 hints=Hints("export", "history command"),
                 handler="flext.commands.history:export"),
        ],
    ),
]
