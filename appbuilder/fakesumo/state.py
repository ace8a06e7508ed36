"""In-memory store of the fake Sumo: the content library, async jobs, collectors and sources.

All mutation happens under ``Store.lock`` (an RLock); route handlers take it for the whole request.
"""

from __future__ import annotations

import copy
import hashlib
import random
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from appbuilder.clock import SYSTEM_CLOCK, Clock
from appbuilder.fakesumo.monitor_store import MonitorLibrary
from appbuilder.fakesumo.tree import Tree

PERMISSIONS = ["View", "GrantView", "Edit", "GrantEdit", "Manage", "GrantManage"]

ITEM_TYPES = {
    "FolderSyncDefinition": "Folder",
    "DashboardV2SyncDefinition": "Dashboard",
    "MewboardSyncDefinition": "Dashboard",
    "DashboardSyncDefinition": "Report",
    "SavedSearchWithScheduleSyncDefinition": "Search",
    "SavedSearchWithScheduleAndDependencySyncDefinition": "Search",
    "MetricsSavedSearchSyncDefinition": "Search",
    "MetricsSearchSyncDefinition": "Search",
    "LookupTableSyncDefinition": "Lookups",
}


def iso_millis(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{ms % 1000:03d}Z"
    )


def hex_id() -> str:
    return f"{random.getrandbits(64):016X}"


_DASHBOARD_ID_ALPHABET = string.ascii_letters + string.digits


def dashboard_id() -> str:
    """A dashboard id in the shape the Dashboards API uses (60 letters and digits, not the content id)."""
    return "".join(random.choices(_DASHBOARD_ID_ALPHABET, k=60))


