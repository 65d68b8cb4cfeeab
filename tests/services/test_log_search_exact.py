"""Log search finds exactly what a line-by-line scan finds, on a corpus of awkward lines.

The reference reads every complete line of every file, decodes it and applies the
filter: no bytes prefilter, no proof from bytes, no seeking. The search under test
reads blocks, looks for the needle, proves matches from the bytes or parses them,
and seeks for --since. Block sizes from tiny (lines longer than a block) to the real one.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import pytest

from flext.engine.logfile import decode
from flext.services import logs
from flext.services.logs import Filter, Source, count, row, search

BASE = 1_800_000_000.0


def iso(t: float) -> str:
    """The engine's timestamp form (`2027-01-15T08:00:00.000Z`)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{round(t * 1000) % 1000:03d}Z"

WORDS = ["retrying", "Retrying", "RETRYING", "café", "CAFÉ", "naïve", "\u212aafka", "Kafka", "İstanbul", "接続エラー",
         "ſtatus", "status", 'say "hi"', "back\\slash", "tab\there", "new\nline", "a, b: c", "emoji 😀",
         "<tag>&", "path/to/x", "r-retrying-1", "T08", "message", "error", "00e9", ""]


def _engine(n: int, message: Any, rng: random.Random, **extra: Any) -> str:
    """A run-log line as the engine writes it (json.dumps defaults), or a service line (compact)."""
    line = {"ts": iso(BASE + n), "level": rng.choice(["debug", "info", "warning", "error"]),
            "source": rng.choice(["tap", "target", "runner"]), "run_id": rng.choice(["r1", "r-retrying-1"]),
            "pipeline": "orders", "message": message, **extra}
    if rng.random() < 0.3:
        return json.dumps(line, ensure_ascii=rng.random() < 0.5, separators=(",", ":"))
    return json.dumps(line, ensure_ascii=rng.random() < 0.5)


def _odd(n: int) -> list[str]:
    """Lines that are not the engine's shape, each a trap for a bytes-only shortcut."""
    ts = iso(BASE + n)
    head = f'{{"ts": "{ts}", '
    return [
        json.dumps({"ts": ts, "retrying": True, "message": "the key holds the term"}),
        json.dumps({"ts": ts, "level": "error", "message": "boom", "note": "retrying"}),
        json.dumps({"ts": ts, "message": "retrying first", "note": "after the message"}),
        json.dumps({"ts": ts, "data": {"message": "retrying nested"}}),
        json.dumps({"ts": ts, "data": {"message": "retrying nested"}, "x": "y"}),
        json.dumps({"ts": ts, "msg": "retrying via msg"}),
        json.dumps({"ts": ts, "event": "retrying via event"}),
        json.dumps({"ts": ts, "message": {"k": "retrying in an object", "n": 1}}),
        json.dumps({"ts": ts, "message": ["retrying", "a, b: c"]}, separators=(",", ":")),
        json.dumps({"ts": ts, "message": 12345}),
        json.dumps({"ts": ts, "message": None, "msg": "retrying under null"}),
        head + '"message": "retrying one", "message": "the last wins"}',
        head + '"message": "\\u00e9t\\u00e9 retrying"}',
        head + '"message": "caf\\u00E9 upper hex"}',
        head + '"message": "path\\/to\\/x escaped slash"}',
        head + '"message": "\\u003ctag\\u003e\\u0026 go style"}',
        head + '"message": "\\nretrying after an escape"}',
        head + '"message": "retrying \\"quoted\\" after"}',
        head + '"message": "back\\\\retrying"}',
        head + '"message": "retrying"}}',
        head + '"message": "retrying"} ',
        "{not json retrying\"}",
        head + '"message": "an unclosed retrying\nretrying"}',  # two plain-text lines, one quote
        'ERROR retrying the connection (plain text)',
        '   ',
        '',
        head + '"MESSAGE": "retrying upper key"}',
        head + '"message": ""}',
        '[1, 2, "retrying"]',
    ]


def _corpus(folder: Path) -> None:
    rng = random.Random(15)
    n = 0
    # a big, time-ordered run log (large enough for --since to seek), engine lines only
    with (folder / "20270101T000000Z-aaaaaa.log").open("w", encoding="utf-8") as fh:
        for _ in range(6000):
            n += 1
            fh.write(_engine(n, f"{n} {rng.choice(WORDS)} {rng.choice(WORDS)}", rng) + "\n")
    # every awkward line, mixed with engine lines
    with (folder / "20270102T000000Z-bbbbbb.log").open("w", encoding="utf-8") as fh:
        for _ in range(4):
            for odd in _odd(n):
                n += 1
                fh.write(odd + "\n")
                fh.write(_engine(n, rng.choice(WORDS) + " " + rng.choice(WORDS), rng) + "\n")
        fh.write(_engine(n + 1, "retrying in a torn last line", rng))  # no newline: being written
    n += 2
    # CRLF line ends
    with (folder / "20270103T000000Z-cccccc.log").open("w", encoding="utf-8", newline="") as fh:
        for _ in range(50):
            n += 1
            fh.write(_engine(n, f"crlf {rng.choice(WORDS)}", rng) + "\r\n")
        fh.write(_odd(n)[2] + "\r\n")
    # lines far longer than a small block, the term at either end
    with (folder / "20270104T000000Z-dddddd.log").open("w", encoding="utf-8") as fh:
        for k in range(6):
            n += 1
            body = "x" * (3000 + 997 * k)
            fh.write(_engine(n, f"retrying {body}" if k % 2 else f"{body} café retrying", rng) + "\n")
    (folder / "20270105T000000Z-eeeeee.log").write_text("")  # empty
    (folder / "20270106T000000Z-ffffff.log").write_text("\n\n  \n")  # blank lines only
    (folder / "20270107T000000Z-gggggg.log").write_text(_engine(n + 1, "retrying, never finished", rng))


