"""The monitors library of the fake Sumo: a tree of folders and monitors under one root, each with a version.

Kept apart from the content Library (as in Sumo: monitors have their own ids, paths under ``/Monitors`` and
their own API). Mutation happens under ``Store.lock``, like the rest of the state.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from appbuilder.fakesumo.tree import Tree

FOLDER = "MonitorsLibraryFolder"
MONITOR = "MonitorsLibraryMonitor"
ROOT_PATH = "/Monitors"


@dataclass
class MonitorNode:
    """A folder (``children`` ids) or a monitor (its fields other than name/description/type in ``body``)."""

    id: str
    type: str
    name: str
    parent_id: str
    description: str = ""
    body: dict[str, Any] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    version: int = 0
    created_at: int = 0
    modified_at: int = 0
    created_by: str = ""
    modified_by: str = ""

    @property
    def is_folder(self) -> bool:
        return self.type == FOLDER


class MonitorLibrary(Tree[MonitorNode]):
    """Folders and monitors by id, with the root folder at ``root_id``."""

    def __init__(self, new_id: Callable[[], str], now_ms: Callable[[], int], user_id: str) -> None:
        super().__init__()
        self._new_id = new_id
        self._now_ms = now_ms
        self.user_id = user_id
        self.root_id = self.add(FOLDER, "Root", "", "").id

    def add(self, node_type: str, name: str, parent_id: str, description: str,
            body: dict[str, Any] | None = None) -> MonitorNode:
        ms = self._now_ms()
        return self.attach(MonitorNode(id=self._new_id(), type=node_type, name=name, parent_id=parent_id,
                                       description=description, body=copy.deepcopy(body or {}), created_at=ms,
                                       modified_at=ms, created_by=self.user_id, modified_by=self.user_id))

    def touch(self, node: MonitorNode) -> None:
        node.version += 1
        node.modified_at = self._now_ms()
        node.modified_by = self.user_id

    def chain(self, node: MonitorNode) -> list[MonitorNode]:
        """The nodes from the root's first child down to ``node`` (empty for the root)."""
        return [] if node.id == self.root_id else [*reversed(self.ancestors(node, self.root_id)), node]

    def path_of(self, node: MonitorNode) -> str:
        return "/".join([ROOT_PATH, *(n.name for n in self.chain(node))])

    def find_by_path(self, path: str) -> MonitorNode | None:
        text = path.rstrip("/")
        if text != ROOT_PATH and not text.startswith(ROOT_PATH + "/"):
            return None
        return self.descend(self.nodes[self.root_id], text[len(ROOT_PATH):])
