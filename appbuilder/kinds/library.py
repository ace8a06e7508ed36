"""What the kinds that live in the app folder, at any depth (sub-folders, dashboards, saved searches, raw
items), share: finding their ids in the folder listing, their bodies in the folder export, deleting one item.
Their identity is their path under the app folder (see ``tree``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import appbuilder.kinds.tree as tree
from appbuilder.kinds.base import BaseKind, Item, Org
from appbuilder.sumo.errors import SumoApiError

if TYPE_CHECKING:
    from appbuilder.build import BuildResult

__all__ = ["InFolderKind", "delete_item", "exported", "find_in_folder", "folder_id", "listed", "relocate"]


def listed(org: Org) -> dict[str, dict[str, Any]]:
    """Every item in the app folder as Sumo lists it (id, name, itemType, modifiedAt), by path."""
    return tree.listing(org)


def exported(org: Org) -> list[tuple[str, dict[str, Any]]]:
    """(path, definition) of every item of the exported app folder (the export is made once per plan)."""
    if org.state.folder is None:
        return []
    return list(tree.walk(org.remote.export_folder(org.state, None)))


def folder_id(org: Org) -> str:
    """The app folder's id (it exists when an item inside it is written)."""
    return tree.app_folder_id(org)


def find_in_folder(org: Org, path: str) -> dict[str, Any] | None:
    """The item at ``path`` under the app folder (a name for a child of the app folder), read afresh."""
    return tree.find(org, path)


def relocate(org: Org, before: Item, after: Item, content_id: str) -> None:
    """Move the item into the folder ``after`` is in when that is not the folder ``before`` is in
    (``POST /v2/content/{id}/move``: its id and permissions stay)."""
    if tree.parent(before.identity) == tree.parent(after.identity):
        return
    destination = tree.parent_id(org, after.identity)
    org.remote.client.post(f"/v2/content/{content_id}/move", params={"destinationFolderId": destination},
                           admin=org.admin)


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
    """The render, read and delete shared by kinds whose items live in the app folder, at any depth: those whose
    definition the kind ``claims`` (by default: of its ``sync_type``), identified by their path (``tree``)."""

    sync_type = ""
    order = 20
    in_folder = True
    modelled_types: ClassVar[set[str]] = set()  # the sync type of every in-folder kind (raw items are the rest)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.sync_type:
            InFolderKind.modelled_types.add(cls.sync_type)

    def claims(self, body: dict[str, Any]) -> bool:
        return body.get("type") == self.sync_type

    def item(self, path: str, body: dict[str, Any], ref: dict[str, str] | None = None) -> Item:
        """The item of a definition found at ``path`` (in a build, an export or a backup)."""
        return Item(self.name, path, body, dict(ref or {}), self.rename_key(body))

    def from_tree(self, content: dict[str, Any]) -> list[Item]:
        """The items of this kind in a folder definition, at any depth."""
        return [self.item(path, body) for path, body in tree.walk(content) if self.claims(body)]

    def render(self, build: BuildResult) -> list[Item]:
        return self.from_tree(build.content)

    def stamp(self, org: Org) -> Any:
        """Nothing of its own: the app folder's stamp covers every item in it, at any depth (the listing's ids
        and modification times, read without an export)."""
        return None

    def read(self, org: Org) -> list[Item]:
        """Items of this kind from the folder export, with their content ids from the listing."""
        ids = listed(org)
        items = []
        for path, body in exported(org):
            if self.claims(body):
                content_id = str((ids.get(path) or {}).get("id") or "")
                items.append(self.item(path, body, {"contentId": content_id} if content_id else {}))
        return items

    def delete(self, org: Org, before: Item) -> None:
        delete_item(org, before)
