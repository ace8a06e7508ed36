"""The DuckDB engine keeps the Sumo semantics that SQL would silently change: each case runs on the Python
evaluator (the reference) and as SQL (strict: no part left to Python) and must give the same rows, which are
also checked against the expected values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import python_output

from appbuilder.query.engines.duck import DuckEngine
from appbuilder.query.engines.local import LocalEngine
from appbuilder.query.engines.sqlexpr import NotCompiled, py_functions_run
from appbuilder.query.evaluate import Evaluator, Lookups
from appbuilder.query.evaluate.values import timestamp_ms

T0 = "2026-11-22T10:00:00Z"


def both(events: list[dict], query: str, lookups: Lookups | None = None, **kwargs) -> list[dict]:
    """The rows of ``query`` on both engines (asserted identical, columns included)."""
    raw = [json.dumps(e, separators=(",", ":")) for e in events]
    expected = Evaluator(events, lookups, raw).run(query, **kwargs)
    got = LocalEngine(events, lookups, raw, engine="duckdb").duck().run(query, strict=True, **kwargs)
    assert got.columns == expected.columns
    assert got.rows == expected.rows
    for a, b in zip(got.rows, expected.rows, strict=True):  # and the same Python types (1 == 1.0 == True)
        assert [type(v) for v in a.values()] == [type(v) for v in b.values()] or _numeric(a, b)
    return got.rows


def _numeric(a: dict, b: dict) -> bool:
    """int and float are the same number to the engines' users (both print without a fraction when whole)."""
    return all(type(x) is type(y) or {type(x), type(y)} <= {int, float} for x, y in zip(a.values(), b.values(),
                                                                                      strict=True))


def ev(**fields) -> dict:
    return {"timestamp": T0, **fields}


def test_a_missing_key_drops_the_event_a_null_or_empty_one_does_not():
    events = [ev(a="x", b=""), ev(a="y", b=None), ev(a="z")]
    rows = both(events, '* | json "a", "b" | if(isNull(b), "null", if(isEmpty(b), "empty", b)) as kind '
                        "| count by a, kind")
    assert rows == [{"a": "x", "kind": "empty", "_count": 1}, {"a": "y", "kind": "null", "_count": 1}]
    rows = both(events, '* | json "b" nodrop | where isNull(b) | count')
    assert rows == [{"_count": 2}]


def test_numbers_compare_as_numbers_and_text_as_text():
    events = [ev(n="10", s="b"), ev(n="9", s="a"), ev(n=" 5", s="10"), ev(n="abc", s="9")]
    assert both(events, '* | json "n" | where n > 8 | count by n') == [{"n": "10", "_count": 1},
                                                                    {"n": "9", "_count": 1},
                                                                    {"n": "abc", "_count": 1}]  # "abc" > "8"
    # text against text: numerically only when both read as numbers ("10" > "9"), else by characters
    assert both(events, '* | json "s" | where s > "9" | count by s') == [{"s": "b", "_count": 1},
                                                                       {"s": "a", "_count": 1},
                                                                       {"s": "10", "_count": 1}]
    assert both(events, '* | json "n" | where n = 5 | count') == [{"_count": 1}]  # " 5" is the number 5


def test_matches_is_a_whole_case_sensitive_wildcard_and_null_never_matches():
    events = [ev(c="success"), ev(c="Success"), ev(c="100%_ok"), ev(c="100x-ok"), ev(c="a\nsucc"), ev(d=1)]
    assert both(events, '* | json "c" nodrop | where c matches "*succ*" | count by c') == [
        {"c": "success", "_count": 1}, {"c": "a\nsucc", "_count": 1}]
    assert both(events, '* | json "c" nodrop | where c matches "100%_*" | count') == [{"_count": 1}]
    assert both(events, '* | json "c" nodrop | where c matches "*" | count') == [{"_count": 5}]
    assert both(events, '* | json "c" nodrop | where !(c matches "*") | count') == [{"_count": 1}]


