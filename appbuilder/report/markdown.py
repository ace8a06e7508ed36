"""Markdown for pull-request comments and job summaries."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from appbuilder.report import DiagnosticReport, register
from appbuilder.report.text import APP_DIFF, ENVIRONMENTS, diff_summary, environment_rows

if TYPE_CHECKING:
    from appbuilder.appdiff import AppDiff, FieldChange
    from appbuilder.environments import EnvironmentsReport


def cell(value: str) -> str:
    """A value safe inside one Markdown table cell."""
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


@register("markdown", DiagnosticReport)
def diagnostics_markdown(report: DiagnosticReport) -> str:
    lines = [f"**{cell(report.summary)}**" if report.summary else
             f"**{report.errors} error{'' if report.errors == 1 else 's'}, "
             f"{report.warnings} warning{'' if report.warnings == 1 else 's'}**"]
    if report.diagnostics:
        lines += ["", "| Severity | Location | Code | Problem |", "| --- | --- | --- | --- |"]
        for d in report.ordered:
            problem = d.message + (f" (hint: {d.hint})" if d.hint else "")
            lines.append(f"| {d.severity} | `{d.position}` | {cell(d.code)} | {cell(problem)} |")
    return "\n".join(lines)


COLLAPSE_OVER = 12  # query diffs longer than this many lines go into a collapsible <details> section


def _longest_backticks(lines: list[str]) -> int:
    return max((len(run) for line in lines for run in re.findall("`+", line)), default=0)


def code(value: str) -> str:
    """``value`` as one inline code span, whatever backticks it holds."""
    value = value.replace("\n", " ")
    ticks = "`" * (_longest_backticks([value]) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{ticks}{pad}{value}{pad}{ticks}"


def _fence(lines: list[str], lang: str = "diff") -> list[str]:
    fence = "`" * max(3, _longest_backticks(lines) + 1)
    return [fence + lang, *lines, fence]


def _field_lines(change_label: str, f: FieldChange) -> list[str]:
    from appbuilder.appdiff import display

    if not f.multiline:
        return [f"- **{f.name}**: {code(display(f.old))} → {code(display(f.new))}"]
    diff = f.line_diff()
    added = sum(1 for line in diff if line.startswith("+"))
    removed = sum(1 for line in diff if line.startswith("-"))
    block = _fence(diff)
    if len(diff) <= COLLAPSE_OVER:
        return [f"- **{f.name}** (+{added} −{removed}):", "", *block, ""]
    return [f"- **{f.name}** (+{added} −{removed}):", "",
            f"<details><summary>{f.name} of {change_label}: {len(diff)} diff lines</summary>", "", *block, "",
            "</details>", ""]


@register("markdown", APP_DIFF)
def diff_markdown(diff: AppDiff) -> str:
    name = diff.new_name or diff.old_name
    lines = [f"### appbuilder diff: {name}", ""]
    if diff.old_version != diff.new_version:
        lines += [f"Version `{diff.old_version or '(none)'}` → `{diff.new_version or '(none)'}`", ""]
    lines.append(f"**{diff_summary(diff)}**" + (f" ({diff.basis})" if diff.basis else ""))
    if diff.equal:
        return "\n".join(lines)
    lines += ["", "| Change | Item | Fields |", "| --- | --- | --- |"]
    for c in diff.changes:
        title = f" ({cell(c.shown_title)})" if c.shown_title else ""
        fields = ", ".join(cell(f.name) for f in c.fields)
        lines.append(f"| {c.action} | {c.kind} `{cell(c.item)}`{title} | {fields} |")
    for c in diff.changes:
        if c.fields:
            lines += ["", f"#### {c.kind} `{c.item}`" + (f" — {c.shown_title}" if c.shown_title else ""),
                      ""]
            for f in c.fields:
                lines += _field_lines(f"{c.kind} {c.item}", f)
    # one blank line between blocks (diff lines inside fences are never empty: they start with ' ', '+' or '-')
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).rstrip("\n")


@register("markdown", ENVIRONMENTS)
def environments_markdown(report: EnvironmentsReport) -> str:
    rows = environment_rows(report)
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * len(rows[0])]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows[1:]]
    return "\n".join(lines)
