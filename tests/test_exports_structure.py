"""Built content has the structure of Sumo exports: the real ones (``../shared/reference/exports/*.json``) when
present, and always the synthetic ones of ``synthetic_exports`` (our own, with the same shapes).

Every key set below is derived from the exports at run time; only the type names are written here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reference import REAL_EXPORTS, absent_reason, real_export_files
from synthetic_exports import EXPORTS as SYNTHETIC

from appbuilder.build import build_app
from appbuilder.validate import validate_app

REPO = Path(__file__).resolve().parents[1]
APPS = {"minimal": REPO / "tests" / "fixtures" / "minimal", "1password": REPO / "app_definitions" / "1password"}

FOLDER = "FolderSyncDefinition"
DASHBOARD = "DashboardV2SyncDefinition"
SAVED_SEARCH = "SavedSearchWithScheduleSyncDefinition"
SEARCH_PANEL = "SumoSearchPanel"
TEXT_PANEL = "TextPanel"
GRID_COLUMNS = 24


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "type" in node:
            yield node
        for child in node.get("children") or []:
            yield from _walk(child)


def _objects(source: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if source == "real":
        for path in real_export_files():
            found += _walk(json.loads(path.read_text(encoding="utf-8")))
    else:
        for make in SYNTHETIC.values():
            found += _walk(make())
    return found


@pytest.fixture(params=["real", "synthetic"], scope="module")
def exports(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    """Every object of the real exports (skipped when absent) or of the synthetic ones."""
    found = _objects(request.param)
    if not found:
        pytest.skip(absent_reason("exports"))
    return found


def real(exports: list[dict[str, Any]], type_name: str) -> list[dict[str, Any]]:
    return [o for o in exports if o.get("type") == type_name]


def real_panels(exports: list[dict[str, Any]], panel_type: str) -> list[dict[str, Any]]:
    return [p for d in real(exports, DASHBOARD) for p in d["panels"] if p.get("panelType") == panel_type]


def key_sets(objects: list[dict[str, Any]]) -> set[frozenset[str]]:
    return {frozenset(o) for o in objects}


def common_keys(objects: list[dict[str, Any]]) -> frozenset[str]:
    sets = [frozenset(o) for o in objects]
    assert sets, "no real objects of this kind"
    return frozenset.intersection(*sets)


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def value_types(objects: list[dict[str, Any]]) -> dict[str, set[str]]:
    """For each key, the JSON types it has in ``objects``."""
    types: dict[str, set[str]] = {}
    for obj in objects:
        for key, value in obj.items():
            types.setdefault(key, set()).add(_type_name(value))
    return types


def _built(name: str) -> dict[str, Any]:
    path = APPS[name]
    if not (path / "app.yaml").is_file():
        pytest.skip(f"{path} has no app.yaml yet")
    result = validate_app(path, lint_queries=False)
    if not result.ok or result.app is None:
        pytest.fail(f"{name} does not validate: {[str(d.position) + ' ' + d.message for d in result.errors]}")
    return build_app(result.app).content


@pytest.fixture(params=sorted(APPS), scope="module")
def content(request: pytest.FixtureRequest) -> dict[str, Any]:
    return _built(request.param)


def built(content: dict[str, Any], type_name: str) -> list[dict[str, Any]]:
    found = [o for o in _walk(content) if o.get("type") == type_name]
    return found


def built_dashboards(content: dict[str, Any]) -> list[dict[str, Any]]:
    found = built(content, DASHBOARD)
    assert found, "the app builds no dashboard"
    return found


def test_exports_are_present_or_skipped_clearly(exports: list[dict[str, Any]]) -> None:
    assert real(exports, DASHBOARD) and real(exports, FOLDER) and real(exports, SAVED_SEARCH)


def test_the_synthetic_exports_have_every_shape_of_the_real_ones() -> None:
    """The premise of the synthetic twin: each key set of the real exports' objects, panels, queries, variables
    and saved searches is among the synthetic ones (checked where the reference data is)."""
    real_objects = _objects("real")
    if not real_objects:
        pytest.skip(absent_reason("exports"))
    synthetic = _objects("synthetic")

    def shapes(objects: list[dict[str, Any]]) -> set[tuple[str, frozenset[str]]]:
        found = {(o["type"], frozenset(o) - {"rootPanel"}) for o in objects}
        for board in real(objects, DASHBOARD):
            found |= {("panel", frozenset(p)) for p in board["panels"]}
            found |= {("query", frozenset(q)) for p in board["panels"] for q in p.get("queries", [])}
            found |= {("variable", frozenset(v)) for v in board["variables"]}
            found |= {(v["sourceDefinition"]["variableSourceType"], frozenset(v["sourceDefinition"]))
                      for v in board["variables"]}
        found |= {("search", frozenset(s["search"])) for s in real(objects, SAVED_SEARCH)}
        return found

    assert shapes(real_objects) <= shapes(synthetic), shapes(real_objects) - shapes(synthetic)
    assert REAL_EXPORTS.is_dir()


def test_folder_keys(content: dict[str, Any], exports: list[dict[str, Any]]) -> None:
    real_sets = key_sets(real(exports, FOLDER))
    assert len(real_sets) == 1
    assert frozenset(content) in real_sets
    assert content["type"] == FOLDER
    for key, types in value_types(real(exports, FOLDER)).items():
        assert _type_name(content[key]) in types, key


def test_dashboard_keys_are_the_common_real_keys(content: dict[str, Any], exports: list[dict[str, Any]]) -> None:
    common = common_keys(real(exports, DASHBOARD))
    for dashboard in built_dashboards(content):
        assert frozenset(dashboard) == common


def test_dashboard_value_types(content: dict[str, Any], exports: list[dict[str, Any]]) -> None:
    types = value_types(real(exports, DASHBOARD))
    for dashboard in built_dashboards(content):
        for key, value in dashboard.items():
            assert _type_name(value) in types[key], (key, value)
        assert dashboard["name"] == dashboard["title"]
        real_layout_keys = key_sets([d["layout"] for d in real(exports, DASHBOARD)])
        assert frozenset(dashboard["layout"]) in real_layout_keys
        assert dashboard["layout"]["layoutType"] in {d["layout"]["layoutType"] for d in real(exports, DASHBOARD)}
        assert frozenset(dashboard["timeRange"]) in key_sets([d["timeRange"] for d in real(exports, DASHBOARD)])
        maps = [d["topologyLabelMap"] for d in real(exports, DASHBOARD)]
        assert frozenset(dashboard["topologyLabelMap"]) in key_sets(maps)


@pytest.mark.parametrize("panel_type", [SEARCH_PANEL, TEXT_PANEL])
def test_panel_keys_and_types(content: dict[str, Any], exports: list[dict[str, Any]], panel_type: str) -> None:
    real_list = real_panels(exports, panel_type)
    real_sets = key_sets(real_list)
    types = value_types(real_list)
    panels = [p for d in built_dashboards(content) for p in d["panels"] if p["panelType"] == panel_type]
    for panel in panels:
        assert frozenset(panel) in real_sets, sorted(panel)
        for key, value in panel.items():
            assert _type_name(value) in types[key], (key, value)
        # visualSettings is a JSON string holding an object, as in real exports
        assert isinstance(panel["visualSettings"], str)
        assert isinstance(json.loads(panel["visualSettings"]), dict)


def test_real_visual_settings_are_json_strings_too(exports: list[dict[str, Any]]) -> None:
    """The premise of the check above, from the exports themselves."""
    encoded = [p["visualSettings"] for p in real_panels(exports, SEARCH_PANEL) if p["visualSettings"] is not None]
    assert encoded and all(isinstance(json.loads(v), dict) for v in encoded)


def test_query_shapes(content: dict[str, Any], exports: list[dict[str, Any]]) -> None:
    real_queries = [q for p in real_panels(exports, SEARCH_PANEL) for q in p["queries"]]
    real_sets = key_sets(real_queries)
    types = value_types(real_queries)
    for dashboard in built_dashboards(content):
        for panel in dashboard["panels"]:
            for query in panel.get("queries", []):
                assert frozenset(query) in real_sets, sorted(query)
                for key, value in query.items():
                    assert _type_name(value) in types[key], (key, value)
                assert query["queryType"] in {q["queryType"] for q in real_queries}


def test_layout_entries(content: dict[str, Any], exports: list[dict[str, Any]]) -> None:
    real_structures = [json.loads(s["structure"]) for d in real(exports, DASHBOARD)
                       for s in d["layout"]["layoutStructures"]]
    real_structure_sets = key_sets(real_structures)
    real_entry_sets = key_sets([s for d in real(exports, DASHBOARD) for s in d["layout"]["layoutStructures"]])
    for dashboard in built_dashboards(content):
        entries = dashboard["layout"]["layoutStructures"]
        assert all(frozenset(e) in real_entry_sets for e in entries)
        by_key = {e["key"]: e for e in entries}
        assert len(by_key) == len(entries), "duplicate layout keys"
        panel_keys = [p["key"] for p in dashboard["panels"]]
        assert len(set(panel_keys)) == len(panel_keys), "duplicate panel keys"
        assert set(panel_keys) == set(by_key), "every panel needs a layout entry and vice versa"
        for entry in entries:
            assert isinstance(entry["structure"], str)
            structure = json.loads(entry["structure"])
            assert frozenset(structure) in real_structure_sets
            assert all(isinstance(v, int) for v in structure.values())
            assert structure["x"] >= 0 and structure["y"] >= 0
            assert structure["width"] >= 1 and structure["height"] >= 1
            assert structure["x"] + structure["width"] <= GRID_COLUMNS


def test_real_grid_is_24_columns(exports: list[dict[str, Any]]) -> None:
    widest = max(json.loads(s["structure"])["x"] + json.loads(s["structure"])["width"]
                 for d in real(exports, DASHBOARD) for s in d["layout"]["layoutStructures"])
    assert widest == GRID_COLUMNS


def test_variables(content: dict[str, Any], exports: list[dict[str, Any]]) -> None:
    real_variables = [v for d in real(exports, DASHBOARD) for v in d["variables"]]
    real_sets = key_sets(real_variables)
    types = value_types(real_variables)
    sources_by_kind: dict[str, set[frozenset[str]]] = {}
    for variable in real_variables:
        source = variable["sourceDefinition"]
        sources_by_kind.setdefault(source["variableSourceType"], set()).add(frozenset(source))
    for dashboard in built_dashboards(content):
        for variable in dashboard["variables"]:
            assert frozenset(variable) in real_sets, sorted(variable)
            for key, value in variable.items():
                assert _type_name(value) in types[key], (key, value)
            source = variable["sourceDefinition"]
            assert frozenset(source) in sources_by_kind[source["variableSourceType"]]


def test_saved_searches(content: dict[str, Any], exports: list[dict[str, Any]]) -> None:
    real_searches = real(exports, SAVED_SEARCH)
    real_sets = key_sets(real_searches)
    real_search_sets = key_sets([s["search"] for s in real_searches])
    search_types = value_types([s["search"] for s in real_searches])
    types = value_types(real_searches)
    for saved in built(content, SAVED_SEARCH):
        assert frozenset(saved) in real_sets
        for key, value in saved.items():
            assert _type_name(value) in types[key], (key, value)
        assert frozenset(saved["search"]) in real_search_sets
        for key, value in saved["search"].items():
            assert _type_name(value) in search_types[key], (key, value)


def test_only_known_types_are_built(content: dict[str, Any], exports: list[dict[str, Any]]) -> None:
    real_types = {o["type"] for o in exports}
    assert {o["type"] for o in _walk(content)} <= real_types
