"""Content permissions API (``/v2/content/{id}/permissions``): read, add and remove permission assignments.

Permissions belong to a content id: a per-item update (Dashboards, Log Searches, Folder API) keeps them, a
delete or an overwrite import (which replaces the item with a new id) drops them. A folder's explicit
permissions show as implicit permissions of everything below it.
"""

from __future__ import annotations

from typing import Any

from appbuilder.fakesumo.content import content_or_404, require_write
from appbuilder.fakesumo.errors import refuse
from appbuilder.fakesumo.routing import Backend, Request, Response, Router
from appbuilder.fakesumo.state import ContentItem, Store

INVALID = "content:invalid_permission_request"
FIELDS = ("permissionName", "sourceType", "sourceId", "contentId")


def permissions_view(state: Store, item: ContentItem, explicit_only: bool = False) -> dict[str, Any]:
    """The ``ContentPermissionResult`` of an item."""
    view: dict[str, Any] = {"explicitPermissions": [dict(p) for p in item.permissions]}
    if not explicit_only:
        view["implicitPermissions"] = [{**p, "contentId": item.id}
                                       for folder in state.ancestors(item) for p in folder.permissions]
    return view


def _assignments(req: Request, content_id: str) -> list[dict[str, str]]:
    """The assignments of a ``ContentPermissionUpdateRequest`` (its schema checked by ``contract``); each must
    name the content of the path (a cross reference the spec cannot state: a guess)."""
    assignments = req.object_body()["contentPermissionAssignments"]
    refuse(INVALID, [f"contentPermissionAssignments[{i}].contentId: {a['contentId']!r} is not the content id in "
                     f"the path ({content_id})" for i, a in enumerate(assignments) if a["contentId"] != content_id])
    return [{k: a[k] for k in FIELDS} for a in assignments]


def get_permissions(fake: Backend, req: Request) -> Response:
    item = content_or_404(fake.state, req.params["id"])
    return Response(200, permissions_view(fake.state, item, req.flag("explicitOnly")))


def add_permissions(fake: Backend, req: Request) -> Response:
    state = fake.state
    item = content_or_404(state, req.params["id"])
    require_write(state, req, item)
    for assignment in _assignments(req, item.id):
        if assignment not in item.permissions:
            item.permissions.append(assignment)
    return Response(200, permissions_view(state, item))


def remove_permissions(fake: Backend, req: Request) -> Response:
    state = fake.state
    item = content_or_404(state, req.params["id"])
    require_write(state, req, item)
    gone = _assignments(req, item.id)
    item.permissions = [p for p in item.permissions if p not in gone]
    return Response(200, permissions_view(state, item))


def register(router: Router) -> None:
    router.add("GET", "/v2/content/{id}/permissions", get_permissions)
    router.add("PUT", "/v2/content/{id}/permissions/add", add_permissions)
    router.add("PUT", "/v2/content/{id}/permissions/remove", remove_permissions)
