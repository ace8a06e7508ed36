"""`appbuilder plan`: compare the built app with what is installed in Sumo, per resource."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.deploy.plan import Plan, make_plan
from appbuilder.deploy.session import DeployOptions, load_and_build, open_remote
from appbuilder.diagnostics import Diagnostic
from appbuilder.sumo.errors import SumoError

Progress = Callable[[str], None]


@dataclass
class DeployOutcome:
    """Shared by the deploy commands: validation problems, or an error (message + hint), and call counts."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    hint: str = ""
    calls: dict[str, Any] = field(default_factory=dict)

    @property
    def invalid(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.invalid


@dataclass
class PlanOutcome(DeployOutcome):
    plan: Plan | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "calls": self.calls}
        if self.plan is not None:
            out["plan"] = self.plan.to_dict()
        if self.error:
            out["error"] = {"message": self.error, "hint": self.hint}
        if self.invalid:
            out["diagnostics"] = [d.to_dict() for d in self.diagnostics]
        return out


def fail(outcome: DeployOutcome, exc: SumoError, redact: Callable[[str], str] | None = None) -> None:
    clean = redact or (lambda s: s)
    outcome.error = clean(exc.message)
    outcome.hint = clean(exc.hint)


def run_plan(path: Path, parameters: Mapping[str, str], options: DeployOptions,
             progress: Progress | None = None) -> PlanOutcome:
    """Validate, build, read the remote state and compare; never writes."""
    from appbuilder.deploy.apply import job_progress

    built = load_and_build(path, parameters)
    outcome = PlanOutcome(diagnostics=built.validation.diagnostics)
    if built.build is None:
        return outcome
    try:
        remote = open_remote(options)
    except SumoError as exc:
        fail(outcome, exc)
        return outcome
    with remote.client:
        try:
            outcome.plan = make_plan(built.build, remote, options.folder, job_progress("export", progress))
        except SumoError as exc:
            fail(outcome, exc, remote.client.redactor.redact)
        outcome.calls = remote.client.stats.as_dict()
    return outcome
