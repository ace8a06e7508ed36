"""appbuilder.build: golden output of the minimal fixture, determinism, and the details of the content JSON.

Regenerate the golden files after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_build.py``
and review the diff of ``tests/golden/`` like any other change.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import edit

from appbuilder.build import (
    COLLECTOR_FILE,
    CONTENT_FILE,
    MANIFEST_FILE,
    SOURCE_FILE,
    BuildResult,
    build_app,
    canonical_json,
    content_hash,
    resolve_parameters,
    write_build,
)
from appbuilder.build.content import build_variable, key_names, panel_key, time_range
from appbuilder.diagnostics import InputError
from appbuilder.model import App, Dashboard, Panel, Variable
from appbuilder.validate import validate_app

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURE = HERE / "fixtures" / "minimal"
GOLDEN = HERE / "golden" / "minimal"
GOLDEN_PARAMS = {"source_category": "golden/1password"}
TOKEN = "ops_SECRET-token-value-4711"


def load(path: Path) -> App:
    result = validate_app(path, lint_queries=False)
    assert result.ok, result.diagnostics
    assert result.app is not None
    return result.app


def build(path: Path = FIXTURE, params: dict[str, str] | None = None) -> BuildResult:
    return build_app(load(path), params)






def strings(value: Any) -> list[str]:
    """Every string in a JSON value, keys included, JSON-encoded strings decoded too."""
    found: list[str] = []
    if isinstance(value, str):
        found.append(value)
        if value[:1] in "{[":
            try:
                found += strings(json.loads(value))
            except ValueError:
                pass
    elif isinstance(value, dict):
        for key, item in value.items():
            found.append(str(key))
            found += strings(item)
    elif isinstance(value, list):
        for item in value:
            found += strings(item)
    return found


def keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [str(k) for k in value] + [k for v in value.values() for k in keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in keys(v)]
    return []


# --- golden -------------------------------------------------------------------------------------------------


def test_golden(tmp_path: Path) -> None:
    written = write_build(build(params=GOLDEN_PARAMS), tmp_path / "out")
    names = sorted(p.name for p in written)
    assert names == sorted([CONTENT_FILE, MANIFEST_FILE, SOURCE_FILE, COLLECTOR_FILE])
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for stale in GOLDEN.glob("*.json"):
            stale.unlink()
        for path in written:
            shutil.copyfile(path, GOLDEN / path.name)
        pytest.skip("golden files regenerated; review and commit tests/golden/")
    assert sorted(p.name for p in GOLDEN.glob("*.json")) == names, "run UPDATE_GOLDEN=1 pytest tests/test_build.py"
    for path in written:
        expected = (GOLDEN / path.name).read_bytes()
        assert path.read_bytes() == expected, f"{path.name} differs from tests/golden/minimal (UPDATE_GOLDEN=1 …)"


def test_golden_files_are_canonical_json() -> None:
    for path in GOLDEN.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def _cli_build(out: Path, seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed, "MINIMAL_TOKEN": TOKEN}
    subprocess.run([sys.executable, "-m", "appbuilder", "build", str(FIXTURE), "-o", str(out),
                    "--param", "source_category=golden/1password"], check=True, cwd=REPO, env=env,
                   capture_output=True, timeout=60)


def test_deterministic_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    _cli_build(tmp_path / "a", "1")
    _cli_build(tmp_path / "b", "98765")
    files_a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files_a == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in files_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
        # and the CLI writes exactly what the golden files hold
        assert (tmp_path / "a" / name).read_bytes() == (GOLDEN / name).read_bytes(), name


def test_deterministic_in_process(tmp_path: Path) -> None:
    write_build(build(params=GOLDEN_PARAMS), tmp_path / "a")
    write_build(build(params=GOLDEN_PARAMS), tmp_path / "b")
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


# --- parameters and secrets ------------------------------------------------------------------------------------


def test_parameters_are_substituted_everywhere() -> None:
    result = build(params={"source_category": "acme/op"})
    everything = strings([result.content, result.collector, result.source, result.manifest.to_dict()])
    assert not [s for s in everything if "${" in s]
    assert result.content["name"] == "Minimal acme/op"
    assert result.manifest["folder"] == "Minimal acme/op"
    assert result.source is not None
    assert result.source["source"]["config"]["category"] == "acme/op"
    dashboard, saved = result.content["children"]
    assert dashboard["variables"][0]["sourceDefinition"]["query"].startswith("_sourceCategory=acme/op\n")
    for panel in dashboard["panels"]:
        for query in panel.get("queries", []):
            assert query["queryString"].startswith("_sourceCategory=acme/op\n")
    assert saved["search"]["queryText"].startswith("_sourceCategory=acme/op\n")


def test_defaults_are_used_without_params() -> None:
    result = build()
    assert result.content["name"] == "Minimal mini"
    assert result.manifest["parameters"] == {"source_category": "mini"}


def test_dashboard_variables_survive_parameter_substitution() -> None:
    panels = build().content["children"][0]["panels"]
    assert '"{{type}}"' in panels[1]["queries"][0]["queryString"]


def test_resolve_parameters_errors() -> None:
    app = load(FIXTURE)
    with pytest.raises(InputError) as unknown:
        resolve_parameters(app, {"nope": "x"})
    assert [d.code for d in unknown.value.diagnostics] == ["unknown-parameter"]
    with pytest.raises(InputError) as bad:
        resolve_parameters(app, {"source_category": "has space"})
    assert [d.code for d in bad.value.diagnostics] == ["parameter-value"]
    assert resolve_parameters(app, {"source_category": "ok/1"}) == {"source_category": "ok/1"}


def test_no_token_anywhere_in_the_output(app_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MINIMAL_TOKEN", TOKEN)
    (app_dir / "token.txt").write_text(TOKEN, encoding="utf-8")
    edit(app_dir / "source.yaml", "  tokenEnv: MINIMAL_TOKEN\n", "  tokenEnv: MINIMAL_TOKEN\n  tokenFile: token.txt\n")
    written = write_build(build(app_dir), tmp_path / "out")
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert TOKEN not in text, path.name
        assert "token.txt" not in text, path.name
    source = json.loads((tmp_path / "out" / SOURCE_FILE).read_text())
    assert not [k for k in keys(source) if re.search(r"token|secret|password|credential", k, re.I)]
    assert json.loads((tmp_path / "out" / MANIFEST_FILE).read_text())["tokenEnv"] == "MINIMAL_TOKEN"


# --- content details -------------------------------------------------------------------------------------------


def test_folder_shape_and_order() -> None:
    content = build().content
    assert list(content) == ["type", "name", "description", "children"]
    assert content["type"] == "FolderSyncDefinition"
    assert content["description"] == "A tiny app used by the tests."
    assert [(c["type"], c["name"]) for c in content["children"]] == [
        ("DashboardV2SyncDefinition", "Minimal - Main"),
        ("SavedSearchWithScheduleSyncDefinition", "Minimal - All Events")]


def test_panel_keys_are_stable_and_derived_from_slug_and_id() -> None:
    dashboard = build().content["children"][0]
    keys = [p["key"] for p in dashboard["panels"]]
    assert len(set(keys)) == 3
    assert keys == ["panel-main-intro", "panel-main-by_category", "panel-main-by_type"]
    assert keys == [s["key"] for s in dashboard["layout"]["layoutStructures"]]
    model = load(FIXTURE).dashboards[0]
    assert keys == [panel_key(model, p) for p in model.panels]
    # the same slug and id give the same key whatever else changes; another slug or id another key
    a = panel_key(Dashboard("main", "X", []), Panel("intro", "T", "pie"))
    assert a == keys[0]
    assert panel_key(Dashboard("other", "X", []), Panel("intro", "T", "pie")) != a
    assert panel_key(Dashboard("main", "X", []), Panel("intro2", "T", "pie")) != a
    # the key names its file and panel (an export gets them back); a stem outside the key alphabet is digested
    assert key_names(a) == ("main", "intro") and key_names("panelABC") is None
    odd = panel_key(Dashboard("my-dash", "X", []), Panel("intro", "T", "pie"))
    assert re.fullmatch(r"panel[0-9A-F]{16}", odd) and key_names(odd) is None


def test_layout_structures_are_json_strings() -> None:
    dashboard = build().content["children"][0]
    assert dashboard["layout"]["layoutType"] == "Grid"
    structures = [json.loads(s["structure"]) for s in dashboard["layout"]["layoutStructures"]]
    assert structures == [{"height": 2, "width": 24, "x": 0, "y": 0}, {"height": 8, "width": 12, "x": 0, "y": 2},
                          {"height": 8, "width": 12, "x": 12, "y": 2}]


def test_panels() -> None:
    intro, pie, bar = build().content["children"][0]["panels"]
    assert intro["panelType"] == "TextPanel" and intro["text"] == "# Minimal"
    assert "queries" not in intro
    assert json.loads(intro["visualSettings"])["general"]["type"] == "text"
    assert pie["panelType"] == bar["panelType"] == "SumoSearchPanel"
    assert json.loads(pie["visualSettings"])["general"] == {
        "mode": "distribution", "type": "pie", "displayType": "default", "fillOpacity": 1, "startAngle": 270,
        "innerRadius": "30%", "maxNumOfSlices": 10}
    assert json.loads(bar["visualSettings"])["general"]["type"] == "bar"
    [query] = bar["queries"]
    assert (query["queryType"], query["queryKey"], query["parseMode"], query["timeSource"]) == (
        "Logs", "A", "Manual", "Message")
    assert query["queryString"] == load(FIXTURE).query_by_id("by_type").text.replace(  # type: ignore[union-attr]
        "${source_category}", "mini")
    assert pie["timeRange"] is None and pie["coloringRules"] is None and pie["linkedDashboards"] == []


def test_visual_settings_options(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "    chart: bar\n",
         "    chart: column\n    stacked: true\n    settings: {legend: {enabled: false}, color: {family: scheme9}}\n")
    edit(app_dir / "dashboards/main.yaml", "    chart: pie\n", "    chart: svp\n    label: Events\n")
    panels = build(app_dir).content["children"][0]["panels"]
    svp = json.loads(panels[1]["visualSettings"])
    assert svp["general"]["type"] == "svp" and svp["svp"]["label"] == "Events"
    column = json.loads(panels[2]["visualSettings"])
    assert column["general"]["displayType"] == "stacked"
    assert column["legend"]["enabled"] is False and column["legend"]["verticalAlign"] == "bottom"
    assert column["color"] == {"family": "scheme9"}


def test_yaml_dates_in_settings_do_not_break_the_build(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "    chart: bar\n", "    chart: bar\n    settings: {note: 2026-01-01}\n")
    panels = build(app_dir).content["children"][0]["panels"]
    assert json.loads(panels[2]["visualSettings"])["note"] == "2026-01-01"


@pytest.mark.parametrize(("value", "expected"), [
    ("-1d", {"type": "BeginBoundedTimeRange", "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": "-1d"},
             "to": None}),
    ("-4w2d", {"type": "BeginBoundedTimeRange",
               "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": "-4w2d"}, "to": None}),
    ("today", {"type": "BeginBoundedTimeRange", "from": {"type": "LiteralTimeRangeBoundary", "rangeName": "today"},
               "to": None}),
    ("yesterday", {"type": "CompleteLiteralTimeRange", "rangeName": "yesterday"}),
    ("previous_week", {"type": "CompleteLiteralTimeRange", "rangeName": "previous_week"}),
    ("previous_month", {"type": "CompleteLiteralTimeRange", "rangeName": "previous_month"}),
])
def test_time_ranges(value: str, expected: dict[str, Any]) -> None:
    assert time_range(value) == expected


def test_dashboard_and_panel_time_ranges(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "description: Main dashboard.\n",
         "description: Main dashboard.\ntimeRange: -15m\ntheme: Dark\n")
    edit(app_dir / "dashboards/main.yaml", "    chart: bar\n", "    chart: bar\n    timeRange: yesterday\n")
    dashboard = build(app_dir).content["children"][0]
    assert dashboard["timeRange"] == time_range("-15m")
    assert dashboard["theme"] == "Dark"
    assert dashboard["panels"][1]["timeRange"] is None
    assert dashboard["panels"][2]["timeRange"] == {"type": "CompleteLiteralTimeRange", "rangeName": "yesterday"}


def test_variable_source_definitions() -> None:
    from_query = build_variable(Variable("type", query="q | count by t", field="t"))
    assert from_query["sourceDefinition"] == {"variableSourceType": "LogQueryVariableSourceDefinition",
                                              "query": "q | count by t", "field": "t"}
    csv = build_variable(Variable("top", default="5", include_all=False, values=["5", "10", "25"]))
    assert csv["sourceDefinition"] == {"variableSourceType": "CsvVariableSourceDefinition", "values": "5,10,25"}
    assert (csv["defaultValue"], csv["includeAllOption"]) == ("5", False)
    meta = build_variable(Variable("region", metadata_key="region", metadata_filter="account={{account}}"))
    assert meta["sourceDefinition"] == {"variableSourceType": "MetadataVariableSourceDefinition",
                                        "filter": "account={{account}}", "key": "region"}
    assert list(meta) == ["id", "name", "displayName", "defaultValue", "sourceDefinition", "allowMultiSelect",
                          "includeAllOption", "hideFromUI", "valueType"]
    assert (meta["displayName"], meta["defaultValue"], meta["includeAllOption"]) == ("region", "*", True)


def test_fixture_variable() -> None:
    [variable] = build().content["children"][0]["variables"]
    assert variable["name"] == "type" and variable["sourceDefinition"]["field"] == "type"
    assert variable["sourceDefinition"]["variableSourceType"] == "LogQueryVariableSourceDefinition"


def test_saved_search_shape(app_dir: Path) -> None:
    edit(app_dir / "queries.yaml", "    description: Every event.\n",
         "    description: Every event.\n    timeRange: -1d\n    byReceiptTime: true\n    parsingMode: AutoParse\n"
         "    variables:\n      - {name: cat, default: '*', dataType: QUERY_FRAGMENT, label: Category}\n")
    edit(app_dir / "queries.yaml", "| count by category", '| where category matches "{{cat}}" | count by category')
    saved = build(app_dir).content["children"][1]
    assert list(saved) == ["type", "name", "search", "searchSchedule", "description"]
    assert saved["searchSchedule"] is None and saved["description"] == "Every event."
    search = saved["search"]
    assert list(search) == ["queryText", "byReceiptTime", "viewName", "viewStartTime", "queryParameters",
                            "parsingMode", "defaultTimeRange"]
    assert (search["byReceiptTime"], search["parsingMode"], search["defaultTimeRange"]) == (True, "AutoParse", "-1d")
    [parameter] = search["queryParameters"]
    assert (parameter["name"], parameter["label"], parameter["dataType"], parameter["value"]) == (
        "cat", "Category", "QUERY_FRAGMENT", "*")
    assert parameter["autoComplete"]["autoCompleteType"] == "SKIP_AUTOCOMPLETE"


def test_only_saved_searches_are_in_the_folder() -> None:
    names = [c["name"] for c in build().content["children"]]
    assert "by_type" not in names and len(names) == 2


def test_source_and_collector() -> None:
    result = build(params={"source_category": "x/y"})
    assert result.collector == {"collector": {"collectorType": "Hosted", "name": "Minimal Collector",
                                              "description": "", "category": "", "fields": {}}}
    assert result.source == {"source": {"sourceType": "Universal", "schemaRef": {"type": "1Password"},
                                        "config": {"name": "Minimal Source", "description": "", "category": "x/y",
                                                   "base_url": "events.1password.com",
                                                   "supported_apis": ["sign-in", "itemUsage"], "fields": {}}}}


def test_manifest_and_hashes() -> None:
    result = build()
    manifest = result.manifest
    assert manifest["app"] == "Minimal" and manifest["version"] == "0.1.0"
    assert manifest["dashboards"] == ["Minimal - Main"]
    assert manifest["savedSearches"] == ["Minimal - All Events"]
    assert manifest["contentHash"] == content_hash(result.content)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", manifest["contentHash"])
    assert manifest["sourceHash"] == content_hash({"collector": result.collector, "source": result.source})
    assert build(params={"source_category": "other"}).manifest["contentHash"] != manifest["contentHash"]


def test_canonical_json_ignores_key_order() -> None:
    assert canonical_json({"b": 1, "a": [1, {"d": 2, "c": "é"}]}) == '{"a":[1,{"c":"é","d":2}],"b":1}'
    assert content_hash({"a": 1, "b": 2}) == content_hash({"b": 2, "a": 1})


def test_write_build_creates_the_directory(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "er"
    written = write_build(build(), out)
    assert all(p.parent == out and p.read_text().endswith("}\n") for p in written)


def test_a_rebuild_into_the_same_directory_leaves_no_file_of_an_earlier_build(app_dir: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from appbuilder.build import MONITORS_FILE
    from appbuilder.cli import cli

    out = tmp_path / "dist"
    onepassword = Path(__file__).resolve().parents[1] / "app_definitions" / "1password"
    assert CliRunner().invoke(cli, ["build", str(onepassword), "-o", str(out)]).exit_code == 0
    assert (out / MONITORS_FILE).is_file()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert CliRunner().invoke(cli, ["build", str(app_dir), "-o", str(out)]).exit_code == 0  # an app without monitors
    assert sorted(p.name for p in out.iterdir()) == sorted([CONTENT_FILE, MANIFEST_FILE, SOURCE_FILE, COLLECTOR_FILE,
                                                            "notes.txt"])
