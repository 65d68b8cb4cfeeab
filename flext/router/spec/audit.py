"""`flext audit ...`"""

from flext.router.spec import DURATION, INT, Hints, Node, Opt

_FILTERS = [
    Opt("since", "Only entries newer than this (1h, 2d)", type=DURATION, metavar="DURATION"),
    Opt("user", "Only entries by this user", metavar="USER"),
    Opt("action", "Only this action, e.g. `pipeline start` or a prefix `pipeline`", metavar="ACTION"),
]

NODES = [
    Node(
        "audit", "Who changed what, when",
        children=[
            Node("list", "List audit entries (newest last)",
                 opts=[*_FILTERS, Opt("limit", "At most N entries, the newest (0: all)", short="n", type=INT, default=100, metavar="N")],
                 examples=["flext audit list --since 1d", "flext audit list --action pipeline -o json"],
                 hints=Hints("list show", "audit", alone="audit"),
                 handler="flext.commands.audit:list_", aliases=("ls",)),
            Node("export", "Write audit entries to stdout",
                 opts=[*_FILTERS, Opt("format", "Export format", choices=("jsonl", "csv"), default="jsonl")],
                 examples=["flext audit export > audit.jsonl"],
                 hints=Hints("export", "audit"),
                 handler="flext.commands.audit:export"),
        ],
    ),
]
