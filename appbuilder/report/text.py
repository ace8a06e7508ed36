"""Plain text for a terminal: ``file:line:col: severity: message [path]`` plus hints and a summary line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appbuilder.report import DiagnosticReport, register

if TYPE_CHECKING:
    from appbuilder.appdiff import AppDiff
    from appbuilder.environments import EnvironmentResult, EnvironmentsReport

# Result types named, not imported, so that printing validate's problems loads neither the diff nor environments.
APP_DIFF = "appbuilder.appdiff.AppDiff"
ENVIRONMENTS = "appbuilder.environments.EnvironmentsReport"


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


_MARKS = {"added": "+", "removed": "-", "changed": "~"}


@register("text", APP_DIFF)
def diff_text(diff: AppDiff) -> str:
    from appbuilder.appdiff import display

    lines: list[str] = []
    for change in diff.changes:
        lines.append(f"{_MARKS[change.action]} {change.label}")
        for f in change.fields:
            if f.multiline:
                lines.append(f"    {f.name}:")
                lines += [f"      {line}" for line in f.line_diff()]
            else:
                lines.append(f"    {f.name}: {display(f.old)} -> {display(f.new)}")
    lines.append(diff_summary(diff) + (f" — {diff.basis}" if diff.basis else ""))
    return "\n".join(lines)


def diff_summary(diff: AppDiff) -> str:
    """One line: how many items changed, or that the definitions are equal."""
    if diff.equal:
        return "no changes"
    noun = "change" if len(diff.changes) == 1 else "changes"
    return (f"{len(diff.changes)} {noun} ({diff.count('added')} added, {diff.count('removed')} removed, "
            f"{diff.count('changed')} changed)")


def changes_text(result: EnvironmentResult) -> str:
    """``2 create, 1 update`` style counts of plan actions ("-" when none)."""
    return ", ".join(f"{count} {action}" for action, count in result.changes.items()) or "-"


def environment_rows(report: EnvironmentsReport) -> list[list[str]]:
    """Header and one row per environment, shared by the text and Markdown tables."""
    rows = [["environment", "org", "result", "changes", "API calls", "error"]]
    for r in report.results:
        rows.append([r.environment, r.target, "ok" if r.ok else "failed", changes_text(r), str(r.calls),
                     r.error or ""])
    return rows


@register("text", ENVIRONMENTS)
def environments_text(report: EnvironmentsReport) -> str:
    lines = []
    for r in report.results:
        if r.detail:
            lines += [f"== {r.environment} ({r.target}) ==", r.detail.rstrip("\n"), ""]
    rows = environment_rows(report)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    failed = sum(1 for r in report.results if not r.ok)
    lines.append(f"{report.command}: {len(report.results) - failed} of {len(report.results)} environments ok")
    return "\n".join(lines)


TEST_RUN = "appbuilder.commands.test.TestRunResult"  # named, not imported: the test command loads the query engine


@register("text", TEST_RUN)
def test_run_text(result: Any) -> str:
    lines = []
    for case in result.cases:
        if case.skipped:
            lines.append(f"SKIP {case.name} ({case.skipped})")
            continue
        status = "PASS" if case.ok else "FAIL"
        state = f", {case.status}" if getattr(case, "status", "") not in ("", "ok") else ""
        ran = "" if case.kind in ("samples", "org") else (
            f" ({case.rows} row{'' if case.rows == 1 else 's'}, {case.seconds * 1000:.0f} ms{state})")
        lines.append(f"{status} {case.name}{ran}")
        if case.detail:
            lines.append(f"     {case.detail}")
        lines.extend(f"     {failure}" for failure in case.failures)
    live = getattr(result, "live", None)
    if live:
        lines.append(f"{test_counts(result)}; window {live['window']}, {live_cost(live)}, {result.seconds:.2f} s")
    else:
        lines.append(f"{test_counts(result)}; {result.events} sample events, {result.seconds:.2f} s")
    return "\n".join(lines)


def live_cost(live: dict[str, Any]) -> str:
    """``57 search jobs, 290 requests``: what a `test --live` run asked of the org."""
    return f"{live['searchJobs']} search jobs, {live['requests']} requests"


def test_counts(result: Any) -> str:
    """``3 passed, 1 failed`` and, when some were not run, ``, 2 skipped``."""
    skipped = f", {result.skipped} skipped" if result.skipped else ""
    return f"{result.passed} passed, {result.failed} failed{skipped}"
