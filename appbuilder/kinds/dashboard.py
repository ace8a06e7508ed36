"""Dashboards (Dashboards API ``/v2/dashboards``): identity is the name in the app folder; the body is the
``DashboardV2SyncDefinition`` the build makes and the export returns. An update is ``PUT /v2/dashboards/{id}``,
which keeps the content id, the dashboard id (links) and the permissions granted on it. The dashboard id is not
the content id: it is found once, when needed, in ``GET /v2/dashboards`` (``contentId`` of each)."""

from __future__ import annotations

from typing import Any

from appbuilder.kinds.base import DeployError, Item, Org
from appbuilder.kinds.library import InFolderKind, create_once, delete_item, find_in_folder, folder_id
from appbuilder.sumo.normalise import normalise_dashboard

SYNC_TYPE = "DashboardV2SyncDefinition"
API = "/v2/dashboards"
PAGE = 100
# Fields of a DashboardV2SyncDefinition that a DashboardRequest carries too.
REQUEST_FIELDS = ("title", "description", "refreshInterval", "timeRange", "topologyLabelMap", "layout", "panels",
                  "variables", "theme", "coloringRules")


def rename_key(body: dict[str, Any]) -> str:
    """The panel keys: derived from the dashboard's file and panel ids, so a new title keeps them."""
    keys = sorted(str(p.get("key")) for p in body.get("panels") or [] if isinstance(p, dict))
    return ",".join(keys)


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def to_request(body: dict[str, Any], parent_id: str) -> dict[str, Any]:
    """A DashboardRequest from a sync definition (``title`` falls back to ``name``)."""
    request = {k: body[k] for k in REQUEST_FIELDS if k in body}
    request["title"] = str(body.get("title") or body.get("name"))
    request["folderId"] = parent_id
    return _drop_nulls(request)


class DashboardKind(InFolderKind):
    name = "dashboard"
    sync_type = SYNC_TYPE
    order = 20

    def rename_key(self, body: dict[str, Any]) -> str:
        return rename_key(body)

    def normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        return normalise_dashboard(body)

    def create(self, org: Org, after: Item) -> dict[str, str]:
        parent = folder_id(org)
        client = org.remote.client
        made = create_once(lambda: client.post(API, to_request(after.body, parent), replay=False),
                           lambda: self._found(org, after.identity))
        return {"contentId": str(made.get("contentId") or ""), "dashboardId": str(made.get("id") or "")}

    def _found(self, org: Org, name: str) -> dict[str, Any] | None:
        child = find_in_folder(org, name)
        if child is None:
            return None
        return {"contentId": child["id"], "id": self.dashboard_id(org, str(child["id"]))}

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        ref = dict(before.ref)
        if not ref.get("dashboardId"):
            ref["dashboardId"] = self.dashboard_id(org, ref["contentId"])
        org.remote.client.put(f"{API}/{ref['dashboardId']}", to_request(after.body, folder_id(org)))
        return ref

    def delete(self, org: Org, before: Item) -> None:
        delete_item(org, before)

    def dashboard_id(self, org: Org, content_id: str) -> str:
        """The dashboard id of a content id, from the pages of ``GET /v2/dashboards``: the caller's own
        dashboards first (usually a short list), then every dashboard they can see."""
        for mode in ("createdByUser", "allViewableByUser"):
            found = self._find_in_list(org, content_id, mode)
            if found is not None:
                return found
        raise DeployError(f"no dashboard has the content id {content_id}",
                          hint="run `appbuilder plan` again: the dashboard may have been removed")

    def _find_in_list(self, org: Org, content_id: str, mode: str) -> str | None:
        token: str | None = None
        while True:
            params: dict[str, Any] = {"limit": PAGE, "mode": mode}
            if token:
                params["token"] = token
            page = org.remote.client.get(API, params=params) or {}
            for dashboard in page.get("dashboards") or []:
                if str(dashboard.get("contentId")) == content_id:
                    return str(dashboard["id"])
            token = page.get("next")
            if not token:
                return None
