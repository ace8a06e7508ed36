from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from reference import load_export, needs_reference
from synthetic_exports import EXPORTS as SYNTHETIC

from appbuilder.sumo.collectors import normalise_collector
from appbuilder.sumo.normalise import content_hash, normalise_content
from appbuilder.sumo.sources import normalise_source


def built_dashboard() -> dict[str, Any]:
    """A dashboard as our builder would emit it: no ids, compact JSON strings, only what we set."""
    return {
        "type": "DashboardV2SyncDefinition",
        "name": "1Password - Overview",
        "title": "1Password - Overview",
        "description": "Sign-ins and item usage",
        "theme": "Dark",
        "refreshInterval": 0,
        "timeRange": {"type": "BeginBoundedTimeRange",
                      "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": "-1d"}, "to": None},
        "topologyLabelMap": {"data": {}},
        "layout": {"layoutType": "Grid", "layoutStructures": [
            {"key": "panel-overview-notes", "structure": '{"height":6,"width":12,"x":0,"y":0}'},
            {"key": "panel-overview-signins", "structure": '{"height":6,"width":12,"x":12,"y":0}'},
        ]},
        "panels": [
            {"key": "panel-overview-notes", "title": "Notes", "panelType": "TextPanel",
             "visualSettings": '{"general":{"mode":"TextPanel","type":"text"},"text":{"format":"markdown"}}',
             "keepVisualSettingsConsistentWithParent": True, "text": "# Overview"},
            {"key": "panel-overview-signins", "title": "Sign-ins", "panelType": "SumoSearchPanel",
             "visualSettings": '{"general":{"mode":"timeSeries","type":"column"},"series":{}}',
             "keepVisualSettingsConsistentWithParent": True, "description": "",
             "queries": [{"queryString": "_sourceCategory=1pw | count by category", "queryType": "Logs",
                          "queryKey": "A", "parseMode": "Auto", "timeSource": "Message"}],
             "timeRange": None, "coloringRules": None, "linkedDashboards": []},
        ],
        "variables": [{"name": "category", "displayName": "category", "defaultValue": "*",
                       "sourceDefinition": {"variableSourceType": "CsvVariableSourceDefinition",
                                            "values": "success,credentials_failed"},
                       "allowMultiSelect": False, "includeAllOption": True, "hideFromUI": False}],
        "coloringRules": [],
    }


def as_sumo_exports_it(defn: dict[str, Any]) -> dict[str, Any]:
    """What export tends to return: ids filled in, JSON strings re-encoded with other key order and spaces,
    lists reordered, server defaults added, extra null fields."""
    out = copy.deepcopy(defn)
    if out.get("type") == "FolderSyncDefinition":
        out["children"] = [as_sumo_exports_it(c) for c in reversed(out["children"])]
        return out
    if out.get("type") != "DashboardV2SyncDefinition":
        return out
    out["rootPanel"] = None
    out["schedules"] = None
    for n, panel in enumerate(out["panels"]):
        panel["id"] = f"{n + 1:016X}"
        if isinstance(panel.get("visualSettings"), str):
            settings = json.loads(panel["visualSettings"])
            panel["visualSettings"] = json.dumps(settings, sort_keys=True, indent=1)
        for query in panel.get("queries") or []:
            query.setdefault("transient", False)
            query.setdefault("outputCardinalityLimit", 1000)
            query.setdefault("metricsQueryMode", None)
            query.setdefault("metricsQueryData", None)
            query.setdefault("tracesQueryData", None)
            query.setdefault("spansQueryData", None)
    out["panels"].reverse()
    for entry in out["layout"]["layoutStructures"]:
        entry["structure"] = json.dumps(dict(reversed(list(json.loads(entry["structure"]).items()))))
    out["layout"]["layoutStructures"].reverse()
    for n, variable in enumerate(out.get("variables") or []):
        variable["id"] = f"{n + 100:016X}"
        variable.setdefault("valueType", "Any")
    out["theme"] = str(out.get("theme", "")).lower()
    return out


