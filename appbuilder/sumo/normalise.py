"""Canonical form of Sumo content, so that what we built and what Sumo exports compare equal when
nothing changed (the prepare/unprepare idea of grafana/grizzly).

Rules: JSON-string fields (``visualSettings``, layout ``structure``) become objects; server-assigned and
volatile fields (ids, created/modified metadata) are dropped; values equal to the default Sumo fills in
are dropped; ``null`` is treated like "absent"; lists whose order carries no meaning (panels, layout,
variables, folder children, queries) are sorted by their key; dict keys are sorted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

METADATA_KEYS = frozenset({
    "createdAt", "createdBy", "modifiedAt", "modifiedBy", "contentId", "parentId", "itemType",
    "permissions", "isScheduled", "scheduleId", "scheduleCount",
})

DASHBOARD_DEFAULTS: dict[str, Any] = {
    "refreshInterval": 0,
    "topologyLabelMap": {"data": {}},
    "coloringRules": [],
    "variables": [],
    "description": "",
}
PANEL_DEFAULTS: dict[str, Any] = {
    "keepVisualSettingsConsistentWithParent": True,
    "description": "",
    "coloringRules": [],
    "linkedDashboards": [],
    "visualSettings": {},
}
QUERY_DEFAULTS: dict[str, Any] = {
    "transient": False,
    "outputCardinalityLimit": 1000,
    "parseMode": "Auto",
    "timeSource": "Message",
}
VARIABLE_DEFAULTS: dict[str, Any] = {
    "allowMultiSelect": False,
    "includeAllOption": True,
    "hideFromUI": False,
    "valueType": "Any",
}
SEARCH_DEFAULTS: dict[str, Any] = {
    "byReceiptTime": False,
    "viewName": "",
    "viewStartTime": "1970-01-01T00:00:00Z",
    "queryParameters": [],
    "parsingMode": "Manual",
}
LINK_DEFAULTS: dict[str, Any] = {"relativePath": "", "includeTimeRange": True, "includeVariables": True}


def decode_json_string(value: Any) -> Any:
    """A JSON-encoded string as its object; anything else (or invalid JSON) unchanged."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def without_nulls(value: Any) -> Any:
    """``value`` with every object property whose value is null left out (null means absent to Sumo)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def _sorted(value: Any) -> Any:
    """Recursively: dicts with sorted keys and ``None`` values removed; lists kept in order."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value) if value[k] is not None}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _drop_defaults(obj: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v is not None and not (k in defaults and defaults[k] == v)}


def _base(defn: dict[str, Any], drop: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    return {k: v for k, v in defn.items() if k not in METADATA_KEYS and k not in drop and v is not None}


def _sort_by(items: Any, key: str) -> list[Any]:
    if not isinstance(items, list):
        return []
    return sorted(items, key=lambda item: str(item.get(key, "")) if isinstance(item, dict) else str(item))


def normalise_query(query: dict[str, Any]) -> dict[str, Any]:
    return _sorted(_drop_defaults(dict(query), QUERY_DEFAULTS))


def normalise_panel(panel: dict[str, Any]) -> dict[str, Any]:
    out = _base(panel, {"id"})
    if "visualSettings" in out:
        out["visualSettings"] = decode_json_string(out["visualSettings"])
    if isinstance(out.get("queries"), list):
        out["queries"] = [normalise_query(q) for q in _sort_by(out["queries"], "queryKey")]
    if isinstance(out.get("linkedDashboards"), list):
        out["linkedDashboards"] = [_sorted(_drop_defaults(link, LINK_DEFAULTS))
                                   for link in out["linkedDashboards"] if isinstance(link, dict)]
    return _sorted(_drop_defaults(out, PANEL_DEFAULTS))


def normalise_variable(variable: dict[str, Any]) -> dict[str, Any]:
    out = _base(variable, {"id"})
    if out.get("displayName") in ("", out.get("name")):
        out.pop("displayName")
    return _sorted(_drop_defaults(out, VARIABLE_DEFAULTS))


def normalise_layout(layout: Any) -> Any:
    if not isinstance(layout, dict):
        return layout
    out = _base(layout)
    structures = []
    for entry in _sort_by(layout.get("layoutStructures"), "key"):
        if isinstance(entry, dict):
            item = dict(entry)
            item["structure"] = decode_json_string(item.get("structure"))
            structures.append(item)
    out["layoutStructures"] = structures
    return _sorted(out)


def normalise_dashboard(defn: dict[str, Any]) -> dict[str, Any]:
    out = _base(defn, {"id", "rootPanel", "schedules"})
    if isinstance(out.get("theme"), str):
        out["theme"] = out["theme"].lower()
    if "layout" in out:
        out["layout"] = normalise_layout(out["layout"])
    out["panels"] = [normalise_panel(p) for p in _sort_by(out.get("panels"), "key") if isinstance(p, dict)]
    if isinstance(out.get("variables"), list):
        out["variables"] = [normalise_variable(v) for v in _sort_by(out["variables"], "name")]
    if defn.get("schedules"):
        out["schedules"] = defn["schedules"]
    return _sorted(_drop_defaults(out, DASHBOARD_DEFAULTS))


def normalise_saved_search(defn: dict[str, Any]) -> dict[str, Any]:
    out = _base(defn, {"id"})
    if isinstance(out.get("search"), dict):
        out["search"] = _sorted(_drop_defaults(dict(out["search"]), SEARCH_DEFAULTS))
    return _sorted(_drop_defaults(out, {"description": ""}))


def normalise_folder(defn: dict[str, Any]) -> dict[str, Any]:
    out = _drop_defaults(_base(defn, {"id"}), {"description": ""})
    children = [normalise_content(c) for c in defn.get("children") or [] if isinstance(c, dict)]
    out["children"] = sorted(children, key=lambda c: (str(c.get("name", "")), str(c.get("type", ""))))
    return _sorted(out)


_NORMALISERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "FolderSyncDefinition": normalise_folder,
    "DashboardV2SyncDefinition": normalise_dashboard,
    "SavedSearchWithScheduleSyncDefinition": normalise_saved_search,
}


def normalise_content(defn: dict[str, Any]) -> dict[str, Any]:
    """The canonical form of a content sync definition (folder, dashboard, saved search, or other)."""
    normaliser = _NORMALISERS.get(str(defn.get("type", "")))
    if normaliser is not None:
        return normaliser(defn)
    return _sorted(_base(defn, {"id"}))


def canonical_json(value: Any) -> str:
    """Stable compact JSON text of an already-normalised value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(defn: dict[str, Any]) -> str:
    """sha256 of the canonical form; equal for a built definition and its unchanged export."""
    return hashlib.sha256(canonical_json(normalise_content(defn)).encode()).hexdigest()
