"""`appbuilder validate`: load and check an app definition."""

from __future__ import annotations

from pathlib import Path

from appbuilder.validate import ValidationResult, validate_app


def run_validate(path: Path) -> ValidationResult:
    """Every problem of the app at ``path``: schema, references, variables, layout and query lint."""
    return validate_app(path)
