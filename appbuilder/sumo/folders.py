"""Content Library folders: personal, global, Admin Recommended, children, lookup by path, create/update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from appbuilder.sumo.client import SumoClient
from appbuilder.sumo.errors import SumoApiError
from appbuilder.sumo.jobs import JobProgress

LIBRARY_ROOT = "/Library"
ADMIN_RECOMMENDED_ROOT = "/Library/Admin Recommended"

Progress = Callable[[JobProgress], None]


def personal_path(user_email: str, *parts: str) -> str:
    """Library path of an item under a user's Personal folder (the email, not the display name)."""
    return "/".join([f"{LIBRARY_ROOT}/Users/{user_email}", *parts])


def admin_recommended_path(*parts: str) -> str:
    return "/".join([ADMIN_RECOMMENDED_ROOT, *parts])


def render_folder(name: str, description: str = "", parent_id: str | None = None) -> dict[str, Any]:
    """A ``FolderDefinition`` body for createFolder (or an update body without ``parent_id``)."""
    body: dict[str, Any] = {"name": name, "description": description}
    if parent_id is not None:
        body["parentId"] = parent_id
    return body


def normalise_folder_item(folder: dict[str, Any]) -> dict[str, Any]:
    """The parts of a Folder we manage: name and description."""
    return {"name": folder.get("name", ""), "description": folder.get("description") or ""}


class FolderHandler:
    """Reads and writes folders through a SumoClient. Returns Sumo's ``Folder``/``Content`` dicts."""

    def __init__(self, client: SumoClient):
        self.client = client

    def personal(self) -> dict[str, Any]:
        return self.client.get("/v2/content/folders/personal")

    def admin_recommended(self, progress: Progress | None = None) -> dict[str, Any]:
        """The Admin Recommended folder (async job; always in admin mode) with its top-level children."""
        return self._async_folder("adminRecommended", progress)

    def global_folder(self, progress: Progress | None = None) -> list[dict[str, Any]]:
        """The items of the Global view (async job; admin mode); a list of Content, not a folder."""
        result = self._async_folder("global", progress)
        data = result.get("data") if isinstance(result, dict) else result
        return list(data or [])

    def _async_folder(self, which: str, progress: Progress | None) -> Any:
        base = f"/v2/content/folders/{which}"
        job = self.client.get(base, admin=True)
        job_id = job["id"]
        self.client.wait_for_job(f"{base}/{job_id}/status", admin=True, progress=progress)
        return self.client.get(f"{base}/{job_id}/result", admin=True)

    def get(self, folder_id: str, admin: bool | None = None) -> dict[str, Any]:
        return self.client.get(f"/v2/content/folders/{folder_id}", admin=admin)

    def children(self, folder_id: str, admin: bool | None = None) -> list[dict[str, Any]]:
        return list(self.get(folder_id, admin=admin).get("children") or [])

    def find_child(self, folder_id: str, name: str, item_type: str | None = None,
                   admin: bool | None = None) -> dict[str, Any] | None:
        """The child of a folder with this name (and item type, e.g. ``Folder``), or None."""
        for child in self.children(folder_id, admin=admin):
            if child.get("name") == name and (item_type is None or child.get("itemType") == item_type):
                return child
        return None

    def by_path(self, path: str, admin: bool | None = None) -> dict[str, Any] | None:
        """The Content at an absolute Library path, or None when nothing is there."""
        try:
            return self.client.get("/v2/content/path", params={"path": path}, admin=admin)
        except SumoApiError as exc:
            if exc.is_not_found:
                return None
            raise

    def path_of(self, content_id: str, admin: bool | None = None) -> str:
        return str(self.client.get(f"/v2/content/{content_id}/path", admin=admin)["path"])

    def create(self, parent_id: str, name: str, description: str = "",
               admin: bool | None = None) -> dict[str, Any]:
        return self.client.post("/v2/content/folders", render_folder(name, description, parent_id),
                                admin=admin, replay=False)

    def update(self, folder_id: str, name: str, description: str = "",
               admin: bool | None = None) -> dict[str, Any]:
        return self.client.put(f"/v2/content/folders/{folder_id}", render_folder(name, description),
                               admin=admin)

    def ensure(self, parent_id: str, name: str, description: str = "",
               admin: bool | None = None) -> tuple[dict[str, Any], bool]:
        """The child folder of this name, created when missing; returns (folder, created)."""
        found = self.find_child(parent_id, name, "Folder", admin=admin)
        if found is not None:
            return found, False
        try:
            return self.create(parent_id, name, description, admin=admin), True
        except SumoApiError as exc:
            if exc.is_duplicate or exc.status == 400:
                again = self.find_child(parent_id, name, "Folder", admin=admin)
                if again is not None:
                    return again, False
            raise
