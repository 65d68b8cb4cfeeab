"""JSONL log files: rotation, tail, and a follower that survives rotation and truncation."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flext.engine.logfile import Follower, Writer, decode, guess_level, rotated, tail_lines


def test_writer_rotates_and_keeps_n_backups(tmp_path: Path) -> None:
    path = str(tmp_path / "svc.jsonl")
    writer = Writer(path, max_bytes=1024, backups=2)
    for n in range(100):
        writer.write({"n": n, "message": "x" * 40})
    writer.close()
    files = rotated(path)
    assert [os.path.basename(f) for f in files] == ["svc.jsonl.2", "svc.jsonl.1", "svc.jsonl"]
    assert all(os.path.getsize(f) <= 1024 for f in files)
    numbers = [json.loads(line)["n"] for f in files for line in Path(f).read_text().splitlines()]
    assert numbers == sorted(numbers) and numbers[-1] == 99  # oldest lost, order kept


@pytest.mark.parametrize(("count", "expected"), [(0, []), (1, [b"c\n"]), (2, [b"b\n", b"c\n"]), (9, [b"a\n", b"b\n", b"c\n"])])
def test_tail_lines(tmp_path: Path, count: int, expected: list[bytes]) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"a\nb\nc\ntorn")
    assert tail_lines(str(path), count) == expected


def test_tail_lines_across_blocks(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"".join(b"line %06d %s\n" % (n, b"y" * 200) for n in range(2000)))
    got = tail_lines(str(path), 700)
    assert len(got) == 700 and got[0].startswith(b"line 001300") and got[-1].startswith(b"line 001999")
    assert tail_lines(str(path), 2, end=len(b"line 000000 " + b"y" * 200 + b"\n") * 3) == [
        b"line 000001 " + b"y" * 200 + b"\n", b"line 000002 " + b"y" * 200 + b"\n"]


def test_follower_rotation_truncation_and_partial_lines(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_bytes(b"before\n")
    f = Follower(str(path))
    assert f.poll() == []
    with path.open("ab") as fh:
        fh.write(b"one\ntw")
    assert f.poll() == [b"one\n"]
    with path.open("ab") as fh:
        fh.write(b"o\n")
    assert f.poll() == [b"two\n"]
    os.rename(path, str(path) + ".1")
    with open(str(path) + ".1", "ab") as fh:
        fh.write(b"late\n")
    assert f.poll() == [b"late\n"]  # renamed away, new file not there yet
    path.write_bytes(b"fresh\n")
    assert f.poll() == [b"fresh\n"]
    path.write_bytes(b"")
    assert f.poll() == []
    path.write_bytes(b"cut and rewritten longer than before\n")
    assert f.poll() == [b"cut and rewritten longer than before\n"]
    f.close()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"ts":"2026-11-27T10:00:00.123Z","level":"WARN","source":"tap","message":"m"}\n',
         {"ts": "2026-11-27T10:00:00.123Z", "level": "warning", "source": "tap", "message": "m", "run_id": None}),
        (b'{"time":"2026-11-27T10:00:00+00:00","levelname":"error","msg":"x"}\n',
         {"ts": "2026-11-27T10:00:00.000Z", "level": "error", "message": "x", "source": None, "run_id": None}),
        (b"plain ERROR text\n", {"ts": None, "level": "error", "source": None, "run_id": None, "message": "plain ERROR text"}),
        (b"{not json\n", {"ts": None, "level": None, "source": None, "run_id": None, "message": "{not json"}),
    ],
)
def test_decode(raw: bytes, expected: dict[str, object]) -> None:
    got = decode(raw)
    assert {k: got.get(k) for k in expected} == expected


@pytest.mark.parametrize(("text", "level"), [("ERROR boom", "error"), ("[warn] x", "warning"), ("INFO: ok", "info"),
                                             ("terror alert", None), ("nothing", None), ("2026 DEBUG x", "debug")])
def test_guess_level(text: str, level: str | None) -> None:
    assert guess_level(text) == level
