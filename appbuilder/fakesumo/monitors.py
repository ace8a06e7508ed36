"""Monitors library API (``/v1/monitors``): folders and monitors under one root, as a deploy engine uses them.

| Method and path | What it does |
|---|---|
| GET /v1/monitors/root | the root folder with its children |
| POST /v1/monitors?parentId=ID | create a folder or monitor (body ``MonitorsLibraryFolder`` / ``…Monitor``) |
| GET, PUT, DELETE /v1/monitors/{id} | read (a folder lists stubs), update (``…Update`` + ``version``), delete |
| GET, DELETE /v1/monitors?ids=A,B | bulk read / delete: a map from id to item |
| GET /v1/monitors/path?path=/Monitors/A/B | look an item up by path |
| GET /v1/monitors/{id}/path | ``{path, pathItems}`` |
| GET /v1/monitors/search?query=... | ``[{item, path}]``: words of the name, ``type:``, ``createdBy:``... filters |
| POST /v1/monitors/{id}/move?parentId=ID | move, keeping the id |
| GET /v1/monitors/{id}/export, POST /v1/monitors/{parentId}/import | export a subtree / import it (new ids) |

Bodies are checked against Sumo's OpenAPI spec (``contract``): each operation takes its own types (a create
``MonitorsLibraryFolder`` / ``…Monitor``, an import the ``…Export`` types, an update the ``…Update`` types) and
reads answer the ``…Response`` types. A folder's children are stubs typed ``MonitorsLibraryBaseResponse``
without the monitor's fields (a published ``GET /v1/monitors?ids=`` reply shows them so; the spec's
``MonitorsLibraryFolderResponse.children`` are ``MonitorsLibraryBaseResponse``, with empty permissions).
``monitor_validation`` holds the rules the spec cannot state.

An update keeps the id and bumps ``version``; a stale ``version`` is a 409 (the spec: "If the version does not
match it will not be updated"). Names are unique within a folder (the fake's rule, so paths identify items).
Deleting a folder (single or bulk) deletes everything in it. An import replies with the new folder and its
children (their new ids). Errors use the v2 body shape (``{"id", "errors": [...]}``).
"""

from __future__ import annotations

import copy
from typing import Any

from appbuilder.fakesumo.errors import ApiError, refuse
from appbuilder.fakesumo.monitor_store import FOLDER, MONITOR, MonitorLibrary, MonitorNode
from appbuilder.fakesumo.monitor_validation import monitor_problems
from appbuilder.fakesumo.routing import NO_BODY, Backend, Request, Response, Router
from appbuilder.fakesumo.state import iso_millis

INVALID = "monitor:invalid_request"
NOT_FOUND = "monitor:not_found"
PERMISSIONS = ["Create", "Read", "Update", "Delete", "Manage"]
# the fields of a MonitorsLibraryMonitor besides name, description and type (others in a body are ignored)
MONITOR_FIELDS = ("monitorType", "evaluationDelay", "alertName", "runAs", "notificationGroupFields", "queries",
                  "triggers", "timeZone", "notifications", "isDisabled", "groupNotifications", "playbook", "sloId",
                  "automatedPlaybookIds")
# what Sumo fills into a monitor when the request leaves it out (the spec's defaults)
MONITOR_DEFAULTS: dict[str, Any] = {"evaluationDelay": "0m", "notifications": [], "isDisabled": False,
                                    "groupNotifications": True, "playbook": "", "automatedPlaybookIds": []}


def _library(fake: Backend) -> MonitorLibrary:
    return fake.state.monitors


def _node(lib: MonitorLibrary, node_id: str) -> MonitorNode:
    node = lib.nodes.get(node_id)
    if node is None:
        raise ApiError(404, NOT_FOUND, f"Monitor or folder with id {node_id} does not exist.")
    return node


def _folder(lib: MonitorLibrary, folder_id: str) -> MonitorNode:
    node = _node(lib, folder_id)
    if not node.is_folder:
        raise ApiError(400, INVALID, f"{folder_id} is a monitor, not a folder.")
    return node


def _unique(lib: MonitorLibrary, folder: MonitorNode, name: str, node: MonitorNode | None = None) -> None:
    other = lib.child_named(folder, name)
    if other is not None and other is not node:
        raise ApiError(400, "monitor:duplicate_name",
                       f"An item named {name!r} already exists in {lib.path_of(folder)}.")


def _kind(body: dict[str, Any], suffix: str) -> str:
    """The node type a body's ``type`` names for an operation taking ``MonitorsLibrary{Folder,Monitor}{suffix}``
    (the spec's schema, checked before any handler runs, refused every other type, the abstract base included)."""
    return str(body["type"]).removesuffix(suffix)


