"""Lint checks: each code fires on a faulty query, stays quiet on a correct one, and honours severity."""

import pytest

from appbuilder.query import LintContext, event_fields_from_samples, lint_query
from appbuilder.query.issues import json_paths

SIGNIN = ('_sourceCategory=${scope}\n| json "category", "client.ip_address", "location.city" as category, '
          'client_ip, city\n')


def codes(text: str, **ctx) -> list[str]:
    return [i.code for i in lint_query(text, LintContext(**ctx))]


def test_clean_query_has_no_issues():
    text = SIGNIN + '| where category matches "{{category}}"\n| count by category, city\n| sort by _count'
    assert lint_query(text, LintContext(variables={"category"}, parameters={"scope"}, chart="pie")) == []


def test_syntax_error_is_reported_with_position():
    issues = lint_query("x\n| where (a = 1", LintContext())
    assert [(i.code, i.severity, i.line) for i in issues] == [("syntax", "error", 2)]


def test_json_alias_count_mismatch():
    issues = lint_query('x | json "a", "b" as a', LintContext())
    assert [i.code for i in issues] == ["json-alias-count"]
    assert "2 key(s)" in issues[0].message and issues[0].column == 5


def test_field_used_before_definition_points_at_the_field():
    issues = lint_query(SIGNIN + "| where contry = \"US\"", LintContext())
    assert [(i.code, i.line, i.column) for i in issues] == [("field-undefined", 3, 9)]
    assert "contry" in issues[0].message


def test_aggregate_drops_other_fields_and_defines_outputs():
    text = SIGNIN + "| count as n by category | where city = \"x\""
    assert codes(text) == ["field-undefined"]
    assert codes(SIGNIN + "| count by category | where _count > 1 | sort by _count") == []
    assert codes(SIGNIN + "| sum(client_ip) as s by city | sort by s") == []


def test_group_by_and_sort_on_unknown_fields():
    assert codes(SIGNIN + "| count by categhory") == ["group-by-unknown-field"]
    assert codes(SIGNIN + "| count by category | sort by city") == ["group-by-unknown-field"]


def test_builtins_timeslice_and_parse_outputs_are_defined():
    text = ('x | parse "user=* " as user | parse regex "ip=(?<ip>\\S+)" | timeslice 1h '
            "| count by _timeslice, user, ip, _sourceCategory")
    assert codes(text) == []


def test_json_auto_and_unknown_operators_open_the_field_set():
    assert codes("x | json auto | where anything = 1") == []
    assert codes("x | frob a | where anything = 1") == ["unknown-operator"]


def test_unknown_json_path_against_event_fields():
    fields = event_fields_from_samples([{"category": "x", "client": {"ip_address": "1"}, "labels": [{"name": "a"}]}])
    assert {"client", "client.ip_address", "labels", "labels.name"} <= fields
    issues = lint_query('x | json "client.ip", "labels[*].name" as ip, n', LintContext(event_fields=fields))
    assert [i.code for i in issues] == ["unknown-json-path"]
    assert "client.ip_address" in issues[0].hint


def test_json_paths_name_list_items_as_asked():
    event = {"a": [{"b": 1}, [{"c": 2}]], "d": {"e": []}}
    assert json_paths(event) == {"a", "a.b", "a.c", "d", "d.e"}
    assert json_paths(event, "[*]") == {"a", "a[*].b", "a[*][*].c", "d", "d.e"}
    assert event_fields_from_samples([{"x": 1}, {"y": [{"z": 2}]}]) == {"x", "y", "y.z"}
    assert event_fields_from_samples([]) == set()


def test_map_needs_latitude_and_longitude():
    assert codes(SIGNIN + "| count by city", chart="map") == ["map-needs-lat-long"]
    good = SIGNIN + ("| lookup latitude, longitude from geo://location on ip=client_ip "
                     "| count by latitude, longitude")
    assert codes(good, chart="map") == []
    assert codes(SIGNIN + "| count by city", chart="table") == []


def test_compare_needs_an_aggregate_but_not_a_timeslice():
    assert codes(SIGNIN + "| compare with timeshift 1d") == ["compare-needs-aggregate"]
    assert codes(SIGNIN + "| count by category | compare with timeshift 1d | sort by _count_1d") == []
    assert codes(SIGNIN + "| timeslice 1h | count by _timeslice | compare with timeshift 1d") == []
    assert "compare-timeslice-alias" in codes(SIGNIN + "| timeslice 1h as t | count by t | compare timeshift 1d")


