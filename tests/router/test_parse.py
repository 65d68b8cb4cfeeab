"""argv -> Invocation: options anywhere, typed values, errors with did-you-mean."""

from __future__ import annotations

import pytest

from flext.core.errors import UsageError
from flext.router.parse import parse
from flext.router.spec import BOOL, DURATION, FLOAT, INT, Arg, Node, Opt


def _tree() -> Node:
    root = Node("flext", "test root")
    root.add(Node("pipeline", "Pipelines", aliases=("pl",), children=[
        Node("start", "Start", handler="m:f", mutating=True,
             args=[Arg("names", "Names", nargs="+")],
             opts=[Opt("all", "All", type=BOOL), Opt("wait", "Wait", short="w", type=BOOL),
                   Opt("timeout", "Timeout", type=DURATION), Opt("retries", "Retries", type=INT, default=0)]),
        Node("logs", "Logs", handler="m:f", args=[Arg("name", "Name")],
             opts=[Opt("tail", "Tail", short="n", type=INT), Opt("follow", "Follow", short="f", type=BOOL),
                   Opt("ratio", "Ratio", type=FLOAT), Opt("level", "Level", choices=("info", "error"))]),
        Node("create", "Create", handler="m:f", args=[Arg("name", "Name")],
             opts=[Opt("select", "Streams", greedy=True), Opt("env", "Env", repeat=True)]),
    ]))
    root.add(Node("service", "Services", children=[
        Node("start", "Start a service", handler="m:f", args=[Arg("name", "Name")]),
        Node("status", "Status", handler="m:f", args=[Arg("names", "Names", nargs="*")]),
    ]))
    root.add(Node("history", "History", handler="m:f", opts=[Opt("limit", "Limit", type=INT, default=50)],
                  children=[Node("clear", "Clear", handler="m:g", destructive=True)]))
    return root


TREE = _tree()


@pytest.mark.parametrize(
    ("argv", "command", "values", "globals_"),
    [
        (["pipeline", "start", "orders"], "pipeline start", {"names": ["orders"], "all": False, "retries": 0}, {}),
        (["pl", "start", "a", "b"], "pipeline start", {"names": ["a", "b"]}, {}),
        (["-o", "json", "pipeline", "start", "a"], "pipeline start", {"names": ["a"]}, {"output": "json"}),
        (["pipeline", "start", "a", "-o", "json"], "pipeline start", {"names": ["a"]}, {"output": "json"}),
        (["pipeline", "start", "a", "--output=yaml"], "pipeline start", {}, {"output": "yaml"}),
        (["pipeline", "start", "a", "-ojson"], "pipeline start", {}, {"output": "json"}),
        (["pipeline", "start", "-yqw", "a"], "pipeline start", {"wait": True}, {"yes": True, "quiet": True}),
        (["pipeline", "start", "a", "--timeout", "1h30m"], "pipeline start", {"timeout": 5400.0}, {}),
        (["pipeline", "start", "a", "--timeout=30s"], "pipeline start", {"timeout": 30.0}, {}),
        (["pipeline", "start", "a", "--retries", "3"], "pipeline start", {"retries": 3}, {}),
        (["pipeline", "start", "--", "-weird-name"], "pipeline start", {"names": ["-weird-name"]}, {}),
        (["pipeline", "logs", "x", "-n", "50", "-f"], "pipeline logs", {"tail": 50, "follow": True}, {}),
        (["pipeline", "logs", "x", "-n50"], "pipeline logs", {"tail": 50}, {}),
        (["pipeline", "logs", "x", "--ratio", "-1.5"], "pipeline logs", {"ratio": -1.5}, {}),
        (["pipeline", "logs", "x", "--level", "error"], "pipeline logs", {"level": "error"}, {}),
        (["pipeline", "create", "x", "--select", "a", "b", "--env", "K=1", "--env", "J=2"], "pipeline create",
         {"select": ["a", "b"], "env": ["K=1", "J=2"]}, {}),
        (["pipeline", "create", "x", "--select", "a,b"], "pipeline create", {"select": ["a", "b"]}, {}),
        (["service", "status"], "service status", {"names": []}, {}),
        (["history"], "history", {"limit": 50}, {}),
        (["history", "--limit", "5"], "history", {"limit": 5}, {}),
        (["history", "clear", "--yes"], "history clear", {}, {"yes": True}),
        (["--profile", "prod", "service", "start", "api"], "service start", {"name": "api"}, {"profile": "prod"}),
    ],
)
def test_parse_ok(argv: list[str], command: str, values: dict[str, object], globals_: dict[str, object]) -> None:
    inv = parse(argv, TREE)
    assert inv.node.command == command
    for key, value in values.items():
        assert inv.values[key] == value
    for key, value in globals_.items():
        assert inv.globals[key] == value