def stub_view(node: MonitorNode) -> dict[str, Any]:
    """A node as a folder lists it: the ``MonitorsLibraryBaseResponse`` fields only."""
    return {
        "id": node.id, "name": node.name, "description": node.description, "version": node.version,
        "createdAt": iso_millis(node.created_at), "createdBy": node.created_by,
        "modifiedAt": iso_millis(node.modified_at), "modifiedBy": node.modified_by,
        "parentId": node.parent_id or "0000000000000000",
        "contentType": "Folder" if node.is_folder else "Monitor", "type": "MonitorsLibraryBaseResponse",
        "isSystem": False, "isMutable": True, "permissions": [],
    }


def node_view(lib: MonitorLibrary, node: MonitorNode, nested: bool = True) -> dict[str, Any]:
    """The ``MonitorsLibraryFolderResponse`` / ``…MonitorResponse`` of a node; a folder lists its children
    (stubs) unless ``nested`` is false."""
    view = {**stub_view(node), "type": node.type + "Response", "permissions": list(PERMISSIONS) if nested else []}
    if node.is_folder:
        view["children"] = [stub_view(lib.nodes[c]) for c in node.children] if nested else []
        return view
    view.update(copy.deepcopy(node.body))
    view["status"] = ["Disabled"] if node.body.get("isDisabled") else ["Normal"]
    view["warnings"] = {}
    return view


def _monitor_body(body: dict[str, Any]) -> dict[str, Any]:
    stored = {k: copy.deepcopy(body[k]) for k in MONITOR_FIELDS if k in body}
    for key, value in MONITOR_DEFAULTS.items():
        stored.setdefault(key, copy.deepcopy(value))
    for trigger in stored.get("triggers") or []:
        trigger.setdefault("detectionMethod", "StaticCondition")
    return stored


def _create(lib: MonitorLibrary, folder: MonitorNode, body: dict[str, Any], suffix: str) -> MonitorNode:
    _unique(lib, folder, body["name"])
    kind = _kind(body, suffix)
    return lib.add(kind, body["name"], folder.id, body.get("description") or "",
                   _monitor_body(body) if kind == MONITOR else None)


