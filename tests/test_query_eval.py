"""Evaluator semantics on small hand-made event sets."""

from datetime import datetime, timezone

import pytest

from appbuilder.query.evaluate import EvalError, Evaluator, Lookups, evaluate, timestamp_ms

DAY = 86_400_000


def ev(ts: str, **fields) -> dict:
    return {"timestamp": ts, **fields}


EVENTS = [
    ev("2026-01-02T10:00:00Z", category="success", type="credentials_ok", user={"name": "ann"},
       client={"ip_address": "192.0.2.1"}, location={"city": "Oslo"}),
    ev("2026-01-02T11:00:00.5+01:00", category="credentials_failed", type="password_secret_bad",
       user={"name": "bob"}, client={"ip_address": "203.0.113.5"}),
    ev("2026-01-02T12:00:00.123456789Z", category="success", type="mfa_ok", user={"name": "ann"},
       client={"ip_address": "192.0.2.1"}, location={"city": "Oslo"}),
    ev("2026-01-01T09:00:00Z", category="success", type="credentials_ok", user={"name": "cy"},
       client={"ip_address": "192.0.2.9"}, location={"city": "Rome"}),
    ev("2026-01-02T08:00:00Z", action="reveal", user={"name": "ann"}, labels=[{"name": "a"}, {"name": "b"}]),
]
LOOKUPS = Lookups(
    geo={"192.0.2.1": {"ip": "192.0.2.1", "latitude": 59.9, "longitude": 10.7, "country_name": "Norway"}},
    threats={"203.0.113.5": {"threat": "203.0.113.5", "type": "ip_address", "actor": "", "threatlevel": "high",
                             "raw": '{"labels":[{"name":"Malware/X"}]}'}},
)
SIGNIN = '_sourceCategory=x | json "category", "type", "user.name" as category, type, user\n'


def run(text: str, **kw):
    return evaluate(text, EVENTS, lookups=LOOKUPS, **kw)


@pytest.mark.parametrize("text, ms", [
    ("2026-01-02T10:00:00Z", 1767348000000),
    ("2026-01-02T11:00:00.5+01:00", 1767348000500),
    ("2026-01-02T10:00:00.123456789Z", 1767348000123),
    ("2026-01-02T10:00:00-0130", 1767348000000 + 90 * 60_000),
    ("not a time", None),
])
def test_timestamps(text, ms):
    assert timestamp_ms(text) == ms


def test_json_drops_events_missing_a_key_unless_nodrop():
    assert len(run(SIGNIN).rows) == 4
    table = run('_sourceCategory=x | json "category", "action" as c, a nodrop')
    assert len(table.rows) == 5 and table.columns[-2:] == ["c", "a"]
    assert sum(1 for r in table.rows if r["a"] is None) == 4


def test_json_keeps_missing_mode_keeps_events_lacking_a_key_with_null_fields():
    keeping = Evaluator(EVENTS, LOOKUPS, json_keeps_missing=True)
    table = keeping.run(SIGNIN)
    assert len(table.rows) == 5 and [r["category"] for r in table.rows].count(None) == 1
    assert len(keeping.run(SIGNIN + "| where !isNull(category)").rows) == 4
    assert len(Evaluator(EVENTS, LOOKUPS).run(SIGNIN).rows) == 4  # the default drops them


def test_count_by_and_sort():
    table = run(SIGNIN + "| count by category | sort by _count")
    assert table.columns == ["category", "_count"]
    assert table.rows == [{"category": "success", "_count": 3}, {"category": "credentials_failed", "_count": 1}]


def test_where_wildcards_in_not_and_null_never_matches():
    assert len(run(SIGNIN + '| where category matches "*succ*"').rows) == 3
    assert len(run(SIGNIN + '| where !(category matches "*succ*")').rows) == 1
    assert len(run(SIGNIN + '| where type in ("mfa_ok", "password_secret_bad")').rows) == 2
    assert len(run(SIGNIN + '| where type not in ("mfa_ok")').rows) == 3
    table = run('_sourceCategory=x | json "location.city" as city nodrop | where city matches "*"')
    assert len(table.rows) == 3  # events without location are null and do not match "*"


def test_dashboard_variables_default_to_star_and_take_values():
    q = SIGNIN + '| where user matches "{{user}}" | count'
    assert run(q).rows == [{"_count": 4}]
    assert run(q, variables={"user": "ann"}).rows == [{"_count": 2}]


def test_scope_keywords_are_case_insensitive_terms():
    assert len(run("ACTION").rows) == 1
    assert len(run("reveal OR mfa_ok").rows) == 2
    assert len(run("act").rows) == 0  # whole terms only
    assert len(run("act*").rows) == 1
    assert len(run("_sourceCategory=anything NOT success").rows) == 2


def test_parse_and_parse_regex():
    table = run('_sourceCategory=x | parse "\\"category\\":\\"*\\"" as cat '
                '| parse regex "ip_address\\":\\"(?<ip>[0-9.]+)" | count by cat, ip | sort by _count')
    assert table.rows[0] == {"cat": "success", "ip": "192.0.2.1", "_count": 2}


def test_json_arrays_and_indexes():
    table = run('_sourceCategory=x | json "labels[*].name", "labels[1].name" as all, second')
    assert table.rows == [{**table.rows[0], "all": '["a","b"]', "second": "b"}]


