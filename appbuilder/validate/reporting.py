"""Compatibility import: diagnostics rendering now lives in :mod:`appbuilder.report` (one module per format)."""

from __future__ import annotations

from appbuilder.diagnostics import Diagnostic
from appbuilder.report import DiagnosticReport
from appbuilder.report import render as render_report

FORMATS = ("text", "json", "github")


def render(diagnostics: list[Diagnostic], fmt: str, *, summary: str = "") -> str:
    """All diagnostics in one output format; ``summary`` is appended to text output."""
    return render_report(DiagnosticReport(list(diagnostics), summary), fmt)
