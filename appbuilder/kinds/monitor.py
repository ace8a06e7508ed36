"""Log monitors (Monitors API ``/v1/monitors``) and the monitor folder that holds them.

The app's monitors live in one folder of the monitors library, ``/Monitors/<app folder name>``. Identity is the
name (unique in its folder); an update is ``PUT /v1/monitors/{id}`` with the item's current ``version``, so the
monitor keeps its id, alert history and permissions. A monitor renamed in the app definition is paired with the
one in Sumo by its key (its file stem, recorded in its install marker), so a rename is an update in place even
when the query changed too.

The cheapest ways: a new monitor folder is created with all its monitors in one call (``POST
/v1/monitors/{root id}/import`` of a ``MonitorsLibraryFolderExport`` holding ``MonitorsLibraryMonitorExport``
children, whose reply lists the new ids); removing the folder removes the monitors in it (one ``DELETE``). The
folder is read once per run: by path when the app folder exists, else from the root folder's listing (which gives
the root's id for the import too). A folder lists its children as stubs (``MonitorsLibraryBaseResponse``: no
queries, no triggers), so the monitors' bodies come from one bulk read, ``GET /v1/monitors?ids=…``. Items are told
apart by ``contentType`` (``Folder`` / ``Monitor``), which reads of every shape carry; each write sends the type
its operation takes (``monitor_body.typed``).

Drift: each installed item's description ends with an install marker holding the hash of the item as installed
(see ``monitor_body``). When the item read back no longer hashes to its recorded value, someone changed it in
Sumo since the install, and the plan says so (``drifted``) instead of silently overwriting it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from appbuilder.kinds.base import BaseKind, DeployError, Item, Org, Verdict
from appbuilder.kinds.monitor_body import (
    FOLDER,
    MONITOR,
    MONITOR_FIELDS,
    body_hash,
    content_type,
    normalise_folder,
    normalise_monitor,
    read_marker,
    split_marker,
    typed,
    with_marker,
)
from appbuilder.sumo.errors import SumoApiError

if TYPE_CHECKING:
    from appbuilder.build import BuildResult

__all__ = ["MonitorFolderKind", "MonitorKind", "body_hash", "split_marker", "with_marker"]

API = "/v1/monitors"
ROOT = "/Monitors"
DRIFTED = "drifted"
_CACHE = "monitors"  # org.cache key: {"root": the root folder, path: the app's monitor folder or None,
#                                      "bodies": the monitors read in bulk, by id}
BULK = 100  # ids per bulk read (a guess kept well below the 1000 entries the spec's reply map allows)


def _folder_path(name: str) -> str:
    return f"{ROOT}/{name}"


def _app_folder(org: Org) -> str:
    """The monitor folder's name: the app folder's name as the plan targets it."""
    return str(org.state.target.folder_name)


def _cache(org: Org) -> dict[str, Any]:
    cache: dict[str, Any] = org.cache.setdefault(_CACHE, {})
    return cache


def _folder(org: Org) -> dict[str, Any] | None:
    """The app's monitor folder with its monitors, read once per run (both monitor kinds use it)."""
    cache = _cache(org)
    path = _folder_path(_app_folder(org))
    if path not in cache:
        cache[path] = _read_folder(org, path)
    found: dict[str, Any] | None = cache[path]
    return found


def _read_folder(org: Org, path: str) -> dict[str, Any] | None:
    """By path when the app folder exists (one call); else from the root's listing, which a fresh install
    needs anyway (the root's id is where the import goes)."""
    if org.state.folder is not None:
        found = _find(org, path)
        return found if found is not None and content_type(found) == FOLDER else None
    name = path.rsplit("/", 1)[1]
    child = next((c for c in _root(org).get("children") or []
                  if c.get("name") == name and content_type(c) == FOLDER), None)
    return None if child is None else org.remote.client.get(f"{API}/{child['id']}")


