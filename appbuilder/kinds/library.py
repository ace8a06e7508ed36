"""What the kinds that live in the app folder (dashboards, saved searches) share: finding their ids in the
folder listing, their bodies in the folder export, deleting one item, and a create that is never repeated
blindly."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from appbuilder.kinds.base import BaseKind, DeployError, Item, Org
from appbuilder.sumo.errors import SumoApiError

if TYPE_CHECKING:
    from appbuilder.build import BuildResult

__all__ = ["InFolderKind", "delete_item", "exported", "find_in_folder", "folder_id", "listed"]


def listed(org: Org) -> dict[str, dict[str, Any]]:
    """The app folder's children as Sumo lists them (id, name, itemType, modifiedAt), by name."""
    folder = org.state.folder or {}
    return {str(c.get("name")): c for c in folder.get("children") or [] if isinstance(c, dict)}


def exported(org: Org, sync_type: str) -> list[dict[str, Any]]:
    """The app folder's exported children of one sync type (the export is made once per plan)."""
    if org.state.folder is None:
        return []
    export = org.remote.export_folder(org.state, None)
    return [c for c in export.get("children") or [] if isinstance(c, dict) and c.get("type") == sync_type]


def read_children(org: Org, kind: str, sync_type: str, rename_key: Callable[[dict[str, Any]], str]) -> list[Item]:
    """Items of one kind from the folder export, with their content ids from the listing."""
    ids = listed(org)
    items = []
    for body in exported(org, sync_type):
        name = str(body.get("name"))
        content_id = str((ids.get(name) or {}).get("id") or "")
        items.append(Item(kind, name, body, {"contentId": content_id} if content_id else {}, rename_key(body)))
    return items


def folder_id(org: Org) -> str:
    """The app folder's id (it exists when an item inside it is written)."""
    if org.state.folder is None:
        raise DeployError(f"the app folder {org.state.target.label} does not exist")
    return str(org.state.folder["id"])


def find_in_folder(org: Org, name: str) -> dict[str, Any] | None:
    """The app folder's child of this name, read afresh."""
    for child in org.remote.folders.children(folder_id(org), admin=org.admin):
        if child.get("name") == name:
            return child
    return None


def delete_item(org: Org, before: Item) -> None:
    """Delete one Library item (content delete job); an item already gone is fine."""
    content_id = before.ref.get("contentId")
    if not content_id:
        found = find_in_folder(org, before.identity)
        if found is None:
            return
        content_id = str(found["id"])
    try:
        org.remote.content.delete_content(content_id, admin=org.admin)
    except SumoApiError as exc:
        if not exc.is_not_found:
            raise


class InFolderKind(BaseKind):
    """The render and read shared by kinds whose items are children of the app folder, of one ``sync_type``."""

    sync_type = ""
    order = 20
    in_folder = True

    def render(self, build: BuildResult) -> list[Item]:
        return [Item(self.name, str(c["name"]), c, {}, self.rename_key(c))
                for c in build.content.get("children") or [] if c.get("type") == self.sync_type]

    def read(self, org: Org) -> list[Item]:
        return read_children(org, self.name, self.sync_type, self.rename_key)
