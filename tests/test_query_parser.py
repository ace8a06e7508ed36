"""Parser: AST shapes, positions, error recovery (every real export query: test_query_exports.py)."""

import pytest

from appbuilder.query import ast, parse


def test_pipeline_shape_and_positions():
    tree = parse('_sourceCategory=a/b action\n| json "client.ip_address", "action" as ip, action nodrop\n'
                 "| where action matches \"{{action}}\"\n| count by ip | sort by _count asc | limit 10")
    assert tree.ok
    assert isinstance(tree.scope, ast.ScopeBool) and tree.scope.op == "and"
    meta, keyword = tree.scope.items
    assert (meta.kind, meta.key, meta.value) == ("field", "_sourceCategory", "a/b")
    assert (keyword.kind, keyword.value, keyword.column) == ("keyword", "action", 21)
    names = [op.name for op in tree.operators]
    assert names == ["json", "where", "count", "sort", "limit"]
    js = tree.operators[0]
    assert isinstance(js, ast.JsonOp)
    assert js.paths == ["client.ip_address", "action"] and js.aliases == ["ip", "action"] and js.nodrop
    assert (js.line, js.column) == (2, 3)
    where = tree.operators[1]
    assert isinstance(where, ast.WhereOp) and isinstance(where.condition, ast.Binary)
    assert where.condition.op == "matches" and (where.condition.line, where.condition.column) == (3, 9)
    sort = tree.operators[3]
    assert isinstance(sort, ast.SortOp) and not sort.keys[0].descending
    assert tree.operators[4].count == 10


def test_aggregates_with_aliases_and_group_forms():
    tree = parse("x | sum(a) as s, count(*) as n by h, %\"b c\" | count as count srcip | max(t) group by d")
    agg1, agg2, agg3 = tree.operators
    assert [(a.func, a.output) for a in agg1.aggs] == [("sum", "s"), ("count", "n")]
    assert [k.name for k in agg1.by] == ["h", "b c"]
    assert agg2.aggs[0].output == "count" and agg2.by[0].name == "srcip"
    assert agg3.aggs[0].output == "_max" and agg3.by[0].name == "d"


def test_expression_operators_and_ternary():
    tree = parse('x | if (isEmpty(actor), "Unassigned", actor) as Actor | (a / b) * 100 as pct | num(n) '
                 "| a > 1 ? \"y\" : \"n\" as big")
    assert tree.ok, tree.issues
    ev1, ev2, ev3, ev4 = tree.operators
    assert isinstance(ev1.expr, ast.Call) and ev1.expr.name == "if" and ev1.alias == "Actor"
    assert isinstance(ev2.expr, ast.Binary) and ev2.expr.op == "*" and ev2.alias == "pct"
    assert ev3.alias == "n"
    assert isinstance(ev4.expr, ast.Ternary)


def test_compare_outlier_lookup_transpose_timeslice():
    tree = parse("x | timeslice 1d | count by _timeslice | outlier _count window=5,threshold=2,consecutive=2,"
                 "direction=+ | compare with timeshift 1d 7 avg as wk, timeshift 1h "
                 "| lookup type, actor, threatlevel as conf from sumo://threat/cs on threat=ip "
                 "| transpose row _timeslice column type as a, *")
    assert tree.ok, tree.issues
    ts, _, outlier, compare, lookup, transpose = tree.operators
    assert ts.span == "1d"
    assert (outlier.window, outlier.threshold, outlier.consecutive, outlier.direction) == (5, 2.0, 2, "+")
    assert [(s.span, s.periods, s.function, s.suffix) for s in compare.shifts] == [
        ("1d", 7, "avg", "wk"), ("1h", 1, "avg", "1h")]
    assert lookup.table == "sumo://threat/cs" and lookup.on == [("threat", "ip")]
    assert lookup.outputs[-1] == ("threatlevel", "conf")
    assert transpose.row_fields == ["_timeslice"] and transpose.column_fields == ["type"]
    assert transpose.outputs == ["a", "*"]


@pytest.mark.parametrize("text, line, column, fragment", [
    ('x | json "a" as', 1, 16, "field name"),
    ("x | where (a = 1", 1, 17, "expected ')'"),
    ('x | parse "a*b*" as c', 1, 5, "2 '*'"),
    ("x | | count", 1, 3, "empty operator"),
    ("x | count by", 1, 13, "'count by' needs at least one field"),
    ("x | count by a,", 1, 16, "expected a value"),
    ('x\n| where a = "b', 2, 13, "unterminated string"),
    ("x | outlier _count window=abc", 1, 20, "invalid value"),
    ('x | parse regex "(a)"', 1, 22, "named group"),
])
def test_syntax_errors_are_reported_with_positions(text, line, column, fragment):
    tree = parse(text)
    assert tree.issues, text
    issue = tree.issues[0]
    assert fragment in issue.message
    assert (issue.line, issue.column) == (line, column)


