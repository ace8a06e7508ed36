"""`appbuilder build`: validate, then write the Sumo content JSON, source JSON and manifest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from appbuilder.build import BuildResult, write_build
from appbuilder.diagnostics import Diagnostic
from appbuilder.model import Position
from appbuilder.pipeline import run_pipeline
from appbuilder.validate import ValidationResult
from appbuilder.workspace import default_dist, make_ignored_dir


@dataclass
class BuildOutcome:
    validation: ValidationResult
    result: BuildResult | None = None
    written: list[Path] = field(default_factory=list)
    target: Path | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None and self.validation.ok


def output_problem(target: Path, *, directory: bool) -> Diagnostic | None:
    """Why ``target`` cannot be written (a file where a directory is needed, or the reverse), or None."""
    wanted = "a directory" if directory else "a file"
    for parent in [target, *target.parents] if directory else [*target.parents]:
        if parent.exists() and not parent.is_dir():
            return Diagnostic(Position(str(target)), f"cannot write {wanted} here: '{parent}' is a file",
                              code="output-path", hint="choose another -o path")
    if not directory and target.is_dir():
        return Diagnostic(Position(str(target)), "cannot write the report: this is a directory",
                          code="output-path", hint="give a file name, e.g. -o test-report.xml")
    return None


def run_build(path: Path, out_dir: Path | None, parameters: Mapping[str, str]) -> BuildOutcome:
    """Validate the app at ``path``; when valid, build it into ``out_dir`` (default ``.appbuilder/dist/<app dir>``,
    see ``appbuilder.workspace``).
    Nothing is written unless everything is valid."""
    pipeline = run_pipeline(path, parameters)
    outcome = BuildOutcome(pipeline.validation)
    if not pipeline.ok or pipeline.build is None or pipeline.app is None:
        return outcome
    target = out_dir or default_dist(pipeline.app.root)
    outcome.target = target
    problem = output_problem(target, directory=True)
    if problem is None:
        try:
            if out_dir is None:  # the default place: kept out of git
                make_ignored_dir(target.parent)
            outcome.written = write_build(pipeline.build, target)
        except OSError as exc:
            problem = Diagnostic(Position(str(exc.filename or target)), f"cannot write the build: "
                                 f"{exc.strerror or exc}", code="output-path",
                                 hint="check that the -o directory is writable")
    if problem is not None:
        pipeline.validation.add([problem])
        return outcome
    outcome.result = pipeline.build
    return outcome
