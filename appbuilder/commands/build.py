"""`appbuilder build`: validate, then write the Sumo content JSON, source JSON and manifest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from appbuilder.build import BuildResult, build_app, write_build
from appbuilder.diagnostics import InputError
from appbuilder.validate import ValidationResult, validate_app


@dataclass
class BuildOutcome:
    validation: ValidationResult
    result: BuildResult | None = None
    written: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result is not None


def run_build(path: Path, out_dir: Path | None, parameters: Mapping[str, str]) -> BuildOutcome:
    """Validate the app at ``path``; when valid, build it into ``out_dir`` (default ``dist/<app dir>``)."""
    validation = validate_app(path)
    outcome = BuildOutcome(validation)
    if not validation.ok or validation.app is None:
        return outcome
    try:
        result = build_app(validation.app, parameters)
    except InputError as exc:
        validation.diagnostics.extend(exc.diagnostics)
        return outcome
    target = out_dir or Path("dist") / validation.app.root.resolve().name
    outcome.result = result
    outcome.written = write_build(result, target)
    return outcome
