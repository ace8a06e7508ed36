"""Apply a plan in order: collector (find or create), source (create or update with If-Match), content import
with overwrite (job polled with progress), read back and record the marker. Backups come before any overwrite.

Idempotent: every create was preceded by a find-by-name in the plan, so a re-run after an interruption finds
what the interrupted run made and carries on from there.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.deploy.backup import Backup, write_backup
from appbuilder.deploy.marker import (
    collector_mark,
    compose_description,
    fingerprint,
    split_collector_description,
)
from appbuilder.deploy.plan import CREATE, DRIFTED, UNCHANGED, UPDATE, Plan
from appbuilder.deploy.state import DeployError, Remote
from appbuilder.load.textfile import read_token_file
from appbuilder.sumo.jobs import JobProgress

Progress = Callable[[str], None]


@dataclass
class ApplyResult:
    steps: list[str] = field(default_factory=list)
    backup: Backup | None = None
    content_id: str | None = None


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
        return text
    return None


def job_progress(phase: str, progress: Progress | None) -> Callable[[JobProgress], None] | None:
    if progress is None:
        return None
    return lambda p: progress(f"{phase}: {p.status or 'waiting'} (poll {p.polls}, {p.elapsed:.1f}s)")


def check_preconditions(plan: Plan, token: str | None, force: bool, token_env: str | None) -> None:
    """Refuse drift without --force and a source write without a token, before anything is written."""
    if plan.drifted and not force:
        drifted = [f"{r.kind} {r.name!r}" for r in plan.resources if r.action == DRIFTED and r.kind != "folder"]
        raise DeployError(
            f"the app folder {plan.target.label} was changed in Sumo since the last install "
            f"({', '.join(drifted) or 'unknown changes'}); installing would overwrite those changes",
            hint="run `appbuilder plan` to see them; re-run install with --force to overwrite them "
                 "(a backup of the current content is saved first)")
    source = plan.resource("source")
    if source is not None and source.action in (CREATE, UPDATE) and not token:
        verb = "create" if source.action == CREATE else "update"
        raise DeployError(
            f"the 1Password API token is needed to {verb} the source {source.name!r}, but the environment "
            f"variable {token_env or '(not named)'} is not set", hint=token_hint(token_env))


def _backup(plan: Plan, remote: Remote, root: Path, reason: str,
            progress: Progress | None) -> Backup | None:
    content = plan.content_action in (UPDATE, DRIFTED) and plan.remote.folder is not None
    source = plan.resource("source")
    source_update = source is not None and source.action == UPDATE
    if not content and not source_update:
        return None
    state = plan.remote
    exported = remote.export_folder(state, job_progress("backup export", progress)) if content else None
    extra = {"version": plan.version, "contentId": state.folder_id,
             "tokenEnv": plan.build.manifest.get("tokenEnv")}
    if state.collector is not None:
        extra["collector"] = {"id": state.collector.get("id"), "name": state.collector.get("name")}
    target = {**plan.target.to_dict(), "parentPath": remote.folder_path(state)}
    return write_backup(root, plan.app, reason, target, content=exported,
                        source=state.source if source_update else None,
                        collector=state.collector if source_update else None, extra=extra,
                        redactor=remote.client.redactor)


def _apply_collector(plan: Plan, remote: Remote, result: ApplyResult) -> Any:
    state = plan.remote
    res = plan.resource("collector")
    if res is None or plan.build.collector is None:
        return None
    desired = copy.deepcopy(plan.build.collector["collector"])
    if res.action == CREATE:
        desired["description"] = " ".join(x for x in (desired.get("description"), collector_mark(plan.app)) if x)
        state.collector = remote.collectors.create(desired)
        result.steps.append(f"created collector {res.name!r} (id {state.collector.get('id')})")
    elif res.action == UPDATE and state.collector is not None:
        _, created_by = split_collector_description(state.collector.get("description"))
        if created_by:
            desired["description"] = " ".join(x for x in (desired.get("description"), collector_mark(created_by))
                                              if x)
        state.collector = remote.collectors.update(state.collector["id"], desired)
        result.steps.append(f"updated collector {res.name!r}")
    return state.collector["id"] if state.collector else None


def _apply_source(plan: Plan, remote: Remote, collector_id: Any, token: str | None, result: ApplyResult) -> None:
    res = plan.resource("source")
    if res is None or plan.build.source is None or res.action == UNCHANGED:
        return
    body = copy.deepcopy(plan.build.source["source"])
    body["config"]["api_token"] = token
    state = plan.remote
    if res.action == CREATE:
        state.source = remote.sources.create(collector_id, body)
        result.steps.append(f"created source {res.name!r} (id {state.source.get('id')})")
    elif state.source is not None:
        state.source = remote.sources.update(collector_id, state.source["id"], body)
        result.steps.append(f"updated source {res.name!r} ({len(res.changes)} field(s))")


def _record(plan: Plan, remote: Remote, folder_id: str, folder: dict[str, Any]) -> None:
    state = fingerprint(list(folder.get("children") or []))
    description = compose_description(plan.kept_description, plan.marker.with_state(state))
    remote.folders.update(folder_id, str(folder.get("name") or plan.target.folder_name), description,
                          admin=remote.admin or None)


def _apply_content(plan: Plan, remote: Remote, result: ApplyResult, progress: Progress | None) -> None:
    admin = remote.admin or None
    if plan.content_action == "record" and plan.remote.folder is not None:
        folder_id = str(plan.remote.folder["id"])
        _record(plan, remote, folder_id, plan.remote.folder)
        result.content_id = folder_id
        result.steps.append(f"recorded the installed version in {plan.target.label}")
        return
    if plan.content_action == UNCHANGED:
        result.content_id = plan.remote.folder_id
        return
    parent_id = plan.target.parent_id
    if parent_id is None:
        raise DeployError(f"the target folder {plan.target.parent_path} does not exist")
    imported = remote.content.import_content(parent_id, plan.import_definition, overwrite=True, admin=admin,
                                             progress=job_progress("import", progress))
    result.content_id = imported.content_id
    folder = remote.folders.get(imported.content_id, admin=admin)
    wanted = {str(c.get("name")) for c in plan.import_definition.get("children") or []}
    found = {str(c.get("name")) for c in folder.get("children") or []}
    if wanted != found:
        missing = ", ".join(sorted(wanted - found)) or "-"
        raise DeployError(f"the import finished but the folder does not hold what was imported "
                          f"(missing: {missing})", hint="run install again; if it persists, check the Sumo UI")
    _record(plan, remote, imported.content_id, folder)
    verb = "created" if plan.content_action == CREATE else "replaced"
    result.steps.append(f"{verb} {plan.target.label} ({len(wanted)} items, id {imported.content_id})")


def apply_plan(plan: Plan, remote: Remote, *, token: str | None = None, force: bool = False,
               backup_root: Path = Path("backups"), progress: Progress | None = None) -> ApplyResult:
    """Make Sumo match the plan. Raises DeployError/SumoError; ``result`` so far is attached as ``.result``."""
    check_preconditions(plan, token, force, plan.build.manifest.get("tokenEnv"))
    if token:
        remote.client.redactor.add(token)
    result = ApplyResult()
    try:
        result.backup = _backup(plan, remote, backup_root, "install --force" if plan.drifted else "install",
                                progress)
        if result.backup is not None and progress:
            progress(f"backup saved in {result.backup.path}")
        collector_id = _apply_collector(plan, remote, result)
        _apply_source(plan, remote, collector_id, token, result)
        _apply_content(plan, remote, result, progress)
    except Exception as exc:
        exc.result = result  # type: ignore[attr-defined]
        raise
    return result
