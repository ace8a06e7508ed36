"""Apply: execute a plan's changes as they are, never re-deciding: one backup of everything about to be
overwritten or removed, then creates and updates (kinds in ascending order), deletes (descending), and last
one write of the folder (its own change and the install marker together).

A fresh install (the folder is created) imports the folder with all its items in one job, the cheapest way;
afterwards every item is written through its kind's own API, so ids, links and permissions stay. Likewise a
kind that ``holds`` another (the monitor folder) is created with its new items in one call, and deleting it
removes its items.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.deploy.backup import Backup, write_backup
from appbuilder.deploy.changes import CREATE, DELETE, DRIFTED, UPDATE, Plan, ResourceChange
from appbuilder.deploy.marker import compose_description, fingerprint
from appbuilder.deploy.nested import creation_order, deletion_order, tree_of
from appbuilder.deploy.state import DeployError, Remote, RemoteState
from appbuilder.kinds import Item, Org, in_folder, kind
from appbuilder.kinds.folder import FolderKind
from appbuilder.kinds.tree import listed_by_path, listing
from appbuilder.load.textfile import read_token_file
from appbuilder.sumo.errors import SumoError

RISKY = frozenset({UPDATE, DELETE, DRIFTED})
OWN_FILES = frozenset({"folder", "source", "collector"})  # kinds with a file of their own in a backup


@dataclass
class ApplyResult:
    steps: list[str] = field(default_factory=list)
    backup: Backup | None = None
    content_id: str | None = None
    writes: int = 0
    landed: list[str] = field(default_factory=list)  # the changes written ("kind 'identity'")
    current: list[str] = field(default_factory=list)  # the changes being written (a failed call may have landed)

    def start(self, org: Org, *changes: ResourceChange) -> None:
        """Before writing ``changes``: the lock's check (``Org.before_write``), and note what is under way."""
        if org.before_write is not None:
            org.before_write()
        self.current = [label(c) for c in changes]

    def done(self, *changes: ResourceChange) -> None:
        self.landed.extend(label(c) for c in changes)
        self.current = []

    def gave_up(self, plan: Plan) -> str:
        """What landed and what did not, for the message of an apply that stopped part way."""
        planned = [label(c) for c in plan.changes if c.writes]
        rest = [p for p in planned if p not in self.landed and p not in self.current]
        parts = [f"landed: {', '.join(self.landed) or 'nothing'}"]
        if self.current:
            parts.append(f"may or may not have landed: {', '.join(self.current)}")
        parts.append(f"not written: {', '.join(rest) or 'nothing'}")
        return "; ".join(parts)


def label(change: ResourceChange) -> str:
    return f"{change.kind} {change.identity!r}"


def token_hint(env_name: str | None) -> str:
    where = f"export {env_name}=<token>" if env_name else "set the token's environment variable"
    return (f"{where} with the 1Password Events Reporting bearer token (1Password: Integrations > Events "
            "Reporting), or pass --token-file FILE; the token is never written to disk or shown")


def resolve_token(env_name: str | None, token_file: Path | None = None,
                  env: Mapping[str, str] | None = None) -> str | None:
    """The API token from the environment variable, else from a token file; None when neither has one."""
    environ = os.environ if env is None else env
    if env_name and environ.get(env_name, "").strip():
        return environ[env_name].strip()
    if token_file is not None:
        text, problem = read_token_file(token_file)
        if problem is not None:
            raise DeployError(f"cannot read the token file {problem.position}: {problem.message}",
                              hint=problem.hint)
        if text is None:
            raise DeployError(f"the token file {token_file} is empty", hint=token_hint(env_name))
        return text
    return None


def effective(change: ResourceChange) -> str:
    """What executing a change does: a drifted change overwrites (create, update or delete by its sides)."""
    if change.action != DRIFTED:
        return change.action
    if change.before is None:
        return CREATE
    return DELETE if change.after is None else UPDATE


def check_preconditions(plan: Plan, token: str | None, force: bool) -> None:
    """Refuse drift without --force and a source write without a token, before anything is written."""
    if plan.drifted and not force:
        drifted = [f"{c.kind} {c.identity!r}" for c in plan.changes if c.action == DRIFTED]
        raise DeployError(
            f"the app folder {plan.target.label} was changed in Sumo since the last install "
            f"({', '.join(drifted)}); installing would overwrite those changes",
            hint="run `appbuilder plan` to see them; re-run install with --force to overwrite them "
                 "(a backup of the current content is saved first)")
    for change in plan.changes:
        if change.kind == "source" and effective(change) in (CREATE, UPDATE) and not token:
            verb = "create" if effective(change) == CREATE else "update"
            raise DeployError(
                f"the 1Password API token is needed to {verb} the source {change.identity!r}, but the environment "
                f"variable {plan.token_env or '(not named)'} is not set (or is empty)", hint=token_hint(plan.token_env))


