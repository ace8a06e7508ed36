"""Sub-folders of the app folder, at any depth (Folder API): identity is the path under the app folder
(``tree``); the body is the folder's definition without its children (what it holds are items of their own
kinds), of which an update changes name and description. Created with ``POST /v2/content/folders`` in the folder
that holds it, updated (renamed) in place with ``PUT /v2/content/folders/{id}`` (its id, and the ids of
everything in it, stay), moved with ``POST /v2/content/{id}/move``, deleted with everything in it."""

from __future__ import annotations

from typing import Any

import appbuilder.kinds.tree as tree
from appbuilder.kinds.base import Item, Org
from appbuilder.kinds.library import InFolderKind, delete_item, relocate
from appbuilder.sumo.folders import normalise_folder_item


class SubFolderKind(InFolderKind):
    name = "sub-folder"
    sync_type = tree.FOLDER_TYPE
    order = 15  # after the app folder, before what sub-folders hold

    def item(self, path: str, body: dict[str, Any], ref: dict[str, str] | None = None) -> Item:
        own = {**{k: v for k, v in body.items() if k != "children"}, "type": tree.FOLDER_TYPE,
               "name": str(body.get("name")), "description": str(body.get("description") or "")}
        return Item(self.name, path, own, dict(ref or {}), self._names(body))

    @staticmethod
    def _names(body: dict[str, Any]) -> str:
        """What a rename keeps: the names of what the folder holds (none: a rename is a delete and a create)."""
        names = sorted(f"{c.get('type')}:{c.get('name')}" for c in body.get("children") or [] if isinstance(c, dict))
        return "\n".join(names)

    def normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        return normalise_folder_item(body)

    def create(self, org: Org, after: Item) -> dict[str, str]:
        holder = tree.parent_id(org, after.identity)
        folders = org.remote.folders
        description = str(after.body.get("description") or "")
        made = org.remote.client.create_once(
            lambda: folders.create(holder, tree.leaf(after.identity), description, admin=org.admin),
            lambda: tree.find(org, after.identity))
        tree.remember(org, after.identity, {**made, "itemType": "Folder"})
        return {"contentId": str(made["id"])}

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        ref = dict(before.ref)
        if not ref.get("contentId"):
            ref["contentId"] = tree.folder_id_of(org, before.identity)
        relocate(org, before, after, ref["contentId"])
        made = org.remote.folders.update(ref["contentId"], tree.leaf(after.identity),
                                         str(after.body.get("description") or ""), admin=org.admin)
        tree.remember(org, before.identity, None)
        tree.remember(org, after.identity, {**(made or {}), "id": ref["contentId"], "itemType": "Folder"})
        return ref

    def delete(self, org: Org, before: Item) -> None:
        """The folder and everything in it (content delete job)."""
        delete_item(org, before)
        tree.remember(org, before.identity, None)
