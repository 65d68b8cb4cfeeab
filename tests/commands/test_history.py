"""`flext history`, `history clear`, `history export`: real runs recorded by real processes."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flext.core import history, jsonl

Runner = Callable[..., Any]


def _store(env: dict[str, str]) -> Path:
    return Path(env["FLEXT_DATA_DIR"]) / "history.jsonl"


def _seed(env: dict[str, str], rows: list[dict[str, Any]]) -> None:
    for row in rows:
        jsonl.append(str(_store(env)), {**dict.fromkeys(history.FIELDS), **row})


SEEDED = [
    {"ts": 1700000000.0, "session": "s1", "source": "cli", "cwd": "/w", "profile": "default",
     "line": "config show", "command": "config show", "exit": 0, "duration_ms": 12},
    {"ts": 1700000061.5, "session": "s2", "source": "repl", "cwd": "/w", "profile": "prod",
     "line": "pipeline start orders", "command": "pipeline start", "exit": 1, "duration_ms": 83400},
    {"ts": 1700003600.0, "session": "s2", "source": "repl", "cwd": "/w", "profile": "prod",
     "line": 'data query "a, b" --limit 5', "command": None, "exit": 0, "duration_ms": 1500},
]


def test_real_runs_are_recorded_in_order(flext_proc: Runner, env: dict[str, str]) -> None:
    jsonl.append(str(_store(env)), {"ts": time.time() - 7200, "session": "old", "source": "cli", "cwd": "/",
                                    "profile": "default", "line": "config path", "exit": 0, "duration_ms": 5})
    runs = [
        (("config", "get", "output"), 0),
        (("config", "get", "nope"), 6),
        (("config", "set", "timeout", "30"), 0),
        (("-o", "plain", "config", "get", "timeout"), 0),
        (("config", "get", "no such"), 6),
    ]
    for argv, code in runs:
        assert flext_proc(*argv).code == code

    run = flext_proc("history", "-o", "json")
    assert run.code == 0, run
    entries = run.json()
    assert isinstance(entries, list)
    assert [list(e) for e in entries] == [history.FIELDS] * 6
    assert [(e["line"], e["exit"]) for e in entries] == [
        ("config path", 0),
        ("config get output", 0),
        ("config get nope", 6),
        ("config set timeout 30", 0),
        ("-o plain config get timeout", 0),
        ("config get 'no such'", 6),
    ]
    fresh = entries[1:]
    assert {e["source"] for e in fresh} == {"cli"}
    assert {e["profile"] for e in fresh} == {"default"}
    assert {e["cwd"] for e in fresh} == {os.getcwd()}
    assert len({e["session"] for e in fresh}) == 5  # every one-shot run is its own session
    assert all(isinstance(e["duration_ms"], int) and e["duration_ms"] >= 0 for e in fresh)
    assert [e["ts"] for e in entries] == sorted(e["ts"] for e in entries)
    assert stat.S_IMODE(_store(env).stat().st_mode) == 0o600

    def lines(*argv: str) -> list[str]:
        result = flext_proc("history", "-o", "json", *argv)
        assert result.code == 0, result
        return [e["line"] for e in result.json()]

    assert lines("--failed") == ["config get nope", "config get 'no such'"]
    assert lines("--search", "TIMEOUT") == ["config set timeout 30", "-o plain config get timeout"]
    assert lines("-s", "nope", "--failed") == ["config get nope"]
    assert lines("--since", "1h")[0] == "config get output"
    assert "config path" in lines("--since", "3h")
    assert lines("--search", "config get", "--limit", "2") == ["-o plain config get timeout", "config get 'no such'"]
    assert lines("--search", "zzz") == []
    assert lines("--limit", "2") == ["history -o json --search 'config get' --limit 2", "history -o json --search zzz"]


def test_limit_keeps_the_newest(flext: Runner, env: dict[str, str]) -> None:
    _seed(env, SEEDED)

    def lines(*argv: str) -> list[str]:
        result = flext("history", "-o", "json", *argv, extra_env={"FLEXT_NO_HISTORY": "1"})
        assert result.code == 0, result
        return [e["line"] for e in result.json()]

    assert lines("--limit", "2") == ["pipeline start orders", 'data query "a, b" --limit 5']
    assert lines("-n", "1") == ['data query "a, b" --limit 5']
    assert lines("--limit", "0") == [r["line"] for r in SEEDED]
    assert lines("--profile-only") == ["config show"]
    assert lines("-p", "prod", "--profile-only", "--failed") == ["pipeline start orders"]


def test_no_history_records_nothing(flext_proc: Runner, env: dict[str, str]) -> None:
    for argv in (("config", "get", "output"), ("config", "set", "timeout", "5"), ("history",)):
        assert flext_proc(*argv, extra_env={"FLEXT_NO_HISTORY": "1"}).code == 0
    assert not _store(env).exists()
    assert (Path(env["FLEXT_STATE_DIR"]) / "audit.jsonl").exists()  # the audit log is not optional


def test_disabled_in_config(flext_proc: Runner, env: dict[str, str]) -> None:
    assert flext_proc("config", "set", "history.enabled", "false").code == 0
    assert flext_proc("config", "get", "output").code == 0
    assert [e["line"] for e in jsonl.read(str(_store(env)))] == []


def test_scope_profile_filters_by_default(flext: Runner, env: dict[str, str]) -> None:
    _seed(env, SEEDED)
    assert flext("config", "set", "history.scope", "profile").code == 0
    run = flext("-p", "default", "history", "-o", "json")
    assert [e["line"] for e in run.json()] == ["config show", "config set history.scope profile"]


def test_table_output(flext_proc: Runner, env: dict[str, str]) -> None:
    _seed(env, SEEDED)
    run = flext_proc("history", extra_env={"TZ": "UTC", "FLEXT_NO_HISTORY": "1"})
    assert (run.code, run.err) == (0, "")
    assert run.out == (
        "WHEN                 EXIT  DURATION  LINE\n"
        "2023-11-14 22:13:20  0     12ms      config show\n"
        "2023-11-14 22:14:21  1     1m23s     pipeline start orders\n"
        '2023-11-14 23:13:20  0     1.5s      data query "a, b" --limit 5\n'
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("history", "export"), "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in SEEDED)),
        (("history", "export", "--format", "jsonl", "-o", "json"),
         "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in SEEDED)),
        (("history", "export", "--format", "csv"),
         "ts,session,source,cwd,profile,line,command,exit,duration_ms\n"
         "1700000000.0,s1,cli,/w,default,config show,config show,0,12\n"
         "1700000061.5,s2,repl,/w,prod,pipeline start orders,pipeline start,1,83400\n"
         '1700003600.0,s2,repl,/w,prod,"data query ""a, b"" --limit 5",,0,1500\n'),
        (("history", "-o", "csv", "--limit", "1"),
         "ts,session,source,cwd,profile,line,command,exit,duration_ms\n"
         '1700003600.0,s2,repl,/w,prod,"data query ""a, b"" --limit 5",,0,1500\n'),
    ],
)
def test_export(flext: Runner, env: dict[str, str], argv: tuple[str, ...], expected: str) -> None:
    _seed(env, SEEDED)
    run = flext(*argv, extra_env={"FLEXT_NO_HISTORY": "1"})
    assert (run.code, run.out, run.err) == (0, expected, "")


def test_export_empty(flext: Runner, env: dict[str, str]) -> None:
    run = flext("history", "export", extra_env={"FLEXT_NO_HISTORY": "1"})
    assert (run.code, run.out, run.err) == (0, "", "(no history)\n")
    run = flext("history", "export", "--format", "csv", extra_env={"FLEXT_NO_HISTORY": "1"})
    assert (run.code, run.out) == (0, "ts,session,source,cwd,profile,line,command,exit,duration_ms\n")


def test_clear_needs_confirmation(flext_proc: Runner, env: dict[str, str]) -> None:
    _seed(env, SEEDED)
    run = flext_proc("history", "clear")
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "error: Delete the whole history (3 entries): confirmation needed and no terminal to ask on\n"
        "hint: pass --yes to confirm\n"
    )
    assert len(list(jsonl.read(str(_store(env))))) == 4  # kept, plus the refused `history clear`
    run = flext_proc("history", "clear", "--yes")
    assert (run.code, run.err) == (0, "✓ deleted 4 history entries\n")
    assert run.out == f"cleared  4\npath     {_store(env)}\n"
    assert list(jsonl.read(str(_store(env)))) == []  # the clear itself is not recorded
    assert flext_proc("history", "-o", "json").json() == []


@pytest.mark.parametrize(("answer", "code", "left"), [("y\n", 0, 0), ("yes\n", 0, 0), ("n\n", 1, 4), ("\n", 1, 4)])
def test_clear_asks_on_a_terminal(flext: Runner, env: dict[str, str], answer: str, code: int, left: int) -> None:
    _seed(env, SEEDED)
    run = flext("history", "clear", stdin=answer, tty=True, extra_env={"NO_COLOR": "1"})
    assert run.code == code, run
    question = "Delete the whole history (3 entries)? [y/N] "
    done = "error: cancelled; the history was kept\n" if code else "✓ deleted 3 history entries\n"
    assert run.err == question + done
    assert len(list(jsonl.read(str(_store(env))))) == left


def test_bad_limit(flext: Runner, env: dict[str, str]) -> None:
    run = flext("history", "--limit", "-1")
    assert (run.code, run.out) == (2, "")
    assert run.err == "error: --limit must be 0 or more, got -1\nhint: --limit 0 shows every entry\n"