def test_keywords_are_case_insensitive_terms_and_field_names_any_case():
    events = [ev(msg="Login FAILED"), ev(msg="failedover"), ev(msg="ok")]
    assert both(events, 'failed | json "msg" as Msg | count by MSG') == [{"MSG": "Login FAILED", "_count": 1}]
    assert both(events, '* | json "MSG" | count') == [{"_count": 0}]  # JSON keys are case-sensitive
    assert both(events, '* | json "msg" | where msg = "ok" or msg = "OK" | count') == [{"_count": 1}]


def test_division_is_never_integer_division_and_modulo_follows_the_divisor():
    events = [ev(a="7", b="2"), ev(a="-7", b="2"), ev(a="1", b="0")]
    rows = both(events, '* | json "a", "b" | a / b as q | a % b as r | count by a, q, r')
    assert [(r["q"], r["r"]) for r in rows] == [(3.5, 1.0), (-3.5, 1.0), (None, None)]


def test_count_is_an_integer_and_sums_read_text_as_numbers():
    events = [ev(k="a", v="1.5"), ev(k="a", v="2"), ev(k="b", v="x"), ev(k="b")]
    rows = both(events, '* | json "k" | json "v" nodrop | count, sum(v), count(v) as n, count_distinct(v) by k')
    assert rows == [{"k": "a", "_count": 2, "_sum": 3.5, "n": 2, "_count_distinct": 2},
                    {"k": "b", "_count": 2, "_sum": None, "n": 1, "_count_distinct": 1}]
    assert all(type(r["_count"]) is int and type(r["n"]) is int for r in rows)


def test_time_zones_offsets_become_utc_buckets():
    events = [{"timestamp": "2026-11-22T23:30:00-03:00", "k": "a"}, {"timestamp": "2026-11-23T01:00:00Z", "k": "b"},
              {"timestamp": "2026-11-22T22:00:00+01:00", "k": "c"}]
    rows = both(events, '* | json "k" | timeslice 1d | count by _timeslice, k | sort by k asc')
    day = timestamp_ms("2026-11-23T00:00:00Z")
    assert [(r["k"], r["_timeslice"]) for r in rows] == [("a", day), ("b", day), ("c", day - 86_400_000)]


@pytest.mark.parametrize("text", ["2026-11-22T16:32:50-03:00", "2026-11-22T00:14:38.752Z", "2026-11-22 10:00:00",
                                  "2026-11-22T10:00:00.1234567+05:30", "2026-11-22T10:00:00,5z",
                                  "2026-11-22T10:00:00 +0530", "2026-02-30T10:00:00Z", "2026-11-22T24:00:00Z",
                                  "0000-01-01T00:00:00Z", "2026-11-22", " 2026-11-22T10:00:00Z ",
                                  "1969-12-31T23:59:59.5Z"])
def test_message_times_read_from_files_match_the_evaluator(text: str):
    engine = DuckEngine()
    try:
        assert engine.con.execute("SELECT sumo_ts(?)", [text]).fetchone()[0] == timestamp_ms(text)
    finally:
        engine.close()


def test_sort_puts_nulls_last_and_keeps_group_order_for_ties():
    events = [ev(k="b", v="1"), ev(k="a", v="1"), ev(k="c"), ev(k="d", v="2")]
    rows = both(events, '* | json "k" | json "v" nodrop | count by k, v | sort by v | limit 3')
    assert [r["k"] for r in rows] == ["d", "b", "a"]
    rows = both(events, '* | json "k" | json "v" nodrop | count by k, v | sort by v asc, k desc')
    assert [r["k"] for r in rows] == ["b", "a", "d", "c"]


