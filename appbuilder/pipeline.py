"""One walk down the pipeline for every command: load → validate (and check ``--param``) → build.

Each command stops where it needs to (``until``): ``validate`` stops after validation, ``test`` too (it runs the
queries itself on the samples read here), ``build`` / ``plan`` / ``install`` go on to the build. Problems of
every stage are collected in one ``ValidationResult``; nothing is raised, printed or written here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from appbuilder.diagnostics import Diagnostic
from appbuilder.model import App
from appbuilder.parameters import resolve
from appbuilder.validate import ValidationResult, check_loaded, load_checked

if TYPE_CHECKING:
    from appbuilder.build import BuildResult

Stage = Literal["validate", "build"]


@dataclass
class PipelineResult:
    """What the pipeline produced: the validation (app + every problem), the parameter values, the build."""

    validation: ValidationResult
    parameters: dict[str, str] = field(default_factory=dict)
    build: BuildResult | None = None

    @property
    def app(self) -> App | None:
        return self.validation.app

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.validation.diagnostics

    @property
    def ok(self) -> bool:
        """No error in any stage that ran (and the build exists when it was asked for)."""
        return self.validation.ok


def run_pipeline(path: str | Path, parameters: Mapping[str, str] | None = None, *, until: Stage = "build",
                 lint_queries: bool = True) -> PipelineResult:
    """Load the app at ``path``, validate it and the given ``--param`` values, and build it when ``until`` is
    ``"build"`` and nothing is wrong. Never raises for bad input."""
    validation = check_loaded(load_checked(path), lint_queries=lint_queries)
    result = PipelineResult(validation)
    if validation.app is None:
        return result
    resolved = resolve(validation.app, parameters or {})
    result.parameters = resolved.values
    validation.add(resolved.diagnostics)
    if until == "build" and validation.ok:
        from appbuilder.build import build_resolved  # imported here: validate and test never build

        result.build = build_resolved(validation.app, resolved.values)  # checked above: not resolved again
    return result
