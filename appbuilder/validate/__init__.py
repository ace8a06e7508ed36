"""Validation of a loaded app: JSON Schema, secrets, semantics, sample data and query lint.

Validation works on what the load stage produced (``LoadedApp``); it never reads app files itself except the
sample and lookup data it checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from appbuilder.diagnostics import WARNING, Diagnostic, has_errors
from appbuilder.load.app import LoadedApp, load_definition
from appbuilder.load.samples import SampleData, read_sample_data
from appbuilder.model import App


@dataclass
class ValidationResult:
    """The loaded app (None when it could not be loaded) and every problem found."""

    app: App | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    samples: SampleData | None = None  # the app's sample events and lookup tables, once read

    @property
    def ok(self) -> bool:
        return self.app is not None and not has_errors(self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == WARNING]

    def add(self, problems: list[Diagnostic]) -> None:
        """Add problems found by a later stage, keeping the order and dropping repeats."""
        self.diagnostics = sorted(dict.fromkeys([*self.diagnostics, *problems]), key=Diagnostic.sort_key)


def check_loaded(loaded: LoadedApp, *, lint_queries: bool = True) -> ValidationResult:
    """Every problem of a loaded app: its load problems, then schema, secrets, semantics, samples and lint."""
    from appbuilder.validate.schema import validate_document
    from appbuilder.validate.secrets import check_document_secrets, hide_secrets
    from appbuilder.validate.semantic import check_app

    diagnostics = list(loaded.diagnostics)
    secret_problems = []
    for item in loaded.documents:
        secret_problems += check_document_secrets(item.doc, item.kind)
        if not loaded.schema_checked:
            diagnostics += validate_document(item.doc, item.kind)
    secret_at = {(d.position.file, d.path) for d in secret_problems}  # the secret is the problem, not the key
    diagnostics = [d for d in diagnostics if d.code != "schema" or (d.position.file, d.path) not in secret_at]
    diagnostics += secret_problems
    app = loaded.app
    samples = None
    if app is not None:
        diagnostics += check_app(app)
        samples = read_sample_data(app)
        diagnostics += samples.diagnostics
        if lint_queries:
            from appbuilder.validate.querylint import lint_app_queries

            diagnostics += lint_app_queries(app, samples)
    if any(d.is_error and d.path.startswith("samples") for d in diagnostics):  # no follow-on warning
        diagnostics = [d for d in diagnostics if d.code != "lint-off"]
    unique = [hide_secrets(d) for d in dict.fromkeys(diagnostics)]
    return ValidationResult(app, sorted(unique, key=Diagnostic.sort_key), samples)


def load_checked(path: str | Path) -> LoadedApp:
    """Load the app at ``path`` with each document checked against its JSON Schema as it is read."""
    from appbuilder.validate.schema import validate_document

    return load_definition(path, validate_document)


def validate_app(path: str | Path, *, lint_queries: bool = True) -> ValidationResult:
    """Load the app at ``path`` and run every check; all problems are collected, none raised."""
    return check_loaded(load_checked(path), lint_queries=lint_queries)
