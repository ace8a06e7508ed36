"""Model → Sumo content sync definitions (folder, dashboards, saved searches), shaped like real exports."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

from appbuilder.build.overrides import apply_overrides
from appbuilder.build.visuals import visual_settings
from appbuilder.model import App, ContentItem, Dashboard, Panel, PanelQuery, Query, Variable

LITERAL_COMPLETE = ("yesterday", "previous_week", "previous_month")
QUERY_TYPES = {"logs": "Logs", "metrics": "Metrics"}


# A panel key names where the panel comes from (``panel-<dashboard file stem>-<panel id>``), so an export of an
# installed app gets back the file and panel names; a stem that does not fit the key alphabet gets a digest.
_KEY_STEM = re.compile(r"[A-Za-z0-9_.]+")
_READABLE_KEY = re.compile(r"panel-([A-Za-z0-9_.]+)-([a-z][a-z0-9_]*)")


def panel_key(dashboard: Dashboard, panel: Panel) -> str:
    """A stable layout/panel key derived from the dashboard file and panel id (never random)."""
    if _KEY_STEM.fullmatch(dashboard.slug):
        return f"panel-{dashboard.slug}-{panel.id}"
    return hashed_panel_key(dashboard.slug, panel.id)


def hashed_panel_key(slug: str, panel_id: str) -> str:
    """The digest form of a panel key (every key before keys were readable, and stems outside the alphabet)."""
    return f"panel{hashlib.sha256(f'{slug}/{panel_id}'.encode()).hexdigest()[:16].upper()}"


def key_names(key: object) -> tuple[str, str] | None:
    """(dashboard file stem, panel id) a key made by ``panel_key`` names; None for any other key."""
    match = _READABLE_KEY.fullmatch(key) if isinstance(key, str) else None
    return (match.group(1), match.group(2)) if match else None


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


def build_query(query: PanelQuery) -> dict[str, Any]:
    """One entry of a panel's ``queries``."""
    metrics = query.type == "metrics"
    built = {
        "transient": False,
        "queryString": query.text,
        "queryType": QUERY_TYPES.get(query.type, query.type),
        "queryKey": query.key,
        "metricsQueryMode": query.metrics_mode if query.metrics_mode is not None else ("Advanced" if metrics
                                                                                          else None),
        "metricsQueryData": query.metrics_data,
        "tracesQueryData": None,
        "spansQueryData": None,
        "parseMode": query.parse_mode,
        "timeSource": query.time_source,
        "outputCardinalityLimit": query.output_limit,
    }
    return apply_overrides(built, query.overrides)


def _panel_key(dashboard: Dashboard, panel: Panel) -> str:
    return panel.key or panel_key(dashboard, panel)


def build_panel(dashboard: Dashboard, panel: Panel) -> dict[str, Any]:
    visuals = panel.visual_settings if panel.visual_verbatim else visual_settings(panel)
    common: dict[str, Any] = {
        "id": None,
        "key": _panel_key(dashboard, panel),
        "title": panel.title,
        "visualSettings": _encode(visuals) if visuals is not None else None,
        "keepVisualSettingsConsistentWithParent": True,
    }
    if panel.chart == "text":
        return apply_overrides({**common, "panelType": "TextPanel", "text": panel.text or ""}, panel.overrides)
    built = {
        **common,
        "panelType": "SumoSearchPanel",
        "queries": [build_query(q) for q in panel.all_queries()],
        "description": panel.description,
        "timeRange": time_range(panel.time_range) if panel.time_range else None,
        "coloringRules": panel.coloring_rules,
        "linkedDashboards": panel.links,
    }
    return apply_overrides(built, panel.overrides)


def build_variable(variable: Variable) -> dict[str, Any]:
    source: dict[str, Any]
    if variable.source is not None:
        source = variable.source
    elif variable.values is not None:
        source = {"variableSourceType": "CsvVariableSourceDefinition", "values": ",".join(variable.values)}
    elif variable.metadata_key is not None:
        source = {"variableSourceType": "MetadataVariableSourceDefinition", "filter": variable.metadata_filter,
                  "key": variable.metadata_key}
    else:
        source = {"variableSourceType": "LogQueryVariableSourceDefinition", "query": variable.query or "",
                  "field": variable.field or variable.name}
    built = {
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
    return apply_overrides(built, variable.overrides)


def _layout_order(dashboard: Dashboard) -> list[Panel]:
    """The panels that have a place on the grid, in the order of the dashboard's ``layoutOrder``."""
    placed = [p for p in dashboard.panels if p.layout is not None and not p.hidden]
    order = dashboard.layout_order
    if order == "position":
        return sorted(placed, key=lambda p: (p.layout.y, p.layout.x) if p.layout else (0, 0))
    if isinstance(order, list):
        rank = {panel_id: index for index, panel_id in enumerate(order)}
        return sorted(placed, key=lambda p: rank.get(p.id, len(rank)))
    return placed


def build_dashboard(dashboard: Dashboard) -> dict[str, Any]:
    structures = []
    for panel in _layout_order(dashboard):
        layout = panel.layout
        assert layout is not None, "layout is computed by the loader"
        structures.append({"key": _panel_key(dashboard, panel),
                           "structure": _encode({"height": layout.height, "width": layout.width,
                                                 "x": layout.x, "y": layout.y, **panel.min_size})})
    built = {
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
    return apply_overrides(built, dashboard.overrides)


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
    built = {
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
        "searchSchedule": query.schedule,
        "description": query.description,
    }
    return apply_overrides(built, query.overrides)


def _build_items(app: App, items: list[ContentItem], done: set[int]) -> list[dict[str, Any]]:
    """The children of one folder level of ``contents``; ``done`` collects the ids of what was placed."""
    dashboards = {str(d.path): d for d in app.dashboards}
    saved = {q.id: q for q in app.saved_searches}
    children: list[dict[str, Any]] = []
    for item in items:
        if item.kind == "folder":
            folder = {"type": "FolderSyncDefinition", "name": item.name, "description": item.description,
                      "children": _build_items(app, item.children, done)}
            children.append(apply_overrides(folder, item.overrides))
        elif item.kind == "raw" and item.data is not None:
            children.append(copy.deepcopy(item.data))
        elif item.kind == "dashboard" and str(app.root / item.ref) in dashboards:
            dashboard = dashboards[str(app.root / item.ref)]
            done.add(id(dashboard))
            children.append(build_dashboard(dashboard))
        elif item.kind == "savedSearch" and item.ref in saved:
            done.add(id(saved[item.ref]))
            children.append(build_saved_search(saved[item.ref]))
    return children


def build_folder(app: App) -> dict[str, Any]:
    """The app as one FolderSyncDefinition: the items of ``contents`` in order, or (without ``contents``, and for
    whatever ``contents`` does not place) the dashboards in manifest order, then the saved searches."""
    done: set[int] = set()
    children = _build_items(app, app.contents, done) if app.contents is not None else []
    children += [build_dashboard(d) for d in app.dashboards if id(d) not in done]
    children += [build_saved_search(q) for q in app.saved_searches if id(q) not in done]
    folder = {"type": "FolderSyncDefinition", "name": app.folder, "description": app.description,
              "children": children}
    return apply_overrides(folder, app.overrides)
