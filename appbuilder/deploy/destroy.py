"""Uninstall and restore as plans: a destroy plan (remove what install made) and a plan towards a backup's
state. Both are ordinary ``Plan``s, so they are shown, confirmed, backed up and applied like an install."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from appbuilder.build import BuildResult
from appbuilder.deploy.backup import Backup
from appbuilder.deploy.changes import DELETE, NOOP, RECORD, Plan, ResourceChange
from appbuilder.deploy.fingerprint import org_fingerprint
from appbuilder.deploy.marker import split_description
from appbuilder.deploy.nested import moved, record_moves
from appbuilder.deploy.plan import compare, norm_hash, pair_items, without_marker
from appbuilder.deploy.shared import keep_shared
from appbuilder.deploy.state import DeployError, Remote, RemoteState
from appbuilder.deploy.unmanaged import unmanaged_kinds
from appbuilder.kinds import KINDS, Item, Kind, Org, in_folder
from appbuilder.kinds import kind as kind_of
from appbuilder.kinds.recorded import collector_parts, source_parts
from appbuilder.sumo.collectors import normalise_collector
from appbuilder.sumo.sources import normalise_source, source_name


def uninstall_state(build: BuildResult, remote: Remote, parent_path: str | None, with_source: bool) -> RemoteState:
    """What an uninstall plan reads of the org (also to check, under the lock, that it did not change)."""
    source_body = (build.source or {}).get("source") or {}
    collector_body = (build.collector or {}).get("collector") or {}
    return remote.read(str(build.manifest.folder), parent_path,
                       collector_body.get("name") if with_source else None, source_name(source_body) or None)


def plan_uninstall(build: BuildResult, remote: Remote, parent_path: str | None,
                   with_source: bool) -> tuple[Plan, RemoteState]:
    """Delete the app folder (its items go with it); with ``with_source`` the source too, and the collector when
    this app created it and it holds no other source."""
    manifest = build.manifest
    state = uninstall_state(build, remote, parent_path, with_source)
    app = str(manifest.app)
    org = Org(remote, state, app)
    changes: list[ResourceChange] = []
    holders = {k.holds: k.name for k in KINDS if k.holds}
    for kind in sorted(KINDS, key=lambda k: k.order):
        if kind.name == "collector":
            continue
        if (kind.name == "source" and not with_source) or kind.name in unmanaged_kinds(manifest):
            continue  # an unmanaged part of the app stays in the org
        if kind.in_folder and state.folder is None:
            continue
        note = "removed with its folder" if kind.in_folder else (
            f"removed with its {holders[kind.name]}" if kind.name in holders else "")
        changes.extend(compare(kind, None, item, DELETE, note) for item in kind.read(org))
    if with_source and state.collector is not None:
        collector = kind_of("collector")
        item = collector.read(org)[0]
        ours = item.ref.get("createdBy") == app and not state.other_sources
        why = ("created by appbuilder, no other sources" if ours
               else "kept: not created by this app, or it holds other sources")
        keep = ResourceChange("collector", item.identity, NOOP, item.body, item.body, dict(item.ref), why)
        changes.insert(0, compare(collector, None, item, DELETE, why) if ours else keep)
    changes = keep_shared(changes, remote, state)
    plan = Plan(app, str(manifest.version), "uninstall", state.target, tuple(changes), org_fingerprint(org),
                None, False, manifest.token_env,
                notes=_what_stays((build.collector or {}).get("collector") or {},
                                  (build.source or {}).get("source") or {}, with_source))
    return plan, state


def _what_stays(collector: dict[str, Any], source: dict[str, Any], with_source: bool) -> tuple[str, ...]:
    """Say what an uninstall leaves in Sumo, and how to remove it: without --with-source the collector and the
    source stay (and the source keeps collecting, and so ingesting)."""
    if with_source or not (collector or source):
        return ()
    what = " and ".join(part for part in (f"the collector '{collector.get('name')}'" if collector else "",
                                          f"its source '{source_name(source)}'" if source else "") if part)
    return (f"this uninstall leaves {what} in Sumo (where installed): the source keeps collecting. To remove the "
            "source too, and the collector when appbuilder created it and it holds no other source, run "
            "`appbuilder uninstall` with --with-source.",)


def _parent_path(remote: Remote, target: dict[str, Any]) -> str:
    """The recorded parent path of a backup, or the path of its parent id."""
    if target.get("parentPath"):
        return str(target["parentPath"])
    if target.get("parentId"):
        return remote.folders.path_of(str(target["parentId"]), admin=remote.admin or None)
    raise DeployError("the backup does not say where it came from (no parentPath or parentId)")


def _desired(backup: Backup, content: dict[str, Any] | None) -> dict[str, list[Item]]:
    """The backup's items per kind."""
    out: dict[str, list[Item]] = {k.name: [] for k in KINDS}
    if content is not None:
        kept, _ = split_description(content.get("description"))
        out["folder"] = [Item("folder", str(content["name"]), {"name": str(content["name"]),
                                                               "description": kept.strip()})]
        for kind in KINDS:
            from_tree = getattr(kind, "from_tree", None)  # the kinds of the app folder's items, at any depth
            if kind.in_folder and from_tree is not None:
                out[kind.name] = from_tree(content)
    for saved in backup.items:
        name, body = str(saved.get("kind")), saved.get("body")
        if name in out and isinstance(body, dict):
            out[name].append(Item(name, str(saved.get("identity")), body, {}, kind_of(name).rename_key(body)))
    if backup.source is not None:
        source = source_parts(backup.source)[0]
        out["source"] = [Item("source", source_name(source), normalise_source(source))]
    if backup.collector is not None:
        out["collector"] = [Item("collector", str(backup.collector.get("name")),
                                 normalise_collector(collector_parts(backup.collector)[0]))]
    return out