# -- routes ------------------------------------------------------------------------------------------
def get_root(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    return Response(200, node_view(lib, lib.nodes[lib.root_id]))


def create_item(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    parent_id = req.query.get("parentId")
    if not parent_id:
        raise ApiError(400, INVALID, "Query parameter 'parentId' is required.")
    folder = _folder(lib, parent_id)
    body = req.object_body()
    refuse(INVALID, monitor_problems(body))
    return Response(200, node_view(lib, _create(lib, folder, body, "")))


def get_item(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    return Response(200, node_view(lib, _node(lib, req.params["id"])))


def update_item(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    node = _node(lib, req.params["id"])
    body = req.object_body()
    refuse(INVALID, monitor_problems(body))
    if _kind(body, "Update") != node.type:
        raise ApiError(400, INVALID, f"type: {node.id} is a {node.type}; it cannot become a {body['type']}.")
    if body["version"] != node.version:
        raise ApiError(409, "monitor:version_conflict",
                       f"version {body['version']} is not the latest version ({node.version}) of {node.id}; "
                       "read the item again and retry.")
    if node.id != lib.root_id:
        _unique(lib, lib.nodes[node.parent_id], body["name"], node)
    node.name, node.description = body["name"], body.get("description") or ""
    if not node.is_folder:
        node.body = _monitor_body(body)
    lib.touch(node)
    return Response(200, node_view(lib, node))


def _delete(lib: MonitorLibrary, node: MonitorNode) -> None:
    if node.id == lib.root_id:
        raise ApiError(400, INVALID, "The root folder of the monitors library cannot be deleted.")
    lib.delete(node)


def delete_item(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    _delete(lib, _node(lib, req.params["id"]))
    return Response(204, NO_BODY)


def _ids(req: Request) -> list[str]:
    ids = [i for value in req.multi.get("ids", []) for i in value.split(",") if i]
    if not ids:
        raise ApiError(400, INVALID, "Query parameter 'ids' is required.")
    return ids


def read_many(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    nested = not req.flag("skipChildren")
    return Response(200, {i: node_view(lib, _node(lib, i), nested) for i in _ids(req)})


def delete_many(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    nodes = [_node(lib, i) for i in _ids(req)]
    views = {n.id: node_view(lib, n, nested=False) for n in nodes}
    for node in nodes:
        if node.id in lib.nodes:
            _delete(lib, node)
    return Response(200, views)


def by_path(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    path = req.query.get("path")
    if not path:
        raise ApiError(400, INVALID, "Query parameter 'path' is required.")
    node = lib.find_by_path(path)
    if node is None:
        raise ApiError(404, NOT_FOUND, f"No monitor or folder at path {path!r}.")
    return Response(200, node_view(lib, node))


def path_of(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    node = _node(lib, req.params["id"])
    items = [{"id": n.id, "name": n.name} for n in lib.chain(node)]
    return Response(200, {"pathItems": items, "path": lib.path_of(node)})


def move_item(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    node = _node(lib, req.params["id"])
    folder = _folder(lib, req.query.get("parentId") or "")
    if node.id == lib.root_id or any(n.id == node.id for n in lib.chain(folder)):
        raise ApiError(400, INVALID, "An item cannot be moved into itself or below itself.")
    _unique(lib, folder, node.name, node)
    lib.move(node, folder)
    lib.touch(node)
    return Response(200, node_view(lib, node))


def export_monitors(lib: MonitorLibrary, node: MonitorNode) -> dict[str, Any]:
    """A node as ``/export`` returns it (``MonitorsLibraryBaseExport``), folders recursively."""
    exported: dict[str, Any] = {"name": node.name, "description": node.description, "type": node.type + "Export"}
    if node.is_folder:
        exported["children"] = [export_monitors(lib, lib.nodes[c]) for c in node.children]
    else:
        exported.update(copy.deepcopy(node.body))
    return exported


def export_item(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    return Response(200, export_monitors(lib, _node(lib, req.params["id"])))


def _import_problems(body: dict[str, Any], where: str) -> list[str]:
    problems = [f"{where}.{p}" if where else p for p in monitor_problems(body)]
    if body["type"] == FOLDER + "Export":
        for i, child in enumerate(body.get("children") or []):
            problems += _import_problems(child, f"{where}.children[{i}]" if where else f"children[{i}]")
    return problems


def _import(lib: MonitorLibrary, folder: MonitorNode, body: dict[str, Any]) -> MonitorNode:
    node = _create(lib, folder, body, "Export")
    for child in body.get("children") or [] if node.is_folder else []:
        _import(lib, node, child)
    return node


def import_item(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    folder = _folder(lib, req.params["id"])
    body = req.object_body()
    refuse(INVALID, _import_problems(body, ""))
    node = _import(lib, folder, body)
    view = node_view(lib, node)
    view["permissions"] = []  # as the spec says of an import's reply
    return Response(200, view)


SEARCH_FILTERS = ("createdBy", "createdBefore", "createdAfter", "modifiedBefore", "modifiedAfter", "type",
                  "monitorStatus")


def _passes(node: MonitorNode, key: str, value: str) -> bool:
    if key == "type":
        return node.type.removeprefix("MonitorsLibrary").lower() == value.lower()
    if key == "createdBy":
        return node.created_by == value
    if key == "monitorStatus":  # the fake's monitors never fire: Normal, or Disabled
        return not node.is_folder and value == ("Disabled" if node.body.get("isDisabled") else "Normal")
    if not value.isdigit():
        raise ApiError(400, INVALID, f"Search filter {key!r} takes a timestamp in milliseconds, not {value!r}.")
    stamp = node.created_at if key.startswith("created") else node.modified_at
    return stamp < int(value) if key.endswith("Before") else stamp > int(value)


def _matches(lib: MonitorLibrary, node: MonitorNode, filters: list[tuple[str, str]], words: list[str]) -> bool:
    if node.id == lib.root_id or not all(w in node.name.lower() for w in words):
        return False
    return all(_passes(node, key, value) for key, value in filters)


def search(fake: Backend, req: Request) -> Response:
    lib = _library(fake)
    query = req.query.get("query")
    if query is None:
        raise ApiError(400, INVALID, "Query parameter 'query' is required.")
    filters: list[tuple[str, str]] = []
    words: list[str] = []
    for token in query.split():
        key, sep, value = token.partition(":")
        if sep and key in SEARCH_FILTERS:
            filters.append((key, value))
        elif sep:
            raise ApiError(400, INVALID, f"Unknown search filter {key!r}; use one of {', '.join(SEARCH_FILTERS)}.")
        else:
            words.append(token.lower())
    limit = req.integer("limit", 1000, 1, 5000)
    offset = req.integer("offset", 0, 0, 1_000_000)
    nested = not req.flag("skipChildren")
    found = [n for n in lib.walk(lib.nodes[lib.root_id]) if _matches(lib, n, filters, words)]
    return Response(200, [{"item": node_view(lib, n, nested), "path": lib.path_of(n)}
                          for n in found[offset:offset + limit]])


def register(router: Router) -> None:
    base = "/v1/monitors"
    router.add("GET", f"{base}/root", get_root)
    router.add("GET", f"{base}/path", by_path)
    router.add("GET", f"{base}/search", search)
    router.add("GET", base, read_many)
    router.add("POST", base, create_item)
    router.add("DELETE", base, delete_many)
    router.add("GET", f"{base}/{{id}}", get_item)
    router.add("PUT", f"{base}/{{id}}", update_item)
    router.add("DELETE", f"{base}/{{id}}", delete_item)
    router.add("GET", f"{base}/{{id}}/path", path_of)
    router.add("POST", f"{base}/{{id}}/move", move_item)
    router.add("GET", f"{base}/{{id}}/export", export_item)
    router.add("POST", f"{base}/{{id}}/import", import_item)

