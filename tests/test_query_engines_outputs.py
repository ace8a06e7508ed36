"""`appbuilder test` and `appbuilder preview` run their queries on the DuckDB engine, and what they write on the
1Password app's samples is exactly what the Python evaluator gives."""

from __future__ import annotations

import functools
from dataclasses import asdict
from pathlib import Path

import pytest
from helpers import changed_cached_trees

import appbuilder.commands.sample_runner as sample_runner
import appbuilder.query.engines.local as local_engine
from appbuilder.commands.preview import run_preview
from appbuilder.commands.sample_runner import SampleRunner
from appbuilder.commands.test import run_app_tests
from appbuilder.load import load_app
from appbuilder.query.engines.local import LocalEngine

APP = Path(__file__).resolve().parents[1] / "app_definitions" / "1password"


@pytest.fixture(autouse=True)
def _duckdb_even_on_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    """``auto`` interprets small inputs in Python; these tests are about what the SQL engine gives on them."""
    monkeypatch.setattr(local_engine, "SMALL_INPUT", 0)


def test_auto_interprets_an_apps_samples_in_python_and_large_inputs_in_sql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    app, _ = load_app(APP)
    runner = SampleRunner(app, {}, {})
    assert 0 < len(runner.samples.events) < local_engine.SMALL_INPUT
    runner.run("overview/events_by_type", runner.targets()["overview/events_by_type"], {})
    assert runner.evaluator.plan.startswith("engine: python (fewer than 10,000 events")
    big = LocalEngine([{"k": str(i % 3)} for i in range(local_engine.SMALL_INPUT)])
    assert big.run('* | json "k" | count by k').rows and big.plan.startswith("engine: duckdb")


def _python_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sample_runner, "LocalEngine", functools.partial(LocalEngine, engine="python"))


def _cases(app) -> list[dict]:
    result = run_app_tests(app, variables={}, parameters=app.parameter_defaults())
    return [{k: v for k, v in asdict(case).items() if k != "seconds"} for case in result.cases]


@pytest.mark.slow
def test_app_tests_run_on_duckdb_with_the_python_evaluators_results(monkeypatch: pytest.MonkeyPatch):
    app, _ = load_app(APP)
    runner = SampleRunner(app, {}, {})
    runner.run("overview/events_by_type", runner.targets()["overview/events_by_type"], {})
    assert runner.evaluator.plan.startswith("engine: duckdb\n")
    duck = _cases(app)
    assert duck and all(not c["failures"] for c in duck)
    _python_only(monkeypatch)
    assert _cases(app) == duck
    assert changed_cached_trees() == []  # parse shares one tree per text: neither engine changed one


@pytest.mark.slow
def test_preview_site_is_byte_identical_on_both_engines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def site(name: str) -> dict[str, bytes]:
        out = tmp_path / name
        outcome = run_preview(APP, site=out, png=None, parameters={}, variants=False)
        assert outcome.ok
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    duck = site("duck")
    _python_only(monkeypatch)
    python = site("python")
    assert duck.keys() == python.keys() and len(duck) > 5
    assert [k for k in duck if duck[k] != python[k]] == []
