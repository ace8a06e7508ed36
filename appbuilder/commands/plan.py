"""`appbuilder plan`: compare the built app with what is installed in Sumo, per resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appbuilder.deploy.plan import Plan, make_plan
from appbuilder.deploy.session import DeployOptions, DeployOutcome, Progress, load_and_build, run_connected
from appbuilder.deploy.state import Remote


@dataclass
class PlanOutcome(DeployOutcome):
    plan: Plan | None = None

    def to_dict(self) -> dict[str, Any]:
        return self._report(details={"plan": self.plan.to_dict()} if self.plan is not None else None)


def run_plan(path: Path, parameters: Mapping[str, str], options: DeployOptions,
             progress: Progress | None = None) -> PlanOutcome:
    """Validate, build, read the remote state and compare; never writes."""
    from appbuilder.deploy.apply import job_progress

    built = load_and_build(path, parameters)
    outcome = PlanOutcome(diagnostics=built.validation.diagnostics)
    if built.build is None:
        return outcome
    build = built.build

    def compare(remote: Remote) -> None:
        outcome.plan = make_plan(build, remote, options.folder, job_progress("export", progress),
                                 want_export=options.verify)

    run_connected(options, outcome, compare)
    return outcome
