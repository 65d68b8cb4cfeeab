"""singer-sdk METRIC lines: `... METRIC: {"type": "counter", "metric": "record_count", ...}`.

Counters are increments (the SDK resets a counter each time it logs it), so the
records of a run are the sum of every record_count value the tap printed.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_MARK = "METRIC: "


def parse(line: str) -> dict[str, Any] | None:
    """The metric object of a log line, or None when the line is not a METRIC line."""
    at = line.find(_MARK)
    if at < 0:
        return None
    import json

    try:
        point = json.loads(line[at + len(_MARK) :])
    except ValueError:
        return None
    return point if isinstance(point, dict) and "metric" in point else None


def record_increment(line: str) -> tuple[str, int] | None:
    """(stream, records) when the line is a record_count counter."""
    if "record_count" not in line:
        return None
    point = parse(line)
    if point is None or point.get("metric") != "record_count" or point.get("type", "counter") != "counter":
        return None
    value = point.get("value")
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    raw_tags = point.get("tags")
    tags: dict[str, Any] = raw_tags if isinstance(raw_tags, dict) else {}
    return str(tags.get("stream") or ""), value


class Counter:
    """Records per stream for one run."""

    def __init__(self) -> None:
        self.streams: dict[str, int] = {}

    def feed(self, line: str) -> bool:
        found = record_increment(line)
        if found is None:
            return False
        stream, value = found
        self.streams[stream] = self.streams.get(stream, 0) + value
        return True

    @property
    def total(self) -> int:
        return sum(self.streams.values())


__all__ = ["Counter", "parse", "record_increment"]
