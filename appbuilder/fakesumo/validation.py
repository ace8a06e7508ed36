"""Validation of content sync definitions, as Sumo applies it when an import is started.

``validate_definition`` returns a list of ``(code, message)`` pairs; an empty list means the body is
importable. Each message names where the problem is, e.g.
``children[1] "App - Overview": panels[0].visualSettings must be a string holding JSON``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from appbuilder.fakesumo.state import ITEM_TYPES

INVALID = "content:invalid_sync_definition"
TOO_MANY = "content:too_many_items"
MAX_OBJECTS = 1000

PANEL_TYPES = {
    "SumoSearchPanel", "TextPanel", "ServiceMapPanel", "TracesListPanel",
    "EventsOfInterestScatterPanel", "CollapsiblePanel",
}
QUERY_TYPES = {"Logs", "Metrics", "Traces", "Spans"}
PARSE_MODES = {"Auto", "Manual", "Intelliparse"}
TIME_SOURCES = {"Message", "Receipt", "Searchable"}
LITERAL_RANGES = {"now", "second", "minute", "hour", "day", "today", "week", "month", "year"}
COMPLETE_RANGES = {"today", "yesterday", "previous_week", "previous_month"}
RELATIVE_TIME = re.compile(r"^-?(\d+[wdhms])+$")
THEME = re.compile(r"^(light|dark|Light|Dark)$")
VARIABLE_SOURCES = {
    "LogQueryVariableSourceDefinition": ("query", "field"),
    "CsvVariableSourceDefinition": ("values",),
    "MetadataVariableSourceDefinition": ("filter", "key"),
}
SCHEDULE_TYPES = {
    "RealTime", "15Minutes", "1Hour", "2Hours", "4Hours", "6Hours", "8Hours", "12Hours", "1Day", "1Week",
    "Custom",
}
SHALLOW_REQUIRED: dict[str, tuple[str, ...]] = {
    "MetricsSearchSyncDefinition": ("timeRange", "queries"),
    "MetricsSavedSearchSyncDefinition": ("timeRange", "metricsQueries", "desiredQuantizationInSecs"),
    "LookupTableSyncDefinition": ("description", "fields", "primaryKeys"),
    "DashboardSyncDefinition": ("description", "detailLevel", "properties", "panels", "filters"),
    "MewboardSyncDefinition": ("title",),
    "SavedSearchWithScheduleAndDependencySyncDefinition": ("search", "scheduleWithDependency", "description"),
}


def count_objects(definition: Any) -> int:
    if not isinstance(definition, dict):
        return 0
    children = definition.get("children") if definition.get("type") == "FolderSyncDefinition" else None
    return 1 + sum(count_objects(c) for c in children or [] if isinstance(children, list))


def validate_definition(definition: Any) -> list[tuple[str, str]]:
    if not isinstance(definition, dict):
        return [(INVALID, "The request body must be a JSON object holding a content sync definition.")]
    total = count_objects(definition)
    if total > MAX_OBJECTS:
        return [(TOO_MANY, f"Too many objects: object count({total}) was greater than limit {MAX_OBJECTS}")]
    checker = _Checker()
    checker.item(definition, "")
    return [(INVALID, m) for m in checker.problems]


def part_problems(kind: str, value: Any, where: str) -> list[str]:
    """Problems of one part of a definition, as the per-item APIs check it: ``kind`` is dashboard,
    time_range or schedule; each message starts with ``where``."""
    if kind not in ("dashboard", "time_range", "schedule"):
        raise ValueError(f"unknown part {kind!r}")
    checker = _Checker()
    getattr(checker, kind)(value, where)
    return checker.problems


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def item(self, d: dict[str, Any], where: str) -> None:
        kind = d.get("type")
        name = d.get("name")
        label = f'{where} "{name}"'.strip() if isinstance(name, str) else where
        if kind not in ITEM_TYPES:
            known = ", ".join(sorted(ITEM_TYPES))
            self.fail(label, f"unknown content type {kind!r}; expected one of {known}")
            return
        if not isinstance(name, str) or not name.strip():
            self.fail(label, f"{kind} requires a non-empty string 'name'")
        if kind == "FolderSyncDefinition":
            self.folder(d, label)
        elif kind == "DashboardV2SyncDefinition":
            self.dashboard(d, label)
        elif kind == "SavedSearchWithScheduleSyncDefinition":
            self.saved_search(d, label)
        else:
            for key in SHALLOW_REQUIRED.get(str(kind), ()):
                if d.get(key) is None:
                    self.fail(label, f"{kind} requires '{key}'")

    def folder(self, d: dict[str, Any], label: str) -> None:
        children = d.get("children")
        if not isinstance(children, list):
            self.fail(label, "FolderSyncDefinition requires a 'children' array")
            return
        if d.get("description") is not None and not isinstance(d.get("description"), str):
            self.fail(label, "'description' must be a string")
        seen: set[str] = set()
        for i, child in enumerate(children):
            where = f"{label}.children[{i}]" if label else f"children[{i}]"
            if not isinstance(child, dict):
                self.fail(where, "each child must be a JSON object")
                continue
            self.item(child, where)
            child_name = child.get("name")
            if isinstance(child_name, str):
                if child_name in seen:
                    self.fail(where, f"duplicate name {child_name!r} in folder; names must be unique")
                seen.add(child_name)

    # -- dashboards ----------------------------------------------------------------------------
    def dashboard(self, d: dict[str, Any], label: str) -> None:
        title = d.get("title")
        if not isinstance(title, str) or not 1 <= len(title) <= 255:
            self.fail(label, "DashboardV2SyncDefinition requires 'title' (a string of 1..255 characters)")
        theme = d.get("theme")
        if theme is not None and (not isinstance(theme, str) or not THEME.match(theme)):
            self.fail(label, f"'theme' must be Light or Dark, not {theme!r}")
        refresh = d.get("refreshInterval")
        if refresh is not None and (not isinstance(refresh, int) or isinstance(refresh, bool) or refresh < 0):
            self.fail(label, "'refreshInterval' must be a non-negative integer")
        if d.get("timeRange") is not None:
            self.time_range(d["timeRange"], f"{label}.timeRange")
        panels = d.get("panels")
        panel_keys: set[str] = set()
        if panels is not None:
            if not isinstance(panels, list):
                self.fail(label, "'panels' must be an array")
            else:
                for i, panel in enumerate(panels):
                    key = self.panel(panel, f"{label}.panels[{i}]")
                    if key is not None:
                        if key in panel_keys:
                            self.fail(f"{label}.panels[{i}]", f"duplicate panel key {key!r}")
                        panel_keys.add(key)
        if d.get("layout") is not None:
            self.layout(d["layout"], f"{label}.layout", panel_keys)
        variables = d.get("variables")
        if variables is not None:
            if not isinstance(variables, list):
                self.fail(label, "'variables' must be an array")
            else:
                self.variables(variables, label)
        for key in ("coloringRules",):
            if d.get(key) is not None and not isinstance(d[key], list):
                self.fail(label, f"'{key}' must be an array")

    def panel(self, p: Any, where: str) -> str | None:
        if not isinstance(p, dict):
            self.fail(where, "a panel must be a JSON object")
            return None
        key = p.get("key")
        if not isinstance(key, str) or not key:
            self.fail(where, "a panel requires a non-empty string 'key'")
            key = None
        panel_type = p.get("panelType")
        if panel_type not in PANEL_TYPES:
            known = ", ".join(sorted(PANEL_TYPES))
            self.fail(where, f"unknown panelType {panel_type!r}; expected one of {known}")
        self.json_string(p.get("visualSettings"), f"{where}.visualSettings", required=False)
        if p.get("timeRange") is not None:
            self.time_range(p["timeRange"], f"{where}.timeRange")
        if panel_type == "SumoSearchPanel":
            self.queries(p.get("queries"), where)
            linked = p.get("linkedDashboards")
            if linked is not None and (
                not isinstance(linked, list) or not all(isinstance(x, dict) and x.get("id") for x in linked)
            ):
                self.fail(where, "'linkedDashboards' must be an array of objects with an 'id'")
        elif panel_type == "TextPanel" and not isinstance(p.get("text"), str):
            self.fail(where, "a TextPanel requires a string 'text'")
        return key

    def queries(self, queries: Any, where: str) -> None:
        if not isinstance(queries, list) or not queries:
            self.fail(where, "a SumoSearchPanel requires a non-empty 'queries' array")
            return
        keys: set[str] = set()
        for i, q in enumerate(queries):
            qw = f"{where}.queries[{i}]"
            if not isinstance(q, dict):
                self.fail(qw, "a query must be a JSON object")
                continue
            if not isinstance(q.get("queryString"), str):
                self.fail(qw, "'queryString' is required and must be a string")
            if q.get("queryType") not in QUERY_TYPES:
                self.fail(qw, f"'queryType' must be one of {', '.join(sorted(QUERY_TYPES))}")
            query_key = q.get("queryKey")
            if not isinstance(query_key, str) or not query_key:
                self.fail(qw, "'queryKey' is required (e.g. \"A\")")
            elif query_key in keys:
                self.fail(qw, f"duplicate queryKey {query_key!r}")
            else:
                keys.add(query_key)
            if q.get("parseMode") is not None and q["parseMode"] not in PARSE_MODES:
                self.fail(qw, f"'parseMode' must be one of {', '.join(sorted(PARSE_MODES))}")
            if q.get("timeSource") is not None and q["timeSource"] not in TIME_SOURCES:
                self.fail(qw, f"'timeSource' must be one of {', '.join(sorted(TIME_SOURCES))}")

    def layout(self, layout: Any, where: str, panel_keys: set[str]) -> None:
        if not isinstance(layout, dict) or layout.get("layoutType") != "Grid":
            self.fail(where, "'layout' must be an object with layoutType \"Grid\"")
            return
        structures = layout.get("layoutStructures")
        if not isinstance(structures, list):
            self.fail(where, "'layoutStructures' is required and must be an array")
            return
        seen: set[str] = set()
        for i, s in enumerate(structures):
            sw = f"{where}.layoutStructures[{i}]"
            if not isinstance(s, dict):
                self.fail(sw, "a layout structure must be a JSON object")
                continue
            key = s.get("key")
            if not isinstance(key, str) or key not in panel_keys:
                self.fail(sw, f"key {key!r} does not match the key of any panel")
            elif key in seen:
                self.fail(sw, f"duplicate layout key {key!r}")
            else:
                seen.add(key)
            grid = self.json_string(s.get("structure"), f"{sw}.structure", required=True)
            if isinstance(grid, dict):
                for field_name in ("height", "width", "x", "y"):
                    value = grid.get(field_name)
                    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                        self.fail(f"{sw}.structure", f"'{field_name}' must be a non-negative integer")

    def variables(self, variables: list[Any], label: str) -> None:
        names: set[str] = set()
        for i, v in enumerate(variables):
            vw = f"{label}.variables[{i}]"
            if not isinstance(v, dict):
                self.fail(vw, "a variable must be a JSON object")
                continue
            name = v.get("name")
            if not isinstance(name, str) or not name:
                self.fail(vw, "a variable requires a non-empty string 'name'")
            elif name.lower() in names:
                self.fail(vw, f"duplicate variable name {name!r} (names are case-insensitive)")
            else:
                names.add(name.lower())
            source = v.get("sourceDefinition")
            kind = source.get("variableSourceType") if isinstance(source, dict) else None
            if kind not in VARIABLE_SOURCES:
                self.fail(vw, "'sourceDefinition' is required with a variableSourceType of "
                          + ", ".join(sorted(VARIABLE_SOURCES)))
                continue
            assert isinstance(source, dict)
            for key in VARIABLE_SOURCES[kind]:
                if not isinstance(source.get(key), str):
                    self.fail(vw, f"{kind} requires a string '{key}'")

    # -- shared pieces -------------------------------------------------------------------------
    def json_string(self, value: Any, where: str, required: bool) -> Any:
        if value is None:
            if required:
                self.fail(where, "is required and must be a string holding JSON")
            return None
        if not isinstance(value, str):
            self.fail(where, f"must be a string holding JSON, not a JSON {type(value).__name__}")
            return None
        try:
            decoded = json.loads(value)
        except ValueError as exc:
            self.fail(where, f"is not valid JSON ({exc})")
            return None
        if not isinstance(decoded, dict):
            self.fail(where, "must encode a JSON object")
        return decoded

    def time_range(self, tr: Any, where: str) -> None:
        kind = tr.get("type") if isinstance(tr, dict) else None
        if kind == "BeginBoundedTimeRange":
            assert isinstance(tr, dict)
            self.boundary(tr.get("from"), f"{where}.from", required=True)
            self.boundary(tr.get("to"), f"{where}.to", required=False)
        elif kind == "CompleteLiteralTimeRange":
            assert isinstance(tr, dict)
            if tr.get("rangeName") not in COMPLETE_RANGES:
                self.fail(where, f"'rangeName' must be one of {', '.join(sorted(COMPLETE_RANGES))}")
        else:
            self.fail(where, "type must be BeginBoundedTimeRange or CompleteLiteralTimeRange")

    def boundary(self, b: Any, where: str, required: bool) -> None:
        if b is None:
            if required:
                self.fail(where, "is required")
            return
        kind = b.get("type") if isinstance(b, dict) else None
        assert kind is None or isinstance(b, dict)
        if kind == "RelativeTimeRangeBoundary":
            rel = b.get("relativeTime")
            if not isinstance(rel, str) or not RELATIVE_TIME.match(rel):
                self.fail(where, f"relativeTime {rel!r} is not like -15m, -1d or -2w5d3h")
        elif kind == "EpochTimeRangeBoundary":
            if not isinstance(b.get("epochMillis"), int):
                self.fail(where, "'epochMillis' must be an integer")
        elif kind == "Iso8601TimeRangeBoundary":
            if not isinstance(b.get("iso8601Time"), str):
                self.fail(where, "'iso8601Time' must be a string")
        elif kind == "LiteralTimeRangeBoundary":
            if b.get("rangeName") not in LITERAL_RANGES:
                self.fail(where, f"'rangeName' must be one of {', '.join(sorted(LITERAL_RANGES))}")
        else:
            self.fail(where, f"unknown time range boundary type {kind!r}")

    # -- saved searches ------------------------------------------------------------------------
    def saved_search(self, d: dict[str, Any], label: str) -> None:
        if not isinstance(d.get("description"), str):
            self.fail(label, "SavedSearchWithScheduleSyncDefinition requires a string 'description'")
        search = d.get("search")
        if not isinstance(search, dict):
            self.fail(label, "SavedSearchWithScheduleSyncDefinition requires a 'search' object")
        else:
            sw = f"{label}.search"
            if not isinstance(search.get("queryText"), str):
                self.fail(sw, "'queryText' is required and must be a string")
            if not isinstance(search.get("defaultTimeRange"), str):
                self.fail(sw, "'defaultTimeRange' is required and must be a string such as \"-15m\"")
            if not isinstance(search.get("byReceiptTime"), bool):
                self.fail(sw, "'byReceiptTime' is required and must be a boolean")
            if not isinstance(search.get("queryParameters"), list):
                self.fail(sw, "'queryParameters' is required and must be an array")
            if search.get("parsingMode") is not None and search["parsingMode"] not in ("AutoParse", "Manual"):
                self.fail(sw, "'parsingMode' must be AutoParse or Manual")
        schedule = d.get("searchSchedule")
        if schedule is not None:
            self.schedule(schedule, f"{label}.searchSchedule")

    def schedule(self, s: Any, where: str) -> None:
        if not isinstance(s, dict):
            self.fail(where, "must be an object or null")
            return
        self.time_range(s.get("parseableTimeRange"), f"{where}.parseableTimeRange")
        if not isinstance(s.get("timeZone"), str):
            self.fail(where, "'timeZone' is required")
        notification = s.get("notification")
        if not isinstance(notification, dict) or not isinstance(notification.get("taskType"), str):
            self.fail(where, "'notification' with a 'taskType' is required")
        schedule_type = s.get("scheduleType")
        if schedule_type not in SCHEDULE_TYPES:
            self.fail(where, f"'scheduleType' must be one of {', '.join(sorted(SCHEDULE_TYPES))}")
        elif schedule_type in ("Custom", "1Day", "1Week") and not s.get("cronExpression"):
            self.fail(where, f"scheduleType {schedule_type} requires a 'cronExpression'")
