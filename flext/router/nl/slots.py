"""Option values hidden in free text: counts, time ranges, statuses, formats, flags.

`last 50 lines` -> tail 50, `in the last hour` -> since 1h, `failed` -> status failed,
`as json` -> -o json, `from scratch` -> full refresh, `called X` -> the name X.
Which option a slot becomes is decided later, by the command chosen (`--tail` for
logs, `--limit` for runs), so this module knows nothing about commands.
"""

from __future__ import annotations

from flext.router.nl import words as W
from flext.router.nl.words import _set

TYPE_CHECKING = False
if TYPE_CHECKING:
    from flext.router.nl.tok import Tok

__all__ = ["Slots", "extract"]

_LINES = _set("line lines entries entry messages message rows row records record logs log")
_RUNS = _set("run runs executions execution attempts attempt")
_ITEMS = _set("commands command items item results result events event alerts alert changes")
_RECENT = _set("last latest first top recent previous past newest most")
_SINCE_LEAD = _set("last past previous recent within over since")


class Slots:
    """What the text says besides the command and its names."""

    __slots__ = (
        "all",
        "count",
        "count_unit",
        "dry_run",
        "duration",
        "follow",
        "force",
        "foreground",
        "format",
        "full_refresh",
        "installed",
        "name",
        "quoted",
        "since",
        "status",
        "timeout",
        "url",
        "wait",
    )

    def __init__(self) -> None:
        self.since: str | None = None
        self.duration: str | None = None  # a bare `10m` not tied to a time range
        self.timeout: str | None = None
        self.count: int | None = None
        self.count_unit: str | None = None  # lines | runs | items | None (unsaid)
        self.status: str | None = None
        self.format: str | None = None
        self.follow = False
        self.wait = False
        self.full_refresh = False
        self.all = False
        self.force = False
        self.dry_run = False
        self.installed = False
        self.foreground = False
        self.url: str | None = None
        self.name: str | None = None  # `called X`, `named X`
        self.quoted: list[str] = []

    def copy(self) -> Slots:
        """A shallow copy (every rule scores on its own copy; `copy.copy` is slower here)."""
        new = Slots.__new__(Slots)
        for key in Slots.__slots__:
            setattr(new, key, getattr(self, key))
        return new

    def present(self) -> list[str]:
        """The slots that were filled (for scoring: a slot the command cannot take costs)."""
        out = []
        for key in ("since", "count", "status", "follow", "wait", "full_refresh", "force", "dry_run",
                    "installed", "foreground", "timeout"):
            value = getattr(self, key)
            if value not in (None, False):
                out.append(key)
        return out


def _duration_token(low: str) -> str | None:
    """`10m`, `1h30m`, `90s` -> itself when it is a duration."""
    if not low or not low[0].isdigit():
        return None
    i = 0
    ok = False
    while i < len(low):
        j = i
        while j < len(low) and low[j].isdigit():
            j += 1
        k = j
        while k < len(low) and low[k].isalpha():
            k += 1
        if j == i or low[j:k] not in ("s", "m", "h", "d", "w", "ms"):
            return None
        ok = True
        i = k
    return low if ok else None


def _number_at(toks: list[Tok], i: int) -> tuple[int | None, int]:
    """(number, tokens it spans) at i: `50`, `fifty`, `a`, `a couple of`, `a few`."""
    if i >= len(toks) or not toks[i].word:
        return None, 0
    t = toks[i]
    if t.number is not None:
        return t.number, 1
    if t.low in ("a", "an", "one", "single"):
        if i + 2 < len(toks) and toks[i + 1].low in ("couple", "few") and toks[i + 2].low == "of":
            return (2 if toks[i + 1].low == "couple" else 3), 3
        if i + 1 < len(toks) and toks[i + 1].low in ("couple", "few"):
            return (2 if toks[i + 1].low == "couple" else 3), 2
        return 1, 1
    return None, 0


def _unit_at(toks: list[Tok], i: int) -> str | None:
    if i < len(toks) and toks[i].word:
        return W.TIME_UNITS.get(toks[i].low)
    return None


def _use(toks: list[Tok], start: int, end: int) -> None:
    for k in range(start, min(end, len(toks))):
        toks[k].used = True


