"""Synthetic Sumo app exports, written by this project, with the shapes real exports have.

A clone of the project has no reference data (see ``reference.py``), so every test that reads real exports
has a twin here: three made-up apps whose objects have the key sets, value types and nesting Sumo's content
export gives (folder with sub-folders; v2 dashboards with search and text panels; the three query shapes - the
full one, the one without trace/span keys, the older one with five keys; CSV, log-query and metadata variables;
saved searches). Names, queries and texts are ours.

``EXPORTS`` maps a name to a function building the export; ``write(name, directory)`` writes one as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

FOLDER = "FolderSyncDefinition"
DASHBOARD = "DashboardV2SyncDefinition"
SAVED_SEARCH = "SavedSearchWithScheduleSyncDefinition"


def _settings(chart: str, mode: str) -> str:
    return json.dumps({"title": {"fontSize": 14}, "general": {"type": chart, "displayType": "default",
                                                              "mode": mode},
                       "legend": {"enabled": True}, "series": {}}, separators=(",", ":"))


TEXT_SETTINGS = json.dumps({"general": {"mode": "TextPanel", "type": "text"},
                            "text": {"format": "markdown", "showTitle": False}}, separators=(",", ":"))


def _query(text: str, shape: str, key: str = "A", kind: str = "Logs") -> dict[str, Any]:
    """A panel query in one of the three shapes exports have: ``full`` (eleven keys), ``compact`` (without
    transient, cardinality limit and span data) and ``old`` (five keys)."""
    query: dict[str, Any] = {"queryString": text, "queryType": kind, "queryKey": key,
                             "metricsQueryMode": "Advanced" if kind == "Metrics" else None,
                             "metricsQueryData": None}
    if shape == "old":
        return query
    query.update({"tracesQueryData": None, "parseMode": "Manual", "timeSource": "Message"})
    if shape == "full":
        query.update({"transient": False, "spansQueryData": None, "outputCardinalityLimit": 1000})
    return query


def _search_panel(key: str, title: str, queries: list[dict[str, Any]], chart: str = "table",
                  mode: str = "distribution", panel_id: str | None = None,
                  description: str | None = None, since: str | None = None) -> dict[str, Any]:
    time_range = None if since is None else {
        "type": "BeginBoundedTimeRange", "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": since},
        "to": None}
    return {"id": panel_id, "key": key, "title": title, "visualSettings": _settings(chart, mode),
            "keepVisualSettingsConsistentWithParent": True, "panelType": "SumoSearchPanel", "queries": queries,
            "description": description, "timeRange": time_range, "coloringRules": None, "linkedDashboards": []}


def _text_panel(key: str, text: str, panel_id: str | None = None) -> dict[str, Any]:
    return {"id": panel_id, "key": key, "title": "", "visualSettings": TEXT_SETTINGS,
            "keepVisualSettingsConsistentWithParent": True, "panelType": "TextPanel", "text": text}


def _variable(name: str, source: dict[str, Any], variable_id: str | None, default: str = "*",
              all_option: bool = True) -> dict[str, Any]:
    return {"id": variable_id, "name": name, "displayName": name,
            "defaultValue": default, "sourceDefinition": source, "allowMultiSelect": False,
            "includeAllOption": all_option, "hideFromUI": False}


def _dashboard(name: str, panels: list[dict[str, Any]], places: list[tuple[int, int, int, int]],
               variables: list[dict[str, Any]] | None = None, since: str = "-1d",
               description: str = "") -> dict[str, Any]:
    """A v2 dashboard; ``places`` are (x, y, width, height) on the 24-column grid, one per panel."""
    layout = [{"key": panel["key"], "structure": json.dumps({"height": h, "width": w, "x": x, "y": y},
                                                            separators=(",", ":"))}
              for panel, (x, y, w, h) in zip(panels, places, strict=True)]
    return {"type": DASHBOARD, "name": name, "description": description, "title": name, "theme": "Dark",
            "topologyLabelMap": {"data": {}}, "refreshInterval": 0,
            "timeRange": {"type": "BeginBoundedTimeRange",
                          "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": since}, "to": None},
            "layout": {"layoutType": "Grid", "layoutStructures": layout}, "panels": panels,
            "variables": variables or [], "coloringRules": []}


def _saved_search(name: str, query: str, description: str = "", time_range: str = "-15m") -> dict[str, Any]:
    return {"type": SAVED_SEARCH, "name": name,
            "search": {"queryText": query, "byReceiptTime": False, "viewName": "",
                       "viewStartTime": "1970-01-01T00:00:00Z", "queryParameters": [], "parsingMode": "Manual",
                       "defaultTimeRange": time_range},
            "searchSchedule": None, "description": description}


def _folder(name: str, children: list[dict[str, Any]], description: str = "") -> dict[str, Any]:
    return {"type": FOLDER, "name": name, "description": description, "children": children}


# -- Edge Firewall: sub-folders of saved searches, five dashboards, one saved search at the top -----------------

EDGE_SCOPE = "_sourceCategory=*edge*"


def _edge_dashboard(topic: str, field: str, chart: str) -> dict[str, Any]:
    stem = topic.lower().replace(" ", "")
    count = _search_panel(f"panel{stem}count", f"{topic} by {field}", [_query(
        f'{EDGE_SCOPE} {stem}\n| parse "{field}=* " as {field} nodrop\n| count by {field}\n| sort by _count',
        "full")], chart="pie")
    trend = _search_panel(f"panel{stem}trend", f"{topic} over time", [_query(
        f"{EDGE_SCOPE} {stem}\n| timeslice 1h\n| count by _timeslice", "full")], chart="line", mode="timeSeries",
        description=f"{topic} per hour.", since="-7d")
    notes = _text_panel(f"panel{stem}notes", f"## {topic}\nWhat the firewall logged about {topic.lower()}.")
    return _dashboard(f"Edge Firewall - {topic}", [notes, count, trend],
                      [(0, 0, 24, 2), (0, 2, 12, 8), (12, 2, 12, 8)], since="-24h",
                      description=f"{topic} seen by the edge firewalls.")


def edge_firewall() -> dict[str, Any]:
    """Two sub-folders (two alert searches, four parser searches), five dashboards, one saved search."""
    alerts = _folder("Edge Alerts", [
        _saved_search("Suspicious Traffic - UDP 443",
                      f'({EDGE_SCOPE} !(vpn))\n| parse "proto=* " as proto nodrop\n| parse "dstport=* " as '
                      'dstport nodrop\n| where proto = "17" and dstport = "443"\n| count by proto, dstport',
                      "UDP to port 443", "-3h"),
        _saved_search("Suspicious Traffic: Country Mismatch",
                      f'{EDGE_SCOPE}\n| parse "srccountry=\\"*\\"" as srccountry nodrop\n'
                      '| parse "dstcountry=\\"*\\"" as dstcountry nodrop\n| where srccountry != dstcountry\n'
                      "| count by srccountry, dstcountry"),
    ])
    parsers = _folder("Edge Parsers", [
        _saved_search(f"Edge Parser - {name}", f'{EDGE_SCOPE} {word}\n| parse "{field}=* " as {field} nodrop\n'
                      f"| count by {field}")
        for name, word, field in (("Event::User", "event", "user"), ("Everything", "", "type"),
                                  ("Traffic", "traffic", "action"), ("VPN", "vpn", "tunnel"))
    ])
    dashboards = [_edge_dashboard(topic, field, chart) for topic, field, chart in (
        ("Events", "subtype", "pie"), ("Overview", "action", "bar"), ("System Performance", "cpu", "line"),
        ("Threat Analysis", "threat", "table"), ("Traffic", "service", "column"))]
    performance = _saved_search("System Performance",
                                f'{EDGE_SCOPE} "performance statistics"\n| parse "cpu=* " as cpu nodrop\n'
                                "| timeslice 5m\n| max(cpu) as cpu by _timeslice", "CPU over time", "-1h")
    return _folder("Edge Firewall", [alerts, parsers, *dashboards, performance],
                   "Traffic, threats and health of the edge firewalls.")


# -- Directory Audit: the older query shape (five keys), panel and variable ids, a root panel of null ------------

def directory_audit() -> dict[str, Any]:
    """One dashboard whose queries have the older five-key shape, with ids on panels and variables."""
    logins = _search_panel("panelPANE-0A1B2C3D4E5F6071", "Failed logins by country", [_query(
        "$$logsrc \n| json auto maxdepth 1 nodrop\n| where type matches /^(f|fp|fu)$/\n"
        "| count as logins by country\n| sort by logins desc\n| limit 10", "old")],
        chart="bar", panel_id="0A1B2C3D4E5F6071")
    users = _search_panel("panelPANE-1B2C3D4E5F607182", "Logins per user", [_query(
        "$$logsrc \n| json auto maxdepth 1 nodrop\n| where user_name matches \"{{user}}\"\n"
        "| count by user_name", "old")], panel_id="1B2C3D4E5F607182")
    title = _text_panel("panelPANE-2C3D4E5F60718293", "# Sign-in activity", panel_id="2C3D4E5F60718293")
    user = _variable("user", {"variableSourceType": "LogQueryVariableSourceDefinition",
                              "query": "$$logsrc | json auto maxdepth 1 nodrop | count by user_name",
                              "field": "user_name"}, variable_id="4D5E6F7081920A1B")
    board = _dashboard("Directory Audit - Overview", [title, logins, users],
                       [(0, 0, 24, 1), (0, 1, 12, 9), (12, 1, 12, 9)], [user], since="-1w",
                       description="Sign-ins to the directory.")
    board["rootPanel"] = None
    return _folder("Directory Audit", [board, _saved_search(
        "Directory Audit - Failed logins", "$$logsrc \n| json auto maxdepth 1 nodrop\n| where type = \"f\"\n"
        "| count by user_name")], "Audit of the directory's sign-ins.")


# -- Load Balancer Metrics: metrics panels, chained metadata variables, CSV and log-query variables -------------

def load_balancer_metrics() -> dict[str, Any]:
    """Metrics queries (compact shape) under chained metadata variables, with a CSV and a log-query variable."""
    scope = "account={{account}} region={{region}} balancer={{balancer}}"
    meta = [("account", ""), ("region", "account={{account}}"), ("balancer", "account={{account}} region={{region}}")]
    variables = [_variable(name, {"variableSourceType": "MetadataVariableSourceDefinition", "filter": flt,
                                  "key": name}, variable_id=f"{index:016X}")
                 for index, (name, flt) in enumerate(meta, 1)]
    variables.append(_variable("top", {"variableSourceType": "CsvVariableSourceDefinition", "values": "5,10,25"},
                               default="5", variable_id=None, all_option=False))
    variables.append({**_variable("path", {"variableSourceType": "LogQueryVariableSourceDefinition",
                                           "query": "_sourceCategory=lb/access | parse \"GET * \" as path "
                                                    "| count by path", "field": "path"},
                                  variable_id="00000000000000AB"), "valueType": "Any"})
    healthy = _search_panel("panelhealthy", "Healthy hosts", [
        _query(f"{scope} metric=HealthyHostCount statistic=Average | avg", "compact", kind="Metrics")],
        chart="line", mode="timeSeries")
    errors = _search_panel("panelerrors", "Errors against requests", [
        _query(f"{scope} metric=RequestCount statistic=Sum | sum", "compact", "A", "Metrics"),
        _query(f"{scope} metric=ErrorCount statistic=Sum | sum", "compact", "B", "Metrics"),
        _query("#B / #A along balancer", "compact", "C", "Metrics")], chart="line", mode="timeSeries")
    paths = _search_panel("panelpaths", "Top paths", [_query(
        '_sourceCategory=lb/access path={{path}}\n| parse "GET * " as path\n| count by path\n| topk({{top}}, _count)',
        "compact")])
    board = _dashboard("Load Balancer - Health", [healthy, errors, paths],
                       [(0, 0, 8, 7), (8, 0, 8, 7), (16, 0, 8, 7)], variables, since="-3h")
    return _folder("Load Balancer Metrics", [board], "Health of the load balancers, from their metrics.")


EXPORTS: dict[str, Callable[[], dict[str, Any]]] = {
    "edge_firewall": edge_firewall,
    "directory_audit": directory_audit,
    "load_balancer_metrics": load_balancer_metrics,
}


def write(name: str, directory: Path) -> Path:
    """Write the synthetic export ``name`` to ``directory/<name>.json``; returns the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(json.dumps(EXPORTS[name](), indent=2) + "\n", encoding="utf-8")
    return path
