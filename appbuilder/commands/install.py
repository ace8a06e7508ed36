"""`appbuilder install`: plan, then apply (backup first, drift refused unless --force)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.deploy.apply import ApplyResult, apply_plan, job_progress, resolve_token
from appbuilder.deploy.plan import Plan, make_plan
from appbuilder.deploy.session import (
    DeployOptions,
    DeployOutcome,
    Progress,
    load_and_build,
    run_connected,
    token_file_of,
)
from appbuilder.deploy.state import Remote
from appbuilder.sumo.errors import SumoError


@dataclass
class InstallOutcome(DeployOutcome):
    plan: Plan | None = None
    dry_run: bool = False
    steps: list[str] = field(default_factory=list)
    backup: Path | None = None
    content_id: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    def to_dict(self) -> dict[str, Any]:
        return self._report({"dryRun": self.dry_run, "steps": self.steps,
                             "backup": str(self.backup) if self.backup else None, "contentId": self.content_id},
                            {"plan": self.plan.to_dict()} if self.plan is not None else None)


def run_install(path: Path, parameters: Mapping[str, str], options: DeployOptions, *,
                dry_run: bool = False, force: bool = False, token_file: Path | None = None,
                backup_root: Path = Path("backups"), progress: Progress | None = None) -> InstallOutcome:
    """Install the app at ``path``: collector, source (token from the manifest's ``tokenEnv``), content."""
    built = load_and_build(path, parameters)
    outcome = InstallOutcome(diagnostics=built.validation.diagnostics, dry_run=dry_run)
    if built.build is None:
        return outcome
    build = built.build

    def install(remote: Remote) -> None:
        try:
            token = resolve_token(build.manifest.get("tokenEnv"), token_file_of(built.app, token_file), options.env)
            if token:
                remote.client.redactor.add(token)
            outcome.plan = make_plan(build, remote, options.folder, job_progress("export", progress),
                                     want_export=options.verify)
            if not dry_run:
                result = apply_plan(outcome.plan, remote, token=token, force=force, backup_root=backup_root,
                                    progress=progress)
                _take(outcome, result)
        except SumoError as exc:
            partial = getattr(exc, "result", None)
            if isinstance(partial, ApplyResult):  # what was done before the failure is still reported
                _take(outcome, partial)
            raise

    run_connected(options, outcome, install)
    return outcome


def _take(outcome: InstallOutcome, result: ApplyResult) -> None:
    outcome.steps = result.steps
    outcome.backup = result.backup.path if result.backup else None
    outcome.content_id = result.content_id
