"""Validation: schema (in the loader), semantics, and query lint."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from appbuilder.diagnostics import WARNING, Diagnostic, has_errors
from appbuilder.model import App


@dataclass
class ValidationResult:
    """The loaded app (None when it could not be loaded) and every problem found."""

    app: App | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.app is not None and not has_errors(self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]


def validate_app(path: str | Path, *, lint_queries: bool = True) -> ValidationResult:
    """Load the app at ``path`` and run every check; all problems are collected, none raised."""
    from appbuilder.load import load_app
    from appbuilder.validate.semantic import check_app

    app, diagnostics = load_app(path)
    if app is not None:
        diagnostics += check_app(app)
        if lint_queries:
            from appbuilder.validate.querylint import lint_app_queries

            diagnostics += lint_app_queries(app)
    unique = list(dict.fromkeys(diagnostics))
    return ValidationResult(app, sorted(unique, key=Diagnostic.sort_key))