def reference(source: Source, flt: Filter) -> list[dict[str, Any]]:
    out = []
    for path in source.files():
        data = Path(path).read_bytes()
        for raw in data[: data.rfind(b"\n") + 1].split(b"\n"):
            if raw.strip():
                line = decode(raw)
                if flt.ok(line):
                    out.append(row(source, line))
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Source:
    folder = tmp_path_factory.mktemp("runs") / "orders"
    folder.mkdir()
    _corpus(folder)
    return Source("orders", "pipeline", folder=str(folder))


QUERIES: list[dict[str, Any]] = [
    {"query": "retrying"},
    {"query": "Retrying"},
    {"query": "RETRYING", "ignore_case": True},
    {"query": "retrying", "ignore_case": True},
    {"query": "café"},
    {"query": "CAFÉ", "ignore_case": True},
    {"query": "é"},
    {"query": "été"},
    {"query": "kafka", "ignore_case": True},
    {"query": "status", "ignore_case": True},
    {"query": "istanbul", "ignore_case": True},
    {"query": 'say "hi"'},
    {"query": "back\\slash"},
    {"query": "back\\retrying"},
    {"query": "nretrying"},
    {"query": "e9t"},
    {"query": "00e9"},
    {"query": "00E9"},
    {"query": "T08"},
    {"query": "message"},
    {"query": "ts"},
    {"query": "error"},
    {"query": "a, b: c"},
    {"query": ": c"},
    {"query": "/to/"},
    {"query": "<tag>&"},
    {"query": "😀"},
    {"query": "接続エラー"},
    {"query": "é retrying"},
    {"query": " "},
    {"query": "\t"},
    {"query": "r-retrying"},
    {"query": "12345"},
    {"query": '"quoted"'},
    {"query": "retrying}"},
    {"query": "x" * 40},
    {"query": "nothing-like-this"},
    {"query": "retry.ng", "regex": True},
    {"query": "retry.ng", "regex": True, "ignore_case": True},
    {"query": "(?i)KAFKA", "regex": True},
    {"query": "status", "regex": True, "ignore_case": True},
    {"query": "^\\d+ retrying", "regex": True},
    {"query": "caf(é|e)", "regex": True},
    {"query": "retrying", "level": "warning"},
    {"query": "retrying", "streams": ["tap"]},
    {"query": "retrying", "since": iso(BASE + 3000)},
    {"query": "retrying", "since": iso(BASE + 5990), "until": iso(BASE + 6030)},
    {"query": "retrying", "until": iso(BASE + 10)},
    {"query": None, "since": iso(BASE + 5999)},
    {"query": None, "level": "error"},
]


@pytest.mark.parametrize(("block", "dense"), [(None, None), (None, 0), (61, None), (4096, 0)])
@pytest.mark.parametrize("kwargs", QUERIES, ids=[repr(q) for q in QUERIES])
def test_search_and_count_equal_a_line_by_line_scan(corpus: Source, kwargs: dict[str, Any], block: int | None,
                                                    dense: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """block: bytes per read (61: most lines span blocks); dense: hits before the regex
    takes over a block's search (0: from the first hit)."""
    if block is not None:
        monkeypatch.setattr(logs, "CHUNK", block)
    if dense is not None:
        monkeypatch.setattr(logs, "DENSE", dense)
    flt = Filter(**kwargs)
    expected = reference(corpus, flt)
    assert list(search([corpus], flt)) == expected
    assert count([corpus], flt) == len(expected)


def test_the_corpus_has_the_traps(corpus: Source) -> None:
    """The reference finds matches and non-matches that a bytes-only count would confuse."""
    found = {r["message"] for r in reference(corpus, Filter("retrying"))}
    assert "retrying via msg" in found and "the last wins" not in found
    assert json.dumps({"k": "retrying in an object", "n": 1}) in found
    assert "the key holds the term" not in found and "boom" not in found and "" not in found
    assert "ERROR retrying the connection (plain text)" in found
    assert any("\r" not in m and m.startswith("crlf") for m in (r["message"] for r in reference(corpus, Filter("crlf"))))
    assert {r["message"] for r in reference(corpus, Filter("café"))} >= {"café upper hex"}
    assert "retrying, never finished" not in {r["message"] for r in reference(corpus, Filter("never"))}


def test_needles_are_safe_bytes() -> None:
    """What the prefilter looks for: the longest run that no encoder escapes."""
    assert (Filter("retrying").needle, Filter("retrying").whole) == (b"retrying", b"retrying")
    assert Filter("connection reset by peer").needle == b"connection reset by peer"
    assert Filter("a, b: c").needle == b"a"  # never `, ` or a leading space: json.dumps adds those
    assert Filter("RETRYING", ignore_case=True).needle == b"retry"  # no i or k: U+0130 and U+212A lower to them
    assert Filter("café").needle is None and Filter("café").spellings  # "caf" is short: spell it all
    assert Filter("naïve retrying").needle == b"ve retrying"  # a long ASCII run beats the spellings
    assert Filter('say "hi"').whole is None
    assert (Filter("é").needle, Filter("é").spellings) == (None, ("é".encode(), b"\\u00e9", b"\\u00E9"))
    assert Filter("😀!").spellings == ("😀!".encode(), b"\\ud83d\\ude00!", b"\\uD83D\\uDE00!")
    assert Filter("été").needle is None and len(Filter("été").spellings) == 3  # better than the needle "t"
    assert Filter("É", ignore_case=True).needle is None and Filter("É", ignore_case=True).spellings == ()
    assert Filter("HTTP 5\\d\\d", regex=True).needle == b"HTTP 5"
    assert Filter("a|retrying", regex=True).needle is None