@pytest.mark.parametrize(
    ("argv", "message", "hint"),
    [
        (["pipline", "start", "x"], "unknown command 'pipline'", "did you mean `flext pipeline start x`?"),
        (["start", "orders"], "unknown command 'start'",
         "did you mean one of: `flext pipeline start orders`, `flext service start orders`?"),
        (["pipeline", "strat", "x"], "unknown command 'strat' for `flext pipeline`", "did you mean `flext pipeline start`?"),
        (["pipeline"], "`flext pipeline` needs a command", "one of: start, logs, create; see `flext pipeline --help`"),
        (["pipeline", "start"], "missing argument NAMES", "usage: flext pipeline start NAMES..."),
        (["pipeline", "start", "a", "--wiat"], "unknown option --wiat for `flext pipeline start`", "did you mean `--wait`?"),
        (["pipeline", "start", "a", "-z"], "unknown option -z for `flext pipeline start`", "see `flext pipeline start --help`"),
        (["pipeline", "start", "a", "--timeout", "soon"], "--timeout expects a duration, got 'soon'",
         "durations look like 30s, 10m, 1h, 2d or 1h30m"),
        (["pipeline", "start", "a", "--retries", "x"], "--retries expects a whole number, got 'x'", None),
        (["pipeline", "start", "a", "--retries"], "option --retries needs a value", "pass it as --retries RETRIES"),
        (["pipeline", "logs", "x", "--level", "eror"], "--level must be one of info, error; got 'eror'", "did you mean 'error'?"),
        (["pipeline", "logs", "x", "y"], "unexpected argument 'y' for `flext pipeline logs`", None),
        (["-o", "xml", "history"], "--output must be one of table, json, jsonl, yaml, csv, plain; got 'xml'", None),
        (["history", "--wait"], "unknown option --wait for `flext history`", None),
    ],
)
def test_parse_errors(argv: list[str], message: str, hint: str | None) -> None:
    with pytest.raises(UsageError) as info:
        parse(argv, TREE)
    assert info.value.exit_code == 2
    assert info.value.message == message
    if hint is not None:
        assert (info.value.hint or "").startswith(hint)


def test_help_anywhere_skips_missing_arguments() -> None:
    inv = parse(["pipeline", "start", "--help"], TREE)
    assert inv.help and inv.node.command == "pipeline start"
    inv = parse(["-h", "pipeline"], TREE)
    assert inv.help and inv.node.command == "pipeline"


def test_canonical_uses_long_option_names() -> None:
    inv = parse(["pipeline", "logs", "x", "-n", "50", "-f"], TREE)
    assert inv.canonical() == ["pipeline", "logs", "x", "--tail", "50", "--follow"]
    inv = parse(["pl", "start", "a", "--timeout", "90"], TREE)
    assert inv.canonical() == ["pipeline", "start", "a", "--timeout", "90"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("10m", 600), ("1h", 3600), ("2d", 172800), ("1h30m", 5400), ("500ms", 0.5), ("45", 45), ("1.5h", 5400)],
)
def test_durations(text: str, seconds: float) -> None:
    from flext.core.durations import parse_duration

    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "10x", "-5", "h"])
def test_bad_durations(text: str) -> None:
    from flext.core.durations import parse_duration

    with pytest.raises(ValueError):
        parse_duration(text)