@dataclass
class ContentItem:
    """One Library item. Folders keep ``children`` (ids); other items keep their sync ``definition``.

    A dashboard also has a ``dashboard_id`` (the Dashboards API's id). ``permissions`` are the explicit
    permission assignments granted on this content id; ``extras`` keeps what a per-item API accepts that the
    sync definition cannot hold (a dashboard's ``isPublic``, a log search's ``properties``...).
    """

    id: str
    name: str
    item_type: str
    parent_id: str
    description: str = ""
    definition: dict[str, Any] | None = None
    children: list[str] = field(default_factory=list)
    created_at: int = 0
    modified_at: int = 0
    created_by: str = ""
    modified_by: str = ""
    dashboard_id: str = ""
    permissions: list[dict[str, str]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def is_folder(self) -> bool:
        return self.item_type == "Folder"

    @property
    def sync_type(self) -> str:
        return str((self.definition or {}).get("type", "FolderSyncDefinition" if self.is_folder else ""))


@dataclass
class Job:
    """An async job; it reports InProgress for ``polls_left`` status calls, then runs ``work`` once; a job
    nobody polls runs by itself once as many other requests as it has polls left have come and gone."""

    id: str
    kind: str  # import / export / delete / global / adminRecommended
    subject: str  # folderId or contentId the job hangs off ("" for global/adminRecommended)
    polls_left: int
    params: dict[str, Any] = field(default_factory=dict)
    started: int = 0  # the store's request count when the job started
    fail_with: tuple[str, str] | None = None
    status: str = "InProgress"
    status_message: str | None = None
    error: dict[str, str] | None = None
    result: Any = None


@dataclass
class Collector:
    id: int
    data: dict[str, Any]
    version: int = 1

    @property
    def etag(self) -> str:
        return '"' + hashlib.md5(f"collector:{self.id}:{self.version}".encode()).hexdigest() + '"'


@dataclass
class Source:
    id: int
    collector_id: int
    data: dict[str, Any]  # stored with the real api_token; masked on the way out
    version: int = 1
    stopping: bool = False

    @property
    def etag(self) -> str:
        return '"' + hashlib.md5(f"source:{self.id}:{self.version}".encode()).hexdigest() + '"'

    @property
    def name(self) -> str:
        config = self.data.get("config")
        if isinstance(config, dict) and isinstance(config.get("name"), str):
            return config["name"]
        return str(self.data.get("name", ""))


class Store(Tree[ContentItem]):
    """Everything the fake remembers. Inspect it from tests as ``fake.state``."""

    def __init__(self, user_email: str, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__()
        self.lock = threading.RLock()
        self.clock = clock
        self.user_email = user_email
        self.user_id = hashlib.md5(user_email.encode()).hexdigest()[:16].upper()
        self.items = self.nodes  # the content Library by id
        self.jobs: dict[str, Job] = {}
        self.requests = 0  # API requests handled (jobs nobody polls run in the background, see content.settle)
        self.collectors: dict[int, Collector] = {}
        self.sources: dict[int, Source] = {}
        self._next_numeric = 100_000_001
        self._last_ms = 0
        self.library_id = self._add_root("Library", "")
        self.personal_id = self._add_root("Personal", self.library_id)
        self.admin_recommended_id = self._add_root("Admin Recommended", self.library_id)
        self.monitors = MonitorLibrary(self.new_content_id, self.now_ms, self.user_id)

    # -- ids and clock -------------------------------------------------------------------------
    def now_ms(self) -> int:
        """Strictly increasing wall-clock milliseconds, so every edit moves modifiedAt forward."""
        ms = max(int(self.clock.time() * 1000), self._last_ms + 1)
        self._last_ms = ms
        return ms

    def new_content_id(self) -> str:
        while True:
            candidate = hex_id()
            if candidate not in self.items and candidate not in self.jobs:
                return candidate

    def new_dashboard_id(self) -> str:
        taken = {i.dashboard_id for i in self.items.values()}
        while True:
            candidate = dashboard_id()
            if candidate not in taken:
                return candidate

    def new_numeric_id(self) -> int:
        self._next_numeric += random.randint(1, 97)
        return self._next_numeric

    def _add_root(self, name: str, parent_id: str) -> str:
        item = self.new_item(name, "Folder", parent_id, register=False)
        self.items[item.id] = item
        return item.id

    def new_item(self, name: str, item_type: str, parent_id: str, register: bool = True) -> ContentItem:
        ms = self.now_ms()
        item = ContentItem(
            id=self.new_content_id(), name=name, item_type=item_type, parent_id=parent_id,
            created_at=ms, modified_at=ms, created_by=self.user_id, modified_by=self.user_id,
        )
        if item_type == "Dashboard":
            item.dashboard_id = self.new_dashboard_id()
        return self.attach(item) if register else item

    def touch(self, item: ContentItem) -> None:
        item.modified_at = self.now_ms()
        item.modified_by = self.user_id

    # -- tree queries --------------------------------------------------------------------------
    def get(self, content_id: str) -> ContentItem | None:
        item = self.items.get(content_id)
        if item is None or item.id == self.library_id:
            return None
        return item

    def find_dashboard(self, dashboard_id: str) -> ContentItem | None:
        if not dashboard_id:
            return None
        return next((i for i in self.items.values() if i.dashboard_id == dashboard_id), None)

    def ancestors(self, item: ContentItem, top: str = "") -> list[ContentItem]:
        """The folders above ``item``, nearest first (the Library root excluded)."""
        return super().ancestors(item, top or self.library_id)

    def path_of(self, item: ContentItem) -> str:
        parts: list[str] = []
        current: ContentItem | None = item
        while current is not None and current.id != self.library_id:
            if current.id == self.personal_id:
                parts.append(f"Users/{self.user_email}")
                break
            parts.append(current.name)
            current = self.items.get(current.parent_id)
        return "/Library/" + "/".join(reversed(parts))

    def path_items(self, item: ContentItem) -> list[dict[str, str]]:
        chain = [] if item.id == self.library_id else [item, *self.ancestors(item)]
        return [{"id": i.id, "name": i.name} for i in reversed(chain)]

    def find_by_path(self, path: str) -> ContentItem | None:
        path = path.rstrip("/")
        personal_prefix = f"/Library/Users/{self.user_email}"
        if path == personal_prefix or path.startswith(personal_prefix + "/"):
            folder = self.items[self.personal_id]
            rest = path[len(personal_prefix):]
        elif path == "/Library/Admin Recommended" or path.startswith("/Library/Admin Recommended/"):
            folder = self.items[self.admin_recommended_id]
            rest = path[len("/Library/Admin Recommended"):]
        else:
            return None
        return self.descend(folder, rest)

    def in_admin_recommended(self, item: ContentItem) -> bool:
        return self.admin_recommended_id in (item.id, *(a.id for a in self.ancestors(item)))

    def count_subtree(self, item: ContentItem) -> int:
        return 1 + sum(self.count_subtree(self.items[c]) for c in item.children)

    # -- views ---------------------------------------------------------------------------------
    def content_view(self, item: ContentItem) -> dict[str, Any]:
        view: dict[str, Any] = {
            "createdAt": iso_millis(item.created_at), "createdBy": item.created_by,
            "modifiedAt": iso_millis(item.modified_at), "modifiedBy": item.modified_by,
            "id": item.id, "name": item.name, "itemType": item.item_type,
            "parentId": item.parent_id or "0000000000000000", "permissions": list(PERMISSIONS),
        }
        if item.item_type == "Search":
            view["isScheduled"] = bool((item.definition or {}).get("searchSchedule"))
        return view

    def folder_view(self, item: ContentItem) -> dict[str, Any]:
        view = self.content_view(item)
        view["description"] = item.description
        view["children"] = [self.content_view(self.items[c]) for c in item.children]
        return view

    def export(self, item: ContentItem) -> dict[str, Any]:
        """The sync definition of an item; folders recursively, as the export job returns it."""
        if not item.is_folder:
            return copy.deepcopy(item.definition or {})
        return {
            "type": "FolderSyncDefinition", "name": item.name, "description": item.description,
            "children": [self.export(self.items[c]) for c in item.children],
        }

    # -- mutations -----------------------------------------------------------------------------
    def create_from_definition(self, definition: dict[str, Any], parent: ContentItem) -> ContentItem:
        item_type = ITEM_TYPES.get(str(definition.get("type")), "Search")
        item = self.new_item(str(definition["name"]), item_type, parent.id)
        if item.is_folder:
            item.description = str(definition.get("description") or "")
            for child in definition.get("children") or []:
                self.create_from_definition(child, item)
        else:
            item.definition = copy.deepcopy(definition)
        return item

    def reconcile(self, item: ContentItem, definition: dict[str, Any]) -> None:
        """Apply an edited definition in place (as a UI edit would): keep ids of surviving children."""
        self.touch(item)
        item.name = str(definition.get("name", item.name))
        if not item.is_folder:
            item.definition = definition
            return
        item.description = str(definition.get("description") or "")
        wanted = definition.get("children") or []
        wanted_names = {str(c.get("name")) for c in wanted}
        for child_id in list(item.children):
            if self.items[child_id].name not in wanted_names:
                self.delete(self.items[child_id])
        for child_def in wanted:
            existing = self.child_named(item, str(child_def.get("name")))
            new_type = ITEM_TYPES.get(str(child_def.get("type")), "Search")
            if existing is not None and existing.item_type == new_type:
                if self.export(existing) != child_def:
                    self.reconcile(existing, child_def)
            else:
                if existing is not None:
                    self.delete(existing)
                self.create_from_definition(child_def, item)
