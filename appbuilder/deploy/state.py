"""Reading the remote state an install depends on, with as few calls as possible.

Content (personal folder): ``GET /v2/content/folders/personal`` (the app folder's id among its children), then
``GET /v2/content/folders/{id}`` (description with our marker, children with ``modifiedAt``).
Content (``--folder PATH`` / Admin Recommended): ``GET /v2/content/path?path=PATH/<folder>`` then the folder;
when the app folder does not exist, ``GET /v2/content/path?path=PATH`` for the parent's id.
Collector: ``GET /v1/collectors/name/{name}``; sources: ``GET /v1/collectors/{id}/sources``.
The export (3+ calls) is made only when a comparison really needs the remote content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from appbuilder.deploy.changes import Target
from appbuilder.kinds.base import DeployError  # noqa: F401  (re-exported: deploy code raises it)
from appbuilder.kinds.tree import read_listing
from appbuilder.sumo.client import SumoClient
from appbuilder.sumo.collectors import CollectorHandler
from appbuilder.sumo.content import ContentHandler
from appbuilder.sumo.errors import SumoError
from appbuilder.sumo.folders import ADMIN_RECOMMENDED_ROOT, FolderHandler
from appbuilder.sumo.jobs import JobProgress
from appbuilder.sumo.sources import SourceHandler, source_name


def no_target_folder(target: Target) -> DeployError:
    """The error when the folder the app folder goes in (``--folder``) does not exist."""
    return DeployError(f"the target folder {target.parent_path} does not exist",
                       hint="create it in the Sumo Logic Library, or choose another --folder")


@dataclass
class RemoteState:
    target: Target
    folder: dict[str, Any] | None = None  # GET /v2/content/folders/{id}: description, children
    collector: dict[str, Any] | None = None
    source: dict[str, Any] | None = None
    other_sources: list[dict[str, Any]] = field(default_factory=list)
    export: dict[str, Any] | None = None
    listing: dict[str, dict[str, Any]] | None = None  # every item in the app folder by path (kinds.tree)
    personal: dict[str, Any] | None = None  # the personal folder's listing, when it was read anyway
    cache: dict[str, Any] = field(default_factory=dict)  # what kinds read once, for plan and apply (Org.cache)

    @property
    def folder_id(self) -> str | None:
        return str(self.folder["id"]) if self.folder else None


class Remote:
    """The handlers of one client, bundled; ``admin`` sends isAdminMode on content calls."""

    def __init__(self, client: SumoClient, admin: bool = False):
        self.client = client
        self.admin = admin
        self.folders = FolderHandler(client)
        self.content = ContentHandler(client)
        self.collectors = CollectorHandler(client)
        self.sources = SourceHandler(client)

    # -- reads ---------------------------------------------------------------------------------
    def locate(self, folder_name: str, parent_path: str | None
               ) -> tuple[Target, dict[str, Any] | None, dict[str, Any] | None]:
        """The target, the app folder (full folder view) when it exists, and the personal folder's listing
        when it was read to find them."""
        admin = self.admin or None
        personal: dict[str, Any] | None = None
        if parent_path is None and self.admin:
            parent_path = ADMIN_RECOMMENDED_ROOT
        if parent_path is None:
            personal = self.folders.personal()
            target = Target(str(personal["id"]), None, False, folder_name)
            child = next((c for c in personal.get("children") or []
                          if c.get("name") == folder_name and c.get("itemType") == "Folder"), None)
        else:
            parent_path = parent_path.rstrip("/")
            child = self.folders.by_path(f"{parent_path}/{folder_name}", admin=admin)
            if child is not None and child.get("itemType") not in (None, "Folder"):
                raise DeployError(f"{parent_path}/{folder_name} exists but is a {child.get('itemType')}, "
                                  "not a folder", hint="rename or move it, or install into another --folder")
            parent_id = str(child["parentId"]) if child and child.get("parentId") else None
            if parent_id is None:
                parent = self.folders.by_path(parent_path, admin=admin)
                parent_id = str(parent["id"]) if parent else None
            target = Target(parent_id, parent_path, self.admin, folder_name)
        if child is None:
            return target, None, personal
        return target, self.folders.get(str(child["id"]), admin=admin), personal

    def read(self, folder_name: str, parent_path: str | None, collector_name: str | None,
             wanted_source: str | None) -> RemoteState:
        target, folder, personal = self.locate(folder_name, parent_path)
        state = RemoteState(target, folder, personal=personal)
        if folder is not None:  # the items in its sub-folders too (one read per sub-folder)
            state.listing = read_listing(self.folders, folder, self.admin or None)
        if collector_name:
            state.collector = self.collectors.find_by_name(collector_name)
        if state.collector is not None and wanted_source:
            sources = self.sources.list(state.collector["id"])
            state.source = next((s for s in sources if source_name(s) == wanted_source), None)
            state.other_sources = [s for s in sources if s is not state.source]
        return state

    def export_folder(self, state: RemoteState,
                      progress: Callable[[JobProgress], None] | None = None) -> dict[str, Any]:
        """The app folder exported (cached on ``state``)."""
        if state.export is None:
            if state.folder_id is None:
                raise DeployError("nothing to export: the app folder does not exist")
            state.export = self.content.export_content(state.folder_id, admin=self.admin or None,
                                                       progress=progress)
        return state.export

    def folder_path(self, state: RemoteState) -> str | None:
        """The Library path of the target parent folder (one call when it is the personal folder)."""
        if state.target.parent_path:
            return state.target.parent_path
        if state.target.parent_id is None:
            return None
        try:
            return self.folders.path_of(state.target.parent_id, admin=self.admin or None)
        except SumoError:
            return None
