"""An earlier copy of the app elsewhere in the personal folder: when install would create the app folder (a fresh
install, or the folder was renamed in ``app.yaml`` or ``--folder`` changed), the old folder would silently stay
next to the new one. The plan says so, found cheaply: among the personal folder's folders, only those whose name
holds the app's name or is the app folder's name are read (at most ``MAX_LOOKS``), and a folder counts when its
install marker names this app."""

from __future__ import annotations

from appbuilder.deploy.marker import split_description
from appbuilder.deploy.state import Remote, RemoteState

MAX_LOOKS = 5


def earlier_copies(remote: Remote, state: RemoteState, app: str, has_monitors: bool) -> list[str]:
    """Notes for the plan naming each earlier copy of ``app`` in the personal folder (none when the app folder
    exists already, so a normal update costs nothing)."""
    if state.folder is not None or state.target.admin:  # a content administrator's target is not personal
        return []
    listing = state.personal if state.personal is not None else remote.folders.personal()
    target = state.target
    in_personal = target.parent_path is None and not target.admin
    wanted = target.folder_name
    candidates = [c for c in listing.get("children") or [] if c.get("itemType") == "Folder"
                  and (app.lower() in str(c.get("name")).lower() or c.get("name") == wanted)
                  and not (in_personal and c.get("name") == wanted)][:MAX_LOOKS]
    notes = []
    for child in candidates:
        folder = remote.folders.get(str(child["id"]))
        marker = split_description(folder.get("description"))[1]
        if marker is None or marker.app != app:
            continue
        name = str(child.get("name"))
        monitors = f" and its monitors in /Monitors/{name} (they keep running)" if has_monitors else ""
        advice = f"delete Personal folder / {name}{monitors} in the Sumo UI."
        if has_monitors and name == wanted:  # the monitor folder is named like the app folder: both copies share it
            advice = (f"delete Personal folder / {name} in the Sumo UI, but not /Monitors/{name}: its monitors are "
                      "the ones this install updates (`appbuilder uninstall` of the old copy keeps them while this "
                      "copy uses them).")
        notes.append(f"{app} {marker.version} is also installed in Personal folder / {name} (its install marker "
                     f"says so): this install makes a new copy in {target.label}, and the old one stays. Once the "
                     f"new one works, {advice}")
    return notes
