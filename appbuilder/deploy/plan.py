"""Plan: pair the desired items of every kind (the build) with the org's (read back), compare their normalised
bodies, and record one typed change per item. Generic over ``appbuilder.kinds.KINDS``.

The marker in the app folder's description (see ``marker``) tells our changes from changes made in the Sumo UI
(drift) and lets an unchanged install skip the export: when the recorded build hash and the children's
modification times are what the last install left, nothing in the folder is read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from appbuilder.build import BuildResult
from appbuilder.deploy.changes import (
    CREATE,
    DELETE,
    DRIFTED,
    NOOP,
    RECORD,
    UNCHANGED,
    UPDATE,
    Plan,
    ResourceChange,
    Target,
)
from appbuilder.deploy.elsewhere import earlier_copies
from appbuilder.deploy.fingerprint import org_fingerprint
from appbuilder.deploy.intent import recognise
from appbuilder.deploy.lock import lock_note, read_intent
from appbuilder.deploy.marker import Marker, fingerprint, fit_description, modified_after, split_description
from appbuilder.deploy.nested import moved, record_moves, with_folder_notes
from appbuilder.deploy.shared import record_copy
from appbuilder.deploy.state import Remote, RemoteState, no_target_folder
from appbuilder.deploy.unmanaged import NOTE, unmanaged_kinds
from appbuilder.kinds import KINDS, Item, Kind, Org, in_folder
from appbuilder.kinds.tree import listed_by_path
from appbuilder.sumo.jobs import JobProgress
from appbuilder.sumo.normalise import canonical_json, normalise_content

__all__ = ["CREATE", "DELETE", "DRIFTED", "NOOP", "RECORD", "UNCHANGED", "UPDATE", "Plan", "ResourceChange",
           "Target", "make_plan", "plan_install", "pair_items", "desired_marker"]

# A state fingerprint as long as any real one, so the description kept in front of the marker never moves.
_STATE_PLACEHOLDER = "zzzzzzzzz.9999"


def norm_hash(defn: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(normalise_content(defn)).encode()).hexdigest()[:16]


def desired_marker(build: BuildResult) -> tuple[Marker, str]:
    """(the marker to record, without its state; the folder description kept in front of it)."""
    manifest = build.manifest
    probe = Marker(manifest.app, manifest.version, manifest.content_hash, "0" * 16, _STATE_PLACEHOLDER)
    kept = fit_description(str(build.content.get("description") or ""), probe)
    desired = {**build.content, "description": kept}
    return Marker(manifest.app, manifest.version, manifest.content_hash, norm_hash(desired)), kept


def without_marker(defn: dict[str, Any]) -> dict[str, Any]:
    return {**defn, "description": split_description(str(defn.get("description") or ""))[0]}


def pair_items(desired: Iterable[Item], remote: Iterable[Item]) -> list[tuple[Item | None, Item | None]]:
    """Desired and remote items paired by identity, then the leftovers by rename key (1:1 only); unpaired items
    come with None on the other side. Order: desired order, then remote-only items."""
    wanted, have = list(desired), {i.identity: i for i in remote}
    pairs: list[tuple[Item | None, Item | None]] = [(d, have.pop(d.identity, None)) for d in wanted]
    by_key: dict[str, list[Item]] = {}
    for item in have.values():
        if item.rename_key:
            by_key.setdefault(item.rename_key, []).append(item)
    lonely = [d for d, r in pairs if r is None and d is not None and d.rename_key]
    keys = [d.rename_key for d in lonely]
    for index, (d, r) in enumerate(pairs):
        if r is None and d is not None and d.rename_key and keys.count(d.rename_key) == 1 \
                and len(by_key.get(d.rename_key, [])) == 1:
            found = by_key.pop(d.rename_key)[0]
            have.pop(found.identity)
            pairs[index] = (d, found)
    pairs.extend((None, r) for r in have.values())
    return pairs


def compare(kind: Kind, d: Item | None, r: Item | None, action: str | None = None, note: str = "") -> ResourceChange:
    """The change that turns ``r`` into ``d``: create, delete, no-op, or ``action`` (default update)."""
    if r is None:
        assert d is not None
        return ResourceChange(kind.name, d.identity, action or CREATE, None, d.body, {}, note)
    if d is None:
        return ResourceChange(kind.name, r.identity, action or DELETE, r.body, None, dict(r.ref), note)
    renamed = r.identity if r.identity != d.identity else ""
    if renamed:
        note = " ".join(x for x in (f"renamed from {renamed!r}", note) if x)
    same = kind.normalise(r.body) == kind.normalise(d.body) and not renamed
    if not same and not renamed:  # how the kind writes the change, when it says (e.g. a re-import)
        note = " ".join(x for x in (note, kind.update_note) if x)
    return ResourceChange(kind.name, d.identity, NOOP if same else (action or UPDATE), r.body, d.body,
                          dict(r.ref), "" if same else note, renamed)


@dataclass(frozen=True)
class _Drift:
    """What the folder marker says: did we change the app (``ours``), did someone change the folder in Sumo
    (``remote``), and the recorded state of the children's modification times."""

    ours: bool
    remote: bool
    state: str | None
    listed: dict[str, dict[str, Any]]
    foreign: bool = False  # the folder was not installed by appbuilder

    def action(self, d: Item | None, r: Item | None) -> tuple[str | None, str]:
        if d is None and self.foreign:
            return DRIFTED, "in the folder, but not installed by appbuilder"
        if not self.remote:
            return None, ""
        if r is None:
            return (DRIFTED, "removed in Sumo") if not self.ours else (None, "")
        if d is None:
            return (DRIFTED, "added in Sumo") if not self.ours else (None, "not in the app definition")
        listed = self.listed.get(r.identity) or next(
            (c for c in self.listed.values() if str(c.get("id")) == r.ref.get("contentId")), None)
        if not self.ours or listed is None or modified_after(listed, self.state):
            return DRIFTED, "changed in Sumo since the last install"
        return None, ""


