"""Dashboards (Dashboards API ``/v2/dashboards``): identity is its path under the app folder (``tree``); the body is the
``DashboardV2SyncDefinition`` the build makes and the export returns. An update is ``PUT /v2/dashboards/{id}``,
which keeps the content id, the dashboard id (links) and the permissions granted on it. The dashboard id is not
the content id: it is found once, when needed, in ``GET /v2/dashboards`` (``contentId`` of each)."""

from __future__ import annotations

from typing import Any

from appbuilder.kinds.base import DeployError, Item, Org
from appbuilder.kinds.library import InFolderKind, find_in_folder
from appbuilder.kinds.tree import parent_id
from appbuilder.sumo.normalise import normalise_dashboard, without_nulls

SYNC_TYPE = "DashboardV2SyncDefinition"
API = "/v2/dashboards"
PAGE = 100
MAX_PAGES = 50  # 5,000 dashboards per listing mode
MODES = ("createdByUser", "allViewableByUser")
# Fields of a DashboardV2SyncDefinition that a DashboardRequest carries too.
REQUEST_FIELDS = ("title", "description", "refreshInterval", "timeRange", "topologyLabelMap", "layout", "panels",
                  "variables", "theme", "coloringRules")


def rename_key(body: dict[str, Any]) -> str:
    """The panel keys: derived from the dashboard's file and panel ids, so a new title keeps them."""
    keys = sorted(str(p.get("key")) for p in body.get("panels") or [] if isinstance(p, dict))
    return ",".join(keys)


def to_request(body: dict[str, Any], parent_id: str) -> dict[str, Any]:
    """A DashboardRequest from a sync definition (``title`` falls back to ``name``)."""
    request = {k: body[k] for k in REQUEST_FIELDS if k in body}
    request["title"] = str(body.get("title") or body.get("name"))
    request["folderId"] = parent_id
    return without_nulls(request)


class DashboardKind(InFolderKind):
    name = "dashboard"
    sync_type = SYNC_TYPE
    order = 20

    rename_key = staticmethod(rename_key)
    normalise = staticmethod(normalise_dashboard)

    def create(self, org: Org, after: Item) -> dict[str, str]:
        parent = parent_id(org, after.identity)
        client = org.remote.client
        made = client.create_once(lambda: client.post(API, to_request(after.body, parent), replay=False),
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
        holder = parent_id(org, after.identity)
        org.remote.client.put(f"{API}/{ref['dashboardId']}", to_request(after.body, holder))
        return ref

    def dashboard_id(self, org: Org, content_id: str) -> str:
        """The dashboard id of a content id, from the pages of ``GET /v2/dashboards``: the caller's own
        dashboards first (usually a short list), then every dashboard they can see. What was listed is kept for
        the run (``org.cache``), so updating several dashboards lists them once; a content id not found is
        looked for once more in a fresh listing (a dashboard made since)."""
        cache = org.cache.setdefault(self.name, {"ids": {}, "listed": set()})
        for fresh in (False, True):
            if fresh:
                cache["ids"], cache["listed"] = {}, set()
            for mode in MODES:
                if content_id in cache["ids"]:
                    return str(cache["ids"][content_id])
                if mode not in cache["listed"]:
                    cache["ids"].update(self._listing(org, mode))
                    cache["listed"].add(mode)
            if content_id in cache["ids"]:
                return str(cache["ids"][content_id])
        raise DeployError(f"no dashboard has the content id {content_id}",
                          hint="run `appbuilder plan` again: the dashboard may have been removed")

    def _listing(self, org: Org, mode: str) -> dict[str, str]:
        """content id -> dashboard id of one listing mode; at most ``MAX_PAGES`` pages."""
        ids: dict[str, str] = {}
        token: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": PAGE, "mode": mode}
            if token:
                params["token"] = token
            page = org.remote.client.get(API, params=params) or {}
            for dashboard in page.get("dashboards") or []:
                ids[str(dashboard.get("contentId"))] = str(dashboard.get("id"))
            token = page.get("next")
            if not token:
                return ids
        raise DeployError(f"looked through {MAX_PAGES * PAGE} dashboards ({mode}) without reaching the end of the "
                          "list, so a dashboard's id could not be found",
                          hint="the org has more dashboards than appbuilder lists in one run: make this change "
                               "in the Sumo UI, or uninstall the app and install it again")
