"""`appbuilder validate`: load and check an app definition."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from appbuilder.pipeline import run_pipeline
from appbuilder.validate import ValidationResult


def run_validate(path: Path, parameters: Mapping[str, str] | None = None) -> ValidationResult:
    """Every problem of the app at ``path`` (and of the given ``--param`` values): schema, secrets, references,
    variables, layout, sample data and query lint."""
    return run_pipeline(path, parameters, until="validate").validation
