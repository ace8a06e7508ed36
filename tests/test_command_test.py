"""`appbuilder test` and `appbuilder query lint` command functions, on hand-built apps and files."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from appbuilder.commands.query_lint import lint_files
from appbuilder.commands.test import run_app_tests
from appbuilder.model import App, Dashboard, Panel, Parameter, Position, Query, TextOrigin, Variable
from appbuilder.report import render

EVENTS = [
    {"timestamp": "2026-01-02T10:00:00Z", "category": "success", "client": {"ip_address": "192.0.2.1"}},
    {"timestamp": "2026-01-02T11:00:00Z", "category": "success", "client": {"ip_address": "192.0.2.2"}},
    {"timestamp": "2026-01-02T12:00:00Z", "category": "mfa_failed", "client": {"ip_address": "192.0.2.1"}},
]
SCOPE = '_sourceCategory=${src}\n| json "category", "client.ip_address" as category, ip\n'


def make_app(root: Path, tests: str | None = None, extra_panels: list[Panel] | None = None) -> App:
    (root / "samples").mkdir(parents=True)
    (root / "samples" / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in EVENTS))
    lookups = root / "tests" / "lookups"
    lookups.mkdir(parents=True)
    (lookups / "geo.jsonl").write_text(json.dumps({"ip": "192.0.2.1", "latitude": 1.5, "longitude": 2.5}) + "\n")
    test_files = []
    if tests is not None:
        (root / "tests" / "panels.yaml").write_text(tests)
        test_files.append(root / "tests" / "panels.yaml")
    panels = [
        Panel("by_category", "By category", "pie",
              query=SCOPE + '| where category matches "{{category}}"\n| count by category'),
        Panel("map", "Map", "map", query=SCOPE + "| lookup latitude, longitude from geo://location on ip=ip\n"
              "| where !isNull(latitude) | count by latitude, longitude"),
        *(extra_panels or []),
    ]
    dash = Dashboard("overview", "Overview", panels, variables=[Variable("category")])
    origin = TextOrigin(Position("queries.yaml", 3, 5))
    queries = [Query("all", SCOPE + "| count", origin, name="All", saved_search=True),
               Query("helper", SCOPE + "| count by ip", origin, time_range="-1d")]
    return App("Demo", "1.0.0", "", "Demo", root, parameters=[Parameter("src", "demo/src")], queries=queries,
               dashboards=[dash], sample_files=[root / "samples" / "events.jsonl"], test_files=test_files)


def test_every_panel_and_saved_search_runs(tmp_path):
    result = run_app_tests(make_app(tmp_path), variables={}, parameters={})
    assert [c.name for c in result.cases] == ["overview/by_category", "overview/map", "query:all"]
    assert result.ok and result.events == 3
    assert result.cases[0].rows == 2 and result.cases[0].columns == ["category", "_count"]


def test_panels_without_rows_or_with_errors_fail(tmp_path):
    extra = [Panel("empty", "Empty", "table", query=SCOPE + '| where category = "nope" | count by ip'),
             Panel("broken", "Broken", "table", query=SCOPE + "| logreduce")]
    result = run_app_tests(make_app(tmp_path, extra_panels=extra), variables={}, parameters={})
    failed = {c.name: c.failures for c in result.cases if not c.ok}
    assert set(failed) == {"overview/empty", "overview/broken"}
    assert "no rows" in failed["overview/empty"][0]
    assert "logreduce" in failed["overview/broken"][0]
    assert not result.ok


TESTS = """
variables: {category: "*"}
tests:
  - name: categories
    target: overview/by_category
    rowCount: 2
    columns: [category, _count]
    rows: [{category: success, _count: 2}]
    absent: [{category: sso_failed}]
  - name: filtered by a variable
    target: overview/by_category
    variables: {category: mfa_failed}
    rows: [{category: mfa_failed, _count: 1}]
    rowCount: {min: 1, max: 1}
  - name: helper query
    target: query:helper
    rows: [{ip: 192.0.2.1, _count: 2}]
  - name: map points
    target: overview/map
    rows: [{latitude: 1.5, longitude: "2.5", _count: 2}]
  - name: wrong expectations
    target: overview/by_category
    rowCount: 5
    columns: [nope]
    rows: [{category: success, _count: 3}]
    absent: [{category: success}]
  - name: bad target
    target: overview/missing
