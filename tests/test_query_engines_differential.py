"""One answer, two engines: every panel, saved search and monitor query of the 1Password app, and every log query
of the reference exports that the Python evaluator runs, gives identical rows (in the same order) on the DuckDB
engine, over generated events."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from test_query_exports import EXPORTS, collect

from appbuilder.commands.sample_runner import SampleRunner
from appbuilder.load import load_app
from appbuilder.query.engines.duck import DuckEngine
from appbuilder.query.engines.local import LocalEngine
from appbuilder.query.evaluate import EvalError, Evaluator, Lookups

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_1password_events", ROOT / "scripts" / "gen_1password_events.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    return gen


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> tuple[Evaluator, DuckEngine, DuckEngine]:
    """The Python evaluator, the DuckDB engine on the same events in memory, and on them as a JSON-lines file
    (with the app's queries planned as a batch)."""
    gen = _generator()
    events = gen.doc_samples() + gen.generate(1500, 5) + gen.edge_samples() + gen.generate_audits(300, 5)
    raw = [json.dumps(e, separators=(",", ":")) for e in events]
    lookups = Lookups(geo={r["ip"]: r for r in gen.geo_table()}, threats={r["threat"]: r for r in gen.threat_table()})
    path = tmp_path_factory.mktemp("events") / "events.jsonl"
    path.write_text("".join(line + "\n" for line in raw), encoding="utf-8")
    python = Evaluator(events, lookups, raw)
    duck = LocalEngine(events, lookups, raw, engine="duckdb").duck()
    files = DuckEngine.from_jsonl([path], lookups)
    # the file engine plans the app's queries as one batch (`test`, `preview`): shared heads kept, the rest read
    # straight from the events; the in-memory one keeps every head
    files.prepare([text for _, text, _, _ in APP_QUERIES], variables=[d for *_, d in APP_QUERIES], parameters=PARAMS)
    yield python, duck, files
    files.close()


def _app_queries() -> list[tuple[str, str, str | None, dict[str, str]]]:
    app, _ = load_app(ROOT / "app_definitions" / "1password")
    assert app is not None
    runner = SampleRunner(app, {}, {})
    return [(target, text, time_range, defaults) for target, (text, time_range, defaults, _)
            in runner.targets().items()], app.parameter_defaults()


APP_QUERIES, PARAMS = _app_queries()


def test_the_app_has_every_kind_of_query():
    kinds = {target.split(":")[0] if ":" in target else "panel" for target, *_ in APP_QUERIES}
    assert kinds == {"panel", "query", "monitor"} and len(APP_QUERIES) >= 55


@pytest.mark.parametrize(("target", "text", "time_range", "defaults"), APP_QUERIES, ids=[q[0] for q in APP_QUERIES])
def test_app_query_gives_identical_rows_on_both_engines(engines, target, text, time_range, defaults):
    python, duck, files = engines
    kwargs = {"variables": defaults, "parameters": PARAMS, "time_range": time_range}
    expected = python.run(text, **kwargs)
    got = duck.run(text, strict=True, **kwargs)  # strict: the scope and row-local part really ran as SQL
    assert got.columns == expected.columns
    assert got.rows == expected.rows
    assert files.run(text, **kwargs).rows == expected.rows  # the same, read straight from the file
    assert duck.last_plan is not None and duck.last_plan.sql.startswith("SELECT")


def test_monitor_windows_see_the_same_event_times(engines):
    python, duck, files = engines
    for target, text, _, _ in APP_QUERIES:
        if target.startswith("monitor:"):
            times = python.row_times(text, parameters=PARAMS)
            assert duck.row_times(text, parameters=PARAMS) == times
            assert files.row_times(text, parameters=PARAMS) == times


def test_a_shifted_clock_gives_the_same_windows(engines):
    python, duck, _ = engines
    now = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    for target, text, time_range, defaults in APP_QUERIES[:12]:
        kwargs = {"variables": defaults, "parameters": PARAMS, "time_range": time_range or "-1d", "now": now}
        assert duck.run(text, **kwargs).rows == python.run(text, **kwargs).rows, target


def _export_queries() -> list[tuple[str, str]]:
    if not EXPORTS.is_dir():
        return []
    out = []
    for path in sorted(EXPORTS.glob("*.json")):
        for kind, text, _, _ in collect(json.loads(path.read_text(encoding="utf-8")), []):
            if kind == "logs":
                out.append((path.name, text))
    return out


@pytest.mark.slow
@pytest.mark.skipif(not EXPORTS.is_dir(), reason="reference exports not available")
def test_reference_export_queries_give_identical_rows(engines):
    python, duck, _ = engines
    compared = compiled = 0
    for name, text in _export_queries():
        try:
            expected = python.run(text)
        except EvalError:
            continue  # the evaluator does not run this one; nor is the DuckDB engine asked to
        got = duck.run(text)
        assert (got.columns, got.rows) == (expected.columns, expected.rows), f"{name}: {text}"
        compared += 1
        compiled += not duck.last_plan.reason
    assert compared >= 100 and compiled >= compared // 2
