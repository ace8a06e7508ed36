"""The app folder as a tree: an item inside it (at any depth) is identified by its path under the app folder,
the names of its folders and its own name joined by ``/`` (a ``/`` inside a name is written ``\\/``, a ``\\`` as
``\\\\``). A child of the app folder has its name as its path, so apps without sub-folders read as before.

Reads: ``walk`` goes through a ``FolderSyncDefinition`` (a build or an export) and ``listing`` through the Folder
API (the app folder, then one ``GET /v2/content/folders/{id}`` per sub-folder), both giving items by path. The
listing is read with the org state (``RemoteState.listing``); what a write creates or renames is recorded in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from appbuilder.kinds.base import DeployError, Org

if TYPE_CHECKING:
    from appbuilder.sumo.folders import FolderHandler

FOLDER_TYPE = "FolderSyncDefinition"


def _escape(name: str) -> str:
    return name.replace("\\", "\\\\").replace("/", "\\/")


def join(*names: str) -> str:
    """The path of the item named ``names[-1]`` inside the folders ``names[:-1]`` (``join()`` is "")."""
    return "/".join(_escape(n) for n in names)


def split(path: str) -> list[str]:
    """The names along a path (``split(join(*names)) == list(names)``)."""
    if not path:
        return []
    names, current, escaped = [], [], False
    for char in path:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "/":
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    return names


def parent(path: str) -> str:
    """The path of the folder holding the item ("" for the app folder)."""
    return join(*split(path)[:-1])


def leaf(path: str) -> str:
    """The item's own name."""
    names = split(path)
    return names[-1] if names else ""


def is_under(path: str, folder: str) -> bool:
    """Is the item at ``path`` inside the folder at ``folder`` (at any depth)?"""
    names, above = split(path), split(folder)
    return len(names) > len(above) and names[:len(above)] == above


def rebase(path: str, moves: dict[str, str]) -> str:
    """The path after the folder renames ``moves`` (old folder path → new folder path)."""
    names = split(path)
    for depth in range(len(names) - 1, 0, -1):
        moved = moves.get(join(*names[:depth]))
        if moved is not None:
            return join(*split(moved), *names[depth:])
    return path


def walk(folder: dict[str, Any], at: tuple[str, ...] = ()) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, definition) of every item inside a folder definition, depth first, in the folder's order."""
    for child in folder.get("children") or []:
        if not isinstance(child, dict):
            continue
        names = (*at, str(child.get("name")))
        yield join(*names), child
        if child.get("type") == FOLDER_TYPE:
            yield from walk(child, names)


def assemble(items: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The children of a folder definition from items given by path (a folder's own body has no
    ``children``); a folder comes before what it holds, items keep their order."""
    top: list[dict[str, Any]] = []
    folders: dict[str, dict[str, Any]] = {}
    for path, body in sorted(items, key=lambda pair: len(split(pair[0]))):
        node = dict(body)
        if node.get("type") == FOLDER_TYPE:
            node["children"] = []
            folders[path] = node
        up = parent(path)
        holder = folders[up]["children"] if up in folders else top
        holder.append(node)
    return top


def app_folder_id(org: Org) -> str:
    """The app folder's id (it exists when an item inside it is written)."""
    if org.state.folder is None:
        raise DeployError(f"the app folder {org.state.target.label} does not exist")
    return str(org.state.folder["id"])


def read_listing(folders: FolderHandler, folder: dict[str, Any],
                 admin: bool | None = None) -> dict[str, dict[str, Any]]:
    """Every item in ``folder`` (a folder as ``GET /v2/content/folders/{id}`` returns it) as Sumo lists it (id,
    name, itemType, modifiedAt), by path: one more read per sub-folder, none when there is none."""
    found: dict[str, dict[str, Any]] = {}
    pending: list[tuple[tuple[str, ...], list[Any]]] = [((), list(folder.get("children") or []))]
    while pending:
        at, children = pending.pop(0)
        for child in children:
            if not isinstance(child, dict):
                continue
            names = (*at, str(child.get("name")))
            found[join(*names)] = child
            if child.get("itemType") == "Folder":
                pending.append((names, folders.children(str(child["id"]), admin=admin)))
    return found


def listing(org: Org, fresh: bool = False) -> dict[str, dict[str, Any]]:
    """Every item in the app folder by path, as the org state read it (``fresh``: the sub-folders read again,
    under the app folder as ``org.state.folder`` holds it)."""
    if org.state.folder is None:
        return {}
    if org.state.listing is None or fresh:
        org.state.listing = read_listing(org.remote.folders, org.state.folder, org.admin)
    return dict(org.state.listing)


def listed_by_path(org: Org, fresh: bool = False) -> list[dict[str, Any]]:
    """The listing as a flat list of children named by path (what the install marker fingerprints)."""
    return [{**child, "name": path} for path, child in listing(org, fresh).items()]


def remember(org: Org, path: str, child: dict[str, Any] | None) -> None:
    """Record what a write made (or, with None, removed) at ``path`` in the state's listing."""
    known = org.state.listing if org.state.listing is not None else listing(org)
    if child is None:
        for gone in [p for p in known if p == path or is_under(p, path)]:
            known.pop(gone)
    else:
        known[path] = child
    org.state.listing = known


def find(org: Org, path: str) -> dict[str, Any] | None:
    """The item at ``path``, read afresh from its folder (None when it or its folder is missing)."""
    try:
        holder = folder_id_of(org, parent(path))
    except DeployError:
        return None
    for child in org.remote.folders.children(holder, admin=org.admin):
        if child.get("name") == leaf(path):
            return child
    return None


def folder_id_of(org: Org, path: str) -> str:
    """The id of the folder at ``path`` ("" is the app folder): from the run's listing, else looked up."""
    if not path:
        return app_folder_id(org)
    child = listing(org).get(path)
    if child is None:
        child = find(org, path)
        if child is None or child.get("itemType") not in (None, "Folder"):
            raise DeployError(f"the folder {path!r} does not exist in the app folder {org.state.target.label}",
                              hint="run `appbuilder plan` again: the folder may have been removed or renamed")
        remember(org, path, child)
    return str(child["id"])


def parent_id(org: Org, path: str) -> str:
    """The id of the folder that holds (or will hold) the item at ``path``."""
    return folder_id_of(org, parent(path))
