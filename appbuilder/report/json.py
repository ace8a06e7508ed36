"""JSON for scripts: one object with the verdict, counts and every problem."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from appbuilder.report import DiagnosticReport, register
from appbuilder.report.text import APP_DIFF, ENVIRONMENTS, TEST_RUN

if TYPE_CHECKING:
    from appbuilder.appdiff import AppDiff
    from appbuilder.environments import EnvironmentsReport


@register("json", DiagnosticReport)
def diagnostics_json(report: DiagnosticReport) -> str:
    return json.dumps({"valid": report.errors == 0, "errors": report.errors, "warnings": report.warnings,
                       "problems": [d.to_dict() for d in report.ordered]}, indent=2)


@register("json", APP_DIFF)
def diff_json(diff: AppDiff) -> str:
    return json.dumps(diff.to_dict(), indent=2, ensure_ascii=False)


@register("json", ENVIRONMENTS)
def environments_json(report: EnvironmentsReport) -> str:
    return json.dumps({"ok": report.ok, "command": report.command, "changed": report.changed,
                       "environments": [{"name": r.environment, "org": r.target, "ok": r.ok, "changes": r.changes,
                                         "calls": r.calls, "error": r.error, "report": r.report}
                                        for r in report.results]}, indent=2, ensure_ascii=False)


@register("json", TEST_RUN)
def test_run_json(result: Any) -> str:
    doc = {
        "app": result.app, "ok": result.ok, "passed": result.passed, "failed": result.failed,
        "skipped": result.skipped,
        "events": result.events, "seconds": round(result.seconds, 3),
        **({"live": result.live} if getattr(result, "live", None) else {}),
        "cases": [{"name": c.name, "target": c.target, "kind": c.kind, "ok": c.ok, "rows": c.rows,
                   **({"status": c.status} if getattr(c, "status", "") else {}),
                   "columns": c.columns, "failures": c.failures, "skipped": c.skipped, "detail": c.detail,
                   **({"triggers": c.triggers} if c.triggers else {}),
                   "seconds": round(c.seconds, 4), "file": c.file} for c in result.cases],
    }
    return json.dumps(doc, indent=2)
