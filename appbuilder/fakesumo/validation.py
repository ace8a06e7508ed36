"""The rules for content bodies that Sumo's OpenAPI spec cannot state; the spec's schemas (``contract``) check
types, required fields, enumerations and the discriminated parts (content types, panels, time ranges, variable
sources, schedule notifications) before a route handler runs.

``validate_definition`` returns ``(code, message)`` pairs for a content sync definition, ``part_problems`` the
messages for a part of one that the per-item APIs take too (a dashboard, a time range, a schedule). Each message
starts with the JSON path of the value, e.g. ``children[1].panels[0].visualSettings: is not valid JSON``. Each
rule names its source; the behaviour table in ``docs/fake-sumo.md`` lists them.
"""

from __future__ import annotations

import json
import re
from typing import Any

INVALID = "content:invalid_sync_definition"
TOO_MANY = "content:too_many_items"
MAX_OBJECTS = 1000  # Sumo docs: "a limit of 1000 content objects that can be imported at once"
# Sumo docs (time ranges): relative times such as -15m, -1d or -2w5d3h; the spec types them as bare strings
RELATIVE_TIME = re.compile(r"^-?(\d+[wdhms])+$")
LITERAL_RANGES = {"now", "second", "minute", "hour", "day", "today", "week", "month", "year"}  # Sumo docs
COMPLETE_RANGES = {"today", "yesterday", "previous_week", "previous_month"}  # the spec's pattern
NEEDS_CRON = ("Custom", "1Day", "1Week")  # the spec's scheduleType prose: these need a cronExpression
GRID_FIELDS = ("height", "width", "x", "y")  # layout structures hold JSON with these (published exports)


def count_objects(definition: Any) -> int:
    if not isinstance(definition, dict):
        return 0
    children = definition.get("children") if definition.get("type") == "FolderSyncDefinition" else None
    return 1 + sum(count_objects(c) for c in children or [] if isinstance(children, list))


def validate_definition(definition: dict[str, Any]) -> list[tuple[str, str]]:
    """Problems of a sync definition the spec's schema accepted (an empty list: importable)."""
    total = count_objects(definition)
    if total > MAX_OBJECTS:
        return [(TOO_MANY, f"Too many objects: object count({total}) was greater than limit {MAX_OBJECTS}")]
    problems: list[str] = []
    _item(definition, "", problems)
    return [(INVALID, m) for m in problems]


def part_problems(kind: str, value: Any, where: str) -> list[str]:
    """Problems of a ``dashboard``, ``time_range`` or ``schedule`` the spec's schema accepted."""
    checks = {"dashboard": _dashboard, "time_range": _time_range, "schedule": _schedule}
    if kind not in checks:
        raise ValueError(f"unknown part {kind!r}")
    problems: list[str] = []
    checks[kind](value, where, problems)
    return problems


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _item(d: dict[str, Any], where: str, problems: list[str]) -> None:
    kind = d.get("type")
    if kind == "FolderSyncDefinition":
        seen: set[str] = set()
        for i, child in enumerate(d.get("children") or []):
            child_where = f"{_at(where, 'children')}[{i}]"
            name = str(child.get("name"))
            if name in seen:  # uniqueness: a folder's items are found by name (Sumo docs: paths name them)
                problems.append(f"{child_where}.name: duplicate name {name!r} in folder; names must be unique")
            seen.add(name)
            _item(child, child_where, problems)
    elif kind == "DashboardV2SyncDefinition":
        _dashboard(d, where, problems)
    elif kind == "SavedSearchWithScheduleSyncDefinition" and d.get("searchSchedule"):
        _schedule(d["searchSchedule"], _at(where, "searchSchedule"), problems)


def _dashboard(d: dict[str, Any], where: str, problems: list[str]) -> None:
    if d.get("timeRange"):
        _time_range(d["timeRange"], _at(where, "timeRange"), problems)
    keys: set[str] = set()
    for i, panel in enumerate(d.get("panels") or []):
        pw = f"{_at(where, 'panels')}[{i}]"
        if panel["key"] in keys:  # uniqueness: layout structures refer to panels by key
            problems.append(f"{pw}.key: duplicate panel key {panel['key']!r}")
        keys.add(panel["key"])
        _json_string(panel.get("visualSettings"), f"{pw}.visualSettings", problems)
        if panel.get("timeRange"):
            _time_range(panel["timeRange"], f"{pw}.timeRange", problems)
        query_keys = [q.get("queryKey") for q in panel.get("queries") or []]
        if len(set(query_keys)) != len(query_keys):  # uniqueness: queries are referenced as #A, #B (Sumo docs)
            problems.append(f"{pw}.queries: each queryKey must be unique")
    layout = d.get("layout") or {}
    placed: set[str] = set()
    for i, structure in enumerate(layout.get("layoutStructures") or []):
        sw = f"{_at(where, 'layout')}.layoutStructures[{i}]"
        key = structure["key"]
        if key not in keys:  # grid layout: each structure places one panel of this dashboard
            problems.append(f"{sw}.key: {key!r} does not match the key of any panel")
        elif key in placed:
            problems.append(f"{sw}.key: duplicate layout key {key!r}")
        placed.add(key)
        grid = _json_string(structure["structure"], f"{sw}.structure", problems)
        for name in GRID_FIELDS if isinstance(grid, dict) else ():
            value = grid.get(name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append(f"{sw}.structure: '{name}' must be a non-negative integer")
    names: set[str] = set()
    for i, variable in enumerate(d.get("variables") or []):
        if variable["name"].lower() in names:  # uniqueness: {{name}} references are case-insensitive (guess)
            problems.append(f"{_at(where, 'variables')}[{i}].name: duplicate variable name {variable['name']!r}")
        names.add(variable["name"].lower())


def _json_string(value: Any, where: str, problems: list[str]) -> Any:
    """A string field holding a JSON object (visualSettings, layout structures: published exports)."""
    if value is None:
        return None
    try:
        decoded = json.loads(value)
    except ValueError as exc:
        problems.append(f"{where}: is not valid JSON ({exc})")
        return None
    if not isinstance(decoded, dict):
        problems.append(f"{where}: must encode a JSON object")
    return decoded


def _time_range(tr: dict[str, Any], where: str, problems: list[str]) -> None:
    for end in ("from", "to"):
        boundary = tr.get(end) or {}
        kind = boundary.get("type")
        if kind == "RelativeTimeRangeBoundary" and not RELATIVE_TIME.match(str(boundary["relativeTime"])):
            problems.append(f"{where}.{end}.relativeTime: {boundary['relativeTime']!r} is not like -15m, -1d or "
                            "-2w5d3h")
        if kind == "LiteralTimeRangeBoundary" and boundary["rangeName"] not in LITERAL_RANGES:
            problems.append(f"{where}.{end}.rangeName: must be one of {', '.join(sorted(LITERAL_RANGES))}")


def _schedule(s: dict[str, Any], where: str, problems: list[str]) -> None:
    _time_range(s["parseableTimeRange"], f"{where}.parseableTimeRange", problems)
    if s["scheduleType"] in NEEDS_CRON and not s.get("cronExpression"):
        problems.append(f"{where}.cronExpression: scheduleType {s['scheduleType']} requires a cronExpression")
