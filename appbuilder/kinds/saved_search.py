"""Saved searches (Log Searches API ``/v1/logSearches``): identity is its path under the app folder (``tree``);
the body is the ``SavedSearchWithScheduleSyncDefinition`` the build makes and the export returns. An update is
``PUT /v1/logSearches/{id}`` (the id is the item's content id), so the item keeps its id and permissions."""

from __future__ import annotations

import hashlib
from typing import Any

from appbuilder.build.content import time_range
from appbuilder.kinds.base import Item, Org
from appbuilder.kinds.library import InFolderKind, find_in_folder, relocate
from appbuilder.kinds.tree import parent_id
from appbuilder.sumo.normalise import normalise_saved_search

SYNC_TYPE = "SavedSearchWithScheduleSyncDefinition"
API = "/v1/logSearches"


def rename_key(body: dict[str, Any]) -> str:
    """The query text: a saved search renamed in the app definition keeps its query."""
    text = str((body.get("search") or {}).get("queryText") or "")
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""


def _parameter(param: dict[str, Any]) -> dict[str, Any]:
    out = {k: param[k] for k in ("name", "dataType", "value", "autoComplete") if param.get(k) is not None}
    if param.get("description"):
        out["description"] = param["description"]
    if isinstance(out.get("autoComplete"), dict):
        auto = out["autoComplete"]
        out["autoComplete"] = {"type": auto.get("autoCompleteType") or auto.get("type") or "SKIP_AUTOCOMPLETE"}
    return out


def to_definition(body: dict[str, Any]) -> dict[str, Any]:
    """A LogSearchDefinition (what POST and PUT take) from a sync definition."""
    search = body.get("search") or {}
    parsing = search.get("parsingMode") or "Manual"
    out: dict[str, Any] = {
        "name": str(body.get("name")),
        "description": str(body.get("description") or ""),
        "queryString": str(search.get("queryText") or ""),
        "timeRange": time_range(str(search.get("defaultTimeRange") or "-15m")),
        "runByReceiptTime": bool(search.get("byReceiptTime")),
        "queryParameters": [_parameter(p) for p in search.get("queryParameters") or [] if isinstance(p, dict)],
        "parsingMode": "AutoParse" if parsing in ("AutoParse", "Auto") else "Manual",
    }
    return {k: v for k, v in out.items() if v is not None}


class SavedSearchKind(InFolderKind):
    name = "saved search"
    sync_type = SYNC_TYPE
    order = 30

    rename_key = staticmethod(rename_key)
    normalise = staticmethod(normalise_saved_search)

    def create(self, org: Org, after: Item) -> dict[str, str]:
        body = {**to_definition(after.body), "parentId": parent_id(org, after.identity)}
        made = org.remote.client.create_once(lambda: org.remote.client.post(API, body, replay=False),
                           lambda: find_in_folder(org, after.identity))
        return {"contentId": str(made["id"])}

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        content_id = before.ref.get("contentId") or str((find_in_folder(org, before.identity) or {})["id"])
        relocate(org, before, after, content_id)
        org.remote.client.put(f"{API}/{content_id}", to_definition(after.body))
        return {**before.ref, "contentId": content_id}
