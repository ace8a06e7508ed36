"""Diff as installed: what an install of each definition puts in Sumo, item by item.

An export holds what Sumo holds and nothing else: no samples, tests, lint settings, log types or parameter
documentation, and no saved-search ids (Sumo has only names). Comparing a definition with an export field by
field in the model would list all of that as changes, so when either side is an export ``diff`` compares the
builds instead: the content folder (its sub-folders, dashboards, saved searches, raw items by path), the monitor
folder and monitors by name, the collector and source. Both are built with the parameter values the export
found (its defaults), so a definition installed with ``--param`` compares equal to its export.
"""

from __future__ import annotations

from typing import Any

from appbuilder.appdiff import ADDED, CHANGED, REMOVED, AppDiff, FieldChange, ItemChange
from appbuilder.export import APP_COMMENT
from appbuilder.export.residual import ABSENT, changed_paths
from appbuilder.model import App

BASIS = ("compared as installed in Sumo (one side is an export, which has no samples, tests, lint settings, "
         "log types, parameter descriptions or saved-search ids)")
EXPORT_HEADER = f"# {APP_COMMENT}"  # the line export writes at the top of app.yaml
_KINDS = {"FolderSyncDefinition": "folder", "DashboardV2SyncDefinition": "dashboard",
          "SavedSearchWithScheduleSyncDefinition": "saved search"}


def is_export(app: App) -> bool:
    """Whether the definition was written by ``appbuilder export`` (its app.yaml says so in its header)."""
    try:
        head = (app.root / "app.yaml").read_text(encoding="utf-8")[:2000]
    except OSError:
        return False
    return EXPORT_HEADER in head.splitlines()


def _values(app: App, other: App, other_is_export: bool) -> dict[str, str]:
    """The parameter values to build ``app`` with: the export's defaults for the parameters both declare."""
    if not other_is_export:
        return {}
    declared = {p.name for p in app.parameters}
    return {p.name: p.default for p in other.parameters if p.name in declared}


def _items(app: App, values: dict[str, str]) -> dict[tuple[str, str], dict[str, Any]]:
    """(kind, name) → API body of everything the build of ``app`` installs."""
    from appbuilder.build import build_app
    from appbuilder.deploy.plan import desired_marker

    build = build_app(app, values)
    items: dict[tuple[str, str], dict[str, Any]] = {}
    root = build.content
    # the folder's description as Sumo holds it: shortened to leave room for the install marker
    items[("folder", str(root.get("name")))] = {**{k: v for k, v in root.items() if k != "children"},
                                                "description": desired_marker(build)[1]}

    def walk(children: list[Any], prefix: str) -> None:
        for child in children:
            name = f"{prefix}{child.get('name')}"
            kind = _KINDS.get(str(child.get("type")), "raw item")
            if kind == "folder":
                items[("sub-folder", name)] = {k: v for k, v in child.items() if k != "children"}
                walk(child.get("children") or [], f"{name}/")
            else:
                items[(kind, name)] = _panels_by_key(child) if kind == "dashboard" else child

    walk(root.get("children") or [], "")
    if build.monitors:
        folder = build.monitors["folder"]
        items[("monitor folder", str(folder.get("name")))] = folder
        items.update({("monitor", str(m.get("name"))): m for m in build.monitors["monitors"]})
    if build.collector:
        items[("collector", str(build.collector["collector"].get("name")))] = build.collector["collector"]
    if build.source:
        source = build.source["source"]
        items[("source", str((source.get("config") or {}).get("name")))] = source
    return items


def _panels_by_key(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The dashboard with its panels by Sumo key (``panels.<key>.title``), so that a panel added in the middle
    is one added panel, not a change of every panel after it; as it is when keys are missing or repeated."""
    panels = dashboard.get("panels")
    keys = [p.get("key") for p in panels if isinstance(p, dict)] if isinstance(panels, list) else []
    if not keys or len(set(keys)) != len(panels) or not all(isinstance(k, str) and k for k in keys):  # type: ignore[arg-type]
        return dashboard
    return {**dashboard, "panels": dict(zip(keys, panels, strict=True))}


def _fields(old: Any, new: Any) -> list[FieldChange]:
    return [FieldChange(path or "(body)", None if a is ABSENT else a, None if b is ABSENT else b)
            for path, a, b in changed_paths(old, new)]


def diff_installed(old: App, new: App) -> AppDiff:
    """Every item an install of ``old`` or ``new`` writes that differs between them."""
    from appbuilder.deploy.unmanaged import PARTS

    old_export, new_export = is_export(old), is_export(new)
    left_alone = {kind for part in old.unmanaged + new.unmanaged for kind in PARTS.get(part, ())}
    before = {k: v for k, v in _items(old, _values(old, new, new_export)).items() if k[0] not in left_alone}
    after = {k: v for k, v in _items(new, _values(new, old, old_export)).items() if k[0] not in left_alone}
    result = AppDiff(old.name, new.name, old.version, new.version, basis=BASIS)
    if old.version != new.version:
        result.changes.append(ItemChange("app", new.name, CHANGED,
                                         [FieldChange("version", old.version, new.version)], new.name))
    for (kind, name), body in after.items():
        if (kind, name) not in before:
            result.changes.append(ItemChange(kind, name, ADDED, title=name))
            continue
        changed = _fields(before[(kind, name)], body)
        if changed:
            result.changes.append(ItemChange(kind, name, CHANGED, changed, title=name))
    result.changes.extend(ItemChange(kind, name, REMOVED, title=name) for kind, name in before
                          if (kind, name) not in after)
    return result