def _monitors(org: Org, folder: dict[str, Any]) -> list[dict[str, Any]]:
    """The whole bodies of the monitors in ``folder`` (its listing holds stubs), read in bulk and cached."""
    bodies: dict[str, dict[str, Any]] = _cache(org).setdefault("bodies", {})
    ids = [str(c["id"]) for c in folder.get("children") or [] if content_type(c) == MONITOR]
    wanted = [i for i in ids if i not in bodies]
    for start in range(0, len(wanted), BULK):
        chunk = wanted[start:start + BULK]
        found = org.remote.client.get(API, params={"ids": ",".join(chunk)})
        bodies.update({str(k): v for k, v in (found or {}).items() if isinstance(v, dict)})
    return [bodies[i] for i in ids if i in bodies]


def _root(org: Org) -> dict[str, Any]:
    cache = _cache(org)
    if "root" not in cache:
        cache["root"] = org.remote.client.get(f"{API}/root")
    root: dict[str, Any] = cache["root"]
    return root


def _find(org: Org, path: str) -> dict[str, Any] | None:
    try:
        return org.remote.client.get(f"{API}/path", params={"path": path})
    except SumoApiError as exc:
        if exc.is_not_found:
            return None
        raise


def _delete(org: Org, item_id: str) -> None:
    try:
        org.remote.client.delete(f"{API}/{item_id}")
    except SumoApiError as exc:
        if not exc.is_not_found:
            raise


