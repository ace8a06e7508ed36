"""`appbuilder validate`: load and check an app definition."""

from __future__ import annotations

from pathlib import Path

from appbuilder.validate import ValidationResult, validate_app


def run_validate(path: Path, *, base: str | None = None) -> ValidationResult:
    """Every problem of the app at ``path``: schema, references, variables, layout and query lint; with ``base``
    (a git ref) also a version that was not raised for changed content, or a missing CHANGELOG.md entry."""
    result = validate_app(path)
    if base is not None and result.ok and result.app is not None:
        from appbuilder.diagnostics import Diagnostic
        from appbuilder.versions import check_versions

        result.diagnostics = sorted(result.diagnostics + check_versions(result.app, base), key=Diagnostic.sort_key)
    return result
