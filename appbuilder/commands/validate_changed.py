"""`appbuilder validate-changed FILE...`: validate every app that owns one of the given files (for pre-commit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from appbuilder.diagnostics import Diagnostic
from appbuilder.pipeline import run_pipeline
from appbuilder.validate import ValidationResult

APP_FILE = "app.yaml"


@dataclass
class ChangedOutcome:
    """One validation per app directory owning a changed file, in path order."""

    results: dict[Path, ValidationResult] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results.values())

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for r in self.results.values() for d in r.diagnostics]


def owning_app(path: Path) -> Path | None:
    """The nearest directory at or above ``path`` holding an app.yaml, or None."""
    start = path if path.is_dir() else path.parent
    for directory in (start, *start.parents):
        if (directory / APP_FILE).is_file():
            return directory
    return None


def run_validate_changed(files: list[Path]) -> ChangedOutcome:
    """Validate each app that owns one of ``files``; files outside any app are ignored."""
    apps = sorted({app for app in (owning_app(f) for f in files) if app is not None})
    return ChangedOutcome({app: run_pipeline(app, until="validate").validation for app in apps})
