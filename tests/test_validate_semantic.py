"""appbuilder.validate.semantic: references, names, variables, parameters and layout across files."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import edit

from appbuilder.diagnostics import WARNING
from appbuilder.model import App, Dashboard, Layout, Panel, Parameter, Position, Query, TextOrigin
from appbuilder.validate import ValidationResult, validate_app
from appbuilder.validate.semantic import check_app

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"
DASH = Path("app/dashboards/main.yaml")






def validate(path: Path) -> ValidationResult:
    return validate_app(path, lint_queries=False)


def codes(result: ValidationResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def test_minimal_fixture_is_clean(app_dir: Path) -> None:
    result = validate(app_dir)
    assert result.ok
    assert result.diagnostics == []


def test_unused_variable_is_only_a_warning(app_dir: Path) -> None:
    edit(DASH, "panels:\n", "  - name: unused\n    values: [a, b]\npanels:\n")
    result = validate(app_dir)
    assert result.ok
    [warning] = result.warnings
    assert warning.severity == WARNING and warning.code == "unused-variable"
    assert "'unused' is declared but no query uses it" in warning.message
    assert warning.position == Position("app/dashboards/main.yaml", 12, 5)


def test_variable_used_in_a_metadata_filter_or_title_counts_as_used(app_dir: Path) -> None:
    edit(DASH, "panels:\n", "  - name: region\n    metadata: {key: region, filter: 'type={{type}}'}\n"
                             "  - name: top\n    values: ['5', '10']\npanels:\n")
    edit(DASH, "title: Events by Type", "title: Top {{top}} Types {{region}}")
    result = validate(app_dir)
    assert result.diagnostics == []


def test_undeclared_variable_in_title(app_dir: Path) -> None:
    edit(DASH, "title: Events by Type", "title: Top {{limit}}")
    result = validate(app_dir)
    [error] = result.errors
    assert error.code == "undeclared-variable"
    assert error.position == Position("app/dashboards/main.yaml", 27, 5)  # the panel
    assert "declared: type" in error.hint


def test_undeclared_variable_in_a_referenced_query_points_into_queries_yaml(app_dir: Path) -> None:
    edit(Path("app/queries.yaml"), 'where type matches "{{type}}"', 'where type matches "{{kind}}"')
    result = validate(app_dir)
    [error] = result.errors
    assert error.code == "undeclared-variable"
    line = Path("app/queries.yaml").read_text().splitlines()[14]
    assert error.position == Position("app/queries.yaml", 15, line.index("{{kind}}") + 1)
    assert "{{kind}}" in error.message


def test_parameters_and_variables_are_not_confused(app_dir: Path) -> None:
    # ${type} is an install parameter (undeclared); {{source_category}} a dashboard variable (undeclared)
    edit(DASH, '| where type matches "{{type}}"\n      | count by category',
         '| where type matches "${type}" and x = "{{source_category}}"\n      | count by category')
    result = validate(app_dir)
    found = sorted((d.code, d.message) for d in result.errors)
    assert found == [
        ("undeclared-variable", "variable '{{source_category}}' is not declared on dashboard 'Minimal - Main'"),
        ("unknown-parameter", "unknown install parameter '${type}'"),
    ]


@pytest.mark.parametrize(("path", "old", "new", "field"), [
    (Path("app/app.yaml"), "folder: Minimal ${source_category}", "folder: Minimal ${nope}", "folder"),
    (Path("app/source.yaml"), "category: ${source_category}", "category: ${nope}", "source.category"),
    (Path("app/source.yaml"), "name: Minimal Collector", "name: Collector ${nope}", "collector.name"),
    (Path("app/source.yaml"), "name: Minimal Source", "name: Source ${nope}", "source.name"),
    (Path("app/queries.yaml"), "name: Minimal - All Events", "name: All ${nope}", "queries[all_events].name"),
    (DASH, "title: Minimal - Main", "title: Main ${nope}", "title"),
    (DASH, "title: Events by Type", "title: Events ${nope}", "panels[by_type].title"),
    (DASH, '| json "type" as type\n        | count', '| json "${nope}" as type\n        | count',
     "variables[type]"),
])
def test_unknown_parameter_everywhere(app_dir: Path, path: Path, old: str, new: str, field: str) -> None:
    edit(path, old, new)
    result = validate(app_dir)
    [error] = result.errors
    assert error.code == "unknown-parameter"
    assert error.path == field
    assert error.position.file == str(path)
    assert "declared: source_category" in error.hint


def test_unknown_parameter_in_block_query_is_exact(app_dir: Path) -> None:
    edit(Path("app/queries.yaml"), "      | json \"category\" as category\n",
         "      | json \"category\" as category | where x = \"${nope}\"\n")
    [error] = validate(app_dir).errors
    line = Path("app/queries.yaml").read_text().splitlines()[8]
    assert error.position == Position("app/queries.yaml", 9, line.index("${nope}") + 1)


def test_parameter_default_and_pattern(app_dir: Path) -> None:
    edit(Path("app/app.yaml"), "default: mini", "default: not ok")
    [error] = validate(app_dir).errors
    assert error.code == "parameter-value"
    assert error.message == ("the default value 'not ok' of parameter 'source_category' does not match its pattern "
                             "[A-Za-z0-9/_-]+")


def test_duplicate_parameter(app_dir: Path) -> None:
    edit(Path("app/app.yaml"), "source: source.yaml", "  - name: source_category\n    default: x\nsource: source.yaml")
    [error] = validate(app_dir).errors
    assert error.message == "parameter 'source_category' is declared twice"
    assert error.position.line == 10


def test_duplicate_query_ids(app_dir: Path) -> None:
    edit(Path("app/queries.yaml"), "  - id: by_type\n", "  - id: all_events\n")
    errors = validate(app_dir).errors
    assert any(e.message.startswith("duplicate query id 'all_events' (first at app/queries.yaml:3:5)")
               for e in errors)


def test_saved_search_and_dashboard_share_the_folder(app_dir: Path) -> None:
    edit(Path("app/queries.yaml"), "name: Minimal - All Events", "name: Minimal - Main")
    [error] = validate(app_dir).errors
    assert error.code == "duplicate-name"
    assert error.message == "duplicate name in the app folder 'Minimal - Main' (first at app/dashboards/main.yaml:2:1)"
    assert error.position == Position("app/queries.yaml", 3, 5)


def test_non_saved_queries_do_not_take_folder_names(app_dir: Path) -> None:
    edit(Path("app/queries.yaml"), "  - id: by_type\n", "  - id: by_type\n    name: Minimal - Main\n")
    assert validate(app_dir).ok


def test_saved_search_with_declared_variable_is_fine(app_dir: Path) -> None:
    edit(Path("app/queries.yaml"), "| count by category",
         '| where category matches "{{cat}}"\n      | count by category')
    assert codes(validate(app_dir)) == ["undeclared-variable"]
    edit(Path("app/queries.yaml"), "    description: Every event.\n",
         "    description: Every event.\n    variables:\n      - {name: cat, default: '*'}\n")
    assert validate(app_dir).diagnostics == []


def test_unknown_query_ref_lists_known_ids(app_dir: Path) -> None:
    edit(DASH, "queryRef: by_type", "queryRef: by_kind")
    [error] = validate(app_dir).errors
    assert error.code == "unresolved-reference"
    assert error.hint == "known query ids: all_events, by_type"
    assert error.path == "panels[by_type].queryRef"


def test_broken_queries_file_gives_no_follow_on_query_ref_errors(app_dir: Path) -> None:
    Path("app/queries.yaml").write_text("queries: [unclosed\n", encoding="utf-8")
    result = validate(app_dir)
    assert codes(result) == ["yaml-syntax"]


def test_flowed_panels_never_overlap_or_leave_the_grid(app_dir: Path) -> None:
    edit(DASH, "    chart: pie\n", "    chart: pie\n    width: 20\n")
    edit(DASH, "    chart: bar\n", "    chart: bar\n    width: 24\n")
    assert validate(app_dir).diagnostics == []


def test_out_of_grid_and_overlap(app_dir: Path) -> None:
    edit(DASH, "    chart: bar\n", "    chart: bar\n    width: 10\n    position: {x: 20, y: 0}\n")
    result = validate(app_dir)
    found = sorted((d.code, d.message) for d in result.errors)
    assert found == [("layout", "panel 'by_type' ends at column 30, beyond the 24-column grid"),
                     ("layout", "panel 'by_type' overlaps panel 'intro'")]
    assert all(d.position == Position("app/dashboards/main.yaml", 27, 5) for d in result.errors)


def test_duplicate_panel_ids_and_variables(app_dir: Path) -> None:
    edit(DASH, "  - id: by_type\n", "  - id: intro\n")
    edit(DASH, "panels:\n", "  - name: type\n    values: [x]\npanels:\n")
    messages = sorted(d.message.split(" (first")[0] for d in validate(app_dir).errors)
    assert messages == ["duplicate panel id 'intro'", "duplicate variable 'type'"]


def _model_app() -> App:
    where = Position("m.yaml", 1, 1)
    query = Query("q", "x ${p} {{v}}", TextOrigin(where, block=True, first_line=5, indent=4), name="Q",
                  saved_search=True, position=where)
    panel = Panel("a", "A", "table", query="y", layout=Layout(0, 0, 12, 4), position=where)
    return App("n", "1.0.0", "d", "f", Path("."), parameters=[Parameter("p", "v")], queries=[query],
               dashboards=[Dashboard("d", "D", [panel], position=where)], position=where)


def test_check_app_on_a_model() -> None:
    [problem] = check_app(_model_app())
    assert problem.code == "undeclared-variable"
    assert problem.position == Position("m.yaml", 5, 4 + 8)  # "{{v}}" is at column 8 of the text's line 1


def test_two_dashboards_with_one_file_name_are_refused(app_dir: Path) -> None:
    """Both would be `main` in test targets, panel keys and preview pages: one would silently hide the other."""
    (app_dir / "dashboards" / "b").mkdir()
    text = (app_dir / "dashboards" / "main.yaml").read_text(encoding="utf-8")
    (app_dir / "dashboards" / "b" / "main.yaml").write_text(text.replace("Minimal - Main", "Minimal - Other"),
                                                            encoding="utf-8")
    edit(app_dir / "app.yaml", "  - dashboards/main.yaml\n", "  - dashboards/main.yaml\n  - dashboards/b/main.yaml\n")
    errors = [(str(d.position), d.message) for d in validate_app(app_dir).errors]
    assert errors == [("app/dashboards/b/main.yaml:2:1",
                       "duplicate dashboard file name 'main' (first at app/dashboards/main.yaml:2:1)")]


def test_an_unmanaged_part_that_is_defined_is_an_error(app_dir: Path) -> None:
    edit(app_dir / "app.yaml", "\nsource:", "\nunmanaged: [monitors, source]\nsource:")
    errors = validate_app(app_dir, lint_queries=False).errors
    assert [(e.code, e.message) for e in errors] == [
        ("unmanaged-defined", "'source' is listed under unmanaged but app.yaml defines it")]
