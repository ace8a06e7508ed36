"""Model → Sumo content sync definitions (folder, dashboards, saved searches), shaped like real exports."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from appbuilder.build.visuals import visual_settings
from appbuilder.model import App, Dashboard, Panel, Query, Variable

LITERAL_COMPLETE = ("yesterday", "previous_week", "previous_month")


def panel_key(dashboard: Dashboard, panel: Panel) -> str:
    """A stable layout/panel key derived from the dashboard file and panel id (never random)."""
    digest = hashlib.sha256(f"{dashboard.slug}/{panel.id}".encode()).hexdigest()[:16].upper()
    return f"panel{digest}"


def time_range(value: str) -> dict[str, Any]:
    """A ResolvableTimeRange for ``-1d``-style relative times or a literal range name."""
    if value in LITERAL_COMPLETE:
        return {"type": "CompleteLiteralTimeRange", "rangeName": value}
    if value == "today":
        return {"type": "BeginBoundedTimeRange", "from": {"type": "LiteralTimeRangeBoundary", "rangeName": "today"},
                "to": None}
    return {"type": "BeginBoundedTimeRange", "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": value},
            "to": None}


def _encode(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _query(text: str) -> dict[str, Any]:
    return {
        "transient": False,
        "queryString": text,
        "queryType": "Logs",
        "queryKey": "A",
        "metricsQueryMode": None,
        "metricsQueryData": None,
        "tracesQueryData": None,
        "spansQueryData": None,
        "parseMode": "Manual",
        "timeSource": "Message",
        "outputCardinalityLimit": 1000,
    }


def build_panel(dashboard: Dashboard, panel: Panel) -> dict[str, Any]:
    key = panel_key(dashboard, panel)
    common: dict[str, Any] = {
        "id": None,
        "key": key,
        "title": panel.title,
        "visualSettings": _encode(visual_settings(panel)),
        "keepVisualSettingsConsistentWithParent": True,
    }
    if panel.chart == "text":
        return {**common, "panelType": "TextPanel", "text": panel.text or ""}
    return {
        **common,
        "panelType": "SumoSearchPanel",
        "queries": [_query(panel.query or "")],
        "description": panel.description,
        "timeRange": time_range(panel.time_range) if panel.time_range else None,
        "coloringRules": None,
        "linkedDashboards": [],
    }


def build_variable(variable: Variable) -> dict[str, Any]:
    source: dict[str, Any]
    if variable.values is not None:
        source = {"variableSourceType": "CsvVariableSourceDefinition", "values": ",".join(variable.values)}
    elif variable.metadata_key is not None:
        source = {"variableSourceType": "MetadataVariableSourceDefinition", "filter": variable.metadata_filter,
                  "key": variable.metadata_key}
    else:
        source = {"variableSourceType": "LogQueryVariableSourceDefinition", "query": variable.query or "",
                  "field": variable.field or variable.name}
    return {
        "id": None,
        "name": variable.name,
        "displayName": variable.display_name or variable.name,
        "defaultValue": variable.default,
        "sourceDefinition": source,
        "allowMultiSelect": False,
        "includeAllOption": variable.include_all,
        "hideFromUI": False,
        "valueType": "Any",
    }


def build_dashboard(dashboard: Dashboard) -> dict[str, Any]:
    structures = []
    for panel in dashboard.panels:
        layout = panel.layout
        assert layout is not None, "layout is computed by the loader"
        structures.append({"key": panel_key(dashboard, panel),
                           "structure": _encode({"height": layout.height, "width": layout.width,
                                                 "x": layout.x, "y": layout.y})})
    return {
        "type": "DashboardV2SyncDefinition",
        "name": dashboard.title,
        "title": dashboard.title,
        "description": dashboard.description,
        "theme": dashboard.theme,
        "refreshInterval": dashboard.refresh_interval,
        "timeRange": time_range(dashboard.time_range),
        "topologyLabelMap": {"data": {}},
        "layout": {"layoutType": "Grid", "layoutStructures": structures},
        "panels": [build_panel(dashboard, panel) for panel in dashboard.panels],
        "variables": [build_variable(v) for v in dashboard.variables],
        "coloringRules": [],
    }


def build_saved_search(query: Query) -> dict[str, Any]:
    parameters = [{
        "name": v.name,
        "label": v.label or v.name,
        "description": v.description,
        "dataType": v.data_type,
        "value": v.default,
        "autoComplete": {"autoCompleteType": "SKIP_AUTOCOMPLETE", "autoCompleteKey": None, "autoCompleteValues": [],
                         "lookupFileName": None, "lookupLabelColumn": None, "lookupValueColumn": None},
    } for v in query.variables]
    return {
        "type": "SavedSearchWithScheduleSyncDefinition",
        "name": query.name,
        "search": {
            "queryText": query.text,
            "byReceiptTime": query.by_receipt_time,
            "viewName": "",
            "viewStartTime": "1970-01-01T00:00:00Z",
            "queryParameters": parameters,
            "parsingMode": query.parsing_mode,
            "defaultTimeRange": query.time_range,
        },
        "searchSchedule": None,
        "description": query.description,
    }


def build_folder(app: App) -> dict[str, Any]:
    """The app as one FolderSyncDefinition: dashboards in manifest order, then saved searches."""
    children = [build_dashboard(d) for d in app.dashboards]
    children += [build_saved_search(q) for q in app.saved_searches]
    return {"type": "FolderSyncDefinition", "name": app.folder, "description": app.description,
            "children": children}
