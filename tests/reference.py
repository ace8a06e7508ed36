"""Where the reference data is, and how a test that needs it skips on a clone of the project.

The reference data (real Sumo exports, the SARIF schema, ...) sits in ``../shared/reference`` next to the
working tree of the project's own machines (``APPBUILDER_REFERENCE`` names another place); a user's clone does
not have it. A test that reads it is marked
``needs_reference(...)``: it skips with the reason, and ``synthetic_exports`` covers the same shapes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from synthetic_exports import EXPORTS as SYNTHETIC

REFERENCE = Path(os.environ.get("APPBUILDER_REFERENCE") or Path(__file__).resolve().parents[2] / "shared" / "reference")
REAL_EXPORTS = REFERENCE / "exports"


def reference_path(*parts: str) -> Path:
    return REFERENCE.joinpath(*parts)


def absent_reason(*parts: str) -> str:
    return (f"needs the reference data {'/'.join(('..', 'shared', 'reference', *parts))}, which is not part of a "
            "clone of the project (synthetic_exports covers the same shapes)")


def needs_reference(*parts: str) -> pytest.MarkDecorator:
    """Skip the test, with the reason, when ``../shared/reference/<parts>`` is absent."""
    return pytest.mark.skipif(not reference_path(*parts).exists(), reason=absent_reason(*parts))


def real_export_files() -> list[Path]:
    return sorted(REAL_EXPORTS.glob("*.json")) if REAL_EXPORTS.is_dir() else []


def export_cases() -> list[Any]:
    """pytest params of every export to check: the real ones when present, the synthetic ones always."""
    real = [pytest.param(("real", path.name), id=f"real-{path.stem}") for path in real_export_files()]
    return real + [pytest.param(("synthetic", name), id=f"synthetic-{name}") for name in SYNTHETIC]


def load_export(case: tuple[str, str]) -> dict[str, Any]:
    source, name = case
    if source == "real":
        return json.loads((REAL_EXPORTS / name).read_text(encoding="utf-8"))
    return SYNTHETIC[name]()
