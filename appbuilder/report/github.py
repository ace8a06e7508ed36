"""GitHub Actions workflow commands (``::error file=...,line=...::message``), shown as annotations on a PR."""

from __future__ import annotations

from appbuilder.diagnostics import WARNING
from appbuilder.report import DiagnosticReport, register


def escape(value: str, *, prop: bool = False) -> str:
    """Escape a workflow-command message (or, with ``prop``, a property value)."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


@register("github", DiagnosticReport)
def diagnostics_github(report: DiagnosticReport) -> str:
    lines: list[str] = []
    for d in report.ordered:
        level = "error" if d.is_error else "warning" if d.severity == WARNING else "notice"
        props = [f"file={escape(d.position.file, prop=True)}"]
        if d.position.line:
            props.append(f"line={d.position.line}")
            props.append(f"col={d.position.column}")
        if d.code:
            props.append(f"title={escape(d.code, prop=True)}")
        text = d.message + (f" ({d.hint})" if d.hint else "")
        lines.append(f"::{level} {','.join(props)}::{escape(text)}")
    return "\n".join(lines)
