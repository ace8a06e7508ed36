"""Property: a query made of the operators and functions the DuckDB engine compiles gives the Python evaluator's
rows on any events: keys missing, null, empty, numbers as text and as JSON numbers, mixed case, nested objects
(floating-point numbers from 1e16 up or below 1e-4 print differently: a known difference, docs/query-engine.md).
Each example runs as SQL only (strict); a query DuckDB would not compile is no example.

The examples are derandomised (the same ones on every run, so CI is stable); to search further, run with
``APPBUILDER_FUZZ_EXAMPLES=2000`` and ``--timeout 0`` (a fresh seed each run).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appbuilder.query.engines.duck import DuckEngine
from appbuilder.query.engines.local import LocalEngine
from appbuilder.query.engines.sqlexpr import NotCompiled
from appbuilder.query.evaluate import Evaluator, Table

FUZZ = int(os.environ.get("APPBUILDER_FUZZ_EXAMPLES", "0"))
KEYS = ["k", "v", "n"]
TEXTS = ["a", "A", "ab", "", " ", "10", "9", " 5", "1.5", "-2", "1e3", "x y", "é", "100%_", "a*b", "NaN", "true"]
VALUES = st.one_of(st.sampled_from(TEXTS), st.integers(-3, 12), st.sampled_from([0.5, -1.25, 1e5]),
                   st.booleans(), st.none(), st.just({"x": "1"}), st.just([1, "a"]))
LITERALS = st.one_of(st.sampled_from([f'"{t}"' for t in TEXTS if '"' not in t]), st.integers(-2, 11).map(str),
                     st.just("1.5"))
PATTERNS = st.sampled_from(["*", "a*", "*b", "A", "a", "*%_*", "1*", "", "?", "a?", "*a*b*"])


@st.composite
def events(draw: st.DrawFn) -> list[dict]:
    out = []
    for _ in range(draw(st.integers(1, 12))):
        event: dict = {"timestamp": f"2026-11-22T{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}:00Z"}
        for key in KEYS:
            if draw(st.booleans()) or key == "k":
                event[key] = draw(VALUES)
        if draw(st.booleans()):
            event["o"] = draw(st.one_of(st.fixed_dictionaries({"x": VALUES}), VALUES))
        if draw(st.integers(0, 3)) == 0:  # keys json auto names in lower case, with _ for spaces
            event[draw(st.sampled_from(["K", "x y", "X Y", "x_y"]))] = draw(VALUES)
        out.append(event)
    return out


@st.composite
def conditions(draw: st.DrawFn, depth: int = 0) -> str:
    field = draw(st.sampled_from(KEYS))
    other = draw(st.sampled_from([f for f in KEYS if f != field]))
    kinds = [f'{field} matches "{draw(PATTERNS)}"', f'!({field} matches "{draw(PATTERNS)}")',
             f"{field} {draw(st.sampled_from(['=', '!=', '<', '>', '<=', '>=']))} {draw(LITERALS)}",
             f"{field} {draw(st.sampled_from(['=', '<', '>']))} {other}", f"isNull({field})", f"isEmpty({field})",
             f"!isNull({field})", f"isBlank({field})", f"isNumeric({field})",
             f'{field} in ({draw(LITERALS)}, {draw(LITERALS)})', f'contains({field}, "{draw(PATTERNS)}")',
             f'contains(_raw, "{draw(st.sampled_from(TEXTS))}")']
    cond = draw(st.sampled_from(kinds))
    if depth < 1 and draw(st.booleans()):
        cond = f"({cond} {draw(st.sampled_from(['and', 'or']))} {draw(conditions(depth + 1))})"
    return cond


@st.composite
def evals(draw: st.DrawFn) -> str:
    a, b = draw(st.sampled_from(KEYS)), draw(st.sampled_from(KEYS))
    return draw(st.sampled_from([
        f"{a} * 2 as d", f"{a} + {b} as d", f"{a} / {b} as d", f"{a} % 3 as d", f"{a} - 1.5 as d",
        f'if({draw(conditions())}, "yes", {a}) as d', f"concat({a}, {b}) as d", f"toLowerCase({a}) as d",
        f"toUpperCase({a}) as d", f"length({a}) as d", f"trim({a}) as d", f"num({a}) as d", f"toLong({a}) as d",
        f"tostring({a}) as d", f'replace({a}, "a", "b") as d', f"isNull({a}) as d", f"{a} = {b} as d"]))


@st.composite
def aggregates(draw: st.DrawFn) -> str:
    by = draw(st.sampled_from(["k", "d", "k, v", "v, k", "_timeslice", "_timeslice, k", "", "k, _raw"]))
    value = draw(st.sampled_from(["v", "n", "d"]))
    calls = draw(st.lists(st.sampled_from(["count", f"count({value})", f"count_distinct({value})", f"sum({value})",
                                           f"avg({value})", f"min({value})", f"max({value})",
                                           f"first({value})", f"last({value})", f"pct({value}, 50)"]),
                          min_size=1, max_size=3, unique=True))
    text = ", ".join(calls) + (f" by {by}" if by else "")
    prefix = "timeslice 1h | " if "_timeslice" in by else ""
    return prefix + text


@st.composite
def queries(draw: st.DrawFn) -> str:
    keys = [k for k in KEYS if draw(st.booleans())] or ["k"]
    scope = draw(st.sampled_from(["*", "*", "a", "A*", '"x y"', "10 or ab", "not a"]))
    if draw(st.integers(0, 3)) == 0:
        parts = [scope, "json auto", *draw(st.sampled_from([[], ['if(isNull(x_y), "-", x_y) as k']]))]
    else:
        parts = [scope, f'json {", ".join(json.dumps(k) for k in keys)}' + (" nodrop" if draw(st.booleans()) else "")]
        parts += [f'json "{k}" nodrop' for k in KEYS if k not in keys]
    for _ in range(draw(st.integers(0, 2))):
        parts.append(draw(st.one_of(conditions().map(lambda c: f"where {c}"), evals())))
    if not any(p.endswith(" as d") for p in parts):
        parts.append(draw(evals()))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(['json "o.x" as d nodrop', 'parse regex field=k "(?<d>[a-z]+)" nodrop',
                                           'parse regex "\\"k\\":\\"(?<d>[^\\"]*)\\"" nodrop',
                                           'json field=o "x" as d nodrop', 'parse "\\"k\\":\\"*\\"" as d nodrop'])))
    if draw(st.integers(0, 4)) == 0:
        parts.append(draw(st.sampled_from(["top 2 k by count", "top 3 d", "top 1 k, v"])))
        return " | ".join(parts)
    parts.append(draw(aggregates()))
    tail = draw(st.sampled_from(["", "sort by _count", "sort by k asc", "limit 2", "sort by _count | limit 1",
                                 "fields k", "fields -k", "sort by k, _count desc"]))
    if tail and ("by k" in parts[-1] or tail.startswith("limit") or "_count" in tail and "count" in parts[-1]) \
            and not (tail.startswith("fields") and "by k" not in parts[-1]):
        parts.append(tail)
    return " | ".join(parts)


def _same(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b and type(a) is type(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or math.isclose(a, b, rel_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    return a == b and type(a) is type(b)


@settings(max_examples=FUZZ or 80, derandomize=not FUZZ, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(events(), queries(), st.sampled_from([None, "-3h", "-15m"]))
def test_any_compiled_query_gives_the_evaluators_rows(events: list[dict], query: str, time_range: str | None):
    raw = [json.dumps(e, separators=(",", ":")) for e in events]
    expected = Evaluator(events, None, raw).run(query, time_range=time_range)
    engine = LocalEngine(events, None, raw, engine="duckdb").duck()
    try:
        got = engine.run(query, strict=True, time_range=time_range)
    except NotCompiled:
        return
    finally:
        engine.close()
    _assert_same(query, got, expected)
    with tempfile.TemporaryDirectory() as folder:  # the same events read from a file, the head kept as a table
        path = Path(folder) / "events.jsonl"
        path.write_text("\n".join(raw) + "\n", encoding="utf-8")
        engine = DuckEngine.from_jsonl([path])
        try:
            engine.prepare([query, query])
            _assert_same(query, engine.run(query, strict=True, time_range=time_range), expected)
        finally:
            engine.close()


def _assert_same(query: str, got: Table, expected: Table) -> None:
    assert got.columns == expected.columns, query
    assert len(got.rows) == len(expected.rows), (query, got.rows, expected.rows)
    for mine, theirs in zip(got.rows, expected.rows, strict=True):
        assert mine.keys() == theirs.keys(), query
        assert all(_same(mine[c], theirs[c]) for c in mine), (query, got.rows, expected.rows)


def test_the_generated_queries_mostly_compile():
    """The property above is only as good as the share of examples that run as SQL."""
    compiled = 0
    total = 0
    engine = LocalEngine([{"timestamp": "2026-11-22T00:00:00Z", "k": "a"}], engine="duckdb").duck()

    @settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(queries())
    def count(query: str) -> None:
        nonlocal compiled, total
        total += 1
        try:
            engine.run(query, strict=True)
            compiled += 1
        except NotCompiled:
            pass

    try:
        count()
    finally:
        engine.close()
    assert compiled >= total * 0.5, f"{compiled} of {total}"


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
