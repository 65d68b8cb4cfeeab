#!/usr/bin/env python3
"""The conversational parser on phrase corpora: accuracy, safety, and speed.

    python bench/nl.py                       # tests/nl/corpus.tsv and the blind set tests/nl/blind.tsv
    python bench/nl.py --corpus other.tsv    # another corpus (tab separated: phrase, command)
    python bench/nl.py -v                    # also list every miss

A corpus line is `phrase<TAB>command` (`?` when nothing may run); `#! kind: a b c` lines
declare the live names (a corpus without them is read in the world of the default
corpus). Commands are compared as the parser reads them (same command, same values,
same global options), so option order does not matter. Rows whose command is not in
this build's tree are reported as skipped.

Reported per corpus: accuracy; destructive safety (how many phrases that did not ask to
delete, remove, clear or uninstall produced a destructive command: must be 0); how many
`?` phrases ran something (the blind set's include lines naming pipelines, services and
profiles that do not exist: they must run nothing); milliseconds per phrase.

tests/nl/blind.tsv was written before the reader was tuned on it (issue 15): its first
score is in its header and in README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flext.router import nl  # noqa: E402
from flext.router.nl.tokens import tokenize  # noqa: E402
from flext.router.nl.words import DESTRUCTIVE  # noqa: E402
from tests.nl.corpus import BLIND, DEFAULT, applicable, destructive, load, same  # noqa: E402


def asked_to_destroy(phrase: str) -> bool:
    toks, _ = tokenize(phrase)
    return any(t.low in DESTRUCTIVE for t in toks)


def measure(path: Path, verbose: bool) -> bool:
    """Print one corpus's figures; False when a destructive command came from a line that did not ask."""
    corpus = load(path)
    world = nl.World.of(corpus.world)
    rows = [(p, e) for p, e in corpus.rows if applicable(e)]
    skipped = len(corpus.rows) - len(rows)
    hits = 0
    unsafe: list[tuple[str, str]] = []
    ran_unclear: list[tuple[str, str]] = []
    misses: list[tuple[str, str, str | None]] = []
    times: list[float] = []
    for phrase, expected in rows:
        start = time.perf_counter()
        got = nl.read(phrase, world).command
        times.append((time.perf_counter() - start) * 1000)
        if same(got, expected):
            hits += 1
        else:
            misses.append((phrase, expected, got))
        if destructive(got) and not (asked_to_destroy(phrase) and (expected == "?" or destructive(expected))):
            unsafe.append((phrase, str(got)))
        if expected == "?" and got is not None:
            ran_unclear.append((phrase, got))
    total = len(rows)
    asked = sum(1 for p, _ in rows if not asked_to_destroy(p))
    print(f"corpus {path.name}: {total} phrases ({skipped} skipped: command not in this tree)")
    print(f"accuracy {hits}/{total} = {hits / max(total, 1):.1%}")
    print(f"destructive safety: {len(unsafe)} destructive commands from {asked} phrases that did not ask for one "
          f"(goal 0){'' if not unsafe else '  MISSED'}")
    print(f"unclear phrases that ran something: {len(ran_unclear)} of {sum(1 for _, e in rows if e == '?')}")
    print(f"speed: median {statistics.median(times):.2f} ms per phrase, max {max(times):.2f} ms")
    if verbose or unsafe:
        for phrase, expected, got in misses:
            print(f"  miss: {phrase!r}: want {expected!r}, got {got!r}")
        for phrase, got in unsafe:
            print(f"  UNSAFE: {phrase!r} -> {got!r}")
    return not unsafe


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", help="a corpus (repeatable; default: both)")
    parser.add_argument("-v", "--verbose", action="store_true")
    opts = parser.parse_args()
    safe = True
    for number, path in enumerate(opts.corpus or [DEFAULT, BLIND]):
        if number:
            print()
        safe = measure(path, opts.verbose) and safe
    return 0 if safe else 1


if __name__ == "__main__":
    sys.exit(main())
