"""Plain text for a terminal: ``file:line:col: severity: message [path]`` plus hints and a summary line."""

from __future__ import annotations

from appbuilder.report import DiagnosticReport, register


@register("text", DiagnosticReport)
def diagnostics_text(report: DiagnosticReport) -> str:
    lines: list[str] = []
    for d in report.ordered:
        where = f" [{d.path}]" if d.path else ""
        lines.append(f"{d.position}: {d.severity}: {d.message}{where}")
        if d.hint:
            lines.append(f"    hint: {d.hint}")
    if report.summary:
        lines.append(report.summary)
    return "\n".join(lines)