def test_fields_after_the_aggregate_runs_as_sql_when_it_ends_the_query():
    events = [ev(k="b", v="1"), ev(k="a", v="2"), ev(k="a", v="2")]
    assert both(events, '* | json "k", "v" | count by k, v | sort by k | fields -v') == [
        {"k": "b", "_count": 1}, {"k": "a", "_count": 2}]
    # a field the aggregate does not make is a column of nulls; names keep the order given
    assert both(events, '* | json "k", "v" | count by k, v | fields _count, K, missing') == [
        {"_count": 1, "k": "b", "missing": None}, {"_count": 2, "k": "a", "missing": None}]
    engine = LocalEngine(events, engine="duckdb").duck()
    engine.run('* | json "k", "v" | count by k, v | fields -v')
    assert engine.last_plan.python_ops == []
    # not last: the rows it hides are still there for the sort after it, so Python takes it
    engine.run('* | json "k", "v" | count by k, v | fields -v | sort by v')
    assert engine.last_plan.python_ops == ["fields -v", "sort by v"]


def test_top_runs_as_a_sorted_limited_aggregate_and_fields_before_an_aggregate_changes_nothing():
    events = [ev(a=str(i % 3), b=str(i % 2), n=str(i)) for i in range(11)] + [ev(a="9", b="0", n="100")]
    assert both(events, '* | json "a", "b" | top 2 a') == [{"a": "0", "_count": 4}, {"a": "1", "_count": 4}]
    assert both(events, '* | json "a", "b" | top 2 a, b by _count') == [
        {"a": "0", "b": "0", "_count": 2}, {"a": "1", "b": "1", "_count": 2}]
    assert both(events, '* | json "a", "n" | top 1 a by sum(n)') == [{"a": "9", "_sum": 100}]
    assert both(events, '* | json "a", "b" | fields a | count by b') == [{"b": "0", "_count": 7},
                                                                      {"b": "1", "_count": 5}]
    engine = LocalEngine(events, engine="duckdb").duck()
    engine.run('* | json "a", "b" | top 2 a | sort by a')
    assert engine.last_plan.sql_ops[-1] == "top 2 a" and engine.last_plan.python_ops == ["sort by a"]
    # by a field of the events, the evaluator sorts the events themselves: Python's
    query = '* | json "a", "n" | top 2 a by n'
    assert engine.run(query).rows == Evaluator(events).run(query).rows
    assert "top by a field of the events" in engine.last_plan.reason


def test_metadata_fields_of_the_events_are_columns_of_the_sql_engine(monkeypatch: pytest.MonkeyPatch):
    """The fake's search gives every message its metadata (``Evaluator``'s ``fields``)."""
    events = [ev(k="a"), ev(k="b"), ev(k="c")]
    fields = [{"_sourceCategory": "x", "_sourceHost": "h1", "_receiptTime": 10, "_messageTime": 1},
              {"_sourceCategory": "x", "_sourceHost": "h2", "_receiptTime": 30, "_messageTime": 2},
              {"_sourceCategory": "y", "_sourceHost": None, "_receiptTime": 20, "_messageTime": 3}]
    for query in ['* | json "k" | where _receiptTime > 15 | count by _sourceHost, k',
                  '* | json "k" | count by _sourcecategory | sort by _sourceCategory',
                  '* | json "k" | where isNull(_sourceHost) or _messageTime = 1 | count by k']:
        expected = Evaluator(events, fields=fields).run(query)
        engine = LocalEngine(events, engine="duckdb", fields=fields)
        assert engine.duck().run(query, strict=True).rows == expected.rows, query
    # a field that mixes text and numbers keeps the evaluator's types only in Python: auto falls back to it
    import appbuilder.query.engines.local as local_engine

    monkeypatch.setattr(local_engine, "SMALL_INPUT", 0)  # auto: DuckDB even for three events
    mixed = [{**f, "_size": v} for f, v in zip(fields, ["1", 2, None], strict=True)]
    engine = LocalEngine(events, engine="auto", fields=mixed)
    query = '* | json "k" | count by _size'
    assert engine.run(query).rows == Evaluator(events, fields=mixed).run(query).rows
    assert "mix text and numbers" in engine.plan


def test_first_last_and_percentiles_follow_the_event_order():
    events = [ev(k="a", v=str(i)) for i in (5, 1, 9, 3)]
    rows = both(events, '* | json "k", "v" | first(v), last(v), pct(v, 50), max(v), stddev(v) by k')
    assert rows[0]["_first"] == "5" and rows[0]["_last"] == "3" and rows[0]["_v_pct_50"] == 4.0


