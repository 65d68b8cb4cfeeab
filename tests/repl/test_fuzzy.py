"""Typo-tolerant ranking of many names."""

from __future__ import annotations

import pytest

from flext.repl.fuzzy import NameIndex


def ranked(names: list[str], typed: str, limit: int = 100) -> list[str]:
    index = NameIndex(names)
    return [index.names[i] for i in index.rank(typed, limit)]


def test_prefix_then_substring_then_subsequence_then_typo() -> None:
    names = ["my-orders", "orders", "odd-rose-dust", "ordres", "zebra"]
    assert ranked(names, "orders") == ["orders", "my-orders", "ordres"]
    assert ranked(names, "ord") == ["orders", "ordres", "my-orders", "odd-rose-dust"]


@pytest.mark.parametrize(("typed", "expected"), [
    ("ordrs", "orders"), ("odrers", "orders"), ("cusotmers", "customers"), ("ORDERS", "orders"),
    ("invioces", "invoices"),
])
def test_typos_find_the_name(typed: str, expected: str) -> None:
    assert ranked(["orders", "customers", "invoices", "web-events"], typed)[0] == expected


def test_typos_in_a_big_list_use_the_index() -> None:
    names = [f"pipeline-{i:05d}" for i in range(5000)] + ["customers"]
    index = NameIndex(names)
    index.warm()
    assert [index.names[i] for i in index.rank("cusotmers", 5)] == ["customers"]


def test_limit_and_empty_prefix_keep_source_order() -> None:
    names = [f"n{i}" for i in range(500)]
    assert ranked(names, "", 3) == ["n0", "n1", "n2"]
    assert len(ranked(names, "n", 50)) == 50


def test_descriptions_travel_with_names() -> None:
    index = NameIndex([("orders", "tap-jsonl -> target-jsonl"), "plain"])
    assert index.meta == ("tap-jsonl -> target-jsonl", "")
