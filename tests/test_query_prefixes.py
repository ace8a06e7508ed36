"""Growing prefixes of a query, the shape query, and the JSON-key hints of the empty-panel diagnosis."""

from __future__ import annotations

from appbuilder.query.parser import parse
from appbuilder.query.prefixes import is_aggregate, missing_paths, shape_scope, stages

QUERY = """_sourceCategory=1pw "sign in"
| json "client.ip", "category" as ip, category
| where category = "success"
| count by ip
| sort by _count"""


def test_stages_cut_the_query_after_each_operator_with_its_line() -> None:
    cut = stages(QUERY)
    assert cut.scope == '_sourceCategory=1pw "sign in"'
    assert cut.scope_count == '_sourceCategory=1pw "sign in"\n| count'
    assert [(s.line, s.text) for s in cut.stages] == [
        (2, 'json "client.ip", "category" as ip, category'), (3, 'where category = "success"'), (4, "count by ip"),
        (5, "sort by _count")]
    assert cut.stages[1].count_query == "\n".join(QUERY.splitlines()[:3]) + "\n| count"
    assert cut.before(0) == cut.scope and cut.before(2) == cut.stages[1].upto
    for stage in cut.stages:  # every prefix is a query that parses
        assert parse(stage.count_query).ok, stage.count_query


def test_is_aggregate() -> None:
    assert is_aggregate(QUERY)
    assert not is_aggregate('_sourceCategory=x | json "a" | where a = "b" | sort by a | limit 5')
    assert is_aggregate("_sourceCategory=x | top 10 a by b")


def test_shape_scope_drops_metadata_and_keeps_the_first_json_parse() -> None:
    assert shape_scope(QUERY) == '"sign in"\n| json "client.ip", "category" as ip, category'
    assert shape_scope("_sourceCategory=a _sourceHost=b | count") is None  # nothing tells the shape
    assert shape_scope("(_sourceCategory=a OR error) | count") is None
    assert shape_scope('_sourceCategory=a | json "x" as x nodrop | count') == '*\n| json "x" as x'
    assert shape_scope('_sourceCategory=a | parse "user=* " as user | count') == '*\n| parse "user=* " as user'
    assert shape_scope('_sourceCategory=a error | where x = 1') == "error"


def test_missing_paths_judge_the_events_closest_to_the_shape() -> None:
    op = parse('x | json "client.ip", "category", "user.name" as a, b, c').operators[0]
    events = [{"action": "join", "actor": {"name": "x"}},  # another event kind
              {"category": "success", "client": {"ip_address": "1.2.3.4"}, "user": {"name": "a"}}]
    assert missing_paths(op, events) == [("client.ip", ["client.ip_address"])]
    assert missing_paths(op, [{"category": 1, "client": {"ip": 2}, "user": {"name": 3}}]) == []
    assert missing_paths(op, []) == []
