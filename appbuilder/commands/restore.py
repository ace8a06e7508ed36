"""`appbuilder restore BACKUP_DIR`: import a backup's content back (overwrite) into the folder it came from,
and re-apply its source configuration (token from the environment) when the backup has one."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from appbuilder.deploy.apply import job_progress, resolve_token, token_hint
from appbuilder.deploy.backup import Backup, read_backup, write_backup
from appbuilder.deploy.backup_check import check_backup_dir
from appbuilder.deploy.session import DeployOptions, DeployOutcome, Progress, run_connected
from appbuilder.deploy.state import DeployError, Remote
from appbuilder.sumo.collectors import normalise_collector
from appbuilder.sumo.errors import SumoApiError
from appbuilder.sumo.sources import normalise_source, source_name


@dataclass
class RestoreOutcome(DeployOutcome):
    source_backup: Path | None = None
    steps: list[str] = field(default_factory=list)
    backup: Path | None = None  # what was there before the restore
    content_id: str | None = None

    reports_diagnostics: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:
        return self._report({"restoredFrom": str(self.source_backup), "steps": self.steps,
                             "backup": str(self.backup) if self.backup else None, "contentId": self.content_id})


def _parent(remote: Remote, target: dict[str, Any]) -> dict[str, Any]:
    """The parent folder (with children): by id, else by its recorded path."""
    admin = remote.admin or None
    if target.get("parentId"):
        try:
            return remote.folders.get(str(target["parentId"]), admin=admin)
        except SumoApiError as exc:
            if not exc.is_not_found:
                raise
    found = remote.folders.by_path(str(target["parentPath"]), admin=admin) if target.get("parentPath") else None
    if found is None:
        raise DeployError(f"the folder the backup came from ({target.get('parentPath') or target.get('parentId')})"
                          " no longer exists", hint="recreate it in the Sumo Logic Library, then restore again")
    return remote.folders.get(str(found["id"]), admin=admin)


def _restore_source(backup: Backup, remote: Remote, token: str, outcome: RestoreOutcome) -> None:
    saved_source, saved_collector = backup.source or {}, backup.collector or {}
    name = str(saved_collector.get("name") or (backup.manifest.get("collector") or {}).get("name") or "")
    collector = remote.collectors.find_by_name(name) if name else None
    if collector is None:
        if not saved_collector:
            raise DeployError("the backup has a source but no collector to put it in")
        collector = remote.collectors.create(normalise_collector(saved_collector))
        outcome.steps.append(f"created collector {name!r}")
    body = copy.deepcopy(normalise_source(saved_source))
    body.setdefault("config", {})["api_token"] = token
    existing = remote.sources.find_by_name(collector["id"], source_name(saved_source))
    if existing is None:
        remote.sources.create(collector["id"], body)
        outcome.steps.append(f"created source {source_name(saved_source)!r} from the backup")
    else:
        remote.sources.update(collector["id"], existing["id"], body)
        outcome.steps.append(f"restored source {source_name(saved_source)!r}")


def run_restore(backup_dir: Path, options: DeployOptions, *, token_file: Path | None = None,
                backup_root: Path = Path("backups"), progress: Progress | None = None) -> RestoreOutcome:
    """Put a backup back; what is there now is backed up first."""
    outcome = RestoreOutcome(source_backup=backup_dir)
    problems = check_backup_dir(backup_dir)  # checked locally before anything is sent
    if problems:
        outcome.error = "; ".join(f"{p.position}: {p.message}" for p in problems)
        outcome.hint = problems[0].hint
        return outcome
    try:
        backup = read_backup(backup_dir)
    except ValueError as exc:
        outcome.error, outcome.hint = str(exc), "give a directory printed by install --force or uninstall"
        return outcome
    target = backup.manifest["target"]
    if target.get("admin"):
        options.admin_mode = True

    def restore(remote: Remote) -> None:
        token = None
        if backup.source is not None:
            env_name = backup.manifest.get("tokenEnv")
            token = resolve_token(env_name, token_file, options.env)
            if not token:
                raise DeployError(f"restoring the source needs the 1Password API token, but the environment "
                                  f"variable {env_name or '(not named)'} is not set", hint=token_hint(env_name))
            remote.client.redactor.add(token)
        content = backup.content
        if content is not None:
            parent = _parent(remote, target)
            existing = next((c for c in parent.get("children") or [] if c.get("name") == content.get("name")),
                            None)
            if existing is not None:
                current = remote.content.export_content(str(existing["id"]), admin=remote.admin or None,
                                                        progress=job_progress("backup export", progress))
                saved = write_backup(backup_root, str(backup.manifest.get("app") or "app"), "restore",
                                     {**target, "parentId": str(parent["id"])}, content=current,
                                     extra={"restoredFrom": str(backup_dir)}, redactor=remote.client.redactor)
                outcome.backup = saved.path
        if token is not None:
            _restore_source(backup, remote, token, outcome)
        if content is not None:
            result = remote.content.import_content(str(parent["id"]), content, overwrite=True,
                                                   admin=remote.admin or None,
                                                   progress=job_progress("import", progress))
            outcome.content_id = result.content_id
            where = target.get("parentPath") or "its folder"
            outcome.steps.append(f"restored {content.get('name')!r} into {where}")

    run_connected(options, outcome, restore)
    return outcome