def backup_before(plan: Plan, org: Org, root: Path, reason: str) -> Backup | None:
    """One backup of everything the plan overwrites or removes (bodies as the org had them, secrets masked)."""
    risky = [c for c in plan.changes if c.action in RISKY and c.before is not None]
    if not risky:
        return None
    state = org.state
    content = None
    if state.folder is not None and any(in_folder(c.kind) or c.kind == "folder" for c in risky):
        children = tree_of(plan.changes, "before")
        content = {"type": "FolderSyncDefinition", "name": str(state.folder.get("name")),
                   "description": str(state.folder.get("description") or ""), "children": children}
    source = next((c.before for c in risky if c.kind == "source"), None)
    collector = state.collector if any(c.kind in ("source", "collector") for c in risky) else None
    extra: dict[str, Any] = {"version": plan.version, "contentId": state.folder_id, "tokenEnv": plan.token_env}
    if state.collector is not None:
        extra["collector"] = {"id": state.collector.get("id"), "name": state.collector.get("name")}
    # every item of a kind with something at risk, as the folder's content holds every child: a restore brings
    # the whole kind back to this state, and what the backup does not hold is what did not exist
    kinds = {c.kind for c in risky if c.kind not in OWN_FILES and not in_folder(c.kind)}
    items = [{"kind": c.kind, "identity": c.renamed_from or c.identity, "body": c.before} for c in plan.changes
             if c.kind in kinds and c.before is not None]
    target = {**plan.target.to_dict(), "parentPath": org.remote.folder_path(state)}
    return write_backup(root, plan.app, reason, target, content=content, source=source, collector=collector,
                        extra=extra, redactor=org.remote.client.redactor, items=items)


def _item(change: ResourceChange, side: str) -> Item:
    body = change.before if side == "before" else change.after
    identity = change.renamed_from if side == "before" and change.renamed_from else change.identity
    return Item(change.kind, identity, dict(body or {}), dict(change.ref))


def _describe(change: ResourceChange, action: str, ref: dict[str, str]) -> str:
    what = f"{change.kind} {change.identity!r}"
    if action == CREATE:
        ids = ", ".join(f"{k} {v}" for k, v in sorted(ref.items()) if v and k != "createdBy")
        return f"created {what}" + (f" ({ids})" if ids else "")
    if action == DELETE:
        return f"removed {what}"
    if change.renamed_from:
        return f"renamed {change.kind} {change.renamed_from!r} to {change.identity!r} (same ids)"
    return f"updated {what} ({len(change.changes)} field(s), same ids)"


def _fresh_folder(plan: Plan, org: Org, folder: ResourceChange, result: ApplyResult) -> None:
    """Import the folder and its items in one job, check what arrived, record the marker."""
    items = [c for c in plan.changes if in_folder(c.kind) and effective(c) == CREATE and c.after is not None]
    definition = {"type": "FolderSyncDefinition", "name": folder.identity,
                  "description": _description(plan, folder, None), "children": tree_of(items, "after")}
    result.start(org, folder, *items)
    folder_id = FolderKind().import_tree(org, definition)
    result.done(*items)
    result.content_id = folder_id
    missing = sorted({c.identity for c in items} - set(listing(org, fresh=True)))
    if missing:
        raise DeployError(f"the import finished but the folder does not hold what was imported "
                          f"(missing: {', '.join(missing)})",
                          hint="run install again; if it persists, check the Sumo UI")
    result.steps.append(f"created {plan.target.label} ({len(items)} items, id {folder_id})")
    _record(plan, org, folder, result, reread=False)


def _description(plan: Plan, folder: ResourceChange, children: list[dict[str, Any]] | None) -> str:
    kept = str((folder.after or {}).get("description") or "")
    if plan.marker is None:
        return kept
    state = fingerprint(children) if children is not None and plan.record_state else None
    return compose_description(kept, plan.marker.with_state(state))


def _record(plan: Plan, org: Org, folder: ResourceChange, result: ApplyResult, reread: bool = True) -> None:
    """One write of the folder: its name and description with the marker (state as Sumo lists it now)."""
    folder_id = org.state.folder_id
    if folder_id is None:
        return
    if reread:
        org.state.folder = org.remote.folders.get(folder_id, admin=org.admin)
    children = listed_by_path(org, fresh=reread)
    after = Item("folder", folder.identity, {"name": folder.identity,
                                             "description": _description(plan, folder, children)})
    result.start(org, folder)
    kind("folder").update(org, Item("folder", folder.identity, {}, {"contentId": folder_id}), after)
    result.done(folder)
    result.content_id = folder_id
    if folder.action in (UPDATE, DRIFTED):
        result.steps.append(f"updated folder {folder.identity!r} ({len(folder.changes)} field(s), same ids)")
    elif plan.marker is not None and reread:
        result.steps.append(f"recorded the installed version in {plan.target.label}")


