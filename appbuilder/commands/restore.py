"""`appbuilder restore BACKUP_DIR`: a plan towards the backup's state (content items updated in place or
re-created, the source re-applied with the token from the environment), shown, confirmed, backed up, applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from appbuilder.deploy.apply import resolve_token
from appbuilder.deploy.backup import read_backup
from appbuilder.deploy.backup_check import check_backup_dir
from appbuilder.deploy.changes import Plan
from appbuilder.deploy.destroy import plan_restore, restore_state
from appbuilder.deploy.session import (
    Approve,
    DeployOptions,
    DeployOutcome,
    Progress,
    apply_locked,
    run_connected,
    unchanged_since,
)
from appbuilder.deploy.state import Remote, RemoteState
from appbuilder.workspace import default_backups


@dataclass
class RestoreOutcome(DeployOutcome):
    source_backup: Path | None = None
    plan: Plan | None = None
    steps: list[str] = field(default_factory=list)
    backup: Path | None = None  # what was there before the restore
    content_id: str | None = None
    aborted: bool = False

    reports_diagnostics: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:
        return self._report({"restoredFrom": str(self.source_backup), "steps": self.steps,
                             "backup": str(self.backup) if self.backup else None, "contentId": self.content_id,
                             "aborted": self.aborted},
                            {"plan": self.plan.to_dict()} if self.plan is not None else None)


def run_restore(backup_dir: Path, options: DeployOptions, *, token_file: Path | None = None,
                backup_root: Path | None = None, progress: Progress | None = None,
                approve: Approve | None = None) -> RestoreOutcome:
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
        outcome.error = str(exc)
        outcome.hint = "give a backup directory, as printed by install, uninstall or restore ('backup saved in …')"
        return outcome
    if backup.target.get("admin"):
        options.admin_mode = True

    def restore(remote: Remote) -> None:
        token = resolve_token(backup.token_env, token_file, options.env)
        if token:
            remote.client.redactor.add(token)
        plan, state = plan_restore(backup, remote)
        outcome.plan = plan

        def replan() -> tuple[Plan, RemoteState] | None:
            unchanged = unchanged_since(plan, remote, restore_state(backup, remote))
            return None if unchanged else plan_restore(backup, remote)

        apply_locked(outcome, remote, options, plan, state, approve, replan, token=token,
                     backup_root=backup_root or default_backups())

    run_connected(options, outcome, restore, progress)
    return outcome