def test_lookups_join_on_the_key_in_any_case():
    lookups = Lookups(geo={"192.0.2.1": {"ip": "192.0.2.1", "city": "Oslo", "latitude": 59.9}})
    events = [ev(ip="192.0.2.1"), ev(ip="192.0.2.2")]
    rows = both(events, '* | json "ip" | lookup city, latitude from geo://location on ip=ip | count by city, latitude',
                lookups)
    assert rows == [{"city": "Oslo", "latitude": 59.9, "_count": 1}, {"city": None, "latitude": None, "_count": 1}]


def test_parse_anchors_and_regexes_extract_like_the_evaluator():
    events = [ev(msg="user=ann action=login"), ev(msg="user=bob action=logout"), ev(msg="nothing")]
    assert both(events, '* | json "msg" | parse field=msg "user=* action=*" as user, action | count by user, action'
                ) == [{"user": "ann", "action": "login", "_count": 1}, {"user": "bob", "action": "logout", "_count": 1}]
    rows = both(events, '* | json "msg" | parse regex field=msg "user=(?<u>\\w+)" nodrop | count by u')
    assert rows == [{"u": "ann", "_count": 1}, {"u": "bob", "_count": 1}, {"u": None, "_count": 1}]


def test_compare_with_timeshift_reruns_the_sql_on_the_shifted_window():
    events = [{"timestamp": "2026-11-22T10:00:00Z", "k": "a"}, {"timestamp": "2026-11-23T10:00:00Z", "k": "a"},
              {"timestamp": "2026-11-23T11:00:00Z", "k": "a"}]
    rows = both(events, '* | json "k" | count by k | compare with timeshift 1d', time_range="-1d")
    assert rows == [{"k": "a", "_count": 2, "_count_1d": 1}]


def test_what_does_not_compile_runs_on_the_python_evaluator():
    events = [ev(a="1", b="x"), ev(a="2", b="y")]
    raw = [json.dumps(e) for e in events]
    engine = LocalEngine(events, None, raw, engine="duckdb").duck()
    query = '* | json "a" | substring(a, 0, 1) as b | count by b'
    with pytest.raises(NotCompiled, match="substring"):
        engine.run(query, strict=True)
    table = engine.run(query)
    assert table.rows == Evaluator(events, None, raw).run(query).rows
    plan = engine.last_plan
    assert plan.sql_ops == ['json "a"'] and plan.python_ops == ["substring(a, 0, 1) as b", "count by b"]
    assert "substring" in plan.render() and 'json_extract("_raw"' in plan.render()


def test_events_stream_from_jsonl_files(tmp_path: Path):
    events = [ev(k="a"), {"timestamp": "2026-11-22T11:00:00.5Z", "k": "b"}, {"k": "c"}]
    path = tmp_path / "e.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    engine = DuckEngine.from_jsonl([path])
    try:
        assert engine.last_time == timestamp_ms("2026-11-22T11:00:00.5Z")
        query = '* | json "k" | count by k, _messagetime'
        expected = Evaluator(events).run(query)
        assert engine.run(query, strict=True).rows == expected.rows
    finally:
        engine.close()


def test_events_from_files_keep_the_files_order_when_read_in_parallel(tmp_path: Path):
    """A row's position is its position in the files (group order and first/last depend on it), also when
    DuckDB reads a file on several threads."""
    paths = [tmp_path / f"{name}.jsonl" for name in "abcdef"]
    n = 0
    for path in paths:
        with path.open("w", encoding="utf-8") as fh:
            for _ in range(30_000):
                fh.write(json.dumps({"n": n, "timestamp": T0, "pad": "x" * (n % 61)}) + "\n")
                n += 1
    engine = DuckEngine.from_jsonl(paths, threads=2)
    try:
        out_of_place = engine.con.execute('SELECT count(*) FROM events WHERE "_seq" - 1 <> '
                                          'CAST(json_extract_string("_raw", \'$.n\') AS BIGINT)').fetchone()
        assert out_of_place == (0,)
        assert engine.run('* | json "n" | count by n | limit 2', strict=True).rows == [
            {"n": "0", "_count": 1}, {"n": "1", "_count": 1}]
    finally:
        engine.close()


