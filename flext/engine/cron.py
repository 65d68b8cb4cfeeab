"""A small standard-library cron: 5 fields, ranges, steps, lists, names and @macros.

`parse("*/15 9-17 * * mon-fri")` returns a `Cron`; `Cron.next_after(dt)` gives the
next matching minute strictly after `dt` (same tzinfo as `dt`; naive means local).
Day-of-month and day-of-week follow Vixie cron: when both are restricted, a day
matches if either matches. Used by `pipeline create --schedule` to validate and show
the next run, and by `flext serve` to fire schedules.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (name, low, high, names offset by low)
_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS),
)


class CronError(ValueError):
    """An invalid expression; the message names the field and the bad part."""


class Cron:
    __slots__ = ("dom_any", "dow_any", "expr", "fields")

    def __init__(self, expr: str, fields: list[frozenset[int]], dom_any: bool, dow_any: bool) -> None:
        self.expr = expr
        self.fields = fields
        self.dom_any = dom_any
        self.dow_any = dow_any

    def _day_ok(self, dt: datetime) -> bool:
        dom = dt.day in self.fields[2]
        dow = (dt.isoweekday() % 7) in self.fields[4]
        if self.dom_any and self.dow_any:
            return True
        if self.dom_any:
            return dow
        if self.dow_any:
            return dom
        return dom or dow

    def matches(self, dt: datetime) -> bool:
        return (dt.minute in self.fields[0] and dt.hour in self.fields[1]
                and dt.month in self.fields[3] and self._day_ok(dt))

    def next_after(self, dt: datetime) -> datetime:
        """The first matching minute strictly after `dt`."""
        from datetime import timedelta

        t = dt.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = t.year + 9  # Feb 29 on a given weekday recurs within 28 years; 9 is plenty for real schedules
        minutes, hours, months = self.fields[0], self.fields[1], self.fields[3]
        while t.year <= limit:
            if t.month not in months:
                year, month = (t.year + 1, 1) if t.month == 12 else (t.year, t.month + 1)
                t = t.replace(year=year, month=month, day=1, hour=0, minute=0)
                continue
            if not self._day_ok(t):
                t = (t + timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if t.hour not in hours:
                t = (t + timedelta(hours=1)).replace(minute=0)
                continue
            if t.minute not in minutes:
                t += timedelta(minutes=1)
                continue
            return t
        raise CronError(f"{self.expr!r} never matches")

    def __repr__(self) -> str:
        return f"Cron({self.expr!r})"


def parse(expr: str) -> Cron:
    text = " ".join(expr.split()).lower()
    text = MACROS.get(text, text)
    if text.startswith("@"):
        raise CronError(f"unknown macro {expr.strip()!r}; use one of {', '.join(sorted(set(MACROS)))}")
    parts = text.split(" ")
    if len(parts) != 5:
        raise CronError(f"{expr!r} has {len(parts)} field(s); cron needs 5: minute hour day-of-month month day-of-week")
    fields = [_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
    if 7 in fields[4]:
        fields[4] = frozenset((fields[4] - {7}) | {0})
    cron = Cron(expr.strip(), fields, parts[2] == "*", parts[4] == "*")
    return cron


def _value(token: str, name: str, low: int, high: int, names: tuple[str, ...]) -> int:
    if token in names:
        return names.index(token) + (1 if name == "month" else 0)
    if not token.isdigit():
        raise CronError(f"{name}: {token!r} is not a number" + (f" or a name ({names[0]}..{names[-1]})" if names else ""))
    number = int(token)
    if not low <= number <= high:
        raise CronError(f"{name}: {number} is out of range {low}-{high}")
    return number


def _field(part: str, name: str, low: int, high: int, names: tuple[str, ...]) -> frozenset[int]:
    values: set[int] = set()
    for item in part.split(","):
        if not item:
            raise CronError(f"{name}: empty list item in {part!r}")
        base, _, step_text = item.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"{name}: bad step {step_text!r} in {item!r}")
            step = int(step_text)
        if base == "*":
            start, end = low, high if name != "day of week" else 6
        elif "-" in base:
            a, _, b = base.partition("-")
            start, end = _value(a, name, low, high, names), _value(b, name, low, high, names)
            if start > end:
                raise CronError(f"{name}: range {base!r} runs backwards")
        else:
            start = _value(base, name, low, high, names)
            end = high if step_text else start
        values.update(range(start, end + 1, step))
    return frozenset(values)


def next_runs(expr: str, after: datetime | None = None, count: int = 1) -> list[datetime]:
    """The next `count` run times after `after` (default: now, local time)."""
    from datetime import datetime

    cron = parse(expr)
    t = after or datetime.now().astimezone()
    out = []
    for _ in range(count):
        t = cron.next_after(t)
        out.append(t)
    return out


__all__ = ["MACROS", "Cron", "CronError", "next_runs", "parse"]
