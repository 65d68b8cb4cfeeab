"""The Prometheus text format parser: table-driven, good input and every error with its line."""

from __future__ import annotations

import math

import pytest

from flext.services import prom


def flat(text: str) -> list[tuple[str, str, str, dict[str, str], float, int | None]]:
    return [(f.name, f.type, s.name, s.labels, s.value, s.timestamp) for f in prom.parse(text) for s in f.samples]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("up 1\n", [("up", "untyped", "up", {}, 1.0, None)]),
        ("# TYPE c counter\nc_total 5\nc_created 1.7e9\n",
         [("c", "counter", "c_total", {}, 5.0, None), ("c", "counter", "c_created", {}, 1.7e9, None)]),
        ("# TYPE http_requests_total counter\nhttp_requests_total{code=\"500\",method=\"get\"} 3 1395066363000\n",
         [("http_requests_total", "counter", "http_requests_total", {"code": "500", "method": "get"}, 3.0, 1395066363000)]),
        ("# TYPE g gauge\ng -1.5\n", [("g", "gauge", "g", {}, -1.5, None)]),
        ('m{path="C:\\\\DIR",err="say \\"hi\\"\\nbye"} 1\n', [("m", "untyped", "m", {"path": "C:\\DIR", "err": 'say "hi"\nbye'}, 1.0, None)]),
        ("m{a=\"1\",} 2\n", [("m", "untyped", "m", {"a": "1"}, 2.0, None)]),  # trailing comma is allowed
        ("m { a = \"1\" } 2\n", [("m", "untyped", "m", {"a": "1"}, 2.0, None)]),
        ("# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 0.7\nh_count 2\n",
         [("h", "histogram", "h_bucket", {"le": "0.5"}, 1.0, None), ("h", "histogram", "h_bucket", {"le": "+Inf"}, 2.0, None),
          ("h", "histogram", "h_sum", {}, 0.7, None), ("h", "histogram", "h_count", {}, 2.0, None)]),
        ("# TYPE s summary\ns{quantile=\"0.99\"} 3\ns_sum 10\ns_count 4\n",
         [("s", "summary", "s", {"quantile": "0.99"}, 3.0, None), ("s", "summary", "s_sum", {}, 10.0, None),
          ("s", "summary", "s_count", {}, 4.0, None)]),
        ("# just a comment\n\n  \nup 1\n# EOF\nignored after eof\n", [("up", "untyped", "up", {}, 1.0, None)]),
        ("x:rate5m 2\n", [("x:rate5m", "untyped", "x:rate5m", {}, 2.0, None)]),
    ],
)
def test_parses(text: str, expected: list[object]) -> None:
    assert flat(text) == expected


@pytest.mark.parametrize(("raw", "value"), [("+Inf", math.inf), ("-Inf", -math.inf), ("1e3", 1000.0), ("0.25", 0.25)])
def test_special_values(raw: str, value: float) -> None:
    assert prom.parse(f"m {raw}\n")[0].samples[0].value == value


def test_nan() -> None:
    assert math.isnan(prom.parse("m NaN\n")[0].samples[0].value)


def test_help_unescapes_and_keeps_type() -> None:
    family = prom.parse("# HELP m A \\\\ backslash\\nand a newline\n# TYPE m gauge\nm 1\n")[0]
    assert (family.help, family.type) == ("A \\ backslash\nand a newline", "gauge")


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("up 1\n{a=\"1\"} 2\n", 2, 1, "expected a metric name"),
        ("up\n", 1, 3, "missing value for up"),
        ("up one\n", 1, 4, "invalid value 'one'"),
        ("up 1 2 3\n", 1, 8, "unexpected text after the timestamp: '3'"),
        ("up 1 soon\n", 1, 6, "invalid timestamp 'soon'"),
        ("m{a=1} 2\n", 1, 5, "expected '\"' to open the value of label 'a'"),
        ("m{a\"1\"} 2\n", 1, 4, "expected '=' after label 'a'"),
        ("m{a=\"1\" b=\"2\"} 2\n", 1, 9, "expected ',' or '}' after a label value"),
        ("m{a=\"x\\q\"} 2\n", 1, 7, "invalid escape '\\q' in the value of label 'a'"),
        ("m{a=\"open} 2\n", 1, 13, "unterminated value of label 'a'"),
        ("m{a=\"1\",a=\"2\"} 2\n", 1, 9, "label 'a' given twice"),
        ("m{1a=\"1\"} 2\n", 1, 3, "expected a label name or '}'"),
        ("m} 2\n", 1, 2, "unexpected '}' after the metric name"),
        ("# TYPE m gauge\n# TYPE m counter\nm 1\n", 2, None, "second TYPE line for m"),
        ("m 1\n# TYPE m gauge\n", 2, None, "TYPE line for m after its samples"),
        ("# TYPE m meter\n", 1, None, "unknown metric type 'meter' for m"),
        ("# HELP m a\n# HELP m b\n", 2, None, "second HELP line for m"),
        ("# TYPE h histogram\nh_bucket 1\n", 2, None, "histogram bucket h_bucket without an 'le' label"),
        ("# TYPE h histogram\nh_bucket{le=\"big\"} 1\n", 2, None, "non-numeric le='big'"),
        ("# TYPE s summary\ns 1\n", 2, None, "summary sample s without a 'quantile' label"),
        ("# TYPE c counter\nc_total -1\n", 2, None, "counter c_total is negative (-1)"),
        ("# TYPE 9m gauge\n", 1, None, "invalid metric name '9m' in TYPE line"),
    ],
)
def test_errors_name_the_line(text: str, line: int, column: int | None, message: str) -> None:
    with pytest.raises(prom.ParseError) as info:
        prom.parse(text)
    assert info.value.line == line
    assert info.value.column == column
    assert message in info.value.message
    assert str(info.value).startswith(f"line {line}")


