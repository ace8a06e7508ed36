"""Dashboards API (``/v2/dashboards``): create, read, update, delete and list dashboards.

A dashboard is one Library item holding a DashboardV2SyncDefinition, so the content API (import, export, path
lookups, permissions) and this API see the same item. It has two ids, as in Sumo: ``contentId`` (the Library's
16-hex-digit id) and ``id`` (the dashboard's 60-character id). An update through ``PUT`` keeps both, and the
item's permissions; an overwrite import replaces the item, so both ids change and its permissions go.

The request is checked against the spec's ``DashboardRequest`` (``contract``) and, for what the spec cannot
state, like the content import checks a dashboard (``validation``). The fields the request cannot express
(``coloringRules``, ``rootPanel``, ``schedules``) survive an update.

The spec gives this API (and the Log Searches API) no ``isAdminMode`` header, so the fake lets them write in
Admin Recommended without one; the content API's writes there still need it.
"""

from __future__ import annotations

import copy
from typing import Any

from appbuilder.fakesumo.content import check_unique_name, delete_item, folder_or_404
from appbuilder.fakesumo.defaults import fill_defaults
from appbuilder.fakesumo.errors import ApiError, refuse
from appbuilder.fakesumo.routing import Backend, Request, Response, Router, page
from appbuilder.fakesumo.state import ContentItem, Store
from appbuilder.fakesumo.validation import part_problems

INVALID = "dashboard:invalid_request"
NOT_FOUND = "dashboard:not_found"
SYNC_TYPE = "DashboardV2SyncDefinition"
# DashboardRequest fields the sync definition holds too, in the order Sumo's schema lists them
SHARED = ("title", "description", "topologyLabelMap", "refreshInterval", "timeRange", "panels", "layout",
          "variables", "theme")
# DashboardRequest fields with no place in the sync definition (kept on the item) and their defaults
API_ONLY: dict[str, Any] = {"domain": "", "hierarchies": [], "isPublic": False, "highlightViolations": False}
MODES = ("createdByUser", "allViewableByUser")


def dashboard_view(item: ContentItem) -> dict[str, Any]:
    """The ``Dashboard`` object of an item."""
    definition = item.definition or {}
    view: dict[str, Any] = {key: copy.deepcopy(definition[key]) for key in SHARED if key in definition}
    view["folderId"] = item.parent_id
    for key, default in API_ONLY.items():
        view[key] = copy.deepcopy(item.extras.get(key, default))
    if "organizations" in item.extras:
        view["organizations"] = copy.deepcopy(item.extras["organizations"])
    view.update(id=item.dashboard_id, contentId=item.id, scheduleId=None, scheduleCount=0)
    return view


def _problems(body: dict[str, Any]) -> list[str]:
    """What ``DashboardRequest`` cannot state (its schema checked the rest): as the content import checks a
    dashboard."""
    return part_problems("dashboard", body, "")


def _validated(req: Request) -> dict[str, Any]:
    body = req.object_body()
    refuse(INVALID, _problems(body))
    return body


def _definition(fake: Backend, body: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": SYNC_TYPE, "name": body["title"]}
    for key in SHARED:
        if key in body:
            definition[key] = copy.deepcopy(body[key])
    for key, value in (before or {}).items():
        if key not in SHARED and key not in definition:
            definition[key] = copy.deepcopy(value)  # what the request cannot express survives an update
    if fake.fill_defaults:
        fill_defaults(definition)
    return definition


def _extras(body: dict[str, Any]) -> dict[str, Any]:
    keys = (*API_ONLY, "organizations")
    return {key: copy.deepcopy(body[key]) for key in keys if body.get(key) is not None}


def _dashboard(state: Store, dashboard_id: str) -> ContentItem:
    item = state.find_dashboard(dashboard_id)
    if item is None:
        raise ApiError(404, NOT_FOUND, f"Dashboard with id {dashboard_id} does not exist.")
    return item


def create_dashboard(fake: Backend, req: Request) -> Response:
    state = fake.state
    body = _validated(req)
    folder = folder_or_404(state, body.get("folderId") or state.personal_id)
    check_unique_name(state, folder, body["title"])
    item = state.new_item(body["title"], "Dashboard", folder.id)
    item.definition = _definition(fake, body, None)
    item.extras = _extras(body)
    return Response(200, dashboard_view(item))


def get_dashboard(fake: Backend, req: Request) -> Response:
    return Response(200, dashboard_view(_dashboard(fake.state, req.params["id"])))


def update_dashboard(fake: Backend, req: Request) -> Response:
    state = fake.state
    item = _dashboard(state, req.params["id"])
    body = _validated(req)
    folder = folder_or_404(state, body.get("folderId") or item.parent_id)
    check_unique_name(state, folder, body["title"], item)
    state.move(item, folder)
    item.name = body["title"]
    item.definition = _definition(fake, body, item.definition)
    item.extras = _extras(body)
    state.touch(item)
    return Response(200, dashboard_view(item))


def delete_dashboard(fake: Backend, req: Request) -> Response:
    return delete_item(fake.state, _dashboard(fake.state, req.params["id"]))


def list_dashboards(fake: Backend, req: Request) -> Response:
    state = fake.state
    mode = req.query.get("mode") or "createdByUser"
    if mode not in MODES:
        raise ApiError(400, "bad.request", "Query parameter 'mode' must be `createdByUser` or `allViewableByUser`.")
    roots = [state.personal_id] if mode == "createdByUser" else [state.personal_id, state.admin_recommended_id]
    found = [item for root in roots for item in state.walk(state.items[root])
             if item.dashboard_id and item.sync_type == SYNC_TYPE]
    chunk, token = page(found, req)
    return Response(200, {"dashboards": [dashboard_view(item) for item in chunk], "next": token})


def register(router: Router) -> None:
    router.add_resource("/v2/dashboards", list_all=list_dashboards, create=create_dashboard, get=get_dashboard,
                        update=update_dashboard, delete=delete_dashboard)
