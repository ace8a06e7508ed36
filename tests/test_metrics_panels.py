"""Metrics panels are not run on the (log) sample events: `test` reports them as skipped, `query run` refuses."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import cli_run, edit

from appbuilder.commands.test import run_app_tests
from appbuilder.report import render
from appbuilder.validate import validate_app

MINIMAL_APP = Path(__file__).resolve().parent / "fixtures" / "minimal"
METRICS_PANEL = ("  - id: cpu\n    title: CPU\n    chart: line\n    queries:\n      - type: metrics\n"
                 "        query: metric=cpu_idle | avg by host\n")
TESTS = """tests:
  - name: cpu has rows
    target: main/cpu
    rowCount: {min: 1}
  - name: categories
    target: main/by_category
    columns: [category, _count]
"""


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    """The minimal app with a metrics panel and an expectation on it (besides one on a log panel)."""
    root = tmp_path / "app"
    shutil.copytree(MINIMAL_APP, root)
    edit(root / "dashboards" / "main.yaml", "panels:\n", "panels:\n" + METRICS_PANEL)
    (root / "tests").mkdir()
    (root / "tests" / "panels.yaml").write_text(TESTS, encoding="utf-8")
    edit(root / "app.yaml", "samples:\n", "tests:\n  - tests/*.yaml\nsamples:\n")
    return root


def run(app: Path):
    loaded = validate_app(app, lint_queries=False)
    assert loaded.ok and loaded.app is not None, [str(d) for d in loaded.diagnostics]
    return run_app_tests(loaded.app, variables={}, parameters={})


def test_metrics_panel_and_its_expectation_are_skipped_not_failed(app: Path) -> None:
    result = run(app)
    skipped = {c.name: c.skipped for c in result.cases if c.skipped}
    assert set(skipped) == {"main/cpu", "cpu has rows"}
    assert all(reason.startswith("metrics queries are not run locally") for reason in skipped.values())
    assert result.ok and result.failed == 0 and result.skipped == 2
    assert result.passed == len(result.cases) - 2  # the log panels and their expectation still run and pass
    assert next(c for c in result.cases if c.name == "categories").rows > 0


def test_every_format_reports_the_skipped_cases(app: Path) -> None:
    result = run(app)
    text = render(result, "text")
    assert "SKIP main/cpu (metrics queries are not run locally" in text
    assert f"{result.passed} passed, 0 failed, 2 skipped;" in text and "FAIL" not in text
    doc = json.loads(render(result, "json"))
    assert doc["ok"] is True and doc["skipped"] == 2 and doc["failed"] == 0
    assert [c["name"] for c in doc["cases"] if c["skipped"]] == ["main/cpu", "cpu has rows"]
    suite = ET.fromstring(render(result, "junit")).find("testsuite")
    assert suite is not None and suite.get("skipped") == "2" and suite.get("failures") == "0"
    skipped = [case.get("name") for case in suite if case.find("skipped") is not None]
    assert skipped == ["main/cpu", "cpu has rows"] and suite.find("testcase/failure") is None
    github = render(result, "github").splitlines()
    assert not any(line.startswith("::error") for line in github)
    assert any(line.startswith("::notice title=appbuilder test%3A skipped::main/cpu, cpu has rows: metrics")
               for line in github)
    assert github[-1].endswith(", 0 failed, 2 skipped")


def test_cli_test_exits_0_with_metrics_panels(app: Path) -> None:
    code, output = cli_run("test", str(app))
    assert code == 0, output
    assert "SKIP main/cpu" in output and "2 skipped" in output


def test_query_run_on_a_metrics_panel_says_why_and_exits_1(app: Path) -> None:
    code, output = cli_run("query", "run", str(app), "--panel", "main/cpu")
    assert code == 1
    assert "error: 'main/cpu' is a metrics panel: metrics queries are not run locally" in output
    assert "hint:" in output
    code, output = cli_run("query", "run", str(app), "--panel", "main/by_category")
    assert code == 0 and "_count" in output
