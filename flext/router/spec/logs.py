"""`flext logs ...`: search, tail and export the logs of pipeline runs and services."""

from flext.router.spec import BOOL, INT, Arg, Hints, Node, Opt

_LEVELS = ("debug", "info", "warning", "error", "critical")
_SINCE = Opt("since", "Only lines newer than this (10m, 2h, or a timestamp)", metavar="WHEN")
_UNTIL = Opt("until", "Only lines older than this (10m, 2h, or a timestamp)", metavar="WHEN")
_SOURCE = Opt("source", "Only this pipeline/service, or this line source (tap, target, stderr...)",
              short="s", repeat=True, completer="log_sources", metavar="S")

NODES = [
    Node(
        "logs", "Search, tail and export logs of pipeline runs and services",
        aliases=("log",),
        children=[
            Node("search", "Find lines whose message contains QUERY (or matches --regex)",
                 args=[Arg("query", "Text to look for")],
                 opts=[_SINCE, _UNTIL,
                       Opt("level", "Only lines at this level or above", choices=_LEVELS, short="l"),
                       _SOURCE,
                       Opt("regex", "QUERY is a regular expression", short="E", type=BOOL),
                       Opt("ignore-case", "Match regardless of case", short="i", type=BOOL),
                       Opt("count", "Print only the number of matching lines", short="c", type=BOOL),
                       Opt("limit", "Stop after N matching lines", type=INT, metavar="N")],
                 examples=["flext logs search timeout --since 1h", "flext logs search 'HTTP 5\\d\\d' --regex --level error",
                           "flext logs search refused --source flexcore -o jsonl"],
                 hints=Hints("search", "log error", alone="error", need="query"),
                 handler="flext.commands.logs:search"),
            Node("tail", "Last lines of several sources merged in time order (-f to follow)",
                 args=[Arg("sources", "Pipelines or services", nargs="+", completer="log_sources")],
                 opts=[Opt("follow", "Keep printing new lines", short="f", type=BOOL),
                       Opt("tail", "Lines per source (default 10)", short="n", type=INT, metavar="N"),
                       Opt("level", "Only lines at this level or above", choices=_LEVELS, short="l")],
                 examples=["flext logs tail orders flexcore", "flext logs tail orders -f"],
                 hints=Hints("logs", "log", prior=-1.5),
                 handler="flext.commands.logs:tail"),
            Node("export", "Write log lines (all sources, time order) as JSONL or CSV",
                 opts=[_SINCE, _UNTIL, _SOURCE,
                       Opt("format", "File format", choices=("jsonl", "csv"), default="jsonl"),
                       Opt("out", "Write to this file instead of stdout", metavar="FILE")],
                 examples=["flext logs export --since 1d --out logs.jsonl", "flext logs export --format csv > logs.csv"],
                 hints=Hints("export", "log"),
                 handler="flext.commands.logs:export"),
        ],
    ),
]
