"""Markdown for pull-request comments and job summaries."""

from __future__ import annotations

from appbuilder.report import DiagnosticReport, register


def cell(value: str) -> str:
    """A value safe inside one Markdown table cell."""
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


@register("markdown", DiagnosticReport)
def diagnostics_markdown(report: DiagnosticReport) -> str:
    lines = [f"**{cell(report.summary)}**" if report.summary else
             f"**{report.errors} errors, {report.warnings} warnings**"]
    if report.diagnostics:
        lines += ["", "| Severity | Location | Code | Problem |", "| --- | --- | --- | --- |"]
        for d in report.ordered:
            problem = d.message + (f" (hint: {d.hint})" if d.hint else "")
            lines.append(f"| {d.severity} | `{d.position}` | {cell(d.code)} | {cell(problem)} |")
    return "\n".join(lines)