def _covered(kind: Kind, desired: dict[str, list[Item]], content: dict[str, Any] | None) -> bool:
    """Does the backup hold this kind's state? The app folder and its items come with ``content.json``; other
    kinds with their own files or entries (an install backs up only what it was about to change)."""
    if kind.in_folder or kind.name == "folder":
        return content is not None
    return bool(desired[kind.name])


def restore_state(backup: Backup, remote: Remote) -> RemoteState:
    """What a restore plan reads of the org (also to check, under the lock, that it did not change)."""
    content = backup.content
    desired = _desired(backup, content)
    folder_name = str((content or {}).get("name") or backup.target.get("folderName") or "")
    collector = desired["collector"][0].identity if desired["collector"] else (
        (backup.manifest.get("collector") or {}).get("name"))
    return remote.read(folder_name, _parent_path(remote, backup.target), collector,
                       desired["source"][0].identity if desired["source"] else None)


def plan_restore(backup: Backup, remote: Remote) -> tuple[Plan, RemoteState]:
    """Changes that bring the org back to the backup's state (items not in the backup are removed)."""
    content = backup.content
    desired = _desired(backup, content)
    state = restore_state(backup, remote)
    if content is not None and state.folder is None and state.target.parent_id is None:
        raise DeployError(f"the folder the backup came from ({state.target.parent_path}) no longer exists",
                          hint="recreate it in the Sumo Logic Library, then restore again")
    app = backup.app
    org = Org(remote, state, app)
    changes: list[ResourceChange] = []
    moves: dict[str, str] = {}
    for kind in KINDS:
        if not _covered(kind, desired, content):
            continue  # the backup holds nothing of this kind: leave it alone
        remote_items = [] if kind.in_folder and state.folder is None else kind.read(org)
        pairs = pair_items(desired[kind.name], moved(remote_items, moves) if kind.in_folder else remote_items)
        record_moves(pairs, moves)
        changes.extend(compare(kind, d, r) for d, r in pairs)
    marker = split_description((content or {}).get("description"))[1]
    folder_at = next((i for i, c in enumerate(changes) if c.kind == "folder"), None)
    if folder_at is not None and changes[folder_at].action == NOOP and marker is not None \
            and any(c.writes for c in changes if in_folder(c.kind)):
        changes[folder_at] = replace(changes[folder_at], action=RECORD, note="record the restored version")
    # the children's state is recorded only when the backup holds exactly what the marker's install imported:
    # then a plan of that version may trust it and say "No changes"; any other content is compared by the next plan
    as_installed = marker is not None and bool(marker.norm) and norm_hash(without_marker(content or {})) == marker.norm
    plan = Plan(app, backup.version, "restore", state.target, tuple(changes),
                org_fingerprint(org), replace(marker, state=None) if marker else None, as_installed,
                backup.token_env)
    return plan, state