def test_a_file_name_with_glob_characters_is_read_as_that_file(tmp_path: Path):
    """DuckDB takes file names as glob patterns: ``e[1].jsonl`` would match ``e1.jsonl`` instead."""
    (tmp_path / "e[1].jsonl").write_text(json.dumps(ev(k="mine")) + "\n", encoding="utf-8")
    (tmp_path / "e1.jsonl").write_text(json.dumps(ev(k="other")) + "\n", encoding="utf-8")
    (tmp_path / "a*.jsonl").write_text(json.dumps(ev(k="star")) + "\n", encoding="utf-8")
    engine = DuckEngine.from_jsonl([tmp_path / "e[1].jsonl", tmp_path / "a*.jsonl"])
    try:
        assert engine.run('* | json "k" | count by k').rows == [{"k": "mine", "_count": 1}, {"k": "star", "_count": 1}]
    finally:
        engine.close()


def test_auto_engine_falls_back_to_python_when_duckdb_fails(monkeypatch: pytest.MonkeyPatch):
    import duckdb

    import appbuilder.query.engines.local as local_engine

    monkeypatch.setattr(local_engine, "SMALL_INPUT", 0)  # auto: DuckDB even for one event
    events = [ev(k="a")]
    evaluator = LocalEngine(events)

    def broken(*args, **kwargs):
        raise duckdb.InvalidInputException("boom")
    monkeypatch.setattr(type(evaluator.duck()), "run", broken)
    assert evaluator.run('* | json "k" | count by k').rows == [{"k": "a", "_count": 1}]
    assert evaluator.plan.startswith("engine: python (DuckDB could not run the query: InvalidInputException")
    with pytest.raises(duckdb.Error):  # asked for DuckDB alone, its failure is not hidden
        LocalEngine(events, engine="duckdb").run('* | json "k" | count by k')


def test_json_operators_share_one_parse_only_when_the_fields_between_do_not_interact():
    events = [ev(a="1", b="B"), ev(a="2")]
    # the `if` reads b before the second json writes it: b is still null there
    assert both(events, '* | json "a" | if(isNull(b), "none", b) as c | json "b" nodrop | count by c, b') == [
        {"c": "none", "b": "B", "_count": 1}, {"c": "none", "b": None, "_count": 1}]
    # nothing between reads or writes b: one extraction serves both
    rows = both(events, '* | json "a" | if(a = "1", "one", "other") as c | json "b" | count by c, b')
    assert rows == [{"c": "one", "b": "B", "_count": 1}]
    engine = LocalEngine(events, engine="duckdb").duck()
    engine.run('* | json "a" | if(a = "1", "one", "other") as c | json "b" | count by c, b')
    assert sum(sql.count('json_extract("_raw"') for sql in engine.last_plan.heads.values()) == 1


def test_a_json_after_the_first_where_reads_values_kept_beside_the_head():
    events = [ev(a="1", b="x"), ev(a="2", b=None), ev(a="3"), ev(c="no a")]
    query = '* | json "a" | where a != "1" | json "b" | count by a, b'
    assert both(events, query) == [{"a": "2", "b": None, "_count": 1}]
    assert both(events, '* | json "a" | where a != "2" | json "b" nodrop | count by a, b') == [
        {"a": "1", "b": "x", "_count": 1}, {"a": "3", "b": None, "_count": 1}]
    engine = LocalEngine(events, engine="duckdb").duck()
    engine.run(query)  # the head is made with b, read in the same parse as a
    assert list(engine.last_plan.heads) == ["head_0"] and "events_raw" not in engine.last_plan.sql
    # a later query on the same head reading another key: its values in a side table lined up with the head
    other = '* | json "a" | where a != "1" | json "c" nodrop | count by a, c'
    assert both(events, other) == [{"a": "2", "c": None, "_count": 1}, {"a": "3", "c": None, "_count": 1}]
    engine.run(other)
    assert "POSITIONAL JOIN head_0_x0" in engine.last_plan.sql and "events_raw" not in engine.last_plan.sql