def test_unknown_operators_are_kept_generically():
    tree = parse("x | geoip src | frobnicate a b | count")
    assert tree.ok
    geo, frob, count = tree.operators
    assert isinstance(geo, ast.GenericOp) and geo.known and geo.args == "src"
    assert isinstance(frob, ast.GenericOp) and not frob.known and frob.name == "frobnicate"
    assert isinstance(count, ast.AggregateOp)


@pytest.mark.parametrize("junk", ["", "|", "((((", '"', "| where", "x | json", "%", "{{", "/", "[", "]]]|||",
                                  "x | lookup from", "x | transpose row", "\x00\x01", "x | sort by", "a=b=c"])
def test_parse_never_raises(junk):
    tree = parse(junk)
    assert isinstance(tree, ast.QueryAST)


@pytest.mark.parametrize(("query", "column"), [
    ("(" * 5000 + "a", 65),                                     # scope parentheses
    ("x | where " + "not " * 5000 + "true", 263),               # NOT inside NOT
    ("x | where a = " + "-" * 5000 + "1", 78),                  # signs
    ("x | where " + "f(" * 100 + "a" + ")" * 100, 139),         # calls inside calls
    ("x | " + "(" * 100 + "a" + ")" * 100 + " as b", 69),       # expression parentheses
], ids=["scope", "not", "signs", "calls", "parentheses"])
def test_nesting_past_the_limit_is_a_syntax_error_at_its_position(query: str, column: int) -> None:
    from appbuilder.query.stream import MAX_NESTING

    tree = parse(query)
    [issue] = tree.issues
    assert (issue.line, issue.column) == (1, column)
    assert f"nests more than {MAX_NESTING} levels deep here" in issue.message and issue.hint


def test_nesting_within_the_limit_parses() -> None:
    assert parse("x | where " + "(" * 60 + "a > 1" + ")" * 60 + " | count").ok
    assert parse("(" * 60 + "a" + ")" * 60).ok


@pytest.mark.parametrize("query", ["x | " + " + ".join(["a"] * 300) + " as b",
                                   "x | where " + " or ".join(["a=1"] * 3000)], ids=["sum", "or"])
def test_a_tree_too_deep_for_the_lint_and_evaluator_is_a_syntax_error(query: str) -> None:
    from appbuilder.query.evaluate import EvalError, Evaluator
    from appbuilder.query.stream import MAX_TREE_DEPTH

    [issue] = parse(query).issues
    assert f"more than {MAX_TREE_DEPTH} operations deep here" in issue.message and issue.column > 1
    with pytest.raises(EvalError, match="operations deep here"):
        Evaluator([{"a": 1}]).run(query)
    assert parse("x | " + " + ".join(["a"] * 150) + " as b").ok


@pytest.mark.parametrize(("query", "column"), [
    ("metric=a AND " + "(" * 100 + "b=c" + ")" * 100, 78),      # selector parentheses
    ("#A + " + "(" * 100 + "#B" + ")" * 100, 70),               # row expression
    ("metric=a host=" + "(" * 100 + "x" + ")" * 100, 78),       # value lists
], ids=["selector", "rows", "values"])
def test_metrics_nesting_past_the_limit_is_a_syntax_error(query: str, column: int) -> None:
    from appbuilder.query.metrics_parser import parse_metrics_query

    [issue] = parse_metrics_query(query).issues
    assert (issue.line, issue.column) == (1, column) and "nests more than" in issue.message



def test_trees_are_cached_and_no_user_changes_one() -> None:
    """``parse`` hands every caller the same tree for the same text, so the lint and the stage splitting must leave
    each tree as a fresh parse gives it (the engines: test_query_engines_outputs.py)."""
    from pathlib import Path

    from helpers import cached_trees, changed_cached_trees

    from appbuilder.pipeline import run_pipeline
    from appbuilder.query.prefixes import shape_scope, stages

    tree = parse("* | count")
    assert parse("* | count") is tree
    parse.cache_clear()
    app = Path(__file__).resolve().parents[1] / "app_definitions" / "1password"
    assert run_pipeline(app, {}, until="validate").ok  # the query lint
    texts = [t.text for t in cached_trees() if t.ok]
    for text in texts:
        stages(text)
        shape_scope(text)
    assert len(texts) >= 55
    assert changed_cached_trees() == []

