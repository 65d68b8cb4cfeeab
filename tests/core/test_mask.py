"""flext.core.mask: the one masking function (every spelling, overlaps, linear time).

Timing is never asserted in-process: the adversarial cases run in a subprocess under a
generous timeout (the old code needed minutes for some of them), and bench/redact.py
prints the ratios.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, quote_plus

import pytest

from flext.core import mask
from flext.core.mask import MASK, Masker

ROOT = Path(__file__).resolve().parents[2]
VALUE = 'p@ss "wo/rd"\\x&y'


@pytest.fixture
def masker() -> Iterator[Masker]:
    fresh = Masker()
    old = mask.swap_default(fresh)
    yield fresh
    mask.swap_default(old)


@pytest.mark.parametrize("spelled", [
    VALUE,
    json.dumps(VALUE)[1:-1],  # JSON-escaped: \" and \\
    json.dumps(VALUE).replace("/", "\\/")[1:-1],  # JSON with an escaped solidus
    json.dumps(json.dumps(VALUE)[1:-1])[1:-1],  # a JSON document inside a JSON string
    shlex.quote(VALUE),
    repr(VALUE)[1:-1],
    quote(VALUE, safe=""),
    quote(VALUE),
    quote_plus(VALUE),
    quote(VALUE, safe="").lower(),  # lower-case percent escapes
])
def test_every_spelling_is_masked(masker: Masker, spelled: str) -> None:
    masker.remember(VALUE)
    assert mask.mask(f"before {spelled} after") == f"before {MASK} after"


def test_non_ascii_values_are_masked_escaped_or_not(masker: Masker) -> None:
    masker.remember("sénha-forte")
    for text in ("sénha-forte", json.dumps("sénha-forte")[1:-1], quote("sénha-forte")):
        assert mask.mask(f"[{text}]") == f"[{MASK}]"


def test_overlapping_values_are_masked_as_their_union(masker: Masker) -> None:
    masker.update(["abcdef", "defghi"])
    assert mask.mask("x abcdefghi y") == f"x {MASK} y"  # no "ghi" left behind
    assert mask.mask("abcdefabcdef") == MASK  # adjacent occurrences: one mask
    assert mask.mask("abcde defgh") == "abcde defgh"


def test_short_values_and_non_text_are_not_masked(masker: Masker) -> None:
    assert masker.remember("abc") is False
    assert masker.remember(None) is False
    assert masker.known() is False
    assert mask.mask("abc") == "abc"


def test_a_multi_line_value_masks_each_substantial_line(masker: Masker) -> None:
    masker.remember("-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END KEY-----")
    assert mask.mask("log: MIIEvQIBADANBgkqhkiG9w0B") == f"log: {MASK}"


def test_tree_masks_keys_and_values(masker: Masker) -> None:
    masker.remember("hunter22")
    assert mask.mask_tree({"a": ["x hunter22", 1, None], "hunter22": {"b": "hunter22"}}) == {
        "a": [f"x {MASK}", 1, None], MASK: {"b": MASK}}


def test_references_and_learn(masker: Masker) -> None:
    doc = {"pipelines": {"a": {"tap_config": {"password": "secret:db", "x": ["secret:api", "secret:"]}}},
           "services": {"s": {"env": {"K": "secret:db"}}}, "other": "not secret:x"}
    assert mask.references(doc) == {"db", "api"}

    from flext.core.errors import ConfigError, NotFound

    class Store:
        calls: ClassVar[list[str]] = []

        def __init__(self, broken: bool = False) -> None:
            self.broken = broken

        def get(self, name: str) -> str:
            self.calls.append(name)
            if self.broken:
                raise ConfigError("no usable keyring backend")
            if name == "api":
                raise NotFound(name)
            return f"value-of-{name}"

    assert mask.learn(Store(), mask.references(doc)) == ["api"]
    assert masker.values() == ["value-of-db"]
    Store.calls.clear()
    assert mask.learn(Store(broken=True), ["c", "a", "b"]) == ["a", "b", "c"]
    assert Store.calls == ["a"]  # no keyring: one try, not one per name


def _in_subprocess(code: str, timeout: float = 30.0) -> str:
    """Run `code` in a fresh interpreter (a hang fails the test instead of the suite)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=timeout)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


ADVERSARIAL = r'''
import sys
from flext.core import mask
secrets = ["a" * 63 + "b", "ab" * 40 + "c", 'q"u\\o/te' * 8, "0123456789abcdef" * 4]
secrets += [f"tok-{i:04d}-" + "x" * 24 for i in range(60)]  # many values: many alternatives
for s in secrets:
    mask.remember(s)
n = 100_000
texts = ["a" * n, "ab" * (n // 2), ("a" * 63 + "c") * (n // 64), ('q"u\\o/te' * 7 + "!") * (n // 65),
         "tok-0001-" * (n // 9), "%" * n, "\\" * n, secrets[0] * (n // 64)]
for text in texts:
    out = mask.mask(text)
    assert len(out) <= len(text)
print("masked", len(texts))
'''


def test_masking_is_linear_on_adversarial_input() -> None:
    assert _in_subprocess(ADVERSARIAL).strip() == "masked 8"


HISTORY = r'''
import io, os
from flext.core import history
from flext.core.context import Context
from flext.core.io import IO
from flext.core.secrets import remember
env = dict(os.environ)
ctx = Context(IO(io.StringIO(), io.StringIO(), io.StringIO(), env=env, stdin_tty=False, stdout_tty=False,
                 stderr_tty=False), env=env)
remember("hunter22-value")
n = 100_000
for word in ["a" * n, "a:" * (n // 2), "a://b:" + "c" * n, "a://" * (n // 4), "x" * n + "://", "-" * n,
             "PASSWORD=" + "p" * n, "--token=" + "t" * n, ("hunter22-valu" * (n // 13))]:
    history.record(ctx, ["config", "get", word], 2, 1)
print(sum(1 for _ in history.entries(ctx)))
'''


def test_history_of_a_100k_character_argument_is_linear(env: dict[str, str]) -> None:
    """Issue 11 item 8: a 100,000-character argument hung history for about two minutes."""
    assert _in_subprocess(HISTORY).strip() == "9"


def _reference(values: list[str], text: str) -> str:
    """Brute force: mark every character covered by any occurrence of any spelling."""
    covered = [False] * len(text)
    words = set()
    for value in values:
        words |= mask.spellings(value)
    for word in words:
        start = text.find(word)
        while start >= 0:
            covered[start:start + len(word)] = [True] * len(word)
            start = text.find(word, start + 1)
    out, i = [], 0
    while i < len(text):
        if covered[i]:
            while i < len(text) and covered[i]:
                i += 1
            out.append(MASK)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@pytest.mark.parametrize("seed", range(40))
def test_masking_equals_a_brute_force_reference(seed: int) -> None:
    import random

    rng = random.Random(seed)
    alphabet = 'ab"\\/ %c'
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(4, 9))) for _ in range(rng.randint(1, 6))]
    masker = Masker(values)
    for _ in range(30):
        text = "".join(rng.choice(alphabet + "xy") for _ in range(rng.randint(0, 80)))
        assert masker(text) == _reference(values, text), (values, text)


def test_a_deep_trie_falls_back_to_the_flat_alternation() -> None:
    values = ["z" * n for n in range(4, 600)]  # an end at every depth: too many nested groups for one pattern
    masker = Masker(values)
    assert masker("a " + "z" * 700 + " b") == f"a {MASK} b"
