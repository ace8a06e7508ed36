"""appbuilder.load.app: app.yaml and the files it names → the typed model, with positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import edit

from appbuilder.load import load_app
from appbuilder.model import App, Layout, Position
from appbuilder.validate import validate_app

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"






def _load_ok(path: Path) -> App:
    app, problems = load_app(path)
    assert problems == []
    assert app is not None
    return app


def test_minimal_identity(app_dir: Path) -> None:
    app = _load_ok(app_dir)
    assert (app.name, app.version, app.folder) == ("Minimal", "0.1.0", "Minimal ${source_category}")
    assert app.description == "A tiny app used by the tests."
    assert app.root == app_dir
    assert app.position == Position("app/app.yaml", 2, 1)
    assert [(p.name, p.default, p.pattern) for p in app.parameters] == [
        ("source_category", "mini", "[A-Za-z0-9/_-]+")]
    assert app.parameters[0].position == Position("app/app.yaml", 7, 5)
    assert app.parameter_defaults() == {"source_category": "mini"}


def test_app_yaml_path_works_like_its_directory(app_dir: Path) -> None:
    by_dir = _load_ok(app_dir)
    by_file = _load_ok(app_dir / "app.yaml")
    assert by_file.name == by_dir.name
    assert [d.title for d in by_file.dashboards] == [d.title for d in by_dir.dashboards]


def test_source(app_dir: Path) -> None:
    source = _load_ok(app_dir).source
    assert source is not None
    assert (source.name, source.type, source.category) == ("Minimal Source", "1Password", "${source_category}")
    assert (source.base_url, source.apis, source.token_env) == ("events.1password.com", ["sign-in", "itemUsage"],
                                                                 "MINIMAL_TOKEN")
    assert source.collector.name == "Minimal Collector"
    assert source.token_file is None
    assert source.position == Position("app/source.yaml", 5, 3)


def test_queries_and_saved_searches(app_dir: Path) -> None:
    app = _load_ok(app_dir)
    assert [q.id for q in app.queries] == ["all_events", "by_type"]
    first, second = app.queries
    assert first.saved_search and not second.saved_search
    assert app.saved_searches == [first]
    assert first.text.startswith("_sourceCategory=${source_category}\n| json")
    assert (first.time_range, first.parsing_mode, first.by_receipt_time) == ("-15m", "Manual", False)
    assert first.origin.block and first.origin.first_line == 8
    assert app.query_by_id("by_type") is second
    assert app.query_by_id("nope") is None


def test_dashboard_panels_and_variables(app_dir: Path) -> None:
    app = _load_ok(app_dir)
    [dashboard] = app.dashboards
    assert (dashboard.slug, dashboard.title, dashboard.theme, dashboard.time_range) == (
        "main", "Minimal - Main", "Light", "-1d")
    assert [p.id for p in dashboard.panels] == ["intro", "by_category", "by_type"]
    intro, by_category, by_type = dashboard.panels
    assert intro.text == "# Minimal" and intro.query is None
    assert by_category.query is not None and "{{type}}" in by_category.query
    assert by_category.query_origin is not None and by_category.query_origin.first_line == 23
    assert [p.position for p in dashboard.panels] == [
        Position("app/dashboards/main.yaml", line, 5) for line in (13, 19, 27)]
    [variable] = dashboard.variables
    assert (variable.name, variable.field, variable.default, variable.include_all) == ("type", "type", "*", True)
    assert variable.query is not None and variable.query_origin is not None
    assert variable.query_origin.first_line == 8


def test_query_ref_is_resolved_with_the_queries_file_origin(app_dir: Path) -> None:
    app = _load_ok(app_dir)
    panel = app.dashboards[0].panels[2]
    query = app.query_by_id("by_type")
    assert query is not None
    assert panel.query_ref == "by_type"
    assert panel.query == query.text
    assert panel.query_origin == query.origin
    assert panel.query_origin.position.file == "app/queries.yaml"


def test_layout_is_computed(app_dir: Path) -> None:
    panels = _load_ok(app_dir).dashboards[0].panels
    assert [p.layout for p in panels] == [Layout(0, 0, 24, 2), Layout(0, 2, 12, 8), Layout(12, 2, 12, 8)]


def test_samples_are_globbed(app_dir: Path) -> None:
    app = _load_ok(app_dir)
    assert [p.name for p in app.sample_files] == ["events.jsonl"]
    assert app.test_files == []


def test_a_glob_among_the_dashboards_is_explained(app_dir: Path) -> None:
    edit(app_dir / "app.yaml", "  - dashboards/main.yaml", "  - dashboards/*.yaml")
    _, problems = load_app(app_dir)
    (problem,) = [p for p in problems if "does not exist" in p.message]
    assert "dashboards are listed one file each (globs work under samples and tests only)" in problem.hint


def test_no_app_yaml(tmp_path: Path) -> None:
    app, problems = load_app(tmp_path)
    assert app is None
    assert [p.code for p in problems] == ["missing-file"]
    assert "no app.yaml" in problems[0].message


def test_problems_of_all_files_in_one_run(app_dir: Path) -> None:
    edit(app_dir / "source.yaml", "tokenEnv: MINIMAL_TOKEN", "tokenEnv: minimal")
    edit(app_dir / "dashboards/main.yaml", "chart: pie", "chart: pi")
    edit(app_dir / "queries.yaml", "savedSearch: true", "savedSearch: yes please")
    result = validate_app(app_dir, lint_queries=False)
    assert result.app is not None
    assert sorted({p.position.file for p in result.errors}) == [
        "app/dashboards/main.yaml", "app/queries.yaml", "app/source.yaml"]


def test_schema_invalid_files_still_give_usable_parts(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "chart: pie", "chart: pi")
    app, problems = load_app(app_dir)
    assert app is not None and not problems  # schema checks belong to the validate stage
    assert [d.code for d in validate_app(app_dir, lint_queries=False).errors] == ["schema"]
    assert [p.id for p in app.dashboards[0].panels] == ["intro", "by_category", "by_type"]


def test_unreadable_manifest_gives_no_app(app_dir: Path) -> None:
    (app_dir / "app.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    app, problems = load_app(app_dir)
    assert app is None
    assert problems and problems[0].code == "yaml-syntax"


@pytest.mark.parametrize(("content", "found"), [
    ("- a\n- b\n", "a list"),
    ("~\n", "nothing (null)"),
    ("just text\n", "a string"),
])
def test_top_level_not_a_mapping_is_described_in_yaml_terms(app_dir: Path, content: str, found: str) -> None:
    (app_dir / "queries.yaml").write_text(content, encoding="utf-8")
    _, problems = load_app(app_dir)
    [problem] = [p for p in problems if p.position.file == "app/queries.yaml"]
    assert problem.message == f"expected a mapping at the top of this queries file, found {found}"
    assert problem.position.line == 1


def test_missing_and_directory_references(app_dir: Path) -> None:
    edit(app_dir / "app.yaml", "source: source.yaml", "source: nope.yaml")
    edit(app_dir / "app.yaml", "  - dashboards/main.yaml\n", "  - dashboards/main.yaml\n  - dashboards.yaml\n")
    (app_dir / "dashboards.yaml").mkdir()
    app, problems = load_app(app_dir)
    assert app is not None and app.source is None
    messages = {(p.position.line, p.message) for p in problems if p.code == "missing-file"}
    assert messages == {(10, "'nope.yaml' does not exist"), (14, "'dashboards.yaml' is a directory")}


def test_unknown_query_ref_is_left_unresolved(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "queryRef: by_type", "queryRef: nope")
    app = _load_ok(app_dir)
    panel = app.dashboards[0].panels[2]
    assert panel.query is None and panel.query_ref == "nope"


def test_explicit_values_are_loaded(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "description: Main dashboard.\n",
         "description: Main dashboard.\ntheme: Dark\ntimeRange: -4w2d\nrefreshInterval: 300\n")
    edit(app_dir / "dashboards/main.yaml", "    chart: bar\n",
         "    chart: bar\n    stacked: true\n    width: 6\n    height: 3\n    timeRange: yesterday\n"
         "    position: {x: 18, y: 40}\n    settings: {legend: {enabled: true}}\n")
    dashboard = _load_ok(app_dir).dashboards[0]
    assert (dashboard.theme, dashboard.time_range, dashboard.refresh_interval) == ("Dark", "-4w2d", 300)
    panel = dashboard.panels[2]
    assert (panel.stacked, panel.width, panel.height, panel.time_range) == (True, 6, 3, "yesterday")
    assert panel.explicit_position == (18, 40)
    assert panel.layout == Layout(18, 40, 6, 3)
    assert panel.settings == {"legend": {"enabled": True}}


def test_a_dashboard_file_given_as_the_app_gets_one_clear_message(app_dir: Path) -> None:
    app, problems = load_app(app_dir / "dashboards" / "main.yaml")
    assert len(problems) == 1
    assert "app.yaml" in problems[0].message
