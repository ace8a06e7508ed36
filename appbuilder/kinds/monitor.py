"""Log monitors (Monitors API ``/v1/monitors``) and the monitor folder that holds them.

The app's monitors live in one folder of the monitors library, ``/Monitors/<app folder name>``. Identity is the
name (unique in its folder); an update is ``PUT /v1/monitors/{id}`` with the item's current ``version``, so the
monitor keeps its id, alert history and permissions.

Drift: each installed monitor's description ends with ``(installed by appbuilder: <hash>)``, the hash of the
monitor as installed. When the monitor read back no longer hashes to its recorded value, someone changed it in
Sumo since the install, and the plan says so (``drifted``) instead of silently overwriting it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from appbuilder.kinds.base import BaseKind, DeployError, Item, Org, Verdict
from appbuilder.sumo.errors import SumoApiError

if TYPE_CHECKING:
    from appbuilder.build import BuildResult

API = "/v1/monitors"
ROOT = "/Monitors"
MONITOR = "MonitorsLibraryMonitor"
FOLDER = "MonitorsLibraryFolder"
DRIFTED = "drifted"
# the fields appbuilder sets; everything else the API returns (ids, versions, status, defaults) is the server's
MONITOR_FIELDS = ("type", "name", "description", "monitorType", "evaluationDelay", "queries", "triggers",
                  "notifications", "isDisabled", "groupNotifications")
TRIGGER_FIELDS = ("detectionMethod", "triggerType", "timeRange", "threshold", "thresholdType", "field")
_MARKER = re.compile(r"\s*\(installed by appbuilder: ([0-9a-f]{16})\)\s*$")


def split_marker(description: str) -> tuple[str, str | None]:
    """(the description without the install marker, the recorded hash or None)."""
    match = _MARKER.search(description or "")
    if not match:
        return description or "", None
    return description[:match.start()], match.group(1)


def normalise_monitor(body: dict[str, Any]) -> dict[str, Any]:
    """The fields appbuilder manages, in a canonical form (numbers as floats, empty values dropped, the install
    marker left out of the description: it only restates the other fields)."""
    out: dict[str, Any] = {k: body[k] for k in MONITOR_FIELDS if body.get(k) is not None}
    out["description"] = split_marker(str(body.get("description") or ""))[0].rstrip()
    out["triggers"] = sorted(
        ({k: _number(t[k]) if k == "threshold" else t[k] for k in TRIGGER_FIELDS if t.get(k) is not None}
         for t in body.get("triggers") or [] if isinstance(t, dict)),
        key=lambda t: str(t.get("triggerType")))
    out["queries"] = [{"rowId": q.get("rowId"), "query": q.get("query")} for q in body.get("queries") or []]
    out["notifications"] = [{"notification": n.get("notification"),
                             "runForTriggerTypes": sorted(n.get("runForTriggerTypes") or [])}
                            for n in body.get("notifications") or [] if isinstance(n, dict)]
    out.setdefault("evaluationDelay", "0m")
    out.setdefault("isDisabled", False)
    out.setdefault("groupNotifications", True)
    return out


def _number(value: Any) -> Any:
    """3, 3.0 and "3" compare equal (the API may return a threshold as a float)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else number


