"""flext.engine.cron: fields, ranges, steps, lists, names, macros, next run."""

from __future__ import annotations

from datetime import datetime

import pytest

from flext.engine.cron import CronError, next_runs, parse

BASE = datetime(2026, 11, 27, 10, 7)  # a Friday


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("* * * * *", datetime(2026, 11, 27, 10, 8)),
        ("0 * * * *", datetime(2026, 11, 27, 11, 0)),
        ("@hourly", datetime(2026, 11, 27, 11, 0)),
        ("@daily", datetime(2026, 11, 28, 0, 0)),
        ("@midnight", datetime(2026, 11, 28, 0, 0)),
        ("@weekly", datetime(2026, 11, 29, 0, 0)),
        ("@monthly", datetime(2026, 12, 1, 0, 0)),
        ("@yearly", datetime(2027, 1, 1, 0, 0)),
        ("@annually", datetime(2027, 1, 1, 0, 0)),
        ("*/15 * * * *", datetime(2026, 11, 27, 10, 15)),
        ("5,35 * * * *", datetime(2026, 11, 27, 10, 35)),
        ("0 9-17/4 * * *", datetime(2026, 11, 27, 13, 0)),
        ("30 8 * * mon-fri", datetime(2026, 11, 30, 8, 30)),
        ("0 0 * * SUN", datetime(2026, 11, 29, 0, 0)),
        ("0 0 * * 7", datetime(2026, 11, 29, 0, 0)),
        ("0 0 1 jan *", datetime(2027, 1, 1, 0, 0)),
        ("0 12 29 feb *", datetime(2028, 2, 29, 12, 0)),
        ("0 0 13 * fri", datetime(2026, 12, 4, 0, 0)),
        ("7 10 27 11 *", datetime(2027, 11, 27, 10, 7)),
        ("0-10/5 10 * * *", datetime(2026, 11, 27, 10, 10)),
        ("10/20 * * * *", datetime(2026, 11, 27, 10, 10)),
    ],
)
def test_next_run(expr: str, expected: datetime) -> None:
    assert next_runs(expr, BASE)[0] == expected


def test_several_runs_in_order() -> None:
    assert next_runs("0 */6 * * *", BASE, 3) == [
        datetime(2026, 11, 27, 12, 0), datetime(2026, 11, 27, 18, 0), datetime(2026, 11, 28, 0, 0)]


def test_day_of_month_or_day_of_week_when_both_set() -> None:
    cron = parse("0 0 13 * fri")
    assert cron.matches(datetime(2026, 11, 13, 0, 0))  # the 13th (a Friday too)
    assert cron.matches(datetime(2026, 12, 4, 0, 0))  # a Friday
    assert cron.matches(datetime(2027, 1, 13, 0, 0))  # a Wednesday the 13th
    assert not cron.matches(datetime(2026, 12, 5, 0, 0))


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("* * * *", "has 4 field(s); cron needs 5"),
        ("* * * * * *", "has 6 field(s)"),
        ("60 * * * *", "minute: 60 is out of range 0-59"),
        ("* 24 * * *", "hour: 24 is out of range 0-23"),
        ("* * 0 * *", "day of month: 0 is out of range 1-31"),
        ("* * * 13 *", "month: 13 is out of range 1-12"),
        ("* * * * 8", "day of week: 8 is out of range 0-7"),
        ("*/0 * * * *", "minute: bad step '0'"),
        ("5-1 * * * *", "minute: range '5-1' runs backwards"),
        ("* * * foo *", "month: 'foo' is not a number or a name (jan..dec)"),
        ("1,,2 * * * *", "minute: empty list item"),
        ("@often", "unknown macro '@often'"),
    ],
)
def test_invalid(expr: str, message: str) -> None:
    with pytest.raises(CronError) as info:
        parse(expr)
    assert message in str(info.value)


def test_never_matching_date_is_an_error() -> None:
    with pytest.raises(CronError, match="never matches"):
        next_runs("0 0 31 feb *", BASE)
