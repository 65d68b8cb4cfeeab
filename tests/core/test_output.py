"""The output layer: every format, stable fields, quoting, colour rules."""

from __future__ import annotations

import io
import json

import pytest

from flext.core.io import IO
from flext.core.output import Result, render, to_yaml

ROWS = [
    {"name": "orders", "status": "failed", "records": 1200, "tags": ["a", "b"], "note": None},
    {"name": 'in "quotes", commas', "status": "succeeded", "records": 0, "tags": [], "note": "multi\nline"},
]


def _render(result: Result, fmt: str, *, tty: bool = False, env: dict[str, str] | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    stream = IO(io.StringIO(), out, err, env=env or {"TERM": "xterm"}, stdin_tty=tty, stdout_tty=tty, stderr_tty=tty, width=100)
    render(stream, result, fmt)
    return out.getvalue(), err.getvalue()


def test_json_is_one_document_with_fixed_fields() -> None:
    out, err = _render(Result(ROWS, message="2 pipelines"), "json")
    assert json.loads(out) == ROWS
    assert err == "2 pipelines\n"


def test_jsonl_is_one_object_per_line() -> None:
    out, _ = _render(Result(ROWS), "jsonl")
    lines = out.splitlines()
    assert [json.loads(line) for line in lines] == ROWS


def test_csv_quotes_correctly() -> None:
    out, _ = _render(Result(ROWS, columns=["name", "status", "records", "tags", "note"]), "csv")
    assert out == (
        "name,status,records,tags,note\n"
        'orders,failed,1200,"[""a"",""b""]",\n'
        '"in ""quotes"", commas",succeeded,0,[],"multi\nline"\n'
    )
    import csv

    assert list(csv.DictReader(io.StringIO(out)))[1]["name"] == 'in "quotes", commas'


def test_plain_is_tab_separated_without_header() -> None:
    out, _ = _render(Result(ROWS, columns=["name", "records"]), "plain")
    assert out == "orders\t1200\nin \"quotes\", commas\t0\n"


def test_piped_table_has_no_ansi_and_aligned_columns() -> None:
    out, _ = _render(Result(ROWS, columns=["name", "status", "records"]), "table")
    assert "\x1b[" not in out
    assert out.splitlines() == [
        "NAME                 STATUS     RECORDS",
        "orders               failed     1200",
        'in "quotes", commas  succeeded  0',
    ]


def test_record_renders_as_key_value() -> None:
    out, _ = _render(Result({"name": "orders", "records": 3, "enabled": True}), "table")
    assert out == "name     orders\nrecords  3\nenabled  yes\n"


@pytest.mark.parametrize(
    ("env", "colour"),
    [({"TERM": "xterm"}, True), ({"TERM": "xterm", "NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)],
)
def test_colour_only_on_a_terminal_and_never_with_no_color(env: dict[str, str], colour: bool) -> None:
    out, _ = _render(Result(ROWS, columns=["name", "status"], styles={"status": {"failed": "red"}}), "table", tty=True, env=env)
    assert ("\x1b[" in out) is colour
    assert "orders" in out


def test_terminal_width_is_respected() -> None:
    wide = [{"name": "x" * 300, "status": "ok"}]
    out, _ = _render(Result(wide), "table", tty=True, env={"TERM": "xterm", "NO_COLOR": "1"})
    assert max(len(line) for line in out.splitlines()) <= 100


def test_empty_list_says_so_on_stderr() -> None:
    out, err = _render(Result([]), "table")
    assert out == "" and err == "(no results)\n"
    out, _ = _render(Result([]), "json")
    assert out == "[]\n"
    # a command says what is empty and how to fill it; the table's view keeps it
    out, err = _render(Result([], empty="no runs of orders yet"), "table")
    assert (out, err) == ("", "no runs of orders yet\n")
    out, err = _render(Result([], empty="no history yet", view=([], ["when"])), "table", tty=True)
    assert (out, err) == ("", "no history yet\n")
    out, err = _render(Result([], empty="no history yet"), "csv")
    assert err == ""


def test_yaml_quotes_ambiguous_strings() -> None:
    text = to_yaml({"a": "yes", "b": "1.5", "c": "plain", "d": [1, {"e": None}], "f": "x: y", "g": ""})
    assert text == 'a: "yes"\nb: "1.5"\nc: plain\nd:\n  - 1\n  - e: null\nf: "x: y"\ng: ""\n'


def test_text_result_prints_text_for_table_and_wraps_for_json() -> None:
    out, _ = _render(Result(text="hello"), "table")
    assert out == "hello\n"
    out, _ = _render(Result(text="hello"), "json")
    assert json.loads(out) == {"text": "hello"}


STATUS = [
    {"pipeline": "orders", "status": "failed", "run": "20261127T035129Z-30f016",
     "started_at": "2026-11-27T03:51:29.276Z", "duration_s": 14.1, "records": 1000,
     "error": "tap exited with code 1: the input file data/orders.jsonl has a line that is not JSON"},
    {"pipeline": "customers", "status": "never", "run": None, "started_at": None, "duration_s": None,
     "records": None, "error": None},
]


def _table_at(rows: list[dict[str, object]], width: int, plain: bool = False) -> list[str]:
    from flext.core.output import plain_table

    if plain:
        return plain_table(rows, list(rows[0]), width=width).splitlines()
    out = io.StringIO()
    stream = IO(io.StringIO(), out, io.StringIO(), env={"TERM": "xterm", "NO_COLOR": "1"}, stdin_tty=True,
                stdout_tty=True, stderr_tty=True, width=width)
    render(stream, Result(rows, columns=list(rows[0])), "table")
    return out.getvalue().splitlines()


@pytest.mark.parametrize("plain", [False, True])
def test_at_80_columns_ids_and_timestamps_stay_whole_and_prose_is_cut(plain: bool) -> None:
    lines = _table_at(STATUS, 80, plain)
    assert len(lines) == 3  # one line per row: nothing wraps
    assert "20261127T035129Z-30f016" in lines[1] and "2026-11-27T03:51:29.276Z" in lines[1]
    assert lines[1].rstrip().endswith("…")  # the error message is the one cut short
    assert "tap" in lines[1].split("1000", 1)[1]


def test_prose_columns_give_way_first() -> None:
    rows = [{"name": "flexcore", "url": "http://127.0.0.1:8080", "description": "FlexCore runtime " * 8}]
    lines = _table_at(rows, 80)
    assert [len(line.rstrip()) <= 80 for line in lines] == [True, True]
    assert "http://127.0.0.1:8080" in lines[1] and lines[1].rstrip().endswith("…")


RUN = [{"id": "20261203T130517Z-1596d9", "status": "succeeded", "started_at": "2026-12-03T13:05:17.171Z",
        "duration_s": 5.548, "records": 1000, "cpu_s": 5.44, "peak_rss_mb": 184.7, "trigger": "cli", "attempt": 1,
        "error": None}]
SPARE = ("trigger", "peak_rss_mb", "cpu_s", "attempt")


@pytest.mark.parametrize(("width", "headers"), [
    (140, "ID STATUS STARTED_AT DURATION_S RECORDS CPU_S PEAK_RSS_MB TRIGGER ATTEMPT ERROR"),
    (120, "ID STATUS STARTED_AT DURATION_S RECORDS CPU_S PEAK_RSS_MB TRIGGER ERROR"),    # the attempt goes first
    (110, "ID STATUS STARTED_AT DURATION_S RECORDS PEAK_RSS_MB TRIGGER ERROR"),
    (100, "ID STATUS STARTED_AT DURATION_S RECORDS TRIGGER ERROR"),
    (80, "ID STATUS STARTED_AT DURATION_S RECORDS ERROR"),  # still wider: the ids stay whole, the line wraps
])
def test_a_narrow_terminal_leaves_spare_columns_out(width: int, headers: str) -> None:
    out = io.StringIO()
    stream = IO(io.StringIO(), out, io.StringIO(), env={"TERM": "xterm", "NO_COLOR": "1"}, stdin_tty=True,
                stdout_tty=True, stderr_tty=True, width=width)
    render(stream, Result(RUN, columns=list(RUN[0]), spare=SPARE), "table")
    head, row = out.getvalue().splitlines()
    assert " ".join(head.split()) == headers
    assert "20261203T130517Z-1596d9" in row and "2026-12-03T13:05:17.171Z" in row


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "json"])
def test_pipes_and_other_formats_keep_the_spare_columns(fmt: str) -> None:
    out, _ = _render(Result(RUN, columns=list(RUN[0]), spare=SPARE), fmt, tty=False)  # 100 columns
    assert all(value in out for value in ("5.44", "184.7", "cli")), out
