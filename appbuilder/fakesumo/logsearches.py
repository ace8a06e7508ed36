"""Log Searches API (``/v1/logSearches``): saved log searches as the content library holds them.

A saved search is one Library item holding a SavedSearchWithScheduleSyncDefinition; this API shows it as a
``LogSearch`` (``queryString`` for ``search.queryText``, ``timeRange`` for ``search.defaultTimeRange``,
``runByReceiptTime`` for ``search.byReceiptTime``, ``schedule`` for ``searchSchedule``). Its id is the content
id, kept by ``PUT``. Errors use the v2 body shape, as every OpenAPI endpoint does.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

from appbuilder.fakesumo.content import check_unique_name, delete_item, folder_or_404
from appbuilder.fakesumo.defaults import fill_defaults
from appbuilder.fakesumo.errors import ApiError, refuse
from appbuilder.fakesumo.routing import Backend, Request, Response, Router, page
from appbuilder.fakesumo.state import ContentItem, Store, iso_millis
from appbuilder.fakesumo.validation import COMPLETE_RANGES, LITERAL_RANGES, RELATIVE_TIME, part_problems

INVALID = "logsearch:invalid_request"
NOT_FOUND = "logsearch:not_found"
SYNC_TYPE = "SavedSearchWithScheduleSyncDefinition"


# -- time ranges: the API's ResolvableTimeRange <-> the sync definition's defaultTimeRange string ----------
def _boundary_text(boundary: dict[str, Any]) -> str:
    kind = boundary.get("type")
    if kind == "RelativeTimeRangeBoundary":
        return str(boundary["relativeTime"])
    if kind == "LiteralTimeRangeBoundary":
        return str(boundary["rangeName"])
    if kind == "EpochTimeRangeBoundary":
        return datetime.fromtimestamp(boundary["epochMillis"] / 1000, tz=timezone.utc).isoformat()
    return str(boundary["iso8601Time"])


def range_text(time_range: dict[str, Any]) -> str:
    """``-15m``, ``-1d -12h``, ``today`` or ``<ISO time> to <ISO time>`` for a validated time range."""
    if time_range["type"] == "CompleteLiteralTimeRange":
        return str(time_range["rangeName"])
    start, end = time_range["from"], time_range.get("to")
    absolute = start["type"] in ("EpochTimeRangeBoundary", "Iso8601TimeRangeBoundary")
    if end is None:
        return _boundary_text(start)
    return f"{_boundary_text(start)}{' to ' if absolute else ' '}{_boundary_text(end)}"


def _boundary(text: str) -> dict[str, Any]:
    if RELATIVE_TIME.match(text):
        return {"type": "RelativeTimeRangeBoundary", "relativeTime": text}
    if text in LITERAL_RANGES:
        return {"type": "LiteralTimeRangeBoundary", "rangeName": text}
    return {"type": "Iso8601TimeRangeBoundary", "iso8601Time": text}


def range_object(text: str) -> dict[str, Any]:
    """The ResolvableTimeRange a ``defaultTimeRange`` string stands for."""
    text = text.strip()
    if text in COMPLETE_RANGES:
        return {"type": "CompleteLiteralTimeRange", "rangeName": text}
    parts = text.split(" to ") if " to " in text else text.split()
    to = _boundary(parts[1].strip()) if len(parts) > 1 else None
    return {"type": "BeginBoundedTimeRange", "from": _boundary(parts[0].strip() if parts else "-15m"), "to": to}


# -- views -------------------------------------------------------------------------------------------
def log_search_view(item: ContentItem) -> dict[str, Any]:
    """The ``LogSearch`` object of an item."""
    definition = item.definition or {}
    search = definition.get("search") or {}
    view: dict[str, Any] = {
        "name": item.name, "description": definition.get("description") or "",
        "queryString": search.get("queryText", ""),
        "timeRange": range_object(str(search.get("defaultTimeRange") or "-15m")),
        "runByReceiptTime": bool(search.get("byReceiptTime", False)),
        "queryParameters": copy.deepcopy(search.get("queryParameters") or []),
        "parsingMode": search.get("parsingMode") or "Manual",
    }
    if search.get("intervalTimeType"):
        view["intervalTimeType"] = search["intervalTimeType"]
    view["schedule"] = copy.deepcopy(definition.get("searchSchedule"))
    if "properties" in item.extras:
        view["properties"] = item.extras["properties"]
    view.update(createdAt=iso_millis(item.created_at), createdBy=item.created_by,
                modifiedAt=iso_millis(item.modified_at), modifiedBy=item.modified_by,
                id=item.id, parentId=item.parent_id)
    return view


# -- validation --------------------------------------------------------------------------------------
def _problems(body: dict[str, Any]) -> list[str]:
    """What ``SaveLogSearchRequest`` / ``LogSearchDefinition`` cannot state (their schemas checked the rest)."""
    problems = part_problems("time_range", body["timeRange"], "timeRange")
    if body.get("schedule"):
        problems += part_problems("schedule", body["schedule"], "schedule")
    return problems


def _validated(req: Request) -> dict[str, Any]:
    body = req.object_body()
    refuse(INVALID, _problems(body))
    return body


def _definition(fake: Backend, body: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    old_search = (before or {}).get("search") or {}
    search: dict[str, Any] = {
        "queryText": body["queryString"], "defaultTimeRange": range_text(body["timeRange"]),
        "byReceiptTime": bool(body.get("runByReceiptTime", False)),
        "viewName": old_search.get("viewName", ""), "viewStartTime": old_search.get("viewStartTime"),
        "queryParameters": copy.deepcopy(body.get("queryParameters") or []),
        "parsingMode": body.get("parsingMode") or "Manual",
    }
    if body.get("intervalTimeType"):
        search["intervalTimeType"] = body["intervalTimeType"]
    definition = {"type": SYNC_TYPE, "name": body["name"], "search": search,
                  "searchSchedule": copy.deepcopy(body.get("schedule")),
                  "description": body.get("description") or ""}
    if fake.fill_defaults:
        fill_defaults(definition)
    return definition


def _extras(body: dict[str, Any]) -> dict[str, Any]:
    """What the request holds that the sync definition cannot: the ``properties`` string."""
    return {"properties": body["properties"]} if body.get("properties") is not None else {}


def _log_search(state: Store, search_id: str) -> ContentItem:
    item = state.get(search_id)
    if item is None or item.sync_type != SYNC_TYPE:
        raise ApiError(404, NOT_FOUND, f"Saved log search with id {search_id} does not exist.")
    return item


# -- routes ------------------------------------------------------------------------------------------
def create_log_search(fake: Backend, req: Request) -> Response:
    state = fake.state
    body = _validated(req)
    folder = folder_or_404(state, body["parentId"])
    check_unique_name(state, folder, body["name"])
    item = state.new_item(body["name"], "Search", folder.id)
    item.definition = _definition(fake, body, None)
    item.extras = _extras(body)
    return Response(200, log_search_view(item))


def get_log_search(fake: Backend, req: Request) -> Response:
    return Response(200, log_search_view(_log_search(fake.state, req.params["id"])))


def update_log_search(fake: Backend, req: Request) -> Response:
    state = fake.state
    item = _log_search(state, req.params["id"])
    body = _validated(req)
    parent = state.items[item.parent_id]
    check_unique_name(state, parent, body["name"], item)
    item.name = body["name"]
    item.definition = _definition(fake, body, item.definition)
    item.extras = _extras(body)
    state.touch(item)
    return Response(200, log_search_view(item))


def delete_log_search(fake: Backend, req: Request) -> Response:
    return delete_item(fake.state, _log_search(fake.state, req.params["id"]))


def list_log_searches(fake: Backend, req: Request) -> Response:
    state = fake.state
    found = [item for item in state.walk(state.items[state.personal_id]) if item.sync_type == SYNC_TYPE]
    chunk, token = page(found, req)
    return Response(200, {"logSearches": [log_search_view(item) for item in chunk], "token": token})


def register(router: Router) -> None:
    router.add_resource("/v1/logSearches", list_all=list_log_searches, create=create_log_search,
                        get=get_log_search, update=update_log_search, delete=delete_log_search)
