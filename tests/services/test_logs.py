"""Log search: the bytes prefilter finds exactly what a full scan finds; time bounds seek."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from flext.core.clock import iso
from flext.services.logs import Filter, Source, search, tail

BASE = 1_800_000_000.0


def write_log(path: Path, count: int, seed: int = 1) -> list[dict[str, object]]:
    rng = random.Random(seed)
    lines = []
    words = ["connect", "timeout", "refused", "Timeout", "quote\"d", "ünïcode", "orders", "retry"]
    with path.open("w") as fh:
        for n in range(count):
            line = {"ts": iso(BASE + n), "level": rng.choice(["debug", "info", "warning", "error"]),
                    "source": rng.choice(["tap", "target", "runner"]), "run_id": f"r{n // 100}",
                    "message": f"{n} {rng.choice(words)} {rng.choice(words)}"}
            lines.append(line)
            fh.write(json.dumps(line, ensure_ascii=rng.random() < 0.5) + "\n")
        fh.write('{"ts": "torn')  # a line being written
    return lines


@pytest.fixture
def big(tmp_path: Path) -> tuple[Source, list[dict[str, object]]]:
    folder = tmp_path / "runs" / "orders"
    folder.mkdir(parents=True)
    lines = write_log(folder / "20261127T100000Z-aaaaaa.log", 20000)
    return Source("orders", "pipeline", folder=str(folder)), lines


def brute(lines: list[dict[str, object]], flt: Filter) -> list[str]:
    return [str(ln["message"]) for ln in lines if flt.ok(dict(ln))]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"query": "timeout"},
        {"query": "TIMEOUT", "ignore_case": True},
        {"query": "quote\"d"},
        {"query": "ünïcode"},
        {"query": "r17"},  # run ids match too
        {"query": "time.ut", "regex": True},
        {"query": "^1\\d{3} ", "regex": True},
        {"query": "refused", "level": "warning"},
        {"query": None, "level": "error"},
        {"query": "orders", "streams": ["tap"]},
        {"query": "retry", "since": iso(BASE + 5000), "until": iso(BASE + 5999)},
        {"query": None, "since": iso(BASE + 19990)},
        {"query": "nothing-like-this"},
    ],
)
def test_search_matches_a_full_scan(big: tuple[Source, list[dict[str, object]]], kwargs: dict[str, object]) -> None:
    source, lines = big
    flt = Filter(**kwargs)  # type: ignore[arg-type]
    got = [r["message"] for r in search([source], flt)]
    assert got == brute(lines, flt)


def test_since_skips_whole_files(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "a.log").write_text(json.dumps({"ts": iso(BASE), "message": "old"}) + "\n")
    (folder / "b.log").write_text(json.dumps({"ts": iso(BASE + 100), "message": "new"}) + "\n")
    source = Source("p", "pipeline", folder=str(folder))
    assert [r["message"] for r in search([source], Filter(since=iso(BASE + 50)))] == ["new"]
    assert [r["message"] for r in search([source], Filter(until=iso(BASE + 50)))] == ["old"]


def test_sources_merge_in_time_order_and_tail(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(json.dumps({"ts": iso(BASE + n), "message": f"a{n}"}) + "\n" for n in (1, 3, 5)))
    b.write_text("".join(json.dumps({"ts": iso(BASE + n), "message": f"b{n}"}) + "\n" for n in (2, 4, 6)))
    sources = [Source("a", "service", path=str(a)), Source("b", "service", path=str(b))]
    assert [r["message"] for r in search(sources, Filter())] == ["a1", "b2", "a3", "b4", "a5", "b6"]
    assert [(r["source"], r["message"]) for r in tail(sources, 2)] == [("a", "a3"), ("b", "b4"), ("a", "a5"), ("b", "b6")]


def test_tail_reads_into_rotated_files(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    Path(str(path) + ".1").write_text("".join(json.dumps({"ts": iso(BASE + n), "message": f"m{n}"}) + "\n" for n in (1, 2)))
    path.write_text(json.dumps({"ts": iso(BASE + 3), "message": "m3"}) + "\n")
    assert [r["message"] for r in tail([Source("s", "service", path=str(path))], 3)] == ["m1", "m2", "m3"]
