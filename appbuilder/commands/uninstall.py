"""`appbuilder uninstall`: a destroy plan (the app folder; with --with-source the source, and the collector when
appbuilder created it and it holds no other source), shown and confirmed, backed up, then applied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from appbuilder.deploy.changes import Plan
from appbuilder.deploy.destroy import plan_uninstall, uninstall_state
from appbuilder.deploy.session import (
    Approve,
    DeployOptions,
    DeployOutcome,
    Progress,
    apply_locked,
    load_and_build,
    run_connected,
    unchanged_since,
)
from appbuilder.deploy.state import Remote, RemoteState
from appbuilder.workspace import default_backups


@dataclass
class UninstallOutcome(DeployOutcome):
    plan: Plan | None = None
    target: str | None = None
    removals: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    backup: Path | None = None
    aborted: bool = False

    reports_diagnostics: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:
        return self._report({"target": self.target, "removals": self.removals, "steps": self.steps,
                             "backup": str(self.backup) if self.backup else None, "aborted": self.aborted},
                            {"plan": self.plan.to_dict()} if self.plan is not None else None)


def run_uninstall(path: Path, parameters: Mapping[str, str], options: DeployOptions, *,
                  with_source: bool = False, approve: Approve | None = None,
                  backup_root: Path | None = None, progress: Progress | None = None) -> UninstallOutcome:
    """Remove what install made; ``approve`` (given the destroy plan) may say no; backup before delete."""
    built = load_and_build(path, parameters)
    outcome = UninstallOutcome(diagnostics=built.validation.diagnostics)
    if built.build is None:
        return outcome
    build = built.build

    def planned(remote: Remote) -> tuple[Plan, RemoteState]:
        plan, state = plan_uninstall(build, remote, options.folder, with_source)
        outcome.plan, outcome.target = plan, plan.target.label
        outcome.removals = [f"{c.kind} {c.identity!r}" for c in plan.changes if c.writes]
        return plan, state

    def uninstall(remote: Remote) -> None:
        plan, state = planned(remote)

        def replan() -> tuple[Plan, RemoteState] | None:
            fresh = uninstall_state(build, remote, options.folder, with_source)
            return None if unchanged_since(plan, remote, fresh) else planned(remote)

        apply_locked(outcome, remote, options, plan, state, approve, replan,
                     backup_root=backup_root or default_backups())

    run_connected(options, outcome, uninstall, progress)
    return outcome
