"""`appbuilder plan`: compare the built app with what is installed in Sumo, per resource; optionally save the
plan (``--out``) for ``install --plan`` to apply exactly."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appbuilder.commands.uncollected import uncollected_notes, with_notes
from appbuilder.deploy.plan import Plan, plan_install
from appbuilder.deploy.session import DeployOptions, DeployOutcome, Progress, load_and_build, run_connected
from appbuilder.deploy.state import Remote


@dataclass
class PlanOutcome(DeployOutcome):
    plan: Plan | None = None
    saved: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        details: dict[str, Any] = {"plan": self.plan.to_dict()} if self.plan is not None else {}
        if self.saved is not None:
            details["savedTo"] = str(self.saved)
        return self._report(details=details or None)


def run_plan(path: Path, parameters: Mapping[str, str], options: DeployOptions,
             progress: Progress | None = None, out: Path | None = None) -> PlanOutcome:
    """Validate, build, read the remote state and compare; never writes to Sumo. ``out`` saves the plan."""
    built = load_and_build(path, parameters)
    outcome = PlanOutcome(diagnostics=built.validation.diagnostics)
    if built.build is None:
        return outcome
    build = built.build
    notes = uncollected_notes(built.app, parameters) if built.app is not None else []

    def compare(remote: Remote) -> None:
        plan, _ = plan_install(build, remote, options.folder, want_export=options.verify)
        outcome.plan = with_notes(plan, notes)
        if out is not None:
            try:
                outcome.plan.save(out)
            except OSError as exc:
                outcome.error = f"cannot write the plan to {out}: {exc.strerror}"
                outcome.hint = "choose a writable path for --out"
                return
            outcome.saved = out

    run_connected(options, outcome, compare, progress)
    return outcome