def body_hash(body: dict[str, Any]) -> str:
    """The hash recorded in an installed monitor's description (of the body without the marker)."""
    text = json.dumps(normalise_monitor(body), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def with_marker(body: dict[str, Any]) -> dict[str, Any]:
    text = split_marker(str(body.get("description") or ""))[0]
    marker = f"(installed by appbuilder: {body_hash(body)})"
    return {**body, "description": f"{text}\n\n{marker}" if text else marker}


def _folder_path(name: str) -> str:
    return f"{ROOT}/{name}"


def _folder(org: Org) -> dict[str, Any] | None:
    """The app's monitor folder with its monitors, read once per plan (both monitor kinds read it)."""
    cache = org.cache.setdefault("monitor folder", {})
    path = _folder_path(_app_folder(org))
    if path not in cache:
        found = _find(org, path)
        cache[path] = found if found is not None and found.get("type") == FOLDER else None
    return cache[path]


def _find(org: Org, path: str) -> dict[str, Any] | None:
    try:
        return org.remote.client.get(f"{API}/path", params={"path": path})
    except SumoApiError as exc:
        if exc.is_not_found:
            return None
        raise


class MonitorFolderKind(BaseKind):
    """The folder of the monitors library that holds the app's monitors (named like the app folder)."""

    name = "monitor folder"
    order = 40
    in_folder = False

    def render(self, build: BuildResult) -> list[Item]:
        monitors = getattr(build, "monitors", None)
        if not monitors:
            return []
        folder = monitors["folder"]
        return [Item(self.name, str(folder["name"]), dict(folder))]

    def read(self, org: Org) -> list[Item]:
        found = _folder(org)
        if found is None:
            return []
        body = {"type": FOLDER, "name": str(found["name"]), "description": str(found.get("description") or "")}
        return [Item(self.name, body["name"], body, {"id": str(found["id"])})]

    def normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"type": FOLDER, "name": body.get("name"), "description": body.get("description") or ""}

    def create(self, org: Org, after: Item) -> dict[str, str]:
        root = org.remote.client.get(f"{API}/root")
        client = org.remote.client
        made = client.create_once(lambda: client.post(API, after.body, params={"parentId": root["id"]}, replay=False),
                                  lambda: _find(org, _folder_path(after.identity)))
        return {"id": str(made["id"])}

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        current = org.remote.client.get(f"{API}/{before.ref['id']}")
        org.remote.client.put(f"{API}/{before.ref['id']}", {**after.body, "version": current["version"]})
        return dict(before.ref)

    def delete(self, org: Org, before: Item) -> None:
        _delete(org, before.ref["id"])


def _app_folder(org: Org) -> str:
    """The monitor folder's name: the app folder's name as the plan targets it."""
    return str(org.state.target.folder_name)


def _delete(org: Org, item_id: str) -> None:
    try:
        org.remote.client.delete(f"{API}/{item_id}")
    except SumoApiError as exc:
        if not exc.is_not_found:
            raise


class MonitorKind(BaseKind):
    """Log monitors in the app's monitor folder."""

    name = "monitor"
    order = 50
    in_folder = False

    def render(self, build: BuildResult) -> list[Item]:
        monitors = getattr(build, "monitors", None)
        if not monitors:
            return []
        return [Item(self.name, str(m["name"]), with_marker(m), {}, self.rename_key(m)) for m in monitors["monitors"]]

    def read(self, org: Org) -> list[Item]:
        folder = _folder(org)
        if folder is None:
            return []
        items = []
        for child in folder.get("children") or []:
            if child.get("type") != MONITOR:
                continue
            body = {k: child[k] for k in MONITOR_FIELDS if k in child}
            recorded = split_marker(str(body.get("description") or ""))[1]
            ref = {"id": str(child["id"]), "folderId": str(folder["id"])}
            if recorded:
                ref["installed"] = recorded
            items.append(Item(self.name, str(child["name"]), body, ref, self.rename_key(body)))
        return items

    def normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        return normalise_monitor(body)

    def rename_key(self, body: dict[str, Any]) -> str:
        """The query text: a monitor renamed in the app definition keeps its query."""
        text = "".join(str(q.get("query")) for q in body.get("queries") or [] if isinstance(q, dict))
        return hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""

    def drift(self, desired: Item | None, remote: Item | None) -> Verdict:
        """Drifted when the monitor in Sumo is not the one appbuilder installed (changed or made in the UI)."""
        if remote is None:
            return None, ""
        recorded = remote.ref.get("installed")
        if recorded is None:
            same = desired is not None and self.normalise(desired.body) == self.normalise(remote.body)
            return (None, "") if same else (DRIFTED, "not installed by appbuilder")
        if recorded != body_hash(remote.body):
            return DRIFTED, "changed in Sumo since the last install"
        return None, ""

    def create(self, org: Org, after: Item) -> dict[str, str]:
        folder = _find(org, _folder_path(_app_folder(org)))
        if folder is None:
            raise DeployError(f"the monitor folder {_folder_path(_app_folder(org))} does not exist",
                              hint="run install again")
        client = org.remote.client
        made = client.create_once(lambda: client.post(API, after.body, params={"parentId": folder["id"]}, replay=False),
                                  lambda: _find(org, f"{_folder_path(_app_folder(org))}/{after.identity}"))
        return {"id": str(made["id"]), "folderId": str(folder["id"])}

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        current = org.remote.client.get(f"{API}/{before.ref['id']}")
        org.remote.client.put(f"{API}/{before.ref['id']}", {**after.body, "version": current["version"]})
        return {k: v for k, v in before.ref.items() if k != "installed"}

    def delete(self, org: Org, before: Item) -> None:
        _delete(org, before.ref["id"])

