"""The app folder (Folder API): identity is its name in the target parent folder; its body is name and
description. The install-state marker at the end of its description is not part of the body: apply writes it
together with any folder change, in one ``PUT /v2/content/folders/{id}``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import appbuilder.kinds.tree as tree
from appbuilder.deploy.marker import split_description
from appbuilder.kinds.base import BaseKind, DeployError, Item, Org
from appbuilder.sumo.errors import SumoApiError
from appbuilder.sumo.folders import normalise_folder_item

if TYPE_CHECKING:
    from appbuilder.build import BuildResult

SYNC_TYPE = "FolderSyncDefinition"


class FolderKind(BaseKind):
    name = "folder"
    order = 10
    in_folder = False

    def render(self, build: BuildResult) -> list[Item]:
        content = build.content
        return [Item(self.name, str(content["name"]),
                     {"name": str(content["name"]), "description": str(content.get("description") or "")})]

    def read(self, org: Org) -> list[Item]:
        folder = org.state.folder
        if folder is None:
            return []
        kept, _ = split_description(folder.get("description"))
        body = {"name": str(folder.get("name")), "description": kept.strip()}
        return [Item(self.name, body["name"], body, {"contentId": str(folder["id"])})]

    def normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        return normalise_folder_item(body)

    def stamp(self, org: Org) -> Any:
        """The target parent, the folder (its whole description, marker included) and every item in it at any
        depth by path, with its id and modification time (Sumo bumps it on every edit)."""
        folder = org.state.folder
        if folder is None:
            return {"parent": org.state.target.parent_id}
        return {"parent": org.state.target.parent_id, "id": folder.get("id"), "name": folder.get("name"),
                "description": folder.get("description"),
                "items": sorted([str(c.get("id")), path, str(c.get("modifiedAt"))]
                                for path, c in tree.listing(org).items())}

    def create(self, org: Org, after: Item) -> dict[str, str]:
        parent = org.state.target.parent_id
        if parent is None:
            raise DeployError(f"the target folder {org.state.target.parent_path} does not exist",
                              hint="create it in the Sumo Logic Library, or choose another --folder")
        folders = org.remote.folders
        made = org.remote.client.create_once(
            lambda: folders.create(parent, after.identity, str(after.body.get("description") or ""),
                                   admin=org.admin),
            lambda: folders.find_child(parent, after.identity, "Folder", admin=org.admin))
        org.state.folder = folders.get(str(made["id"]), admin=org.admin)
        return {"contentId": str(made["id"])}

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        folder_id = before.ref["contentId"]
        org.remote.folders.update(folder_id, after.identity, str(after.body.get("description") or ""),
                                  admin=org.admin)
        return dict(before.ref)

    def delete(self, org: Org, before: Item) -> None:
        """The folder and everything in it (content delete job)."""
        try:
            org.remote.content.delete_content(before.ref["contentId"], admin=org.admin)
        except SumoApiError as exc:
            if not exc.is_not_found:
                raise
        org.state.folder = None

    def import_tree(self, org: Org, definition: dict[str, Any]) -> str:
        """A fresh install's cheapest way: the folder with all its items in one import job; returns its id."""
        parent = org.state.target.parent_id
        if parent is None:
            raise DeployError(f"the target folder {org.state.target.parent_path} does not exist")
        # overwrite=false: a folder of that name made since the plan is refused, never replaced unsaved
        imported = org.remote.content.import_content(parent, definition, overwrite=False, admin=org.admin)
        org.state.folder = org.remote.folders.get(imported.content_id, admin=org.admin)
        return imported.content_id
