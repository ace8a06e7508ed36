"""GitHub Actions workflow commands (``::error file=...,line=...::message``), shown as annotations on a PR."""

from __future__ import annotations

from typing import Any

from appbuilder.diagnostics import WARNING
from appbuilder.report import DiagnosticReport, register
from appbuilder.report.text import TEST_RUN, test_counts


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


@register("github", TEST_RUN)
def test_run_github(result: Any) -> str:
    """One error annotation per failing case, on its test file (or the app), then the counts as a notice."""
    lines = []
    for case in result.cases:
        if case.failures:
            props = [f"file={escape(case.file, prop=True)}"] if case.file else []
            props.append(f"title={escape(f'appbuilder test: {case.name}', prop=True)}")
            lines.append(f"::error {','.join(props)}::{escape(chr(10).join(case.failures))}")
    skipped = [case for case in result.cases if case.skipped]
    for reason in dict.fromkeys(case.skipped for case in skipped):  # one notice per reason, naming the cases
        names = ", ".join(case.name for case in skipped if case.skipped == reason)
        lines.append(f"::notice title={escape('appbuilder test: skipped', prop=True)}::{escape(f'{names}: {reason}')}")
    lines.append(f"::notice title=appbuilder test::{test_counts(result)}")
    return "\n".join(lines)
