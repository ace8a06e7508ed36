"""The tree both libraries of the fake Sumo are: the content Library (``Store``) and the monitors library
(``MonitorLibrary``). Nodes by id, each with a parent id and its children's ids in order; names are unique among
siblings (the fake's rule, so paths identify items)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar


class Node(Protocol):
    id: str
    name: str
    parent_id: str
    children: list[str]


N = TypeVar("N", bound=Node)


class Tree(Generic[N]):
    """Nodes by id; mutation happens under the store's lock, like the rest of the state."""

    def __init__(self) -> None:
        self.nodes: dict[str, N] = {}

    def attach(self, node: N) -> N:
        """Register ``node`` as the last child of its parent (a root when it has none)."""
        self.nodes[node.id] = node
        if node.parent_id:
            self.nodes[node.parent_id].children.append(node.id)
        return node

    def child_named(self, folder: N, name: str) -> N | None:
        return next((self.nodes[c] for c in folder.children if self.nodes[c].name == name), None)

    def descend(self, node: N, rest: str) -> N | None:
        """The node the ``/``-separated names of ``rest`` lead to below ``node`` (None when one is missing)."""
        for part in [p for p in rest.split("/") if p]:
            found = self.child_named(node, part)
            if found is None:
                return None
            node = found
        return node

    def walk(self, root: N) -> Iterator[N]:
        """``root`` and everything below it, depth first in child order."""
        yield root
        for child_id in root.children:
            yield from self.walk(self.nodes[child_id])

    def ancestors(self, node: N, top: str) -> list[N]:
        """The nodes above ``node``, nearest first, up to (without) the node with id ``top``."""
        chain: list[N] = []
        current = self.nodes.get(node.parent_id)
        while current is not None and current.id != top:
            chain.append(current)
            current = self.nodes.get(current.parent_id)
        return chain

    def move(self, node: N, folder: N) -> None:
        """Re-parent ``node`` under ``folder`` (its id stays)."""
        if node.parent_id == folder.id:
            return
        old = self.nodes.get(node.parent_id)
        if old is not None and node.id in old.children:
            old.children.remove(node.id)
        folder.children.append(node.id)
        node.parent_id = folder.id

    def delete(self, node: N) -> None:
        """``node`` and everything below it."""
        for child_id in list(node.children):
            self.delete(self.nodes[child_id])
        parent = self.nodes.get(node.parent_id)
        if parent is not None and node.id in parent.children:
            parent.children.remove(node.id)
        self.nodes.pop(node.id, None)
