"""Raw items: content of the app folder (at any depth) that no other kind models (classic dashboards, metrics
searches, lookups… as ``appbuilder export`` carried them verbatim). Identity is the path under the app folder;
the body is the content definition as Sumo exports it. Sumo has no per-item API the model knows for them, so a
create or a change imports the item with the content import job into the folder that holds it (``overwrite``
replaces the item of that name: it gets a new content id; what it replaces is backed up first)."""

from __future__ import annotations

from typing import Any

import appbuilder.kinds.tree as tree
from appbuilder.kinds.base import Item, Org
from appbuilder.kinds.library import InFolderKind
from appbuilder.sumo.normalise import normalise_content

NOTE = "re-imported into its folder by the content import job (new content id; backed up first)"


def _modelled() -> set[str]:
    """The content types another kind in the folder owns (each in-folder kind registers its type)."""
    return InFolderKind.modelled_types


class RawKind(InFolderKind):
    name = "raw item"
    order = 35
    update_note = NOTE

    def claims(self, body: dict[str, Any]) -> bool:
        return str(body.get("type")) not in _modelled()

    def normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        return normalise_content(body)

    def create(self, org: Org, after: Item) -> dict[str, str]:
        return self._import(org, after, None)

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        return self._import(org, after, before.ref.get("contentId"))

    def _import(self, org: Org, after: Item, previous: str | None) -> dict[str, str]:
        holder = tree.parent_id(org, after.identity)
        imported = org.remote.content.import_content(holder, after.body, overwrite=True, admin=org.admin,
                                                     previous=previous)
        return {"contentId": imported.content_id}
