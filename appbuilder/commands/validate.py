"""`appbuilder validate`: load and check an app definition."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from appbuilder.pipeline import run_pipeline
from appbuilder.validate import ValidationResult


def run_validate(path: Path, parameters: Mapping[str, str] | None = None, *,
                 base: str | None = None) -> ValidationResult:
    """Every problem of the app at ``path`` (and of the given ``--param`` values): schema, secrets, references,
    variables, layout, sample data and query lint; with ``base`` (a git ref) also a version that was not raised
    for changed content, or a missing CHANGELOG.md entry."""
    result = run_pipeline(path, parameters, until="validate").validation
    if base is not None and result.ok and result.app is not None:
        from appbuilder.versions import check_versions

        result.add(check_versions(result.app, base))
    return result
