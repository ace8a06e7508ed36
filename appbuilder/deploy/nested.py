"""What plan, apply, backup and restore do with the app folder's tree (items identified by their path under the
app folder, see ``appbuilder.kinds.tree``), for every kind alike:

- pairing: a folder renamed in the app definition (found by what it holds) moves what it holds, so the items
  inside are paired at their new path (no change, no write) and only the folder is renamed;
- apply order: a folder is created before what it holds; a deleted folder takes what it holds with it;
- the one import of a fresh install and the backup's ``content.json`` are the tree assembled from the items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from appbuilder.deploy.changes import DELETE, DRIFTED, ResourceChange
from appbuilder.kinds import Item, in_folder
from appbuilder.kinds import kind as kind_of
from appbuilder.kinds.tree import FOLDER_TYPE, assemble, is_under, rebase, split

Pair = tuple[Item | None, Item | None]


def moved(items: Iterable[Item], moves: dict[str, str]) -> list[Item]:
    """The org's items at their paths after the renames in ``moves`` (old folder path → new path)."""
    return [i if rebase(i.identity, moves) == i.identity else replace(i, identity=rebase(i.identity, moves))
            for i in items]


def record_moves(pairs: Iterable[Pair], moves: dict[str, str]) -> None:
    """Add the renames of items of the app folder among ``pairs`` to ``moves`` (what a renamed folder holds
    moves with it)."""
    for desired, remote in pairs:
        if desired is not None and remote is not None and desired.identity != remote.identity \
                and in_folder(desired.kind):
            moves[remote.identity] = desired.identity


def _in_folder(change: ResourceChange) -> bool:
    return in_folder(change.kind)


def depth(change: ResourceChange) -> int:
    """How deep an item of the app folder sits (0 for items of other kinds)."""
    return len(split(change.identity)) if _in_folder(change) else 0


def creation_order(changes: Iterable[ResourceChange]) -> list[ResourceChange]:
    """Creates and updates: kinds in ascending order, a folder before what it holds."""
    return sorted(changes, key=lambda c: (kind_of(c.kind).order, depth(c)))


def deletion_order(changes: Iterable[ResourceChange]) -> list[ResourceChange]:
    """Deletes: kinds in descending order, without what a deleted folder takes with it."""
    changes = list(changes)
    gone = [c.identity for c in changes if _in_folder(c) and (c.before or {}).get("type") == FOLDER_TYPE]
    kept = [c for c in changes if not (_in_folder(c) and any(is_under(c.identity, g) for g in gone))]
    return sorted(kept, key=lambda c: (-kind_of(c.kind).order, -depth(c)))


def with_folder_notes(changes: list[ResourceChange]) -> list[ResourceChange]:
    """The changes, a delete that a deleted folder does anyway noted as such (apply does not repeat it)."""
    kept = {id(c) for c in deletion_order(c for c in changes if c.action in (DELETE, DRIFTED) and c.after is None)}
    return [replace(c, note=" ".join(x for x in (c.note, "removed with its folder") if x))
            if c.action in (DELETE, DRIFTED) and c.after is None and id(c) not in kept else c for c in changes]


def origins(changes: Iterable[ResourceChange]) -> dict[str, str]:
    """New path → path in the org, for the folders the changes rename."""
    return {c.identity: c.renamed_from for c in changes if c.renamed_from and _in_folder(c)}


def tree_of(changes: Iterable[ResourceChange], side: str) -> list[dict[str, Any]]:
    """The folder children the in-folder changes make up: ``after`` (what to import) at their paths, or
    ``before`` (what the org has, for a backup) at the paths the org has them."""
    changes = [c for c in changes if _in_folder(c)]
    back = origins(changes)
    items = []
    for change in changes:
        body = change.after if side == "after" else change.before
        if body is None:
            continue
        path = change.identity if side == "after" else rebase(change.renamed_from or change.identity, back)
        items.append((path, body))
    return assemble(items)