def test_a_prepared_batch_keeps_only_shared_heads_with_the_values_read_after_them():
    events = [ev(a="1", b="x", c="p"), ev(a="2", b=None), ev(a="3"), ev(c="no a")]
    shared = ['* | json "a" | where a != "1" | json "b" | count by a, b',
              '* | json "a" | where a != "2" | json "c" nodrop | count by a, c']
    alone = '* | json "c" | where c != "p" | count by c'
    engine = LocalEngine(events, engine="duckdb").duck()
    engine.prepare([*shared, alone])
    for query in shared:  # kept once, with b and c as its own columns: no side table, no second read
        assert engine.run(query).rows == Evaluator(events).run(query).rows
        assert list(engine.last_plan.heads) == ["head_0"] and "POSITIONAL JOIN" not in engine.last_plan.sql
    assert engine.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'head_%'").fetchone() == (1,)
    # read by one query only: straight from the events, nothing kept
    assert engine.run(alone).rows == Evaluator(events).run(alone).rows == [{"c": "no a", "_count": 1}]
    assert engine.last_plan.heads == {} and "FROM events" in engine.last_plan.sql


def test_a_query_straight_from_the_events_matches_the_evaluator():
    """What a single query (``query run``) runs: no kept head, every operator over the events themselves."""
    events = [ev(a="1", b="x"), ev(a="2", b=None), ev(a="3"), ev(c="no a"), ev(a=None, b="y")]
    queries = ['* | json "a", "b" | where a != "1" | count by a, b',
               '* | json "a" | where !isNull(a) | json "b" nodrop | if(isNull(b), "-", b) as b | count by b',
               '* | json "a" nodrop | count by a | sort by a']
    for query in queries:
        engine = LocalEngine(events, engine="duckdb").duck()
        engine.prepare([query])
        assert engine.run(query, strict=True).rows == Evaluator(events).run(query).rows, query
        assert engine.last_plan.heads == {}


def test_the_python_engine_does_not_import_duckdb() -> None:
    probe = ("import sys; from appbuilder.query.engines.local import LocalEngine; "
             "e = LocalEngine([{'a': 1}]); rows = e.run('* | count').rows; "
             "print(e.engine, rows[0]['_count'], 'duckdb' in sys.modules)")
    assert python_output(probe) == "python 1 False"


def test_json_values_keep_their_text_form_on_both_engines():
    """Values are read as JSON and then as text: strings unescaped, numbers, booleans, objects and arrays as the
    evaluator writes them, a null value kept (unlike a missing key), the same on both engines."""
    raws = ['{"timestamp":"%s","v":"caf\\u00e9 \\"q\\"\\n"}', '{"timestamp":"%s","v":1.50}',
            '{"timestamp":"%s","v":-0}', '{"timestamp":"%s","v":1e3}', '{"timestamp":"%s","v":true}',
            '{"timestamp":"%s","v":{"b": [1, {"c": null}], "a": "x"}}', '{"timestamp":"%s","v":[]}',
            '{"timestamp":"%s","v":null}', '{"timestamp":"%s","w":"no v"}', '{"timestamp":"%s","v":""}']
    raw = [r % T0 for r in raws]
    events = [json.loads(r) for r in raw]
    query = '* | json "v" nodrop | if(isNull(v), "<null>", v) as v | json "v" as w nodrop | count by v'
    expected = Evaluator(events, None, raw).run(query)
    got = LocalEngine(events, None, raw, engine="duckdb").duck().run(query, strict=True)
    assert got.rows == expected.rows
    assert [r["v"] for r in got.rows][:2] == ['café "q"\n', "1.5"]
    assert len(got.rows) == 9  # the null value and the missing key both read as null