def _folder_change(kind: Kind, d: Item, r: Item | None, drift: _Drift, others_write: bool, recorded: bool,
                   note: str) -> ResourceChange:
    if r is None:
        return compare(kind, d, None)
    action, _ = drift.action(d, r)
    change = compare(kind, d, r, action, note)
    if change.action == NOOP and (others_write or not recorded):
        return replace(change, action=RECORD, note="record the installed version in the folder description")
    return change


def install_state(build: BuildResult, remote: Remote, parent_path: str | None) -> RemoteState:
    """What an install plan reads of the org (also to check, under the lock, that it did not change)."""
    source_body = (build.source or {}).get("source") or {}
    collector_body = (build.collector or {}).get("collector") or {}
    return remote.read(str(build.manifest.folder), parent_path, collector_body.get("name"),
                       (source_body.get("config") or {}).get("name"))


def plan_install(build: BuildResult, remote: Remote, parent_path: str | None = None,
                 progress: Callable[[JobProgress], None] | None = None, *,
                 want_export: bool = False) -> tuple[Plan, RemoteState]:
    """Read the org (the folder export only when needed, or always with ``want_export``) and compare."""
    manifest = build.manifest
    state = install_state(build, remote, parent_path)
    if state.folder is None and state.target.parent_id is None:
        raise no_target_folder(state.target)
    org = Org(remote, state, str(manifest.app))
    marker, kept = desired_marker(build)
    found = split_description(state.folder.get("description"))[1] if state.folder else None
    ours = found is None or found.hash != manifest.content_hash
    children = listed_by_path(org)  # the app folder and its sub-folders, items named by their path
    state_now = fingerprint(children)
    quick = found is not None and not ours and bool(found.state) and found.state == state_now and not want_export
    drift = _Drift(ours, False, found.state if found else None, {str(c.get("name")): c for c in children},
                   state.folder is not None and found is None)
    note = ""
    if state.folder is not None and not quick:
        remote_hash = norm_hash(without_marker(remote.export_folder(state, progress)))
        expected = marker.norm if found is None else (found.norm or (marker.norm if not ours else ""))
        drift = replace(drift, remote=remote_hash != expected)
        if found is None:
            note = "a folder of this name exists but was not installed by appbuilder"
        elif drift.remote:
            note = "changed in Sumo since the last install" + (", and changed locally" if ours else "")
    changes: list[ResourceChange] = []
    folder: tuple[Kind, Item, Item | None] | None = None
    moves: dict[str, str] = {}  # folders renamed in the app definition: what they hold moves with them
    unmanaged = unmanaged_kinds(manifest)
    for kind in KINDS:
        desired = kind.render(build)
        if kind.name == "folder":
            d = replace(desired[0], body={**desired[0].body, "description": kept})
            folder = (kind, d, next(iter(kind.read(org)), None))
            changes.append(compare(kind, d, None))  # placeholder, decided once the items are known
            continue
        if kind.in_folder and (state.folder is None or quick):
            action = CREATE if state.folder is None else NOOP
            changes.extend(ResourceChange(kind.name, i.identity, action, None, i.body) for i in desired)
            continue
        if kind.name in unmanaged and not desired:  # what the org has of it stays as it is
            changes.extend(ResourceChange(kind.name, r.identity, NOOP, r.body, r.body, dict(r.ref), NOTE)
                           for r in kind.read(org))
            continue
        pairs = pair_items(desired, moved(kind.read(org), moves) if kind.in_folder else kind.read(org))
        record_moves(pairs, moves)
        for d, r in pairs:
            action, why = drift.action(d, r) if kind.in_folder else kind.drift(d, r)
            changes.append(compare(kind, d, r, action, why))
    assert folder is not None
    others = any(c.writes for c in changes if c.kind != "folder" and in_folder(c.kind))
    # what is recorded already describes this build when the same normalised content and version were installed
    # (an export of the app builds the same content from a shortened description: nothing to record again)
    same_install = found is not None and (found.norm, found.version, found.app) == (
        marker.norm, marker.version, marker.app)
    recorded = quick or (found is not None and (not ours or same_install) and found.state == state_now)
    # a new version of the same content is recorded too: the org names the version that was installed last
    recorded = recorded and found is not None and (found.version, found.app) == (marker.version, marker.app)
    index = next(i for i, c in enumerate(changes) if c.kind == "folder")
    changes[index] = _folder_change(*folder, drift, others, recorded, note)
    changes = record_copy(with_folder_notes(changes), state)
    if any(c.action == DRIFTED for c in changes):  # an earlier run's own half-applied writes are not drift
        changes = recognise(changes, read_intent(remote, state.target))
    notes = earlier_copies(remote, state, str(manifest.app), bool(getattr(build, "monitors", None)))
    locked = lock_note(remote, state.target, state.personal)
    notes += [locked] if locked else []
    plan = Plan(str(manifest.app), str(manifest.version), "install", state.target, tuple(changes),
                org_fingerprint(org), marker, True, manifest.token_env, ours, tuple(notes))
    return plan, state


def make_plan(build: BuildResult, remote: Remote, parent_path: str | None = None,
              progress: Callable[[JobProgress], None] | None = None, *, want_export: bool = False) -> Plan:
    """The install plan alone (see ``plan_install``)."""
    return plan_install(build, remote, parent_path, progress, want_export=want_export)[0]