def _update(org: Org, before: Item, after: Item, normalise: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """PUT the whole item as the update type with its current version (the API overwrites every field). The
    PUT is never re-sent blindly: after a lost reply it would carry a stale version (409), so the item is read
    back and compared with what was written first."""
    client, path = org.remote.client, f"{API}/{before.ref['id']}"
    wanted = normalise(after.body)

    def write() -> Any:
        current = client.get(path)
        body = typed(after.body, "update", content_type(current) or MONITOR)
        return client.put(path, {**body, "version": current["version"]}, replay=False)

    def landed() -> Any:
        current = client.get(path)
        return current if normalise(current) == wanted else None

    client.update_once(write, landed)


class _MarkedKind(BaseKind):
    """What both monitor kinds share: drift judged by the install marker in the item's description."""

    def normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        return normalise_monitor(body)

    def drift(self, desired: Item | None, remote: Item | None) -> Verdict:
        """Drifted when the item in Sumo is not the one appbuilder installed (changed or made in the UI)."""
        if remote is None:
            return None, ""
        recorded = remote.ref.get("installed")
        if recorded is None:
            same = desired is not None and self.normalise(desired.body) == self.normalise(remote.body)
            return (None, "") if same else (DRIFTED, "not installed by appbuilder")
        if recorded != body_hash(remote.body, self.normalise):
            return DRIFTED, "changed in Sumo since the last install"
        return None, ""


def _ref(item_id: str, description: Any, **more: str) -> dict[str, str]:
    ref = {"id": item_id, **more}
    recorded = read_marker(str(description or "")).hash
    if recorded:
        ref["installed"] = recorded
    return ref


class MonitorFolderKind(_MarkedKind):
    """The folder of the monitors library that holds the app's monitors (named like the app folder)."""

    name = "monitor folder"
    order = 40
    in_folder = False
    holds = "monitor"

    def render(self, build: BuildResult) -> list[Item]:
        monitors = getattr(build, "monitors", None)
        if not monitors:
            return []
        folder = monitors["folder"]
        return [Item(self.name, str(folder["name"]), with_marker(dict(folder), normalise_folder))]

    def read(self, org: Org) -> list[Item]:
        found = _folder(org)
        if found is None:
            return []
        body = typed({"name": str(found["name"]), "description": str(found.get("description") or "")}, "export",
                     FOLDER)
        return [Item(self.name, body["name"], body, _ref(str(found["id"]), body["description"]))]

    def normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        return normalise_folder(body)

    def create(self, org: Org, after: Item) -> dict[str, str]:
        return self.create_with(org, after, [])[0]

    def create_with(self, org: Org, after: Item, items: list[Item]) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """The folder with ``items`` (monitors) in one import into the root; a lost reply is looked up by
        path, never repeated. Returns the folder's ref and each monitor's ref by identity."""
        root = str(_root(org)["id"])
        client = org.remote.client
        path = _folder_path(after.identity)
        body = {**typed(after.body, "export", FOLDER), "children": [typed(item.body, "export") for item in items]}
        made = client.create_once(lambda: client.post(f"{API}/{root}/import", body, replay=False),
                                  lambda: _find(org, path))
        folder_id = str(made["id"])
        _cache(org)[path] = made
        ids = {str(c.get("name")): str(c.get("id")) for c in made.get("children") or []}
        missing = [item.identity for item in items if item.identity not in ids]
        if missing:
            raise DeployError(f"the import of {path} finished but the folder does not hold "
                              f"{', '.join(repr(m) for m in missing)}",
                              hint="run install again: it creates what is missing")
        return {"id": folder_id}, {item.identity: {"id": ids[item.identity], "folderId": folder_id}
                                   for item in items}

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        _update(org, before, after, self.normalise)
        return {"id": before.ref["id"]}

    def delete(self, org: Org, before: Item) -> None:
        """The folder and the monitors in it (the Monitors API removes a folder with its contents); refused
        when it holds anything but monitors (a subfolder), which no plan lists and no backup holds."""
        found = _folder(org)
        others = [str(c.get("name")) for c in (found or {}).get("children") or [] if content_type(c) != MONITOR]
        if others:
            path = _folder_path(before.identity)
            raise DeployError(f"the monitor folder {path} holds more than monitors "
                              f"({', '.join(repr(o) for o in others)}); removing it would remove them too",
                              hint=f"move them out of {path} in Sumo (or delete them), then run the command again")
        _delete(org, before.ref["id"])


class MonitorKind(_MarkedKind):
    """Log monitors in the app's monitor folder."""

    name = "monitor"
    order = 50
    in_folder = False

    def render(self, build: BuildResult) -> list[Item]:
        monitors = getattr(build, "monitors", None)
        if not monitors:
            return []
        keys = list(monitors.get("keys") or [])
        items = []
        for index, monitor in enumerate(monitors["monitors"]):
            body = with_marker(monitor, key=keys[index] if index < len(keys) else "")
            items.append(Item(self.name, str(monitor["name"]), body, {}, self.rename_key(body)))
        return items

    def read(self, org: Org) -> list[Item]:
        folder = _folder(org)
        if folder is None:
            return []
        items = []
        for child in _monitors(org, folder):
            body = typed({k: child[k] for k in MONITOR_FIELDS if k in child}, "export")
            ref = _ref(str(child["id"]), body.get("description"), folderId=str(folder["id"]))
            items.append(Item(self.name, str(child["name"]), body, ref, self.rename_key(body)))
        return items

    def rename_key(self, body: dict[str, Any]) -> str:
        """The key in the install marker (the monitor's file stem); for a monitor installed without one, the
        hash of its query text."""
        key = read_marker(str(body.get("description") or "")).key
        if key:
            return f"key:{key}"
        text = "".join(str(q.get("query")) for q in body.get("queries") or [] if isinstance(q, dict))
        return hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""

    def create(self, org: Org, after: Item) -> dict[str, str]:
        """One monitor into the existing monitor folder (a new folder brings its monitors with it)."""
        folder = _folder(org)
        path = _folder_path(_app_folder(org))
        if folder is None:
            raise DeployError(f"the monitor folder {path} does not exist", hint="run install again")
        client = org.remote.client
        body = typed(after.body, "create")
        made = client.create_once(lambda: client.post(API, body, params={"parentId": folder["id"]}, replay=False),
                                  lambda: _find(org, f"{path}/{after.identity}"))
        return {"id": str(made["id"]), "folderId": str(folder["id"])}

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        _update(org, before, after, self.normalise)
        return {k: v for k, v in before.ref.items() if k != "installed"}

    def delete(self, org: Org, before: Item) -> None:
        _delete(org, before.ref["id"])