def test_if_arithmetic_concat_and_functions():
    table = run(SIGNIN + '| if(category = "success", 1, 0) as ok | count as n, sum(ok) as good '
                '| (good / n) * 100 as pct | concat(toUpperCase("x"), "-", n) as label '
                '| format("%d of %d", good, n) as text')
    assert table.rows == [{"n": 4, "good": 3, "pct": 75.0, "label": "X-4", "text": "3 of 4"}]


def test_geo_and_threat_lookups():
    table = run('_sourceCategory=x | json "client.ip_address" as ip | lookup latitude, longitude, country_name '
                "from geo://location on ip=ip | where !isNull(latitude) | count by latitude, longitude")
    assert table.rows == [{"latitude": 59.9, "longitude": 10.7, "_count": 2}]
    table = run('_sourceCategory=x | json "client.ip_address" as ip | lookup type, actor, raw, threatlevel as conf '
                'from sumo://threat/cs on threat=ip | where type="ip_address" | json field=raw "labels[*].name" '
                'as label | if(isEmpty(actor), "Unassigned", actor) as Actor | count by ip, conf, Actor, label')
    assert table.rows == [{"ip": "203.0.113.5", "conf": "high", "Actor": "Unassigned", "label": '["Malware/X"]',
                           "_count": 1}]


def test_timeslice_and_transpose():
    table = run(SIGNIN + "| timeslice 1d | count by _timeslice, category | transpose row _timeslice column category "
                "| sort by _timeslice asc")
    assert table.columns == ["_timeslice", "credentials_failed", "success"]
    assert table.rows[0] == {"_timeslice": 1767225600000, "credentials_failed": None, "success": 1}
    assert table.rows[1] == {"_timeslice": 1767225600000 + DAY, "credentials_failed": 1, "success": 2}


def test_time_window_and_compare_with_timeshift():
    now = datetime(2026, 1, 2, 12, 0, 0, 123000, tzinfo=timezone.utc)
    q = SIGNIN + "| count by category"
    assert {r["category"]: r["_count"] for r in run(q, now=now, time_range="-1d").rows} == {
        "success": 2, "credentials_failed": 1}
    table = run(SIGNIN + "| count as n by category | compare with timeshift 1d | sort by category",
                now=now, time_range="-1d")
    assert table.columns == ["category", "n", "n_1d"]
    assert table.rows == [{"category": "success", "n": 2, "n_1d": 1},
                          {"category": "credentials_failed", "n": 1, "n_1d": None}]


def test_outlier_columns_and_indicator():
    events = [ev(f"2026-01-{d:02d}T10:00:00Z", k="v") for d in range(1, 9) for _ in range(2)]
    events += [ev("2026-01-09T10:00:00Z", k="v") for _ in range(30)] + [ev("2026-01-10T10:00:00Z", k="v")]
    table = evaluate('_sourceCategory=x | json "k" | timeslice 1d | count by _timeslice '
                     "| outlier _count window=5, threshold=2, consecutive=1, direction=+", events)
    assert {"_count_error", "_count_lower", "_count_upper", "_count_indicator", "_count_violation"} <= set(
        table.columns)
    flagged = [r["_timeslice"] for r in table.rows if r["_count_indicator"] == 1]
    assert flagged == [timestamp_ms("2026-01-09T00:00:00Z")]


def test_top_limit_fields_and_parameters():
    table = run('_sourceCategory=${src} | json "user.name" as user | top 1 user by count')
    assert table.rows == [{"user": "ann", "_count": 3}]
    table = run(SIGNIN + "| count by user, type | fields -type | sort by _count | limit 1",
                parameters={"src": "x"})
    assert table.columns == ["user", "_count"] and table.rows == [{"user": "ann", "_count": 1}]


def test_prefix_cache_is_shared_and_not_mutated():
    evaluator = Evaluator(EVENTS, LOOKUPS)
    a = evaluator.run(SIGNIN + '| "x" as tag | count by tag')
    b = evaluator.run(SIGNIN + "| count by tag")
    assert a.rows == [{"tag": "x", "_count": 4}]
    assert b.rows == [{"tag": None, "_count": 4}]


def test_unsupported_operator_and_syntax_errors_raise_eval_error():
    with pytest.raises(EvalError):
        run("_sourceCategory=x | logreduce")
    with pytest.raises(EvalError, match="syntax error"):
        run("_sourceCategory=x | where (")


def test_pct_with_several_percentiles_gives_one_column_each():
    events = [ev("2026-01-02T10:00:00Z", latency=n) for n in (10, 20, 30, 40, 50)]
    table = evaluate('_sourceCategory=x | json "latency" as latency | pct(latency, 50, 100)', events)
    assert table.rows == [{"_latency_pct_50": 30, "_latency_pct_100": 50}]


def test_a_subquery_in_an_in_list_is_refused_with_a_clear_message():
    with pytest.raises(EvalError, match="second query"):
        run(SIGNIN + "| where user in (_sourceCategory=y | count by user | limit 5)")


def test_metrics_queries_are_refused_with_a_clear_message():
    with pytest.raises(EvalError, match="metrics queries are not run locally"):
        Evaluator(EVENTS).run("metric=CPU_Total | avg by host", query_type="Metrics")