def test_queries_run_side_by_side_on_threads_give_the_rows_they_give_one_at_a_time(tmp_path: Path):
    """Each thread runs on its own connection to the engine's database; a head two threads need is made once."""
    from concurrent.futures import ThreadPoolExecutor

    events = [ev(k=k, v=str(i % 7), n=str(i)) for i, k in enumerate("abcabcaabbd" * 40)]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    queries = [f'* | json "k", "v" | where v != "{i % 7}" | json "n" | count, sum(n) by k | sort by k asc'
               for i in range(24)] + ['* | json "k", "v" | count_distinct(v) by k', '* | json "k" | top 2 k']
    engine = DuckEngine.from_jsonl([path])
    try:
        engine.prepare(queries)
        alone = [engine.run(q).rows for q in queries]
        fresh = DuckEngine.from_jsonl([path])
        try:
            fresh.prepare(queries)
            with ThreadPoolExecutor(4) as pool:
                together = list(pool.map(lambda q: fresh.run(q).rows, queries * 3))
            tables = fresh.con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'head_%'")
            assert len(tables.fetchall()) == 1  # the shared head, made once
            assert len(fresh._cursors) <= 4
        finally:
            fresh.close()
    finally:
        engine.close()
    assert together == alone * 3
    assert alone[0] == both(events, queries[0])


def test_json_auto_gives_the_keys_the_query_mentions_named_as_the_evaluator_names_them():
    events = [ev(User="a", user="b", **{"x y": "1"}), ev(user="c", n=5), ev(k=[1]), ev(o={"user": "z"}),
              ev(data=json.dumps({"type": "s", "ip": "1"})), ev(data="")]
    assert both(events, '* | json auto | count by user, x_y, n, k, o') == [
        {"user": "b", "x_y": "1", "n": None, "k": None, "o": None, "_count": 1},  # the last key of a name
        {"user": "c", "x_y": None, "n": "5", "k": None, "o": None, "_count": 1},
        {"user": None, "x_y": None, "n": None, "k": "[1]", "o": None, "_count": 1},
        {"user": None, "x_y": None, "n": None, "k": None, "o": '{"user":"z"}', "_count": 1},
        {"user": None, "x_y": None, "n": None, "k": None, "o": None, "_count": 2}]
    # the exported apps' pattern: the message's own keys, then those of a field holding JSON text
    rows = both(events, '* | json auto maxdepth 1 nodrop | if(isEmpty(data), _raw, data) as logdata '
                        '| json auto field=logdata maxdepth 1 | count by type, ip')
    assert rows[-1] == {"type": "s", "ip": "1", "_count": 1}
    with pytest.raises(NotCompiled, match="no aggregate"):  # its output would have a column per key
        both(events, '* | json auto | fields user')


def test_json_auto_stops_the_sql_on_a_message_with_a_key_named_raw(monkeypatch: pytest.MonkeyPatch):
    from appbuilder.query.engines import local

    monkeypatch.setattr(local, "SMALL_INPUT", 0)  # auto: DuckDB, and the evaluator when it fails
    events = [ev(a="1"), ev(_raw="x", a="2")]
    raw = [json.dumps(e) for e in events]
    query = '* | json auto | count by a, _raw'
    engine = LocalEngine(events, None, raw, engine="auto")
    assert engine.run(query).rows == Evaluator(events, None, raw).run(query).rows  # the evaluator took over
    assert "a message has a key named _raw" in engine.plan


def test_an_aggregate_by_the_message_reads_it_beside_a_kept_head():
    events = [ev(a="1"), ev(a="2")]
    assert [r["_raw"] for r in both(events, '* | json "a" | count by a, _raw')] == [json.dumps(e, separators=(
        ",", ":")) for e in events]