def test_round_trip_of_a_built_dashboard_is_quiet() -> None:
    folder = {"type": "FolderSyncDefinition", "name": "1Password", "description": "", "children": [
        built_dashboard(),
        {"type": "SavedSearchWithScheduleSyncDefinition", "name": "Raw events", "description": "",
         "search": {"queryText": "_sourceCategory=1pw", "defaultTimeRange": "-15m", "byReceiptTime": False,
                    "queryParameters": [], "parsingMode": "Manual"}, "searchSchedule": None},
    ]}
    exported = as_sumo_exports_it(folder)
    exported["children"][0]["search"]["viewName"] = ""
    exported["children"][0]["search"]["viewStartTime"] = "1970-01-01T00:00:00Z"
    assert exported != folder
    assert normalise_content(exported) == normalise_content(folder)
    assert content_hash(exported) == content_hash(folder)


def test_canonical_form_decodes_json_strings_and_sorts() -> None:
    canon = normalise_content(as_sumo_exports_it(built_dashboard()))
    assert [p["key"] for p in canon["panels"]] == ["panel-overview-notes", "panel-overview-signins"]
    assert canon["panels"][1]["visualSettings"]["general"]["type"] == "column"
    assert canon["layout"]["layoutStructures"][1]["structure"] == {"height": 6, "width": 12, "x": 12, "y": 0}
    assert "id" not in canon["panels"][0] and "rootPanel" not in canon
    assert list(canon) == sorted(canon)


@pytest.mark.parametrize("change", ["query", "layout", "title", "variable"])
def test_real_changes_are_not_hidden(change: str) -> None:
    changed = built_dashboard()
    if change == "query":
        changed["panels"][1]["queries"][0]["queryString"] += " | limit 5"
    elif change == "layout":
        changed["layout"]["layoutStructures"][0]["structure"] = '{"height":7,"width":12,"x":0,"y":0}'
    elif change == "title":
        changed["panels"][0]["title"] = "Read me"
    else:
        changed["variables"][0]["defaultValue"] = "success"
    assert normalise_content(changed) != normalise_content(as_sumo_exports_it(built_dashboard()))


@pytest.mark.parametrize("case", [
    *[pytest.param(("real", name), id=f"real-{name[:-5]}", marks=needs_reference("exports", name))
      for name in ("testapp.json", "Auth0.json", "Code42Incydr.json", "Cyral.json")],
    *[pytest.param(("synthetic", name), id=f"synthetic-{name}") for name in SYNTHETIC]])
def test_exports_round_trip(case: tuple[str, str]) -> None:
    real = load_export(case)
    stripped = copy.deepcopy(real)

    def strip(item: dict[str, Any]) -> None:
        for child in item.get("children") or []:
            strip(child)
        item.pop("rootPanel", None)
        for panel in item.get("panels") or []:
            panel["id"] = None
            for query in panel.get("queries") or []:
                for key in ("transient", "outputCardinalityLimit", "tracesQueryData", "spansQueryData"):
                    query.pop(key, None)
        for variable in item.get("variables") or []:
            variable.pop("id", None)

    strip(stripped)
    assert normalise_content(stripped) == normalise_content(real)
    assert normalise_content(as_sumo_exports_it(stripped)) == normalise_content(real)


def test_normalise_source_drops_ids_state_and_secrets() -> None:
    built = {"sourceType": "Universal", "schemaRef": {"type": "1Password"},
             "config": {"name": "1pw", "description": "", "category": "1pw", "fields": {},
                        "base_url": "events.1password.com", "supported_apis": ["sign-in", "itemUsage"],
                        "api_token": "ops_realtoken"}}
    remote = {"id": 1234, "state": "Collecting", "sourceType": "Universal",
              "schemaRef": {"type": "1Password", "version": "1.0"},
              "config": {"name": "1pw", "category": "1pw", "base_url": "events.1password.com/",
                         "supported_apis": ["itemUsage", "sign-in"], "api_token": "********"}}
    assert normalise_source(built) == normalise_source(remote)
    assert "api_token" not in json.dumps(normalise_source(built))
    remote["config"]["category"] = "other"
    assert normalise_source(built) != normalise_source(remote)


def test_normalise_collector() -> None:
    built = {"collectorType": "Hosted", "name": "1Password", "description": "", "category": "", "fields": {}}
    remote = {"id": 5, "collectorType": "Hosted", "name": "1Password", "alive": True, "links": [],
              "timeZone": "UTC"}
    assert normalise_collector(built) == normalise_collector(remote)