def _time(toks: list[Tok], slots: Slots) -> None:
    n = len(toks)
    for i, t in enumerate(toks):
        if t.used or not t.word:
            continue
        low = t.low
        compact = _duration_token(low)
        if compact:
            lead = i > 0 and toks[i - 1].low in _SINCE_LEAD | {"in", "for", "from"}
            if (i > 0 and toks[i - 1].low == "timeout") or (i + 1 < n and toks[i + 1].low == "timeout"):
                slots.timeout = compact
            elif lead or (i + 1 < n and toks[i + 1].low == "ago"):
                slots.since = compact
            else:
                slots.duration = compact
            _use(toks, i, i + 2 if i + 1 < n and toks[i + 1].low == "ago" else i + 1)
            continue
        if low in ("today", "tonight"):
            slots.since, t.used = "1d", True
            continue
        if low == "yesterday":
            slots.since, t.used = "1d", True
            continue
        if low == "half" and i + 2 < n and toks[i + 1].low in ("an", "a") and _unit_at(toks, i + 2) == "h":
            slots.since = "30m"
            _use(toks, i, i + 3)
            continue
        if low == "half" and _unit_at(toks, i + 1) == "h":
            slots.since = "30m"
            _use(toks, i, i + 2)
            continue
        if low == "this" and _unit_at(toks, i + 1) in ("d", "w"):
            slots.since = "1" + (_unit_at(toks, i + 1) or "d")
            _use(toks, i, i + 2)
            continue
        if low in ("month", "months") and i > 0 and toks[i - 1].low in ("last", "past", "this"):
            slots.since = "30d"
            _use(toks, i - 1, i + 1)
            continue
        number, span = _number_at(toks, i)
        if number is not None:
            unit = _unit_at(toks, i + span)
            if unit is None:
                continue
            before = toks[i - 1].low if i > 0 else ""
            after = toks[i + span + 1].low if i + span + 1 < n else ""
            text = f"{number}{unit}"
            if before == "timeout" or after == "timeout" or (i > 1 and toks[i - 2].low == "timeout"):
                slots.timeout = text
            elif before in _SINCE_LEAD or after == "ago" or before in ("in", "for", "from", "during"):
                slots.since = text
            else:
                slots.duration = text
            _use(toks, i, i + span + 1 + (1 if after == "ago" else 0))
            if before in _SINCE_LEAD:
                toks[i - 1].used = True
            continue
        if low in _SINCE_LEAD and _unit_at(toks, i + 1):  # `last hour`, `past day`
            slots.since = "1" + (_unit_at(toks, i + 1) or "h")
            _use(toks, i, i + 2)


def _counts(toks: list[Tok], slots: Slots) -> None:
    n = len(toks)
    for i, t in enumerate(toks):
        if t.used or not t.word:
            continue
        if t.number is None or t.low in ("a", "an"):
            continue
        j = i + 1
        while j < n and toks[j].low in _RECENT:  # `10 most recent runs`, `5 latest lines`
            j += 1
        after = toks[j].low if j < n else ""
        after2 = toks[j + 1].low if j + 1 < n else ""
        before = toks[i - 1].low if i > 0 else ""
        unit: str | None = None
        span = j - i
        if after in _LINES or (after in ("log", "logs") and after2 in ("lines", "entries")):
            unit, span = "lines", span + 1 + (1 if after2 in ("lines", "entries") and after in ("log", "logs") else 0)
        elif after in _RUNS:
            unit, span = "runs", span + 1
        elif after in _ITEMS:
            unit, span = "items", span + 1
        elif before in _RECENT or before in ("tail", "-n", "limit"):
            unit = "lines" if before == "tail" else None
        else:
            continue
        slots.count = t.number
        slots.count_unit = unit
        t.used = True
        if unit is not None:
            _use(toks, i + 1, i + span)
        if before in _RECENT | {"tail", "-n", "limit"}:
            toks[i - 1].used = before != "tail"
    # `the last run`: one run
    if slots.count is None:
        for i, t in enumerate(toks[:-1]):
            if t.low in ("last", "latest", "previous", "most") and toks[i + 1].low == "run":
                slots.count, slots.count_unit = 1, "runs"


def _flags(toks: list[Tok], slots: Slots) -> None:
    n = len(toks)
    for i, t in enumerate(toks):
        if not t.word:
            if t.raw and "://" in t.text and slots.url is None:
                slots.url, t.used = t.text, True
            if t.quoted:
                slots.quoted.append(t.text)
            continue
        low = t.low
        if t.status and not t.used:
            slots.status = t.status
            t.used = True
        elif low == "neverrun":
            slots.status, t.used = "never", True
        elif t.format:
            slots.format, t.used = t.format, True
            if i + 1 < n and toks[i + 1].low in ("format", "output"):
                toks[i + 1].used = True
        elif low in ("as", "in") and i + 1 < n:
            k = i + 1 + (1 if toks[i + 1].low in ("a", "the") else 0)
            if k < n and toks[k].low in ("table", "plain", "tsv", "text"):
                slots.format = "table" if toks[k].low == "table" else "plain"
                _use(toks, i, k + 1 + (1 if k + 1 < n and toks[k + 1].low in ("text", "format") else 0))
        elif low in ("follow", "-f", "watch", "monitor", "tailing"):
            slots.follow = True
            t.used = low in ("follow", "-f", "tailing")
        elif low in ("wait", "waiting"):
            slots.wait, t.used = True, True
        elif low == "fullrefresh":
            slots.full_refresh, t.used = True, True
        elif low in ("all", "everything", "every", "each", "everybody"):
            slots.all, t.used = True, True
        elif low in ("force", "forcefully", "forced", "forcibly", "hard", "-9"):
            slots.force, t.used = True, True
        elif low == "dryrun":
            slots.dry_run, t.used = True, True
        elif low == "installed":
            slots.installed, t.used = True, True
        elif low == "foreground":
            slots.foreground, t.used = True, True
        elif low in ("called", "named", "name", "titled") and i + 1 < n and slots.name is None:
            nxt = toks[i + 1]
            if nxt.unknown or nxt.quoted or not nxt.stop:
                slots.name = nxt.text
                t.used = nxt.used = True


def extract(toks: list[Tok]) -> Slots:
    slots = Slots()
    _time(toks, slots)
    _counts(toks, slots)
    _flags(toks, slots)
    return slots