def test_a_null_test_of_a_json_value_reads_its_json_until_the_field_is_written_again():
    events = [ev(a="x"), ev(a=None), ev(b="1"), ev(a="null")]
    engine = LocalEngine(events, None, [json.dumps(e) for e in events], engine="duckdb").duck()
    query = '* | json "a" nodrop | where a matches "*" | count'
    assert both(events, query) == [{"_count": 2}]  # "x" and the text "null"; not the null value, not missing
    engine.prepare([query])  # one query: it reads the events straight, no head kept
    engine.run(query)
    assert "\"__jl1\"[1] IS NULL OR \"__jl1\"[1] = 'null'" in engine.last_plan.sql
    query = '* | json "a" nodrop | if(isNull(a), "none", a) as a | where !isNull(a) | count by a'
    assert both(events, query) == [{"a": "x", "_count": 1}, {"a": "none", "_count": 2}, {"a": "null", "_count": 1}]
    engine.prepare([query])
    engine.run(query)
    assert engine.last_plan.sql.count('"__jl1"[1] IS NULL') == 1  # in the if; the where reads the new a
    engine.close()


def test_a_result_made_in_sql_can_hold_only_its_first_rows_and_say_how_many_it_has():
    events = [ev(k=k) for k in "abcabdeafg"]
    engine = LocalEngine(events, None, [json.dumps(e) for e in events], engine="duckdb").duck()
    try:
        for query, total in (('* | json "k" | count by k | sort by _count', 7),
                             ('* | json "k" | count by k | sort by k desc | limit 5', 5)):
            whole = engine.run(query)
            first = engine.run(query, max_rows=3)
            assert first.rows == whole.rows[:3] and first.total == total == len(whole.rows)
            assert whole.total is None
        empty = engine.run('* | json "k" | where k = "z" | count by k', max_rows=3)
        assert empty.rows == [] and empty.total == 0
        # a first page of nulls only would read as no data: the whole result comes back instead
        nulls_first = [ev(k=None), ev(k=None), ev(k="a")]
        other = LocalEngine(nulls_first, None, [json.dumps(e) for e in nulls_first], engine="duckdb").duck()
        query = '* | json "k" nodrop | count by k | fields k'
        assert other.run(query, max_rows=1).rows == [{"k": None}, {"k": "a"}]
        other.close()
    finally:
        engine.close()


@pytest.mark.skipif(not py_functions_run(), reason="DuckDB's Python functions need numpy, which is not installed")
def test_ip_and_url_functions_run_in_sql_as_the_evaluators_own_code():
    ips = ["8.8.8.8", "10.0.0.1", "192.168.1.1", "172.16.5.4", "127.0.0.1", "::1", "2001:4860:4860::8888",
           "fe80::1", "100.64.0.1", "not an ip", "", " 8.8.8.8", "256.1.1.1", None, "192.0.2.5", "fc00::1"]
    events = [ev(ip=ip, u=f"a b/c?d={ip}&é") for ip in ips]
    rows = both(events, '* | json "ip", "u" nodrop | isPublicIP(ip) as pub | isPrivateIP(ip) as priv '
                        '| isValidIP(ip) as valid | urlencode(u) as e | urldecode(e) as d '
                        '| tourl(u, ip) as link | count by ip, pub, priv, valid, e, d, link')
    assert [r["ip"] for r in rows if r["pub"]] == ["8.8.8.8", "2001:4860:4860::8888"]
    assert rows[0]["e"] == "a%20b%2Fc%3Fd%3D8.8.8.8%26%C3%A9" and all(r["d"] == f"a b/c?d={r['ip']}&é" for r in rows)
    assert [r["link"] for r in rows][-3:] == ["a b/c?d=None&é", "192.0.2.5", "fc00::1"]  # no text: the address


def test_without_numpy_the_ip_and_url_functions_run_on_the_evaluator(monkeypatch: pytest.MonkeyPatch):
    from appbuilder.query.engines import sqlexpr

    monkeypatch.setattr(sqlexpr, "py_functions_run", lambda: False)
    events = [ev(ip="8.8.8.8"), ev(ip="10.0.0.1")]
    raw = [json.dumps(e) for e in events]
    engine = LocalEngine(events, None, raw, engine="duckdb").duck()
    query = '* | json "ip" | isPublicIP(ip) as pub | count by pub'
    with pytest.raises(NotCompiled, match="ispublicip"):
        engine.run(query, strict=True)
    assert engine.run(query).rows == Evaluator(events, None, raw).run(query).rows