"""


def test_expectations_pass_and_fail_with_reasons(tmp_path):
    result = run_app_tests(make_app(tmp_path, TESTS), variables={}, parameters={})
    by_name = {c.name: c for c in result.cases}
    for name in ("categories", "filtered by a variable", "helper query", "map points"):
        assert by_name[name].ok, (name, by_name[name].failures)
    wrong = by_name["wrong expectations"].failures
    assert len(wrong) == 4
    assert "expected 5 row(s), got 2" in wrong[0]
    assert "missing column(s) nope" in wrong[1]
    assert "no result row matches" in wrong[2] and "expected none" in wrong[3]
    assert "unknown target" in by_name["bad target"].failures[0]


def test_renderers(tmp_path):
    result = run_app_tests(make_app(tmp_path, TESTS), variables={}, parameters={})
    text = render(result, "text")
    assert "PASS overview/by_category" in text and "FAIL wrong expectations" in text
    assert f"{result.passed} passed, {result.failed} failed" in text
    doc = json.loads(render(result, "json"))
    assert doc["ok"] is False and doc["failed"] == 2 and len(doc["cases"]) == len(result.cases)
    suite = ET.fromstring(render(result, "junit")).find("testsuite")
    assert suite is not None and suite.get("failures") == "2"
    assert len(suite.findall("testcase")) == len(result.cases)
    assert len(suite.findall("testcase/failure")) == 2


def test_lint_files_formats_issues_and_handles_stdin_and_missing_files(tmp_path):
    good = tmp_path / "good.sumoql"
    good.write_text('_sourceCategory=x | json "a" as a | count by a')
    bad = tmp_path / "bad.sumoql"
    bad.write_text('_sourceCategory=x\n| json "a", "b" as a\n| where (a = 1')
    result = lint_files([str(good), str(bad), str(tmp_path / "missing.sumoql")], syntax_only=False,
                        stdin_text=None)
    assert not result.ok
    assert result.files[0].ok and result.files[0].lines == []
    assert result.files[1].lines == [
        f"{bad}:2:3: error: json extracts 2 key(s) but names 1 field(s) after 'as' [json-alias-count]",
        "    hint: give exactly one field name per quoted key, in the same order",  # what to do, as validate says
        f"{bad}:3:15: error: expected ')' but found the end of the operator [syntax]",
    ]
    assert result.files[2].lines[0] == f"{tmp_path / 'missing.sumoql'}: error: file not found (check the path)"
    only_syntax = lint_files([str(bad)], syntax_only=True, stdin_text=None)
    assert [i.code for i in only_syntax.files[0].issues] == ["syntax"]
    stdin = lint_files([], syntax_only=False, stdin_text="x | where nope = 1")
    assert stdin.files[0].lines[0] == ("<stdin>:1:11: info: field 'nope' is used before any operator defines it "
                                       "[field-undefined]")  # no samples: the source's fields are unknown


def test_lint_thousands_of_files_quickly(tmp_path):
    import time
    paths = []
    for i in range(2000):
        p = tmp_path / f"q{i}.sumoql"
        p.write_text(SCOPE.replace("${src}", "x") + f"| where category = \"c{i}\"\n| count by ip | sort by _count")
        paths.append(str(p))
    start = time.perf_counter()
    result = lint_files(paths, syntax_only=False, stdin_text=None)
    assert result.ok and len(result.files) == 2000
    assert time.perf_counter() - start < 10


def test_ordered_rows_must_appear_in_the_order_given() -> None:
    from appbuilder.commands.test import check_expectations
    from appbuilder.query.evaluate import Table

    table = Table(["t"], [{"t": "c"}, {"t": "a"}, {"t": "b"}])
    assert check_expectations({"rows": [{"t": "c"}, {"t": "b"}], "ordered": True}, table) == []
    assert check_expectations({"rows": [{"t": "b"}, {"t": "c"}]}, table) == []  # without ordered: any order
    failures = check_expectations({"rows": [{"t": "b"}, {"t": "a"}], "ordered": True}, table)
    assert failures == ['rows out of order: {"t": "a"} (row 2) should come after {"t": "b"} (row 3)']
