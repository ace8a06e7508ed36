"""Defaults Sumo fills into imported content, so export returns more keys than were imported.

Only missing keys are added; values that were sent are never changed. The key sets follow the most
common shapes of real exports (see the reference ``content-format.md``) and terraform's habit of
filling ``transient``/``outputCardinalityLimit`` to avoid diffs against what the server returns.
"""

from __future__ import annotations

from typing import Any

DASHBOARD = {"description": "", "refreshInterval": 0, "topologyLabelMap": {"data": {}}, "variables": [],
             "coloringRules": []}
PANEL = {"id": None, "keepVisualSettingsConsistentWithParent": True}
SEARCH_PANEL = {"description": "", "timeRange": None, "coloringRules": None, "linkedDashboards": []}
QUERY = {"transient": False, "metricsQueryMode": None, "metricsQueryData": None, "tracesQueryData": None,
         "spansQueryData": None, "parseMode": "Auto", "timeSource": "Message", "outputCardinalityLimit": 1000}
VARIABLE = {"id": None, "allowMultiSelect": False, "includeAllOption": True, "hideFromUI": False,
            "valueType": "Any"}
SEARCH = {"viewName": "", "viewStartTime": None, "parsingMode": "Manual"}


def _fill(target: Any, defaults: dict[str, Any]) -> None:
    if isinstance(target, dict):
        for key, value in defaults.items():
            target.setdefault(key, value.copy() if isinstance(value, (dict, list)) else value)


def fill_defaults(definition: dict[str, Any]) -> None:
    """Add server defaults to a validated sync definition, in place (folders recursively)."""
    kind = definition.get("type")
    if kind == "FolderSyncDefinition":
        definition.setdefault("description", "")
        for child in definition.get("children") or []:
            fill_defaults(child)
    elif kind == "DashboardV2SyncDefinition":
        _fill(definition, DASHBOARD)
        for panel in definition.get("panels") or []:
            _fill(panel, PANEL)
            if panel.get("panelType") == "SumoSearchPanel":
                _fill(panel, SEARCH_PANEL)
                for query in panel.get("queries") or []:
                    _fill(query, QUERY)
        for variable in definition.get("variables") or []:
            _fill(variable, VARIABLE)
            if isinstance(variable, dict):
                variable.setdefault("displayName", variable.get("name"))
    elif kind == "SavedSearchWithScheduleSyncDefinition":
        definition.setdefault("searchSchedule", None)
        _fill(definition.get("search"), SEARCH)
