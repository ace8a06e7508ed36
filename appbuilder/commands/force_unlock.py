"""`appbuilder force-unlock PATH LOCK_ID`: release the lock a run that died left on the app's folder (like
Terraform's force-unlock). The lock is marked released, not deleted: what that run recorded it was writing stays
for the next install, which takes the lock over and does not mistake that run's half-applied items for drift."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appbuilder.deploy.lock import force_unlock
from appbuilder.deploy.session import DeployOptions, DeployOutcome, Progress, load_and_build, run_connected
from appbuilder.deploy.state import Remote


@dataclass
class ForceUnlockOutcome(DeployOutcome):
    lock_id: str = ""
    target: str | None = None
    holder: str | None = None  # who held the lock that was released

    def to_dict(self) -> dict[str, Any]:
        return self._report({"lockId": self.lock_id, "target": self.target, "holder": self.holder})


def run_force_unlock(path: Path, parameters: Mapping[str, str], options: DeployOptions, lock_id: str, *,
                     progress: Progress | None = None) -> ForceUnlockOutcome:
    """Release the lock ``lock_id`` on the app folder of the app at ``path`` (the target ``options`` name)."""
    built = load_and_build(path, parameters)
    outcome = ForceUnlockOutcome(diagnostics=built.validation.diagnostics, lock_id=lock_id)
    if built.build is None:
        return outcome
    folder = str(built.build.manifest.folder)

    def unlock(remote: Remote) -> None:
        target, _, _ = remote.locate(folder, options.folder)
        outcome.target = target.label
        outcome.holder = force_unlock(remote, target, lock_id).holder()

    run_connected(options, outcome, unlock, progress)
    return outcome
