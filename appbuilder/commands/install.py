"""`appbuilder install`: plan (or load a saved plan and check the org did not change since), show it, ask, then
apply it (backup first, drift refused unless --force)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.commands.uncollected import uncollected_notes, with_notes
from appbuilder.deploy.apply import check_preconditions, resolve_token
from appbuilder.deploy.changes import Plan, load_plan
from appbuilder.deploy.fingerprint import org_fingerprint
from appbuilder.deploy.plan import install_state, plan_install
from appbuilder.deploy.session import (
    Approve,
    DeployOptions,
    DeployOutcome,
    Progress,
    apply_locked,
    load_and_build,
    run_connected,
    token_file_of,
    unchanged_since,
)
from appbuilder.deploy.state import DeployError, Remote, RemoteState
from appbuilder.kinds import Org
from appbuilder.workspace import default_backups


@dataclass
class InstallOutcome(DeployOutcome):
    plan: Plan | None = None
    dry_run: bool = False
    steps: list[str] = field(default_factory=list)
    backup: Path | None = None
    content_id: str | None = None
    aborted: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    def to_dict(self) -> dict[str, Any]:
        return self._report({"dryRun": self.dry_run, "steps": self.steps,
                             "backup": str(self.backup) if self.backup else None, "contentId": self.content_id,
                             "aborted": self.aborted},
                            {"plan": self.plan.to_dict()} if self.plan is not None else None)


def check_saved_plan(saved: Plan, fresh_fingerprint: str, content_hash: str, app: str | None = None) -> None:
    """Refuse a saved plan made for another app or build, or when the org changed since it was made."""
    if saved.purpose != "install":
        raise DeployError(f"the plan file is a {saved.purpose} plan, not an install plan")
    if app is not None and saved.app != app:
        raise DeployError(f"the plan file is a plan of the app {saved.app!r}, not of {app!r}; nothing was written",
                          hint=f"give the plan made for {app!r} (`appbuilder plan PATH --out FILE`), or the path of "
                               f"the {saved.app!r} app")
    if saved.marker is None or saved.marker.hash != content_hash:
        raise DeployError("the app definition changed since the plan was made (its content hash differs)",
                          hint="run `appbuilder plan --out FILE` again and review the new plan")
    if saved.fingerprint != fresh_fingerprint:
        raise DeployError("the Sumo org changed since the plan was made; nothing was written",
                          hint="run `appbuilder plan --out FILE` again and review the new plan")


def run_install(path: Path, parameters: Mapping[str, str], options: DeployOptions, *,
                dry_run: bool = False, force: bool = False, token_file: Path | None = None,
                backup_root: Path | None = None, progress: Progress | None = None,
                plan_file: Path | None = None, approve: Approve | None = None) -> InstallOutcome:
    """Install the app at ``path``: the plan made now, or exactly the saved ``plan_file``; ``approve`` (given
    the plan) is asked before anything is written and may say no."""
    built = load_and_build(path, parameters)
    outcome = InstallOutcome(diagnostics=built.validation.diagnostics, dry_run=dry_run)
    if built.build is None:
        return outcome
    build = built.build
    saved: Plan | None = None
    if plan_file is not None:
        try:
            saved = load_plan(plan_file)
        except ValueError as exc:
            outcome.error, outcome.hint = str(exc), "give a file written by `appbuilder plan --out FILE`"
            return outcome

    manifest = build.manifest

    def install(remote: Remote) -> None:
        token = resolve_token(manifest.token_env, token_file_of(built.app, token_file), options.env)
        if token:
            remote.client.redactor.add(token)
        notes: list[str] = []  # what stays empty while a collection parameter is off (a saved plan has its own)
        if saved is not None:
            state = install_state(build, remote, options.folder)
            outcome.plan = saved
            fresh = org_fingerprint(Org(remote, state, str(manifest.app)))
            check_saved_plan(saved, fresh, str(manifest.content_hash), str(manifest.app))
            plan = saved
        else:
            plan, state = plan_install(build, remote, options.folder, want_export=options.verify)
            notes = uncollected_notes(built.app, parameters) if built.app is not None else []
            plan = with_notes(plan, notes)
            outcome.plan = plan
        if dry_run:
            return

        def replan() -> tuple[Plan, RemoteState] | None:
            if unchanged_since(plan, remote, install_state(build, remote, options.folder)):
                return None
            if saved is not None:  # another run wrote while this one waited for the lock
                raise DeployError("the Sumo org changed since the plan was made; nothing was written",
                                  hint="run `appbuilder plan --out FILE` again and review the new plan")
            fresh, fresh_state = plan_install(build, remote, options.folder, want_export=options.verify)
            return with_notes(fresh, notes), fresh_state

        apply_locked(outcome, remote, options, plan, state, approve, replan,
                     lambda plan: check_preconditions(plan, token, force),  # refuse before asking, not after
                     token=token, force=force, backup_root=backup_root or default_backups())

    run_connected(options, outcome, install, progress)
    return outcome

