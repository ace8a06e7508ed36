"""Content for tests of the fake Sumo, and the raw API calls they make (import, export, job polls)."""

from __future__ import annotations

from typing import Any

import requests

from appbuilder.fakesumo import FakeSumo


def dashboard(name: str = "App - Overview") -> dict[str, Any]:
    return {
        "type": "DashboardV2SyncDefinition", "name": name, "title": name, "description": "",
        "theme": "Dark", "topologyLabelMap": {"data": {}}, "refreshInterval": 0,
        "timeRange": {"type": "BeginBoundedTimeRange",
                      "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": "-1d"}, "to": None},
        "layout": {"layoutType": "Grid", "layoutStructures": [
            {"key": "panelA", "structure": '{"height":6,"width":12,"x":0,"y":0}'},
            {"key": "panelB", "structure": '{"height":6,"width":12,"x":12,"y":0}'}]},
        "panels": [
            {"id": None, "key": "panelA", "title": "Notes", "panelType": "TextPanel",
             "visualSettings": '{"general":{"mode":"TextPanel","type":"text"}}',
             "keepVisualSettingsConsistentWithParent": True, "text": "# Overview"},
            {"id": None, "key": "panelB", "title": "Events", "panelType": "SumoSearchPanel",
             "visualSettings": '{"general":{"mode":"timeSeries","type":"column"},"series":{}}',
             "keepVisualSettingsConsistentWithParent": True, "description": "",
             "queries": [{"queryString": "_sourceCategory={{cat}} | count", "queryType": "Logs",
                          "queryKey": "A", "parseMode": "Auto", "timeSource": "Message"}],
             "timeRange": None, "coloringRules": None, "linkedDashboards": []}],
        "variables": [{"name": "cat", "displayName": "cat", "defaultValue": "1pw",
                       "sourceDefinition": {"variableSourceType": "CsvVariableSourceDefinition",
                                            "values": "1pw"},
                       "allowMultiSelect": False, "includeAllOption": False, "hideFromUI": False}],
        "coloringRules": [],
    }


def app_folder(name: str = "1Password") -> dict[str, Any]:
    return {
        "type": "FolderSyncDefinition", "name": name, "description": "Custom app",
        "children": [
            dashboard(f"{name} - Overview"),
            {"type": "SavedSearchWithScheduleSyncDefinition", "name": f"{name} - Raw events",
             "description": "Unscheduled", "searchSchedule": None,
             "search": {"queryText": "_sourceCategory=1pw", "defaultTimeRange": "-15m",
                        "byReceiptTime": False, "viewName": "", "viewStartTime": None,
                        "queryParameters": [], "parsingMode": "Manual"}},
        ],
    }


def contains(actual: Any, expected: Any) -> bool:
    """``actual`` has everything ``expected`` has (Sumo may add default keys on import)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v)
                                                for k, v in expected.items())
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(contains(a, e) for a, e in zip(actual, expected, strict=True)))
    return bool(actual == expected)


def personal_id(api: requests.Session, fake: FakeSumo) -> str:
    return str(api.get(f"{fake.base_url}/v2/content/folders/personal").json()["id"])


def wait_job(api: requests.Session, status_url: str, limit: int = 10) -> dict[str, Any]:
    for _ in range(limit):
        status = api.get(status_url).json()
        if status["status"] != "InProgress":
            return dict(status)
    raise AssertionError("job never finished")


def import_into(api: requests.Session, fake: FakeSumo, folder_id: str, definition: dict[str, Any],
                overwrite: bool = False) -> dict[str, Any]:
    url = f"{fake.base_url}/v2/content/folders/{folder_id}/import"
    r = api.post(url, params={"overwrite": str(overwrite).lower()}, json=definition)
    assert r.status_code == 200, r.text
    return wait_job(api, f"{url}/{r.json()['id']}/status")


def export(api: requests.Session, fake: FakeSumo, content_id: str) -> dict[str, Any]:
    url = f"{fake.base_url}/v2/content/{content_id}/export"
    job = api.post(url).json()["id"]
    assert wait_job(api, f"{url}/{job}/status")["status"] == "Success"
    return dict(api.get(f"{url}/{job}/result").json())
