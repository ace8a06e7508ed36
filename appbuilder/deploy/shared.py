"""Copies of one app in different Library folders share the monitor folder ``/Monitors/<app folder name>``.

Install records in the monitor folder's marker the parent folder of each copy that uses it (``, in <id> …``);
uninstall removes the monitor folder and its monitors only when no other recorded copy is still there (its
parent folder still holds a folder of that name). Otherwise they are kept, and the plan says which copy uses
them; so is the source with ``--with-source``, which the other copy may read from too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from appbuilder.deploy.changes import DELETE, NOOP, UPDATE, ResourceChange
from appbuilder.deploy.state import Remote, RemoteState
from appbuilder.kinds.monitor_body import read_marker, with_copies
from appbuilder.sumo.errors import SumoApiError

FOLDER_KIND = "monitor folder"


def _with_copies(body: dict[str, Any] | None, copies: tuple[str, ...]) -> dict[str, Any]:
    body = dict(body or {})
    body["description"] = with_copies(str(body.get("description") or ""), copies)
    return body


def record_copy(changes: list[ResourceChange], state: RemoteState) -> list[ResourceChange]:
    """Install: the monitor folder's marker names this copy's parent folder. A new monitor folder is created
    with it; an existing one that does not name it yet (another copy made it) is updated to add it; any write
    keeps the copies recorded. An existing folder with no record at all (made before copies were recorded) is
    left as it was for its own copy."""
    parent = state.target.parent_id
    out = []
    for change in changes:
        if change.kind == FOLDER_KIND and parent is not None and change.after is not None:
            recorded = read_marker(str((change.before or {}).get("description") or "")).copies
            copies = recorded
            if change.before is None:
                copies = (parent,)
            elif parent not in recorded and (recorded or state.folder is None):
                copies = (*recorded, parent)
            if change.action == NOOP and copies != recorded:
                change = replace(change, action=UPDATE, after=_with_copies(change.before, copies),
                                 note=f"record that the copy in {state.target.label} uses it too")
            elif change.action != NOOP:
                change = replace(change, after=_with_copies(change.after, copies))
        out.append(change)
    return out


def _copy_at(remote: Remote, parent: str, name: str) -> str | None:
    """The path of the copy named ``name`` in folder ``parent``, or None when it is gone."""
    admin = remote.admin or None
    try:
        child = remote.folders.find_child(parent, name, "Folder", admin=admin)
        if child is None:
            return None
        return remote.folders.path_of(str(child["id"]), admin=admin)
    except SumoApiError as exc:
        if exc.is_not_found:
            return None
        raise


def keep_shared(changes: list[ResourceChange], remote: Remote, state: RemoteState) -> list[ResourceChange]:
    """Uninstall: when another recorded copy still uses the monitor folder, it, its monitors and the source
    stay (no-ops saying why) instead of being deleted."""
    folder = next((c for c in changes if c.kind == FOLDER_KIND and c.action == DELETE), None)
    if folder is None:
        return changes
    copies = read_marker(str((folder.before or {}).get("description") or "")).copies
    name = state.target.folder_name
    used_by = next((path for path in (_copy_at(remote, p, name) for p in copies if p != state.target.parent_id)
                    if path), None)
    if used_by is None:
        return changes
    why = f"kept: used by the copy at {used_by}"
    shared = {FOLDER_KIND, "monitor", "source", "collector"}
    return [replace(c, action=NOOP, after=c.before, note=why) if c.kind in shared and c.action == DELETE else c
            for c in changes]