@pytest.mark.parametrize(
    ("selector", "name", "matchers"),
    [
        ("up", "up", []),
        ('http_requests_total{code="500"}', "http_requests_total", [("code", "=", "500")]),
        ('m{a="1", b!="2"}', "m", [("a", "=", "1"), ("b", "!=", "2")]),
        ('m{a="x\\"y"}', "m", [("a", "=", 'x"y')]),
    ],
)
def test_selectors(selector: str, name: str, matchers: list[tuple[str, str, str]]) -> None:
    assert prom.parse_selector(selector) == (name, matchers)


@pytest.mark.parametrize(("selector", "column"), [("", 1), ("m{a}", 4), ("m x", 3), ('m{a="1"', 8)])
def test_selector_errors_have_columns(selector: str, column: int) -> None:
    with pytest.raises(prom.ParseError) as info:
        prom.parse_selector(selector)
    assert info.value.column == column


def test_select_sums_matching_samples() -> None:
    families = prom.parse('r{code="500",m="get"} 2\nr{code="500",m="post"} 3\nr{code="200",m="get"} 9\n')
    assert [s.value for s in prom.select(families, "r", [("code", "=", "500")])] == [2.0, 3.0]
    assert [s.value for s in prom.select(families, "r", [("code", "!=", "500")])] == [9.0]


@pytest.mark.parametrize(("labels", "text"), [({}, ""), ({"a": "1"}, '{a="1"}'), ({"p": 'C:\\x"\n'}, '{p="C:\\\\x\\"\\n"}')])
def test_format_labels_escapes(labels: dict[str, str], text: str) -> None:
    assert prom.format_labels(labels) == text
    if labels:
        assert prom.parse(f"m{text} 1\n")[0].samples[0].labels == labels


def test_real_client_output_round_trips() -> None:
    prometheus_client = pytest.importorskip("prometheus_client")
    registry = prometheus_client.CollectorRegistry()
    counter = prometheus_client.Counter("jobs", "Jobs done", ["kind"], registry=registry)
    counter.labels(kind='odd "one"\\').inc(3)
    hist = prometheus_client.Histogram("lat", "Latency", buckets=(0.1, 1.0), registry=registry)
    hist.observe(0.5)
    summary = prometheus_client.Summary("size", "Sizes", registry=registry)
    summary.observe(7)
    prometheus_client.Gauge("temp", "Temp", registry=registry).set(21.5)
    families = {f.name: f for f in prom.parse(prometheus_client.generate_latest(registry).decode())}
    assert families["jobs_total"].type == "counter"  # the 0.0.4 text format names the family with _total
    assert [(s.name, s.labels, s.value) for s in families["jobs_total"].samples] == [
        ("jobs_total", {"kind": 'odd "one"\\'}, 3.0)]
    assert families["lat"].type == "histogram"
    assert [(s.labels["le"], s.value) for s in families["lat"].samples if s.name == "lat_bucket"] == [
        ("0.1", 0.0), ("1.0", 1.0), ("+Inf", 1.0)]
    assert families["size"].type == "summary"
    assert [s.value for s in families["size"].samples if s.name == "size_sum"] == [7.0]
    assert families["temp"].samples[0].value == 21.5
