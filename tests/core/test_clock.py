"""Timestamps: one canonical UTC form, reached exactly from any ISO-8601 spelling."""

from __future__ import annotations

import pytest

from flext.core.clock import iso, new_run_id, normalise, parse_iso, to_epoch


@pytest.mark.parametrize(("given", "canonical"), [
    ("2026-11-27T10:00:00.123Z", "2026-11-27T10:00:00.123Z"),            # already canonical
    ("2026-12-03T10:08:25.247811Z", "2026-12-03T10:08:25.247Z"),         # Airflow: microseconds, cut not rounded
    ("2026-11-27T10:00:00.123456789+01:00", "2026-11-27T09:00:00.123Z"),  # Go: nanoseconds and a zone
    ("2026-11-27T10:00:00.001+00:00", "2026-11-27T10:00:00.001Z"),       # a float would give .000
    ("2026-11-27T10:00:00", "2026-11-27T10:00:00.000Z"),                 # no zone is UTC
    ("2026-11-27 10:00:00.5z", "2026-11-27T10:00:00.500Z"),
    ("2026-11-28T00:30:00-01:00", "2026-11-28T01:30:00.000Z"),
    ("yesterday", "yesterday"),                                          # not a time: kept as is
    ("", ""),
])
def test_normalise(given: str, canonical: str) -> None:
    assert normalise(given) == canonical


@pytest.mark.parametrize(("given", "epoch"), [
    ("1970-01-01T00:00:01Z", 1.0),
    ("1970-01-01T01:00:01+01:00", 1.0),
    ("1970-01-01T00:00:01", 1.0),
    ("not a time", None),
])
def test_to_epoch(given: str, epoch: float | None) -> None:
    assert to_epoch(given) == epoch


def test_iso_and_parse_iso_round_trip_to_the_millisecond() -> None:
    assert iso(1764237600.25) == "2025-11-27T10:00:00.250Z"
    assert parse_iso("2025-11-27T10:00:00.250Z") == 1764237600.25
    with pytest.raises(ValueError, match="bad timestamp 'x'"):
        parse_iso("x")


def test_run_ids_sort_by_start_time_within_a_second() -> None:
    ids = [new_run_id(1764237600 + ms / 1000) for ms in (5, 40, 300, 999)]
    assert ids == sorted(ids)
    assert ids[0].startswith("20251127T100000Z-005")
