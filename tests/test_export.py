"""appbuilder export on synthetic shapes: a single dashboard, a single saved search, nested folders, every
variable kind, text panels, metrics panels with several queries, classic dashboards, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from appbuilder.build import build_app
from appbuilder.cli import cli
from appbuilder.export import ExportError, export_definition
from appbuilder.export.residual import differences
from appbuilder.validate import validate_app

AUTO_QUERY_KEYS = {"queryString": "", "queryType": "Logs", "queryKey": "A", "metricsQueryMode": None,
                   "metricsQueryData": None}


def query(text: str, key: str = "A", kind: str = "Logs", **more: Any) -> dict[str, Any]:
    out = {"transient": False, "queryString": text, "queryType": kind, "queryKey": key,
           "metricsQueryMode": "Advanced" if kind == "Metrics" else None, "metricsQueryData": None,
           "tracesQueryData": None, "spansQueryData": None, "parseMode": "Manual", "timeSource": "Message",
           "outputCardinalityLimit": 1000}
    out.update(more)
    return out


def search_panel(key: str, title: str, visuals: dict[str, Any] | None, queries: list[dict[str, Any]],
                 **more: Any) -> dict[str, Any]:
    out = {"id": None, "key": key, "title": title,
           "visualSettings": json.dumps(visuals) if visuals is not None else None,
           "keepVisualSettingsConsistentWithParent": True, "panelType": "SumoSearchPanel", "queries": queries,
           "description": "", "timeRange": None, "coloringRules": None, "linkedDashboards": []}
    out.update(more)
    return out


def text_panel(key: str, text: str) -> dict[str, Any]:
    visuals = {"general": {"mode": "TextPanel", "type": "text"}, "text": {"format": "markdownV2"}}
    return {"id": None, "key": key, "title": "", "visualSettings": json.dumps(visuals),
            "keepVisualSettingsConsistentWithParent": True, "panelType": "TextPanel", "text": text}


def relative(value: str) -> dict[str, Any]:
    return {"type": "BeginBoundedTimeRange", "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": value},
            "to": None}


def variable(name: str, source: dict[str, Any], default: str | None = "*", **more: Any) -> dict[str, Any]:
    out = {"id": None, "name": name, "displayName": name, "defaultValue": default, "sourceDefinition": source,
           "allowMultiSelect": False, "includeAllOption": True, "hideFromUI": False, "valueType": "Any"}
    out.update(more)
    return out


def dashboard(title: str, panels: list[dict[str, Any]], places: dict[str, tuple[int, int, int, int]],
              variables: list[dict[str, Any]] | None = None, **more: Any) -> dict[str, Any]:
    structures = [{"key": key, "structure": json.dumps({"height": h, "width": w, "x": x, "y": y})}
                  for key, (x, y, w, h) in places.items()]
    out = {"type": "DashboardV2SyncDefinition", "name": title, "title": title, "description": "", "theme": "Light",
           "refreshInterval": 0, "timeRange": relative("-1d"), "topologyLabelMap": {"data": {}},
           "layout": {"layoutType": "Grid", "layoutStructures": structures}, "panels": panels,
           "variables": variables or [], "coloringRules": []}
    out.update(more)
    return out


def saved_search(name: str, text: str, **more: Any) -> dict[str, Any]:
    out = {"type": "SavedSearchWithScheduleSyncDefinition", "name": name,
           "search": {"queryText": text, "byReceiptTime": False, "viewName": "", "viewStartTime":
                      "1970-01-01T00:00:00Z", "queryParameters": [], "parsingMode": "Manual",
                      "defaultTimeRange": "-15m"},
           "searchSchedule": None, "description": ""}
    out.update(more)
    return out


def rich_dashboard() -> dict[str, Any]:
    chart_panels = [search_panel(f"panel{i:016X}", f"By {chart}", {"general": {"mode": "distribution", "type": chart}},
                                 [query(f"_sourceCategory=web\n| count by {chart} ")])
                    for i, chart in enumerate(["table", "pie", "bar", "column", "line", "area", "svp", "honeyComb"])]
    metrics = search_panel("panelMETRICS", "Latency {{region}}", {"general": {"mode": "timeSeries"}},
                           [query("metric=latency region={{region}} | avg by host", "A", "Metrics"),
                            query("#A * 1000", "B", "Metrics")])
    heat = {"general": {"mode": "map", "type": "map"}, "map": {"layerType": "Heat"}}
    mapped = search_panel("panelMAP", "Where", heat,
                          [query('_sourceCategory=web | lookup latitude, longitude from geo://location on ip=src '
                                 '| count by latitude, longitude', parseMode="Auto")],
                          timeRange={"type": "BeginBoundedTimeRange",
                                     "from": {"type": "LiteralTimeRangeBoundary", "rangeName": "today"}, "to": None},
                          linkedDashboards=[{"id": "f5J8oIVCFOulRkLQ", "relativePath": "", "includeTimeRange": True,
                                             "includeVariables": True},
                                            {"id": "vnQIWrZupuw70zen", "relativePath": None, "includeTimeRange": True,
                                             "includeVariables": False}],
                          coloringRules=[{"scope": "A", "singleSeriesAggregateFunction": "Latest",
                                         "multipleSeriesAggregateFunction": "Latest", "colorThresholds": []}])
    panels = [text_panel("panelPANE-TEXT", "# Traffic overview\nAll requests."), *chart_panels, metrics, mapped]
    places = {"panelPANE-TEXT": (0, 0, 24, 1)}
    for index, panel in enumerate(chart_panels):
        places[panel["key"]] = ((index % 4) * 6, 1 + (index // 4) * 6, 6, 6)
    places["panelMETRICS"] = (0, 13, 12, 8)
    places["panelMAP"] = (12, 13, 12, 8)
    variables = [
        variable("host", {"variableSourceType": "LogQueryVariableSourceDefinition",
                          "query": "_sourceCategory=web | count by host", "field": "host"}),
        variable("window", {"variableSourceType": "CsvVariableSourceDefinition", "values": "1h,1d, 7d"}, "1d",
                 includeAllOption=False),
        variable("region", {"variableSourceType": "MetadataVariableSourceDefinition", "filter": "host={{host}}",
                            "key": "region"}, None, displayName=None, id="453C28238F1A65E7"),
    ]
    return dashboard("Web - Traffic", panels, places, variables, theme="Dark", rootPanel=None,
                     timeRange={"type": "BeginBoundedTimeRange",
                                "from": {"type": "EpochTimeRangeBoundary", "epochMillis": 1670216400000},
                                "to": {"type": "EpochTimeRangeBoundary", "epochMillis": 1670302800000}})


def check(definition: dict[str, Any], out: Path, parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """Export, validate (no errors), build; the built content must equal the export; returns the build."""
    export_definition(definition, out, parameters)
    validation = validate_app(out)
    assert validation.ok, "\n".join(str(d) for d in validation.errors)
    assert validation.app is not None
    content = build_app(validation.app).content
    got = content if definition["type"] == "FolderSyncDefinition" else content["children"][0]
    assert differences(definition, got) == []
    return content


def read(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def test_single_dashboard_with_every_chart_and_variable_kind(tmp_path: Path) -> None:
    original = rich_dashboard()
    content = check(original, tmp_path / "web")
    assert content["name"] == "Web - Traffic" and len(content["children"]) == 1
    data = read(tmp_path / "web" / "dashboards" / "web_traffic.yaml")
    assert data["theme"] == "Dark" and "timeRange" in data["extra"]  # epoch ranges are carried verbatim
    ids = [p["id"] for p in data["panels"]]
    assert ids[:3] == ["traffic_overview", "by_table", "by_pie"] and "latency_region" in ids
    text = data["panels"][0]
    assert text["chart"] == "text" and text["text"].startswith("# Traffic")
    assert text["position"] == {"x": 0, "y": 0} and (text["width"], text["height"]) == (24, 1)
    assert [p["chart"] for p in data["panels"][1:9]] == ["table", "pie", "bar", "column", "line", "area", "svp",
                                                        "honeyComb"]
    kinds = {v["name"]: v for v in data["variables"]}
    assert kinds["host"]["fromQuery"]["field"] == "host"
    assert kinds["window"]["values"] == ["1h", "1d", " 7d"] and kinds["window"]["includeAll"] is False
    assert kinds["region"]["metadata"] == {"key": "region", "filter": "host={{host}}"}
    metrics = data["panels"][9]
    assert [(q.get("type"), q["query"]) for q in metrics["queries"]] == [
        ("metrics", "metric=latency region={{region}} | avg by host"), ("metrics", "#A * 1000")]
    mapped = data["panels"][10]
    assert mapped["timeRange"] == "today" and mapped["linkedDashboards"][0]["id"] == "f5J8oIVCFOulRkLQ"
    assert mapped["coloringRules"][0]["scope"] == "A" and "extra" not in mapped
    raw = (tmp_path / "web" / "dashboards" / "web_traffic.yaml").read_text(encoding="utf-8")
    assert "    query: |-\n      _sourceCategory=web\n      | count by table \n" in raw  # verbatim, in a block


def test_single_saved_search_with_schedule_and_parameters(tmp_path: Path) -> None:
    schedule = {"cronExpression": "0 0 * * * ? *", "displayableTimeRange": "-1h",
                "parseableTimeRange": relative("-1h"), "timeZone": "Etc/UTC", "threshold": None,
                "notification": {"taskType": "EmailSearchNotificationSyncDefinition", "toList": ["a@example.com"],
                                 "subjectTemplate": "Search Alert", "includeQuery": True},
                "scheduleType": "1Hour", "muteErrorEmails": False, "parameters": []}
    original = saved_search("Failed logins", '_sourceCategory=auth "failed" {{user}}\n| count by user',
                            searchSchedule=schedule, description="Hourly failed logins.")
    original["search"]["queryParameters"] = [{
        "name": "user", "label": "user", "description": "", "dataType": "STRING", "value": "*",
        "autoComplete": {"autoCompleteType": "SKIP_AUTOCOMPLETE", "autoCompleteKey": None, "autoCompleteValues": [],
                         "lookupFileName": None, "lookupLabelColumn": None, "lookupValueColumn": None}}]
    original["search"]["defaultTimeRange"] = "04/09/2020 1:21:16 PM to 04/10/2020 1:21:16 PM"
    check(original, tmp_path / "s")
    odd = saved_search("Odd parameters", "error {{level}} {{host}}")
    odd["search"]["queryParameters"] = [{"name": "level", "label": "Level", "dataType": "ANY", "value": None},
                                        {"name": "host", "dataType": "STRING", "value": "*", "label": "host"}]
    check(odd, tmp_path / "odd")  # both still declared (so validate passes); the original list is in extra
    assert read(tmp_path / "odd" / "queries.yaml")["queries"][0]["variables"] == [
        {"name": "level", "label": "Level", "default": "*"}, {"name": "host", "default": "*"}]
    entry = read(tmp_path / "s" / "queries.yaml")["queries"][0]
    assert entry["id"] == "failed_logins" and entry["savedSearch"] is True
    assert entry["schedule"]["scheduleType"] == "1Hour" and entry["variables"] == [{"name": "user", "default": "*"}]
    assert entry["extra"] == {"search": {"defaultTimeRange": "04/09/2020 1:21:16 PM to 04/10/2020 1:21:16 PM"}}
    assert not (tmp_path / "s" / "dashboards").exists()


def test_nested_folders_mixed_order_and_classic_dashboard(tmp_path: Path) -> None:
    classic = {"type": "DashboardSyncDefinition", "name": "Old view", "description": "", "detailLevel": 2,
               "properties": "", "panels": [], "filters": []}
    inner = {"type": "FolderSyncDefinition", "name": "Deep", "description": "three levels down",
             "children": [saved_search("Deep search", "error"), saved_search("Top search", "warn")]}
    middle = {"type": "FolderSyncDefinition", "name": "Middle", "description": "",
              "children": [inner, classic]}
    first = dashboard("Ops - One", [text_panel("panelA", "# One")], {"panelA": (0, 0, 24, 2)})
    second = dashboard("Ops - Two", [text_panel("panelB", "# Two")], {"panelB": (0, 0, 24, 2)})
    original = {"type": "FolderSyncDefinition", "name": "Ops", "description": "Operations.",
                "children": [saved_search("Top search", "*"), first, middle, second]}
    check(original, tmp_path / "ops")
    app = read(tmp_path / "ops" / "app.yaml")
    assert app["dashboards"] == ["dashboards/one.yaml", "dashboards/two.yaml"]
    assert app["contents"][0] == {"savedSearch": "top_search"}
    assert app["contents"][2]["folder"] == "Middle"
    assert app["contents"][2]["contents"][0]["contents"] == [{"savedSearch": "deep_search"},
                                                             {"savedSearch": "top_search_2"}]  # a name per folder
    assert app["contents"][2]["contents"][1] == {"raw": "raw/old_view.json"}
    assert json.loads((tmp_path / "ops" / "raw" / "old_view.json").read_text()) == classic


def test_variables_with_names_the_yaml_cannot_hold(tmp_path: Path) -> None:
    csv = {"variableSourceType": "CsvVariableSourceDefinition", "values": "a,b"}
    odd = [variable("my-region", csv), variable("9lives", csv), variable("region", csv)]
    panel = search_panel("panelP", "P", None, [query("error | where r matches \"{{region}}\"")])
    check(dashboard("Vars", [panel], {"panelP": (0, 0, 12, 6)}, odd), tmp_path / "v")
    names = [v["name"] for v in read(tmp_path / "v" / "dashboards" / "vars.yaml")["variables"]]
    assert names == ["my_region", "variable_9lives", "region"]


def test_lint_errors_of_exported_queries_are_accepted_as_warnings(tmp_path: Path) -> None:
    panel = search_panel("panelP", "Multi", {"general": {"mode": "distribution", "type": "table"}},
                         [query('_sourceCategory=fw\n| parse regex "ip=(?<ip>\\S+)" multi\n| count by ip')])
    result = export_definition(dashboard("Firewall", [panel], {"panelP": (0, 0, 12, 6)}), tmp_path / "f")
    assert any("dashboard-forbidden-operator" in note and "warnings" in note for note in result.notes)
    validation = validate_app(tmp_path / "f")
    assert validation.ok and [d.code for d in validation.warnings] == ["dashboard-forbidden-operator"]


def test_classic_dashboard_is_kept_verbatim_with_the_migration_path(tmp_path: Path) -> None:
    classic = {"type": "DashboardSyncDefinition", "name": "Old", "description": "", "detailLevel": 1,
               "properties": "{}", "panels": [], "filters": []}
    result = export_definition(classic, tmp_path / "old")
    assert any("classic dashboard 'Old'" in note and "Migrate to New Dashboards" in note for note in result.notes)
    built = build_app(validate_app(tmp_path / "old").app).content  # type: ignore[arg-type]
    assert built["children"] == [classic]


def test_unknown_panel_type_hidden_panel_and_odd_layout_are_carried(tmp_path: Path) -> None:
    scatter = {"id": None, "key": "panelSCATTER", "title": "Events of interest",
               "visualSettings": json.dumps({"general": {"mode": "EventsOfInterestScatterPanel"}}),
               "keepVisualSettingsConsistentWithParent": True, "panelType": "EventsOfInterestScatterPanel"}
    lost = search_panel("panelLOST", "Not on the grid", None, [query("*")], description=None)
    old_shape = search_panel("panelOLD", "Old query shape", {"general": {"mode": "distribution", "type": "table"}},
                             [{k: v for k, v in query("error | count").items() if k in AUTO_QUERY_KEYS}])
    original = dashboard("Odd", [scatter, lost, old_shape], {"panelOLD": (0, 6, 12, 6), "panelSCATTER": (0, 0, 24, 6)})
    original["layout"]["layoutStructures"][0]["structure"] = json.dumps(
        {"height": 6, "width": 12, "x": 0, "y": 6, "minHeight": 3, "minWidth": 3})
    check(original, tmp_path / "odd")
    panels = read(tmp_path / "odd" / "dashboards" / "odd.yaml")["panels"]
    assert panels[0]["extra"]["panelType"] == "EventsOfInterestScatterPanel"
    assert panels[1]["hidden"] is True and panels[1]["visualSettings"] is None
    assert "transient" in panels[2]["queries"][0]["omit"]
    assert (panels[2]["minWidth"], panels[2]["minHeight"]) == (3, 3)


def test_export_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="not a Sumo content export"):
        export_definition([1, 2], tmp_path / "a")
    with pytest.raises(ExportError, match="unknown export parameter 'region'"):
        export_definition(saved_search("x", "*"), tmp_path / "b", {"region": "us"})
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty"):
        export_definition(saved_search("x", "*"), tmp_path / "full")
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"


def test_cli_export_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("dash.json").write_text(json.dumps(rich_dashboard()), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "--file", "dash.json", "-o", "out", "--param", "source_category=web"])
    assert result.exit_code == 0, result.output
    assert "exported 1 dashboard and 0 saved searches to out" in result.output
    assert result.output.rstrip().endswith("not exported: monitors and source: an export of Library content holds "
                                           "neither; app.yaml lists them as unmanaged (export --folder from the org "
                                           "brings them)")
    assert "${source_category}" in Path("out/dashboards/web_traffic.yaml").read_text(encoding="utf-8")
    assert runner.invoke(cli, ["validate", "out"]).exit_code == 0
    Path("bad.json").write_text('{"type": "FolderSyncDefinition",\n "name": }', encoding="utf-8")
    bad = runner.invoke(cli, ["export", "--file", "bad.json", "-o", "out2"])
    assert bad.exit_code == 1 and "bad.json:2:10: invalid JSON" in bad.output and "Traceback" not in bad.output
    for name, data, message in [("deep.json", b"[" * 50000 + b"]" * 50000, "deep.json:1:1: JSON nested more than"),
                                ("bin.json", b'{"name": "\xff"}', "bin.json:1:11: file is not valid UTF-8"),
                                ("empty.json", b" \n", "empty.json:1:1: file is empty")]:
        Path(name).write_bytes(data)
        refused = runner.invoke(cli, ["export", "--file", name, "-o", "out4"])
        assert refused.exit_code == 1 and message in refused.output and not Path("out4").exists()
    both = runner.invoke(cli, ["export", "--file", "dash.json", "--folder", "/x", "-o", "out3"])
    assert both.exit_code == 1 and "exactly one of --file" in both.output


def test_visual_settings_are_written_as_the_chart_defaults_allow(tmp_path: Path) -> None:
    """Defaults plus changes → `stacked`/`label`/`settings`; anything the defaults lack → `visualSettings` in full
    (and then no `stacked`/`label`, which would have no effect)."""
    from appbuilder.build.visuals import visual_settings
    from appbuilder.model import Panel

    stacked = visual_settings(Panel(id="p", title="", chart="column", stacked=True))
    labelled = visual_settings(Panel(id="p", title="", chart="svp", label="Users"))
    labelled["svp"]["rounding"] = 0
    sparse = {"general": {"mode": "timeSeries", "type": "area", "displayType": "stacked"}}
    panels = [search_panel(f"panel{n}", f"P{n}", v, [query("*")]) for n, v in enumerate([stacked, labelled, sparse])]
    check(dashboard("Looks", panels, {f"panel{n}": (n * 8, 0, 8, 6) for n in range(3)}), tmp_path / "v")
    written = read(tmp_path / "v" / "dashboards" / "looks.yaml")["panels"]
    assert written[0]["stacked"] is True and "settings" not in written[0] and "visualSettings" not in written[0]
    assert written[1]["label"] == "Users" and written[1]["settings"] == {"svp": {"rounding": 0}}
    assert written[2]["visualSettings"] == sparse and "stacked" not in written[2]


@pytest.mark.parametrize("text", ["$$logsrc \n| count by x \n", "\n_sourceCategory=x\n", "\ta\nb", "x\n\n\n",
                                  "a\u2028b\nc", "a\r\nb", "  lead\nx", "a\n...\nb", "trail  ", "é\n😀"])
def test_yaml_keeps_every_text_exactly(text: str) -> None:
    from appbuilder.export.writer import yaml_text

    written = yaml_text({"query": text, "next": "a\nb"})
    assert YAML(typ="safe").load(written) == {"query": text, "next": "a\nb"}
    assert written.endswith("next: |-\n  a\n  b\n")  # one text a block cannot hold does not spoil the others


def test_a_value_the_schema_refuses_is_carried_verbatim(tmp_path: Path) -> None:
    """Sumo takes a 70,000-character dashboard description; the schema stops at 65,535: it goes to extra."""
    long = dashboard("Long", [text_panel("panelT", "# T")], {"panelT": (0, 0, 24, 2)}, description="x" * 70000)
    check(long, tmp_path / "l")
    data = read(tmp_path / "l" / "dashboards" / "long.yaml")
    assert "description" not in data and data["extra"]["description"] == "x" * 70000


@pytest.mark.parametrize("existing", [False, True], ids=["new-dir", "empty-dir"])
def test_a_failed_export_leaves_nothing_behind(tmp_path: Path, existing: bool) -> None:
    dashboard = rich_dashboard()
    dashboard["somethingNew"] = float("nan")  # no YAML can carry it back exactly: the self-check fails
    out = tmp_path / "out"
    if existing:
        out.mkdir()
    with pytest.raises(ExportError, match="does not build back the same content"):
        export_definition(dashboard, out)
    assert (list(out.iterdir()) == []) if existing else not out.exists()


def test_nan_and_infinity_are_not_json(tmp_path: Path) -> None:
    from appbuilder.load.jsonfile import read_json

    for constant in ("NaN", "Infinity", "-Infinity"):
        (tmp_path / "x.json").write_text(f'{{"type": "FolderSyncDefinition",\n "x": {constant}}}', encoding="utf-8")
        value, problems = read_json(tmp_path / "x.json")
        assert value is None and [p.message for p in problems] == [f"invalid JSON: {constant} is not a JSON value"]


def test_a_source_category_the_app_could_not_declare_is_refused_before_writing(tmp_path: Path) -> None:
    dashboard = rich_dashboard()
    for value in ('web"x', "web app", "a|b"):
        with pytest.raises(ExportError, match="--param value") as refused:
            export_definition(dashboard, tmp_path / "out", {"source_category": value})
        assert "without a pattern" in refused.value.hint and not (tmp_path / "out").exists()
