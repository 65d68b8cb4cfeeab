"""The alert rule language: parse trees, error positions, three-valued evaluation."""

from __future__ import annotations

import pytest

from flext.core.errors import UsageError
from flext.services import alerts
from flext.services.evaluate import Facts, Unknown, value


@pytest.mark.parametrize(
    ("rule", "tree"),
    [
        ("service_down(flexcore)", "call:service_down(str:'flexcore')"),
        ("pipeline_failed(orders)", "call:pipeline_failed(str:'orders')"),
        ("run_duration(orders) > 10m", "cmp:>(call:run_duration(str:'orders'), num:600.0)"),
        ('metric(flexcore, "http_requests_total{code=\\"500\\"}") > 10',
         "cmp:>(call:metric(str:'flexcore', str:'http_requests_total{code=\"500\"}'), num:10.0)"),
        ("service_down(flext-api) or service_down(flexcore)",
         "or:or(call:service_down(str:'flext-api'), call:service_down(str:'flexcore'))"),
        ("service_down(a) and not pipeline_running(b)",
         "and:and(call:service_down(str:'a'), not:not(call:pipeline_running(str:'b')))"),
        ("(service_down(a) or service_down(b)) and run_records(c) < 1e3",
         "and:and(or:or(call:service_down(str:'a'), call:service_down(str:'b')), cmp:<(call:run_records(str:'c'), num:1000.0))"),
        ("service_latency(a) >= 500ms", "cmp:>=(call:service_latency(str:'a'), num:0.5)"),
        ("service_up(a) == false", "cmp:==(call:service_up(str:'a'), bool:False)"),
        ("service_down(a) && !service_up(b) || true",
         "or:or(and:and(call:service_down(str:'a'), not:not(call:service_up(str:'b'))), bool:True)"),
        ("run_duration('my pipe') > 1h30m",
         "cmp:>(call:run_duration(str:'my pipe'), num:5400.0)"),
    ],
)
def test_parse_trees(rule: str, tree: str) -> None:
    assert repr(alerts.parse(rule)) == tree


@pytest.mark.parametrize(
    ("rule", "column", "message"),
    [
        ("", 1, "empty rule"),
        ("service_down(flexcore", 22, "expected ',' or ')' in the call of service_down, found the end of the rule"),
        ("run_duration(orders) >> 10m", 23, "expected a value, found '>'"),
        ("run_duration(orders) > ", 24, "expected a value, found the end of the rule"),
        ("service_down(a) > 3", 17, "cannot compare a condition with a number"),
        ("run_duration(a) and service_down(b)", 1, "'and' needs a condition, not a number"),
        ("foo(a)", 1, "unknown function 'foo'"),
        ("service_dwn(a)", 1, "unknown function 'service_dwn' (did you mean service_down?)"),
        ("service_down(a, b)", 1, "service_down takes 1 argument (service), got 2"),
        ("metric(a) > 1", 1, "metric takes 2 arguments (service, selector), got 1"),
        ('metric(a, "x{y=}") > 1', 16, "bad metric selector: expected '\"' to open the value of label 'y'"),
        ("run_duration(orders)", 21, "a rule must be a condition"),
        ("run_duration(o) > 10q", 21, "unknown unit 'q'"),
        ("service_down(a) = true", 17, "'=' is not an operator (use '==')"),
        ("service_down(a) $", 17, "unexpected character '$'"),
        ('service_down("a)', 14, "unterminated string"),
        ("service_down a", 14, "expected '(' after 'service_down'"),
        ("1 < 2 < 3", 7, "comparisons cannot be chained"),
        ("service_down(a) service_down(b)", 17, "unexpected 'service_down'"),
        ("service_down(a) > true", 17, "'>' needs numbers, not true/false"),
        ("(service_down(a)", 17, "expected ')', found the end of the rule"),
        ("service_down(10)", 14, "expected a name or a string as argument of service_down, found number 10"),
    ],
)
def test_errors_have_positions(rule: str, column: int, message: str) -> None:
    with pytest.raises(alerts.RuleError) as info:
        alerts.parse(rule)
    assert info.value.column == column
    assert info.value.message.startswith(message)


def test_check_is_a_usage_error_with_column_and_excerpt() -> None:
    with pytest.raises(UsageError) as info:
        alerts.check("slow", "run_duration(orders) >> 10m")
    assert info.value.message == ("alert rule 'slow' does not parse: expected a value, found '>' at column 23 "
                                  "(near '> 10m')")
    assert info.value.hint is not None and "service_down(flexcore)" in info.value.hint


def test_references() -> None:
    node = alerts.parse('service_down(a) or metric(b, "up") < 1 and not pipeline_failed(c)')
    assert alerts.references(node) == [("service_down", ["a"]), ("metric", ["b", "up"]), ("pipeline_failed", ["c"])]


def _facts() -> Facts:
    facts = Facts()
    facts.health = {"up": {"status": "up", "latency_ms": 20.0}, "dead": {"status": "down", "latency_ms": None, "detail": "connection refused"}}
    facts.runs = {"ok": {"status": "succeeded", "duration_s": 30.0, "records": 100},
                  "bad": {"status": "failed", "duration_s": 900.0, "records": 5}}
    from flext.services import prom

    facts.metrics = {"up": prom.parse('req{code="500"} 4\nreq{code="500",m="x"} 8\nreq{code="200"} 1\n'),
                     "dead": "dead metrics: connection refused"}
    return facts


@pytest.mark.parametrize(
    ("rule", "result"),
    [
        ("service_down(dead)", True),
        ("service_down(up)", False),
        ("service_up(up) and service_latency(up) < 100ms", True),
        ("pipeline_failed(bad)", True),
        ("pipeline_failed(ok)", False),
        ("pipeline_failed(never)", False),
        ("run_duration(bad) > 10m", True),
        ("run_duration(ok) > 10m", False),
        ("run_records(ok) >= 100", True),
        ('metric(up, "req{code=\\"500\\"}") > 10', True),  # 4 + 8
        ('metric(up, "req{code=\\"500\\"}") > 12', False),
        ('metric(dead, "req") > 1 or service_down(dead)', True),  # unknown or true -> true
        ('metric(dead, "req") > 1 and service_down(up)', False),  # unknown and false -> false
    ],
)
def test_evaluation(rule: str, result: bool) -> None:
    assert value(alerts.parse(rule), _facts()) is result


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ('metric(dead, "req") > 1', "dead metrics: connection refused"),
        ('metric(up, "nope") > 1', "up has no metric nope"),
        ("service_latency(dead) > 1s", "dead: connection refused"),
        ("run_duration(never) > 1s", "pipeline 'never' has no runs"),
        ("not service_down(ghost)", "service 'ghost' is not registered"),
    ],
)
def test_unknown_values_say_why(rule: str, reason: str) -> None:
    got = value(alerts.parse(rule), _facts())
    assert isinstance(got, Unknown)
    assert got.reason == reason