def test_outlier_needs_a_timeslice_series():
    assert codes(SIGNIN + "| count by category | outlier _count") == ["outlier-needs-timeslice"]
    good = SIGNIN + "| timeslice 1d | count by _timeslice | outlier _count window=5 | where _count_violation = 1"
    assert codes(good) == []


def test_dashboard_restrictions_apply_only_to_panels():
    text = 'x | parse regex "(?<ip>\\d+)" multi | sort by ip | count by ip | save /a/b'
    assert set(codes(text, chart="table")) == {"dashboard-forbidden-operator", "operator-before-aggregate",
                                                "unknown-operator"}
    assert codes(text) == ["unknown-operator"]


def test_undeclared_variables_and_parameters():
    text = '_sourceCategory=${src} | json "a" as a | where a matches "{{nope}}"'
    assert codes(text, variables={"other"}, parameters={"src"}) == ["undeclared-variable"]
    assert codes(text, parameters=set()) == ["undeclared-parameter"]
    assert codes(text) == []


def test_alias_named_like_an_operator_is_a_warning():
    issues = lint_query(SIGNIN + "| count as count by category", LintContext())
    assert [(i.code, i.severity) for i in issues] == [("alias-is-operator-name", "warning")]


@pytest.mark.parametrize("override, expected", [("off", []), ("error", [("field-undefined", "error")]),
                                                 ("warning", [("field-undefined", "warning")])])
def test_severity_override(override, expected):
    issues = lint_query("x | where nope = 1", LintContext(event_fields=set(), severity={"field-undefined": override}))
    assert [(i.code, i.severity) for i in issues] == expected


def test_unknown_json_path_points_at_the_key_itself() -> None:
    text = '_sourceCategory=x\n| json "category", "client.ipaddress" as category, ip\n| count by ip'
    issues = [i for i in lint_query(text, LintContext(event_fields={"category", "client.ip_address"}))
              if i.code == "unknown-json-path"]
    assert [(i.line, i.column) for i in issues] == [(2, text.splitlines()[1].index('"client.ipaddress"') + 1)]
    assert "client.ip_address" in issues[0].hint


def test_field_checks_are_errors_only_where_the_source_fields_are_known():
    text = '_sourceCategory=x | json "a" as a | where b = 1 | count by c'
    known = [(i.code, i.severity) for i in lint_query(text, LintContext(event_fields={"a"}))]
    assert known == [("field-undefined", "error"), ("group-by-unknown-field", "error")]
    unknown = [(i.code, i.severity) for i in lint_query(text, LintContext())]
    assert unknown == [("field-undefined", "info"), ("group-by-unknown-field", "info")]


@pytest.mark.parametrize("scope", ["_view=firewall_logs", "_index=sec_partition", "$$logsrc",
                                   "($$logsrc AND error)", "_sourceCategory=x OR _view=v"])
def test_views_partitions_and_app_parameters_never_get_field_errors(scope):
    text = f'{scope} | json "nope" as n | where user = "x"'
    found = lint_query(text, LintContext(event_fields={"a"}, severity={"unknown-json-path": "error"}))
    assert sorted((i.code, i.severity) for i in found) == [("field-undefined", "info"), ("unknown-json-path", "info")]


def test_informational_field_findings_can_be_turned_off_but_not_raised():
    text = "x | where nope = 1"
    assert lint_query(text, LintContext(severity={"field-undefined": "off"})) == []
    assert [i.severity for i in lint_query(text, LintContext(severity={"field-undefined": "error"}))] == ["info"]


def test_pct_defines_one_column_per_percentile():
    base = 'x | json "latency" as latency | pct(latency, 50, 95) by host'
    known = {"latency"}
    ok = base.replace("by host", "") + " | where _latency_pct_50 < _latency_pct_95"
    assert lint_query(ok, LintContext(event_fields=known)) == []
    bad = base.replace("by host", "") + " | where _latency_pct_90 > 1"
    assert [(i.code, i.severity) for i in lint_query(bad, LintContext(event_fields=known))] == [
        ("field-undefined", "error")]
    aliased = 'x | json "latency" as latency | pct(latency, 99.9) as p | sort by p'
    assert lint_query(aliased, LintContext(event_fields=known)) == []


def test_named_regex_groups_in_a_replacement_are_not_install_parameters():
    text = ('_sourceCategory=${src} | json "email" as email '
            '| replace(email, /(?<user>[^@]+)@(?<domain>.+)/, "${domain}:${user}") as masked | count by masked')
    assert codes(text, parameters={"src"}, event_fields={"email"}) == []
    assert codes(text.replace("${domain}", "${dom}"), parameters={"src"}, event_fields={"email"}) == [
        "undeclared-parameter"]
