"""Forms real apps use that the log parser accepts; unmodelled forms fall back with a warning; malformed
queries stay syntax errors."""

import pytest

from appbuilder.query import LintContext, ast, lint_query, parse


def only(text: str) -> ast.Operator:
    tree = parse(text)
    assert tree.ok, [(i.column, i.message) for i in tree.issues]
    return tree.operators[-1]


def test_single_quoted_strings():
    op = only("x | parse '[module=*]' as module")
    assert isinstance(op, ast.ParseOp) and op.pattern == "[module=*]" and op.fields == ["module"]
    op = only("x | split _raw delim=',' extract 1 as a, 2 as b")
    assert isinstance(op, ast.GenericOp) and op.args == "_raw delim=',' extract 1 as a, 2 as b"
    assert only("x | where a = 'it\\'s'").condition.right.value == "it's"


def test_pipes_inside_parentheses_stay_in_their_operator():
    join = only('x | join (parse "a=*" as a) as t1, (parse "b=*" as b | count by b) as t2 on t1.a = t2.b '
                "| count")
    tree = parse('x | join (parse "a=*" as a) as t1, (parse "b=*" as b | count by b) as t2 on t1.a = t2.b')
    assert [op.name for op in tree.operators] == ["join"] and "| count by b" in tree.operators[0].args
    assert isinstance(join, ast.AggregateOp)
    where = only("x | where user in (_sourceCategory=y | count by user | sort by _count | limit 5)")
    assert isinstance(where.condition, ast.InList) and "limit 5" in where.condition.subquery
    filt = only("x | filter user in (y | count by user | limit 5) | count by user")
    assert isinstance(filt, ast.AggregateOp)


def test_functions_apply_in_place_without_as():
    op = only("x | round(latency)")
    assert isinstance(op, ast.EvalOp) and op.alias == "latency" and op.expr.name == "round"
    assert not parse("x | concat(a, b)").ok  # concat's result needs a name


def test_aggregates_grouped_without_by():
    op = only("x | sum(bytes) host, port")
    assert [k.name for k in op.by] == ["host", "port"] and op.aggs[0].func == "sum"


@pytest.mark.parametrize("table", ["shared/owners", "/Library/Users/me/owners", "$$owners",
                                   "https://example.com/owners.csv", 'path://"/Library/Users/me/owners"'])
def test_lookup_tables_as_paths_urls_and_app_parameters(table):
    op = only(f"x | lookup owner, team as t from {table} on ip=src_ip")
    assert isinstance(op, ast.LookupOp) and op.on == [("ip", "src_ip")] and op.outputs[1] == ("team", "t")
    assert op.table == table


def test_lookup_contains_takes_a_table():
    for table in ("https://example.com/a.csv", 'path://"/Library/a"', "shared/a"):
        cond = only(f"x | where lookupContains({table}, ip=src_ip)").condition
        assert isinstance(cond, ast.Call) and cond.name == "lookupcontains" and len(cond.args) == 2


def test_known_operator_name_followed_by_parenthesis():
    total = only("x | count by host | total(_count) by host")
    assert isinstance(total, ast.GenericOp) and total.known and total.args == "(_count) by host"
    decoded = only("x | base64decode(payload) as text")
    assert isinstance(decoded, ast.EvalOp) and decoded.alias == "text"


def test_regex_with_escapes_inside_a_subquery():
    tree = parse('x [subquery:(_sourceCategory=y) | where u matches /\\[a\\]"/ | compose u] | count')
    assert tree.ok, tree.issues
    assert tree.scope.items[1].kind == "subquery"


def test_withtime_defines_the_paired_field():
    tree = parse("x | parse \"u=* h=*\" as user, host | withtime user | most_recent(user_withtime) as seen by host")
    assert tree.ok and isinstance(tree.operators[1], ast.WithtimeOp) and tree.operators[1].field == "user"
    assert lint_query(tree.text, LintContext(event_fields=set())) == []


def test_unmodelled_forms_of_modelled_operators_fall_back_with_a_warning():
    op = only("x | sort by a nulls first")
    assert isinstance(op, ast.GenericOp) and op.name == "sort" and "nulls" in op.fallback
    found = lint_query("x | timeslice 1h as t buckets | count by t", LintContext(event_fields=set()))
    assert [(i.code, i.severity, i.column) for i in found] == [("unmodelled-form", "warning", 5)]


@pytest.mark.parametrize("text, column, fragment", [
    ('x | parse "a=* b=*" as a', 5, "2 '*' but 1 field"),
    ("x | count by", 13, "'count by' needs at least one field"),
    ("x | sum(bytes) group by", 24, "needs at least one field"),
    ("x | where (a = 1 | count", 17, "expected ')'"),  # just past its last token
    ("x | json", 5, "at least one quoted key"),
    ("x | parse 'a", 11, "unterminated string"),
])
def test_malformed_queries_stay_errors(text, column, fragment):
    found = [(i.code, i.column) for i in lint_query(text, LintContext()) if fragment in i.message]
    assert found == [("syntax", column)]


def test_a_known_operator_that_does_not_parse_is_not_also_called_unknown():
    found = lint_query("x | count by\nab ((", LintContext(event_fields=set()))
    assert [i.code for i in found] == ["syntax"]
