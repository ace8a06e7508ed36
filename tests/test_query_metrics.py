"""Metrics queries: selector and row-expression parsing, operator checks, positions, lint codes."""

import pytest

from appbuilder.query import LintContext, ast, lint_metrics_query, lint_typed_query, parse_metrics_query


def issues(text: str, **kwargs) -> list[tuple[str, str, int, int]]:
    return [(i.code, i.severity, i.line, i.column) for i in lint_metrics_query(text, **kwargs)]


def test_selector_with_boolean_operators_wildcards_and_templates():
    tree = parse_metrics_query("metric=CPU_* _sourceHost=web-{{env}}* AND (region=us OR region=eu) "
                               "NOT account=${acct} | avg by _sourceHost")
    assert tree.ok, tree.issues
    assert tree.metrics == ["CPU_*"]
    assert isinstance(tree.selector, ast.ScopeBool) and tree.selector.op == "and"
    metric, host, either, negated = tree.selector.items
    assert (host.key, host.value) == ("_sourceHost", "web-{{env}}*")
    assert isinstance(either, ast.ScopeBool) and either.op == "or"
    assert isinstance(negated, ast.ScopeNot) and negated.item.value == "${acct}"
    assert [(op.name, op.by) for op in tree.operators] == [("avg", ["_sourceHost"])]


def test_metric_value_may_follow_a_space_and_lists_are_accepted():
    tree = parse_metrics_query("account={{account}} metric= NewConnectionCount Statistic=Sum | sum")
    assert tree.ok and tree.metrics == ["NewConnectionCount"]
    assert parse_metrics_query("metric=(CPU_Idle OR CPU_Sys) | max").metrics == ["CPU_Idle OR CPU_Sys"]


def test_operators_with_and_without_by():
    text = ("metric=x | sum | avg by a, b | pct(95) by host | rate increasing | quantize to 5m using max "
            "| topk(10, avg) by host | bottomk(3, max) | eval(_value * 1000) | eval _value / 8 "
            "| filter max > 100 | outlier window=5, threshold=3, direction=+- | delta counter | accum "
            "| timeshift 1d | count by {{group}}")
    tree = parse_metrics_query(text)
    assert tree.ok, tree.issues
    assert [op.name for op in tree.operators] == [
        "sum", "avg", "pct", "rate", "quantize", "topk", "bottomk", "eval", "eval", "filter", "outlier", "delta",
        "accum", "timeshift", "count"]
    by = {op.name: op.by for op in tree.operators}
    assert by["avg"] == ["a", "b"] and by["topk"] == ["host"] and by["count"] == ["{{group}}"]
    assert all(op.modelled for op in tree.operators)
    assert lint_metrics_query(text) == []


def test_row_expressions_reference_other_queries():
    tree = parse_metrics_query("(#A + #B) / 2 along _sourceHost | sum")
    assert tree.ok and [r.name for r in tree.rows] == ["A", "B"] and tree.along == ["_sourceHost"]
    assert tree.selector is None
    assert issues("#A / #C * 100", rows={"A", "B"}) == [("row-reference-undefined", "error", 1, 6)]
    assert issues("#A / #C * 100") == []  # rows unknown: not checked


@pytest.mark.parametrize("text, column, fragment", [
    ("metric=x | sum by", 16, "needs at least one key"),
    ("metric=x | topk(a, max)", 17, "whole number"),
    ("metric=x | topk(10)", 16, "in parentheses"),
    ("metric=x | pct(101)", 16, "between 0 and 100"),
    ("metric=x | pct", 15, "in parentheses"),
    ("metric=x | quantize to abc", 24, "time span"),
    ("metric=x | timeshift", 21, "time span"),
    ("metric=x | eval", 16, "needs an expression"),
    ("metric=x |", 10, "empty operator"),
    ("metric=", 8, "expected a value after 'metric='"),
    ("metric=x AND", 13, "selector ends early"),
    ('metric="abc', 8, "unterminated string"),
    ("| avg", 1, "needs a selector"),
    ("#A + | sum", 6, "expected a row"),
])
def test_malformed_queries_are_errors_at_the_right_place(text, column, fragment):
    found = lint_metrics_query(text)
    assert found and found[0].code == "syntax" and found[0].severity == "error"
    assert fragment in found[0].message
    assert (found[0].line, found[0].column) == (1, column)


def test_unknown_operators_and_unmodelled_forms_are_warnings():
    assert issues("metric=x | frob") == [("unknown-operator", "warning", 1, 12)]
    assert issues("metric=x\n| sum bytes") == [("unmodelled-form", "warning", 2, 3)]
    assert issues("metric=x | rate sometimes") == [("unmodelled-form", "warning", 1, 12)]
    assert issues("metric=x | topk(3, pct(95)) by host") == [("unmodelled-form", "warning", 1, 12)]
    assert issues("metric=x | pct(95) by host extra") == [("unmodelled-form", "warning", 1, 12)]
    assert issues("metric=x | sum group by h | max group h") == []
    assert issues("_sourceCategory=prod | avg") == [("metrics-no-metric", "warning", 1, 1)]
    assert issues("{{selector}} _sourceCategory=prod | avg") == []  # the variable may name the metric


def test_metadata_filters_are_selectors_alone():
    assert lint_metrics_query("", metadata_filter=True) == []
    assert lint_metrics_query("account={{account}} region={{region}}", metadata_filter=True) == []
    assert issues("account=a | avg", metadata_filter=True) == [("syntax", "error", 1, 11)]


def test_variables_parameters_and_severity_overrides():
    text = "metric=x account={{acct}} _sourceCategory=${src} | frob"
    ctx = LintContext(variables={"other"}, parameters=set(), severity={"unknown-operator": "off"})
    assert [i.code for i in lint_metrics_query(text, ctx)] == ["undeclared-variable", "undeclared-parameter"]
    ctx = LintContext(severity={"unknown-operator": "error"})
    assert [(i.code, i.severity) for i in lint_metrics_query(text, ctx)] == [("unknown-operator", "error")]


def test_typed_lint_dispatches_on_query_type():
    assert lint_typed_query("metric=x | avg by host", "Metrics") == []
    assert [i.code for i in lint_typed_query("account=a | avg", "metadata")] == ["syntax"]
    assert lint_typed_query("", "metadata") == []
    # as a log query, `avg` takes a field in parentheses: the form is kept but not checked
    assert [i.code for i in lint_typed_query("metric=x | avg by host", "logs")] == ["unmodelled-form"]


@pytest.mark.parametrize("junk", ["", "|", "((((", '"', "#", "#A +", "metric=x | (((", "a=b=c", "\x00", "| | |",
                                  "metric=x | topk(", "metric={{", "metric=x | by", "NOT", "()"])
def test_parse_never_raises(junk):
    assert isinstance(parse_metrics_query(junk).issues, list)
    assert isinstance(lint_metrics_query(junk), list)
