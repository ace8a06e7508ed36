"""Query fragments (`@include`), variable sets (`use:`) and YAML merge keys: expanded while loading, so the
build is the same as if everything were written out; problems point at the fragment's line and at the use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from appbuilder.build import build_app
from appbuilder.load.app import load_app
from appbuilder.load.yamlfile import read_yaml
from appbuilder.validate import validate_app

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
HEADER = "# yaml-language-server: $schema=../../appbuilder/schemas/fragments.schema.json\n"
FRAGMENTS = HEADER + """fragments:
  scope:
    query: |-
      _sourceCategory=${source_category}
  events:
    description: the parse every panel shares
    query: |-
      @include scope
      | json "category", "type" as category, type
variableSets:
  filters:
    - name: type
      fromQuery:
        query: |
          _sourceCategory=${source_category}
          | json "type" as type
          | count by type
        field: type
"""


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURE, target)
    return target


def use_fragments(app: Path, fragments: str = FRAGMENTS) -> None:
    (app / "fragments.yaml").write_text(fragments)
    manifest = app / "app.yaml"
    manifest.write_text(manifest.read_text().replace("queries: queries.yaml", "fragments: fragments.yaml\n"
                                                     "queries: queries.yaml"))
    main = app / "dashboards" / "main.yaml"
    text = main.read_text()
    start, end = text.index("variables:"), text.index("panels:")
    text = text[:start] + "variables:\n  - use: filters\n" + text[end:]
    text = text.replace('      _sourceCategory=${source_category}\n      | json "category", "type" as category, type\n',
                        "      @include events\n")
    main.write_text(text)


def test_the_build_is_the_same_as_written_out(app: Path, tmp_path: Path) -> None:
    written_out, problems = load_app(FIXTURE)
    assert written_out is not None and not problems
    use_fragments(app)
    assert "@include events" in (app / "dashboards" / "main.yaml").read_text()
    result = validate_app(app)
    assert result.ok, result.diagnostics
    assert result.app is not None
    assert build_app(result.app).content == build_app(written_out).content


def test_a_problem_inside_a_fragment_points_at_its_line_and_the_use(app: Path) -> None:
    use_fragments(app, FRAGMENTS.replace('"category", "type" as category, type', '"category" as category, type'))
    diagnostics = validate_app(app).errors
    json_line = FRAGMENTS.splitlines().index('      | json "category", "type" as category, type') + 1
    found = [d for d in diagnostics if d.position.file.endswith("fragments.yaml")]
    assert found, diagnostics
    assert {d.position.line for d in found} == {json_line}
    assert any("in fragment 'events' included at " in d.message and "main.yaml:" in d.message for d in found)


def test_unknown_fragment_and_cycles_are_errors_at_the_include(app: Path) -> None:
    use_fragments(app, FRAGMENTS.replace("@include scope", "@include scopes"))
    (unknown,) = [d for d in validate_app(app).errors if "unknown query fragment" in d.message]
    assert unknown.position.file.endswith("fragments.yaml") and unknown.hint == "did you mean 'scope'?"
    assert "included at" in unknown.message
    (app / "fragments.yaml").write_text(FRAGMENTS.replace("      _sourceCategory=${source_category}\n",
                                                          "      @include events\n", 1))
    cycles = [d for d in validate_app(app).errors if d.code == "fragment-cycle"]
    assert cycles and "events → scope → events" in cycles[0].message


def test_nested_include_and_line_mapping(app: Path) -> None:
    use_fragments(app)
    loaded, problems = load_app(app)
    assert loaded is not None and not problems
    panel = next(p for p in loaded.dashboards[0].panels if p.id == "by_category")
    assert panel.query is not None and panel.query_origin is not None
    assert panel.query.splitlines()[:2] == ["_sourceCategory=${source_category}",
                                            '| json "category", "type" as category, type']
    scope_line = FRAGMENTS.splitlines().index("      _sourceCategory=${source_category}") + 1
    where = panel.query_origin.locate(1, 1)
    assert where.file.endswith("fragments.yaml") and where.line == scope_line
    assert panel.query_origin.locate(3, 3).file.endswith("main.yaml")


def test_variable_sets_expand_in_place_and_unknown_sets_are_reported(app: Path) -> None:
    use_fragments(app)
    loaded, _ = load_app(app)
    assert loaded is not None
    (variable,) = loaded.dashboards[0].variables
    assert variable.name == "type" and variable.position is not None
    assert variable.position.file.endswith("fragments.yaml")
    main = app / "dashboards" / "main.yaml"
    main.write_text(main.read_text().replace("use: filters", "use: filter"))
    errors = validate_app(app).errors
    assert any("unknown variable set 'filter'" in d.message and d.hint == "did you mean 'filters'?"
               and d.position.file.endswith("main.yaml") for d in errors)


def test_merge_keys_share_panel_settings(app: Path) -> None:
    main = app / "dashboards" / "main.yaml"
    text = main.read_text().replace("  - id: by_category\n", "  - &wide\n    id: by_category\n    width: 16\n")
    main.write_text(text + "  - <<: *wide\n    id: by_category_too\n    title: Events by Category Too\n")
    loaded, problems = load_app(app)
    assert loaded is not None and not problems, problems
    panels = {p.id: p for p in loaded.dashboards[0].panels}
    first, copy = panels["by_category"], panels["by_category_too"]
    assert (copy.width, copy.chart, copy.query, copy.title) == (16, "pie", first.query, "Events by Category Too")


def test_a_bad_value_from_a_merge_names_both_places(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("base: &b\n  width: 99\np:\n  <<: *b\n  height: 2\n")
    doc, problems = read_yaml(path)
    assert doc is not None and not problems
    assert doc.data["p"] == {"width": 99, "height": 2}
    assert doc.position(["p", "width"]).line == 2
    assert doc.merge_note(["p", "width"]).endswith("d.yaml:4:3)") and doc.merge_note(["p", "height"]) == ""
    path.write_text("p:\n  <<: 3\n")
    doc, problems = read_yaml(path)
    assert doc is None and problems[0].code == "yaml-merge" and problems[0].position.line == 2


def test_explicit_keys_win_over_merged_ones_and_duplicates_are_still_errors(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  <<: [*a, *b]\n  x: 9\n")
    doc, _ = read_yaml(path)
    assert doc is not None and doc.data["c"] == {"x": 9, "y": 2, "z": 4}
    path.write_text("c:\n  <<: {x: 1}\n  y: 1\n  y: 2\n")
    doc, problems = read_yaml(path)
    assert doc is None and problems[0].code == "duplicate-key"


def test_schema_problem_in_a_merged_value_names_the_merge(app: Path) -> None:
    main = app / "dashboards" / "main.yaml"
    text = main.read_text().replace("  - id: by_category\n", "  - &wide\n    id: by_category\n    width: 99\n")
    main.write_text(text + "  - <<: *wide\n    id: by_category_too\n    title: Events by Category Too\n")
    errors = [d for d in validate_app(app).errors if d.code == "schema"]
    assert any("merged in with << at" in d.message for d in errors), errors


@pytest.mark.parametrize("broken", ["", "fragments:\n  events: 3\n", "fragments: [\n"])
def test_a_broken_fragments_file_is_reported_once_without_a_cascade(app: Path, broken: str) -> None:
    use_fragments(app)
    (app / "fragments.yaml").write_text(broken)
    errors = validate_app(app).errors
    assert errors and all(d.position.file.endswith("fragments.yaml") for d in errors), errors
    assert not [d for d in validate_app(app).warnings if d.code != "schema"]


def test_the_bundled_app_with_a_broken_fragments_file_reports_only_that(tmp_path: Path) -> None:
    app = tmp_path / "1password"
    shutil.copytree(Path(__file__).resolve().parent.parent / "app_definitions" / "1password", app)
    (app / "fragments.yaml").write_text("fragments:\n  signin_events: {query: 3}\n")
    errors = validate_app(app).errors
    assert len(errors) == 1 and errors[0].position.file.endswith("fragments.yaml")