def execute(plan: Plan, org: Org, result: ApplyResult) -> None:
    """Run the plan's writes in order (see the module docstring)."""
    folder = plan.resource("folder")
    folder_action = effective(folder) if folder is not None and folder.writes else None
    ups = creation_order(c for c in plan.changes
                         if c.writes and c.kind != "folder" and effective(c) in (CREATE, UPDATE))
    downs = deletion_order(c for c in plan.changes if c.writes and c.kind != "folder" and effective(c) == DELETE)
    ups, downs = _without_held(plan, ups, CREATE), _without_held(plan, downs, DELETE)
    for change in ups:
        if folder_action == CREATE and in_folder(change.kind):
            continue  # imported with the folder
        if folder_action == CREATE and kind(change.kind).order > kind("folder").order:
            break
        _run(change, org, result, plan)
    if folder is not None and folder_action == CREATE:
        _fresh_folder(plan, org, folder, result)
        for change in ups:
            if not in_folder(change.kind) and kind(change.kind).order > kind("folder").order:
                _run(change, org, result, plan)
    for change in downs:
        if folder_action == DELETE and in_folder(change.kind):
            continue  # removed with the folder
        _run(change, org, result, plan)
    if folder is None or folder_action is None or folder_action == CREATE:
        return
    if folder_action == DELETE:
        result.start(org, folder)
        kind("folder").delete(org, _item(folder, "before"))
        result.done(folder)
        result.steps.append(f"removed folder {plan.target.label}")
        return
    _record(plan, org, folder, result)


def _held(plan: Plan, holder: ResourceChange, action: str) -> list[ResourceChange]:
    """The changes of the items ``holder`` holds that go with its own ``action`` (create or delete)."""
    holds = kind(holder.kind).holds
    if not holds or effective(holder) != action:
        return []
    return [c for c in plan.changes if c.kind == holds and c.writes and effective(c) == action]


def _without_held(plan: Plan, changes: list[ResourceChange], action: str) -> list[ResourceChange]:
    """``changes`` less those made by their holder's create or delete (e.g. monitors with their folder)."""
    held = {id(c) for holder in plan.changes if holder.writes for c in _held(plan, holder, action)}
    return [c for c in changes if id(c) not in held]


def _run(change: ResourceChange, org: Org, result: ApplyResult, plan: Plan) -> None:
    handler = kind(change.kind)
    action = effective(change)
    ref: dict[str, str] = {}
    refs: dict[str, dict[str, str]] = {}
    held = _held(plan, change, action)
    result.start(org, change, *held)
    if action == CREATE and held:
        ref, refs = handler.create_with(org, _item(change, "after"), [_item(c, "after") for c in held])
    elif action == CREATE:
        ref = handler.create(org, _item(change, "after"))
    elif action == UPDATE:
        ref = handler.update(org, _item(change, "before"), _item(change, "after"))
    elif action == DELETE:
        handler.delete(org, _item(change, "before"))
    result.done(change, *held)
    result.steps.append(_describe(change, action, ref))
    for item in held:
        result.steps.append(f"{_describe(item, action, refs.get(item.identity, {}))} (with its {change.kind})")


def apply_plan(plan: Plan, remote: Remote, state: RemoteState, *, token: str | None = None, force: bool = False,
               backup_root: Path = Path("backups"), before_write: Callable[[], None] | None = None) -> ApplyResult:
    """Make Sumo match the plan (retries and job polls are reported by ``remote.client``); ``before_write`` is
    called before every write (the lock's renewal). Raises DeployError/SumoError (its message then says what
    landed and what did not) or KeyboardInterrupt; the ``result`` so far is attached to it as ``.result``."""
    check_preconditions(plan, token, force)
    if token:
        remote.client.redactor.add(token)
    org = Org(remote, state, plan.app, token, before_write)
    result = ApplyResult()
    try:
        if plan.changed:
            reason = f"{plan.purpose} --force" if plan.drifted else plan.purpose
            result.backup = backup_before(plan, org, backup_root, reason)
        execute(plan, org, result)
        if result.content_id is None:
            result.content_id = state.folder_id
    except BaseException as exc:  # also Ctrl-C: what was done so far is still reported
        if isinstance(exc, SumoError):
            exc.message = f"{exc.message} (apply stopped part way: {result.gave_up(plan)})"
        exc.result = result  # type: ignore[attr-defined]
        raise
    return result
