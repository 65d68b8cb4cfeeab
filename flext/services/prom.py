"""A parser for the Prometheus text exposition format (0.0.4, and OpenMetrics' `# EOF`).

Families come from `# TYPE` (counter, gauge, histogram, summary, untyped; OpenMetrics'
info, stateset, gaugehistogram, unknown) and `# HELP` lines; samples are
`name{label="value",...} value [timestamp]` with `\\\\`, `\\"` and `\\n` escapes in label
values and `\\\\`, `\\n` in help text. Mistakes raise ParseError with the line (and
column) so a broken exporter can be fixed.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

TYPES = ("counter", "gauge", "histogram", "summary", "untyped", "unknown", "info", "stateset", "gaugehistogram")
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
    "summary": ("_sum", "_count", "_created"),
    "info": ("_info",),
}
_NAME_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_:")
_NAME_CHARS = _NAME_START | set("0123456789")
_LABEL_START = _NAME_START - {":"}
_LABEL_CHARS = _LABEL_START | set("0123456789")


class ParseError(ValueError):
    def __init__(self, line: int, message: str, column: int | None = None) -> None:
        where = f"line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")
        self.line = line
        self.column = column
        self.message = message


class Sample:
    __slots__ = ("labels", "line", "name", "timestamp", "value")

    def __init__(self, name: str, labels: dict[str, str], value: float, timestamp: int | None, line: int) -> None:
        self.name = name
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
        self.line = line


class Family:
    __slots__ = ("help", "name", "samples", "type", "typed")

    def __init__(self, name: str, type: str = "untyped", help: str | None = None) -> None:
        self.name = name
        self.type = type
        self.help = help
        self.samples: list[Sample] = []
        self.typed = False  # a TYPE line was seen


def parse_value(text: str) -> float:
    """A sample value: a float, `+Inf`, `-Inf` or `NaN`."""
    low = text.lower()
    if low in ("+inf", "inf"):
        return math.inf
    if low == "-inf":
        return -math.inf
    if low == "nan":
        return math.nan
    if not text or not all(c in "0123456789+-.eExX_abcdefABCDEF" for c in text) or "_" in text:
        raise ValueError(text)
    return float(text)


def _name(text: str, pos: int, chars: set[str], start: set[str]) -> int:
    """End of the name starting at pos (== pos when there is none)."""
    if pos >= len(text) or text[pos] not in start:
        return pos
    end = pos + 1
    while end < len(text) and text[end] in chars:
        end += 1
    return end


def parse_labels(text: str, pos: int, lineno: int) -> tuple[dict[str, str], int]:
    """Labels from `{` at pos; returns (labels, position after `}`)."""
    labels: dict[str, str] = {}
    i = pos + 1
    n = len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == "}":
            return labels, i + 1
        end = _name(text, i, _LABEL_CHARS, _LABEL_START)
        if end == i:
            raise ParseError(lineno, "expected a label name or '}'" if i < n else "unterminated label set", i + 1)
        label = text[i:end]
        i = end
        while i < n and text[i] in " \t":
            i += 1
        if i >= n or text[i] != "=":
            raise ParseError(lineno, f"expected '=' after label {label!r}", i + 1)
        i += 1
        while i < n and text[i] in " \t":
            i += 1
        if i >= n or text[i] != '"':
            raise ParseError(lineno, f"expected '\"' to open the value of label {label!r}", i + 1)
        i += 1
        value: list[str] = []
        while True:
            if i >= n:
                raise ParseError(lineno, f"unterminated value of label {label!r}", i + 1)
            ch = text[i]
            if ch == "\\":
                nxt = text[i + 1] if i + 1 < n else ""
                if nxt == "n":
                    value.append("\n")
                elif nxt in ('"', "\\"):
                    value.append(nxt)
                else:
                    raise ParseError(lineno, f"invalid escape '\\{nxt}' in the value of label {label!r}", i + 1)
                i += 2
                continue
            if ch == '"':
                i += 1
                break
            value.append(ch)
            i += 1
        if label in labels:
            raise ParseError(lineno, f"label {label!r} given twice", end)
        labels[label] = "".join(value)
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == ",":
            i += 1
            continue
        if i < n and text[i] == "}":
            return labels, i + 1
        raise ParseError(lineno, "expected ',' or '}' after a label value", i + 1)


def _unescape_help(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "\\n":
            out.append("\n" if text[i + 1] == "n" else "\\")
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def parse_sample(text: str, lineno: int) -> Sample:
    end = _name(text, 0, _NAME_CHARS, _NAME_START)
    if end == 0:
        raise ParseError(lineno, "expected a metric name", 1)
    name = text[:end]
    labels: dict[str, str] = {}
    i = end
    while i < len(text) and text[i] in " \t" and text[i:].lstrip(" \t")[:1] == "{":
        i += 1
    if i < len(text) and text[i] == "{":
        labels, i = parse_labels(text, i, lineno)
    rest = text[i:]
    if rest and rest[0] not in " \t":
        raise ParseError(lineno, f"unexpected {rest[0]!r} after the metric name", i + 1)
    parts = rest.split()
    if not parts:
        raise ParseError(lineno, f"missing value for {name}", len(text) + 1)
    if len(parts) > 2:
        raise ParseError(lineno, f"unexpected text after the timestamp: {parts[2]!r}", text.find(parts[2], i) + 1)
    try:
        value = parse_value(parts[0])
    except ValueError:
        raise ParseError(lineno, f"invalid value {parts[0]!r}", text.find(parts[0], i) + 1) from None
    stamp = None
    if len(parts) == 2:
        try:
            stamp = int(parts[1])
        except ValueError:
            try:
                stamp = int(float(parts[1]) * 1000)  # OpenMetrics: seconds
            except ValueError:
                raise ParseError(lineno, f"invalid timestamp {parts[1]!r}", text.find(parts[1], i) + 1) from None
    return Sample(name, labels, value, stamp, lineno)


def _family_of(name: str, families: dict[str, Family]) -> Family | None:
    exact = families.get(name)
    if exact is not None and exact.typed:
        return exact
    for suffix in ("_total", "_created", "_bucket", "_sum", "_count", "_gsum", "_gcount", "_info"):
        if name.endswith(suffix):
            family = families.get(name[: -len(suffix)])
            if family is not None and suffix in SUFFIXES.get(family.type, ()):
                return family
    return exact


def parse(text: str) -> list[Family]:
    """Families in the order they first appear; ParseError on the first mistake."""
    families: dict[str, Family] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            parts = line[1:].strip().split(None, 2)
            if parts[:1] == ["EOF"]:
                break
            if len(parts) < 2 or parts[0] not in ("HELP", "TYPE"):
                continue  # an ordinary comment
            keyword, name = parts[0], parts[1]
            if _name(name, 0, _NAME_CHARS, _NAME_START) != len(name):
                raise ParseError(lineno, f"invalid metric name {name!r} in {keyword} line")
            family = families.get(name)
            if keyword == "TYPE":
                kind = parts[2].strip() if len(parts) > 2 else ""
                if kind not in TYPES:
                    raise ParseError(lineno, f"unknown metric type {kind!r} for {name} (expected one of {', '.join(TYPES[:5])})")
                if family is not None and family.samples:
                    raise ParseError(lineno, f"TYPE line for {name} after its samples")
                if family is not None and family.typed:
                    raise ParseError(lineno, f"second TYPE line for {name}")
                if family is None:
                    family = families[name] = Family(name)
                family.type = kind
                family.typed = True
            else:
                if family is not None and family.help is not None:
                    raise ParseError(lineno, f"second HELP line for {name}")
                if family is None:
                    family = families[name] = Family(name)
                family.help = _unescape_help(parts[2]) if len(parts) > 2 else ""
            continue
        sample = parse_sample(line, lineno)
        family = _family_of(sample.name, families)
        if family is None:
            family = families[sample.name] = Family(sample.name)
        _check(family, sample)
        family.samples.append(sample)
    return list(families.values())


def _check(family: Family, sample: Sample) -> None:
    kind = family.type
    if kind in ("histogram", "gaugehistogram") and sample.name.endswith("_bucket"):
        le = sample.labels.get("le")
        if le is None:
            raise ParseError(sample.line, f"histogram bucket {sample.name} without an 'le' label")
        try:
            parse_value(le)
        except ValueError:
            raise ParseError(sample.line, f"histogram bucket {sample.name} has a non-numeric le={le!r}") from None
    if kind == "summary" and sample.name == family.name:
        q = sample.labels.get("quantile")
        if q is None:
            raise ParseError(sample.line, f"summary sample {sample.name} without a 'quantile' label")
        try:
            parse_value(q)
        except ValueError:
            raise ParseError(sample.line, f"summary sample {sample.name} has a non-numeric quantile={q!r}") from None
    if kind == "counter" and sample.value < 0 and not sample.name.endswith("_created"):
        raise ParseError(sample.line, f"counter {sample.name} is negative ({sample.value:g})")


def format_labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    body = ",".join(f'{k}="' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
                    for k, v in labels.items())
    return "{" + body + "}"


def format_value(value: float) -> Any:
    """A JSON-friendly value: integers as int, infinities and NaN as strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def parse_selector(text: str) -> tuple[str, list[tuple[str, str, str]]]:
    """`http_requests_total{code="500",method!="GET"}` -> (name, [(label, op, value)]).

    Raises ParseError whose column points into `text` (line is 1)."""
    stripped = text.strip()
    offset = len(text) - len(text.lstrip())
    end = _name(stripped, 0, _NAME_CHARS, _NAME_START)
    if end == 0:
        raise ParseError(1, "expected a metric name", offset + 1)
    name = stripped[:end]
    matchers: list[tuple[str, str, str]] = []
    i = end
    if i < len(stripped) and stripped[i] == "{":
        body = stripped[i:]
        # turn `!=` into `=` for the label parser, remembering which labels were negated
        negated: list[int] = []
        j = 0
        clean: list[str] = []
        quote = False
        while j < len(body):
            ch = body[j]
            if ch == "\\" and quote:
                clean.append(body[j : j + 2])
                j += 2
                continue
            if ch == '"':
                quote = not quote
            if not quote and ch == "!" and body[j + 1 : j + 2] == "=":
                negated.append(len(matchers) + body[:j].count(","))
                clean.append(" ")  # keep columns aligned
                j += 1
                continue
            clean.append(ch)
            j += 1
        try:
            labels, after = parse_labels("".join(clean), 0, 1)
        except ParseError as exc:
            raise ParseError(1, exc.message, (exc.column or 1) + offset + i) from None
        for index, (label, value) in enumerate(labels.items()):
            matchers.append((label, "!=" if index in negated else "=", value))
        i += after
    rest = stripped[i:]
    if rest.strip():
        at = i + len(rest) - len(rest.lstrip())
        raise ParseError(1, f"unexpected {rest.strip()[:10]!r} after the selector", offset + at + 1)
    return name, matchers


def select(families: list[Family], name: str, matchers: list[tuple[str, str, str]]) -> list[Sample]:
    out: list[Sample] = []
    for family in families:
        for sample in family.samples:
            if sample.name != name:
                continue
            if all((sample.labels.get(k, "") == v) == (op == "=") for k, op, v in matchers):
                out.append(sample)
    return out


__all__ = ["Family", "ParseError", "Sample", "format_labels", "format_value", "parse", "parse_labels",
           "parse_sample", "parse_selector", "parse_value", "select"]
