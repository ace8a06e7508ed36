"""Plan: desired (the build) against remote (read back and normalised), per resource.

Every resource is compared in its canonical form (the handlers' ``normalise_*``) with the generic diff; the
marker recorded in the app folder's description (see ``marker``) tells our changes from changes made in the
Sumo UI (drift) and lets an unchanged install skip the export.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from appbuilder.build import BuildResult
from appbuilder.deploy.diff import FieldChange, diff
from appbuilder.deploy.marker import (
    Marker,
    compose_description,
    fingerprint,
    fit_description,
    modified_after,
    split_collector_description,
    split_description,
)
from appbuilder.deploy.state import DeployError, Remote, RemoteState, Target
from appbuilder.sumo.collectors import normalise_collector
from appbuilder.sumo.jobs import JobProgress
from appbuilder.sumo.normalise import canonical_json, normalise_content
from appbuilder.sumo.sources import normalise_source

CREATE, UPDATE, UNCHANGED, DRIFTED, DELETE = "create", "update", "unchanged", "drifted", "delete"
KINDS = {"FolderSyncDefinition": "folder", "DashboardV2SyncDefinition": "dashboard",
         "SavedSearchWithScheduleSyncDefinition": "saved search"}
# A state fingerprint as long as any real one, so the description kept in front of the marker never moves.
_STATE_PLACEHOLDER = "zzzzzzzzz.9999"


@dataclass
class ResourcePlan:
    kind: str
    name: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "name": self.name, "action": self.action,
                               "changes": [c.to_dict() for c in self.changes]}
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class Plan:
    """What install would do. ``content_action``: create, update, unchanged, drifted, or ``record`` (only the
    marker in the folder description needs writing)."""

    app: str
    version: str
    target: Target
    resources: list[ResourcePlan]
    content_action: str
    marker: Marker
    import_definition: dict[str, Any]
    kept_description: str
    remote: RemoteState
    build: BuildResult
    ours_changed: bool = False
    remote_changed: bool = False

    def resource(self, kind: str) -> ResourcePlan | None:
        return next((r for r in self.resources if r.kind == kind), None)

    @property
    def changed(self) -> bool:
        return any(r.action != UNCHANGED for r in self.resources)

    @property
    def drifted(self) -> bool:
        return self.remote_changed and self.remote.folder is not None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.resources:
            out[r.action] = out.get(r.action, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"app": self.app, "version": self.version, "target": self.target.to_dict(),
                "folder": self.target.label, "contentAction": self.content_action,
                "changed": self.changed, "drifted": self.drifted, "counts": self.counts(),
                "resources": [r.to_dict() for r in self.resources]}


def norm_hash(defn: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(normalise_content(defn)).encode()).hexdigest()[:16]


def _kind(defn: dict[str, Any]) -> str:
    return KINDS.get(str(defn.get("type")), str(defn.get("type")))


def _shell(defn: dict[str, Any]) -> dict[str, Any]:
    """A folder definition without its children (the folder's own fields)."""
    return normalise_content({**defn, "children": []})


def desired_content(build: BuildResult) -> tuple[Marker, dict[str, Any], dict[str, Any], str]:
    """(marker without state, definition to import, desired definition as it will read back, kept description)."""
    manifest = build.manifest
    probe = Marker(manifest["app"], manifest["version"], manifest["contentHash"], "0" * 16, _STATE_PLACEHOLDER)
    kept = fit_description(str(build.content.get("description") or ""), probe)
    desired = {**build.content, "description": kept}
    marker = Marker(manifest["app"], manifest["version"], manifest["contentHash"], norm_hash(desired))
    to_import = copy.deepcopy(desired)
    to_import["description"] = compose_description(kept, marker)
    return marker, to_import, desired, kept


def without_marker(defn: dict[str, Any]) -> dict[str, Any]:
    return {**defn, "description": split_description(str(defn.get("description") or ""))[0]}


def _children(defn: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(str(c.get("type")), str(c.get("name"))): c for c in defn.get("children") or [] if isinstance(c, dict)}


def _plan_collector(build: BuildResult, state: RemoteState) -> ResourcePlan | None:
    if build.collector is None:
        return None
    desired = build.collector["collector"]
    name = str(desired.get("name"))
    if state.collector is None:
        return ResourcePlan("collector", name, CREATE)
    kept, _ = split_collector_description(state.collector.get("description"))
    remote = normalise_collector({**state.collector, "description": kept})
    changes = diff(remote, normalise_collector(desired))
    return ResourcePlan("collector", name, UPDATE if changes else UNCHANGED, changes)


def _plan_source(build: BuildResult, state: RemoteState) -> ResourcePlan | None:
    if build.source is None:
        return None
    desired = build.source["source"]
    name = str(desired.get("config", {}).get("name"))
    if state.source is None:
        return ResourcePlan("source", name, CREATE)
    changes = diff(normalise_source(state.source), normalise_source(desired))
    return ResourcePlan("source", name, UPDATE if changes else UNCHANGED, changes)


def _child_action(ours: bool, remote: bool, listed: dict[str, Any] | None, state: str | None) -> str:
    if not remote:
        return UPDATE
    if not ours:
        return DRIFTED
    return DRIFTED if listed is None or modified_after(listed, state) else UPDATE


def _plan_children(desired: dict[str, Any], remote: dict[str, Any] | None, folder: dict[str, Any] | None,
                   ours: bool, remote_changed: bool, state: str | None) -> list[ResourcePlan]:
    wanted = _children(desired)
    have = _children(remote) if remote is not None else {}
    listed = {str(c.get("name")): c for c in (folder or {}).get("children") or []}
    plans = []
    for key in list(wanted) + [k for k in have if k not in wanted]:
        a, b = have.get(key), wanted.get(key)
        kind = _kind(b or a or {})
        if remote is None:
            plans.append(ResourcePlan(kind, key[1], CREATE if folder is None else UNCHANGED))
        elif a is None:
            plans.append(ResourcePlan(kind, key[1], DRIFTED if remote_changed and not ours else CREATE,
                                      note="missing in Sumo" if remote_changed and not ours else ""))
        elif b is None:
            plans.append(ResourcePlan(kind, key[1], DRIFTED if remote_changed and not ours else DELETE,
                                      note="not in the app definition; install replaces the folder"))
        else:
            changes = diff(normalise_content(a), normalise_content(b))
            action = _child_action(ours, remote_changed, listed.get(key[1]), state) if changes else UNCHANGED
            plans.append(ResourcePlan(kind, key[1], action, changes))
    return plans


def make_plan(build: BuildResult, remote: Remote, parent_path: str | None = None,
              progress: Callable[[JobProgress], None] | None = None, *, want_export: bool = False) -> Plan:
    """Read the remote state (export only when needed, or always with ``want_export``) and compare."""
    manifest = build.manifest
    source_body = (build.source or {}).get("source") or {}
    collector_body = (build.collector or {}).get("collector") or {}
    state = remote.read(str(manifest["folder"]), parent_path, collector_body.get("name"),
                        (source_body.get("config") or {}).get("name"))
    marker, to_import, desired, kept = desired_content(build)
    resources = [r for r in (_plan_collector(build, state), _plan_source(build, state)) if r is not None]
    folder_name = str(manifest["folder"])
    plan = Plan(manifest["app"], manifest["version"], state.target, resources, CREATE, marker, to_import, kept,
                state, build)
    if state.folder is None:
        if state.target.parent_id is None:
            raise DeployError(f"the target folder {state.target.parent_path} does not exist",
                              hint="create it in the Sumo Logic Library, or choose another --folder")
        resources.append(ResourcePlan("folder", folder_name, CREATE))
        resources.extend(_plan_children(desired, None, None, True, False, None))
        return plan
    _, found = split_description(state.folder.get("description"))
    ours = found is None or found.hash != manifest["contentHash"]
    state_now = fingerprint(list(state.folder.get("children") or []))
    if found is not None and not ours and found.state and found.state == state_now and not want_export:
        resources.append(ResourcePlan("folder", folder_name, UNCHANGED))
        resources.extend(_plan_children(desired, None, state.folder, False, False, None))
        plan.content_action = UNCHANGED
        return plan
    exported = without_marker(remote.export_folder(state, progress))
    remote_hash = norm_hash(exported)
    if found is None:
        remote_changed = remote_hash != marker.norm
    else:
        remote_changed = remote_hash != (found.norm or (marker.norm if not ours else ""))
    plan.ours_changed, plan.remote_changed = ours, remote_changed
    folder_changes = diff(_shell(exported), _shell(desired))
    if remote_hash == marker.norm:
        recorded = found is not None and not ours and found.state == state_now
        plan.content_action = UNCHANGED if recorded else "record"
        note = "" if recorded else "record what is installed in the folder description"
        plan.remote_changed = False
        resources.append(ResourcePlan("folder", folder_name, UNCHANGED if recorded else UPDATE, [], note))
        resources.extend(_plan_children(desired, exported, state.folder, ours, False, None))
        return plan
    if found is None:
        note = "a folder of this name exists but was not installed by appbuilder"
    else:
        note = {(True, False): "", (False, True): "changed in Sumo since the last install",
                (True, True): "changed in Sumo since the last install, and changed locally"}.get(
                    (ours, remote_changed), "")
    plan.content_action = DRIFTED if remote_changed else UPDATE
    resources.append(ResourcePlan("folder", folder_name, plan.content_action, folder_changes, note))
    resources.extend(_plan_children(desired, exported, state.folder, ours, remote_changed,
                                    found.state if found else None))
    return plan
