"""`flext audit list/export`: entries written by real mutating commands, and the filters."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flext.core import audit, jsonl

Runner = Callable[..., Any]


def _store(env: dict[str, str]) -> Path:
    return Path(env["FLEXT_STATE_DIR"]) / "audit.jsonl"


SEEDED = [
    {"ts": 1700000000.0, "user": "ana", "action": "pipeline start", "target": "orders", "result": "ok", "exit": 0,
     "profile": "prod", "source": "cli", "session": "s1", "correlation_id": "c1"},
    {"ts": 1700000100.0, "user": "bob", "action": "pipeline stop", "target": "orders", "result": "failed", "exit": 7,
     "profile": "prod", "source": "repl", "session": "s2", "correlation_id": "c2"},
    {"ts": 1700000200.0, "user": "ana", "action": "pipelines-x go", "target": None, "result": "ok", "exit": 0,
     "profile": "default", "source": "cli", "session": "s3", "correlation_id": "c3"},
    {"ts": 1700000300.0, "user": "bob", "action": "config set", "target": "output, with \"quotes\"", "result": "ok",
     "exit": 0, "profile": "default", "source": "cli", "session": "s4", "correlation_id": "c4"},
]


def _seed(env: dict[str, str], rows: list[dict[str, Any]] = SEEDED) -> None:
    for row in rows:
        jsonl.append(str(_store(env)), row)


def test_config_set_is_audited(flext_proc: Runner, env: dict[str, str]) -> None:
    run = flext_proc("config", "set", "output", "json")
    assert run.code == 0, run
    assert flext_proc("config", "get", "output").code == 0  # not mutating: not audited
    assert flext_proc("config", "set", "nope", "1").code == 2  # refused changes are audited too
    run = flext_proc("audit", "list")  # output is json now
    assert run.code == 0, run
    entries = run.json()
    assert [list(e) for e in entries] == [audit.FIELDS, audit.FIELDS]
    ok, refused = entries
    assert ok["user"] == audit.os_user()
    assert (ok["action"], ok["target"], ok["result"], ok["exit"]) == ("config set", "output", "ok", 0)
    assert (ok["profile"], ok["source"]) == ("default", "cli")
    assert isinstance(ok["correlation_id"], str) and len(ok["correlation_id"]) == 16
    assert abs(ok["ts"] - time.time()) < 3600
    assert (refused["action"], refused["target"], refused["result"], refused["exit"]) == ("config set", "nope", "failed", 2)
    assert ok["correlation_id"] != refused["correlation_id"]


@pytest.mark.parametrize(
    ("argv", "ids"),
    [
        ((), ["c1", "c2", "c3", "c4", "c5"]),
        (("--action", "pipeline"), ["c1", "c2"]),  # a prefix by whole words
        (("--action", "pipeline start"), ["c1"]),
        (("--action", "pipe"), []),
        (("--action", "pipelines-x"), ["c3"]),
        (("--action", "  config   set "), ["c4", "c5"]),
        (("--user", "ana"), ["c1", "c3"]),
        (("--user", "bob", "--action", "pipeline"), ["c2"]),
        (("--user", "nobody"), []),
        (("--limit", "2"), ["c4", "c5"]),
        (("-n", "1", "--user", "ana"), ["c3"]),
        (("--limit", "0"), ["c1", "c2", "c3", "c4", "c5"]),
        (("--since", "1h"), ["c5"]),
        (("--since", "1h", "--action", "pipeline"), []),
    ],
)
def test_list_filters(flext: Runner, env: dict[str, str], argv: tuple[str, ...], ids: list[str]) -> None:
    _seed(env)
    _seed(env, [{**SEEDED[3], "ts": time.time() - 60, "correlation_id": "c5"}])
    run = flext("audit", "list", "-o", "json", *argv)
    assert run.code == 0, run
    assert [e["correlation_id"] for e in run.json()] == ids


def test_table(flext_proc: Runner, env: dict[str, str]) -> None:
    _seed(env)
    run = flext_proc("audit", "list", "--action", "pipeline", extra_env={"TZ": "UTC"})
    assert (run.code, run.err) == (0, "")
    assert run.out == (
        "WHEN                 USER  ACTION          TARGET  RESULT  PROFILE\n"
        "2023-11-14 22:13:20  ana   pipeline start  orders  ok      prod\n"
        "2023-11-14 22:15:00  bob   pipeline stop   orders  failed  prod\n"
    )


def test_export(flext: Runner, env: dict[str, str]) -> None:
    _seed(env)
    run = flext("audit", "export")
    assert (run.code, run.err) == (0, "")
    assert run.out.splitlines() == [jsonl.encode(r).decode().rstrip("\n") for r in SEEDED]
    run = flext("audit", "export", "--format", "csv", "--user", "bob")
    assert (run.code, run.err) == (0, "")
    assert run.out == (
        "ts,user,action,target,result,exit,profile,source,session,correlation_id\n"
        "1700000100.0,bob,pipeline stop,orders,failed,7,prod,repl,s2,c2\n"
        '1700000300.0,bob,config set,"output, with ""quotes""",ok,0,default,cli,s4,c4\n'
    )
    run = flext("audit", "export", "--action", "nothing")
    assert (run.code, run.out, run.err) == (0, "", "(no audit entries)\n")


def test_no_history_does_not_stop_the_audit(flext: Runner, env: dict[str, str]) -> None:
    run = flext("config", "set", "timeout", "5", extra_env={"FLEXT_NO_HISTORY": "1"})
    assert run.code == 0
    assert [e["action"] for e in jsonl.read(str(_store(env)))] == ["config set"]
