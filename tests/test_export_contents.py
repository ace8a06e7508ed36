"""The pieces export writes that hand-written definitions may use too: app.yaml ``contents`` (sub-folders, order,
raw items), ``extra``/``omit`` (and their inverse, the residual), panel ``queries`` with a type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import edit

from appbuilder.build import build_app
from appbuilder.build.overrides import apply_overrides
from appbuilder.export.residual import residual, same
from appbuilder.model import Overrides
from appbuilder.validate import validate_app


def valid_build(app_dir: Path) -> dict:
    """The content of the app at ``app_dir``, which must validate."""
    validation = validate_app(app_dir)
    assert validation.ok, [str(d) for d in validation.errors]
    assert validation.app is not None
    return build_app(validation.app).content


@pytest.mark.parametrize(("original", "built"), [
    ({"a": 1, "b": {"c": 2, "d": [1]}}, {"a": 1, "b": {"c": 3, "e": None}, "f": True}),
    ({"t": {"type": "Epoch", "ms": 5}}, {"t": {"type": "Relative", "rel": "-1d"}}),
    ({"x": {}}, {"x": {"a": 1, "b.c": 2}}),
    ({"x": "1"}, {"x": 1}),
    ({"x": True}, {"x": 1}),
    ({"visualSettings": '{"a": 1}'}, {"visualSettings": '{"a":1}'}),
])
def test_residual_is_the_inverse_of_apply(original: dict, built: dict) -> None:
    overrides = residual(original, built)
    assert same(apply_overrides(built, overrides), original)


def test_apply_omits_every_item_of_a_wildcard_then_merges() -> None:
    built = {"panels": [{"queries": [{"a": 1, "b": 2}, {"a": 3}]}, {"text": "x"}], "keep": {"x": 1, "y": 2}}
    out = apply_overrides(built, Overrides({"keep": {"x": 9}}, ["panels.*.queries.*.a", "keep.y", "keep.x"]))
    assert out == {"panels": [{"queries": [{"b": 2}, {}]}, {"text": "x"}], "keep": {"x": 9}}
    assert built["keep"] == {"x": 1, "y": 2}  # the input is not changed


def test_contents_order_sub_folders_and_raw_items(app_dir: Path) -> None:
    (app_dir / "raw").mkdir()
    lookup = {"type": "LookupTableSyncDefinition", "name": "Owners", "description": "", "fields": []}
    (app_dir / "raw" / "owners.json").write_text(json.dumps(lookup), encoding="utf-8")
    with (app_dir / "app.yaml").open("a", encoding="utf-8") as handle:
        handle.write("contents:\n  - folder: Searches\n    description: kept apart\n    contents:\n"
                     "      - savedSearch: all_events\n  - raw: raw/owners.json\n  - dashboard: dashboards/main.yaml\n"
                     "extra:\n  description: exact folder text\n")
    content = valid_build(app_dir)
    assert content["description"] == "exact folder text"
    kinds = [(c["type"], c["name"]) for c in content["children"]]
    assert kinds[:3] == [("FolderSyncDefinition", "Searches"), ("LookupTableSyncDefinition", "Owners"),
                         ("DashboardV2SyncDefinition", "Minimal - Main")]
    assert content["children"][0]["children"][0]["type"] == "SavedSearchWithScheduleSyncDefinition"
    assert content["children"][1] == lookup


def test_contents_problems_are_reported_at_their_place(app_dir: Path) -> None:
    (app_dir / "raw").mkdir()
    (app_dir / "raw" / "broken.json").write_text('{"type": "X",\n "name": }', encoding="utf-8")
    with (app_dir / "app.yaml").open("a", encoding="utf-8") as handle:
        handle.write("contents:\n  - dashboard: dashboards/other.yaml\n  - savedSearch: nope\n"
                     "  - dashboard: dashboards/main.yaml\n  - dashboard: dashboards/main.yaml\n"
                     "  - raw: raw/missing.json\n  - raw: raw/broken.json\n")
    errors = {(str(d.position), d.message) for d in validate_app(app_dir).errors}
    assert ("app/app.yaml:17:5", "'dashboards/other.yaml' is not a file listed under dashboards") in errors
    assert ("app/app.yaml:18:5", "'nope' is not a query id in queries.yaml") in errors
    assert any(m.startswith("'dashboards/main.yaml' is placed twice") for _, m in errors)
    assert ("app/app.yaml:21:5", "'raw/missing.json' does not exist") in errors
    assert ("app/raw/broken.json:2:10", "invalid JSON: Expecting value") in errors


def test_a_raw_item_outside_the_app_is_refused_not_read(app_dir: Path) -> None:
    (app_dir.parent / "outside.json").write_text('{"type": "FolderSyncDefinition", "name": "Elsewhere", '
                                                  '"children": []}', encoding="utf-8")
    with (app_dir / "app.yaml").open("a", encoding="utf-8") as handle:
        handle.write("contents:\n  - dashboard: dashboards/main.yaml\n  - raw: ../outside.json\n")
    result = validate_app(app_dir)
    assert [(d.code, d.message) for d in result.errors] == [("outside-app",
                                                             "'../outside.json' is outside the app directory")]
    assert result.app is not None and [item.kind for item in result.app.contents or []] == ["dashboard"]


def test_raw_items_are_read_by_the_safe_json_reader(app_dir: Path) -> None:
    (app_dir / "raw").mkdir()
    (app_dir / "raw" / "deep.json").write_text("[" * 50000 + "]" * 50000, encoding="utf-8")
    (app_dir / "raw" / "bin.json").write_bytes(b'{"type": "\xff"}')
    (app_dir / "raw" / "bom.json").write_bytes(b'\xef\xbb\xbf{"type": "LookupTableSyncDefinition", "name": "t"}')
    with (app_dir / "app.yaml").open("a", encoding="utf-8") as handle:
        handle.write("contents:\n  - raw: raw/deep.json\n  - raw: raw/bin.json\n  - raw: raw/bom.json\n")
    errors = {(str(d.position), d.code) for d in validate_app(app_dir).errors}
    assert errors == {("app/raw/deep.json:1:1", "too-deep"), ("app/raw/bin.json:1:11", "encoding")}


def test_panel_queries_with_types_build_and_lint_by_type(app_dir: Path) -> None:
    edit(app_dir / "dashboards" / "main.yaml", "    queryRef: by_type\n",
         "    queries:\n      - type: metrics\n        query: metric=cpu_idle {{type}} | avg by host\n"
         "      - type: metrics\n        query: '#A * 100'\n        outputCardinalityLimit: null\n")
    panel = valid_build(app_dir)["children"][0]["panels"][-1]
    assert [(q["queryKey"], q["queryType"], q["metricsQueryMode"], q["outputCardinalityLimit"])
            for q in panel["queries"]] == [("A", "Metrics", "Advanced", 1000), ("B", "Metrics", "Advanced", None)]
    edit(app_dir / "dashboards" / "main.yaml", "'#A * 100'", "'#C * 100'")
    errors = validate_app(app_dir).errors
    assert [d.code for d in errors] == ["row-reference-undefined"]  # metrics lint, not the log parser
    edit(app_dir / "dashboards" / "main.yaml", "'#C * 100'", "'metric=mem host=${unknown} | avg'")
    assert [d.code for d in validate_app(app_dir).errors] == ["unknown-parameter"]  # every query is checked


def test_layout_order_and_hidden_panels(app_dir: Path) -> None:
    dashboard = app_dir / "dashboards" / "main.yaml"
    edit(dashboard, "panels:\n", "layoutOrder: [by_type, by_category, intro, ghost]\npanels:\n")
    errors = validate_app(app_dir).errors
    assert [(str(d.position), d.message) for d in errors] == [
        (f"{dashboard}:12:44", "layoutOrder names 'ghost', which is no panel on the grid of this dashboard")]
    edit(dashboard, ", ghost]", "]")
    edit(dashboard, "    chart: bar\n", "    chart: bar\n    hidden: true\n")
    edit(dashboard, "[by_type, by_category, intro]", "[by_category, intro]")
    built = valid_build(app_dir)["children"][0]
    keys = {p["key"]: p["title"] for p in built["panels"]}
    assert [keys[s["key"]] for s in built["layout"]["layoutStructures"]] == ["Events by Category", "About"]
    assert len(built["panels"]) == 3  # the hidden panel is kept, with no place on the grid


def test_repair_drops_optional_keys_the_schema_refuses() -> None:
    from appbuilder.export.repair import repair

    dashboard = {"title": "T", "panels": [
        {"id": "a", "title": "A", "chart": "table", "query": "*", "linkedDashboards": [{"id": "x", "relativePath": 5}],
         "queries": None},
        {"id": "b", "title": "B", "chart": "table", "queries": [{"query": "*", "parseMode": "Sometimes"}]}],
        "refreshInterval": 7}
    assert sorted(repair(dashboard, "dashboard")) == ["panels.0.linkedDashboards.0.relativePath", "panels.0.queries",
                                                      "panels.1.queries.0.parseMode", "refreshInterval"]
    assert dashboard["panels"][0] == {"id": "a", "title": "A", "chart": "table", "query": "*"}
    assert dashboard["panels"][1]["queries"] == [{"query": "*"}]
    untitled = {"title": "", "panels": [{"id": "a", "title": "A", "chart": "table", "query": "*"}]}
    assert repair(untitled, "dashboard") == [] and untitled["title"] == ""  # required: left for the loader


def test_fragments_expand_in_every_query_of_a_queries_list(app_dir: Path) -> None:
    (app_dir / "fragments.yaml").write_text("fragments:\n  scope:\n    query: |-\n      _sourceCategory=web\n"
                                            "      | json \"type\" as status\n", encoding="utf-8")
    edit(app_dir / "app.yaml", "queries: queries.yaml", "fragments: fragments.yaml\nqueries: queries.yaml")
    edit(app_dir / "dashboards" / "main.yaml", "    queryRef: by_type\n",
         "    queries:\n      - query: |-\n          @include scope\n          | count by status\n"
         "      - query: |-\n          @include scope\n          | count by status, _sourcehost\n")
    panel = valid_build(app_dir)["children"][0]["panels"][-1]
    assert [q["queryString"] for q in panel["queries"]] == [
        "_sourceCategory=web\n| json \"type\" as status\n| count by status",
        "_sourceCategory=web\n| json \"type\" as status\n| count by status, _sourcehost"]
