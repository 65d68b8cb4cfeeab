"""What kind of thing belongs at the cursor (a pure function of text and tree)."""

from __future__ import annotations

import pytest

from flext.repl.analyze import COMMAND, FREE, NONE, OPTION, VALUE, analyze
from flext.router.spec import tree

ALIASES = {"st": "pipeline status", "lg": "pipeline logs"}


@pytest.mark.parametrize(("text", "kind", "node", "opt", "arg"), [
    ("", COMMAND, "", None, None),
    ("pipe", COMMAND, "", None, None),
    ("pipeline st", COMMAND, "pipeline", None, None),
    ("pipeline start ", VALUE, "pipeline start", None, "name"),
    ("pipeline start orders ", VALUE, "pipeline start", None, "name"),
    ("pipeline logs orders --t", OPTION, "pipeline logs", None, None),
    ("pipeline logs orders --tail ", VALUE, "pipeline logs", "tail", None),
    ("pipeline logs orders --tail=", VALUE, "pipeline logs", "tail", None),
    ("pipeline list --status f", VALUE, "pipeline list", "status", None),
    ("-o ", VALUE, "", "output", None),
    ("-p staging pipeline ", COMMAND, "pipeline", None, None),
    ("history -n 5 ", COMMAND, "history", None, None),
    ("config get ", VALUE, "config get", None, "key"),
    ("lg ", VALUE, "pipeline logs", None, "name"),
    ("start the orders", FREE, "", None, None),
    ("pipeline bogus ", NONE, "pipeline", None, None),
    ("use profile ", VALUE, "profile", None, "name"),
])
def test_analyze(text: str, kind: str, node: str, opt: str | None, arg: str | None) -> None:
    want = analyze(text, tree(), ALIASES)
    assert want.kind == kind
    assert want.node.command == node
    assert (want.opt.name if want.opt else None) == opt
    assert (want.arg.name if want.arg else None) == arg


def test_required_arguments_are_known() -> None:
    want = analyze("pipeline create ", tree())
    assert [a.name for a in want.missing_required] == ["name"]
    assert analyze("pipeline create x ", tree()).missing_required == []


def test_used_options_are_noted() -> None:
    want = analyze("pipeline logs orders -f --tail 5 --", tree())
    assert {"follow", "tail"} <= want.used
