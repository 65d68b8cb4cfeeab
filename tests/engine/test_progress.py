"""flext.engine.progress: singer-sdk METRIC lines -> record counts."""

from __future__ import annotations

import pytest

from flext.engine.progress import Counter, parse, record_increment

SDK = '2026-11-27 02:01:04,596 | INFO     | singer_sdk.metrics             | METRIC: '


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (SDK + '{"type":"counter","metric":"record_count","value":1000,"tags":{"stream":"orders","pid":1}}', ("orders", 1000)),
        (SDK + '{"type": "counter", "metric": "record_count", "value": 7, "tags": {"stream": "a b"}}', ("a b", 7)),
        ('METRIC: {"type":"counter","metric":"record_count","value":3}', ("", 3)),
        (SDK + '{"type":"timer","metric":"sync_duration","value":0.5,"tags":{"stream":"orders"}}', None),
        (SDK + '{"type":"counter","metric":"http_request_count","value":2,"tags":{}}', None),
        (SDK + '{"type":"counter","metric":"record_count","value":"12","tags":{}}', None),
        (SDK + '{"type":"counter","metric":"record_count","value":true,"tags":{}}', None),
        (SDK + '{"type":"counter","metric":"record_count",', None),
        ("INFO record_count is not a metric line", None),
        ("", None),
    ],
)
def test_record_increment(line: str, expected: tuple[str, int] | None) -> None:
    assert record_increment(line) == expected


def test_parse_returns_the_point() -> None:
    assert parse(SDK + '{"type":"timer","metric":"sync_duration","value":0.5}') == {
        "type": "timer", "metric": "sync_duration", "value": 0.5}
    assert parse("no metric here") is None


def test_counter_sums_increments_per_stream() -> None:
    counter = Counter()
    lines = [
        SDK + '{"type":"counter","metric":"record_count","value":500,"tags":{"stream":"a"}}',
        SDK + '{"type":"counter","metric":"record_count","value":250,"tags":{"stream":"b"}}',
        "unrelated line",
        SDK + '{"type":"counter","metric":"record_count","value":500,"tags":{"stream":"a"}}',
    ]
    assert [counter.feed(line) for line in lines] == [True, True, False, True]
    assert counter.streams == {"a": 1000, "b": 250}
    assert counter.total == 1250
