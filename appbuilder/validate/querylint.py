"""Run the query linter over every query of an app and map its findings to YAML positions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from appbuilder.diagnostics import Diagnostic
from appbuilder.load.fragments import has_unexpanded_include
from appbuilder.model import App, Position, TextOrigin, origin_note


def read_samples(paths: list[Path]) -> Iterator[dict[str, object]]:
    """Events from JSON-lines sample files; lines that are not JSON objects are skipped."""
    for path in paths:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(event, dict):
                    yield event


Found = tuple[str, TextOrigin | None, Position | None, str | None, str, str, "set[str] | None"]


def _app_queries(app: App) -> Iterator[Found]:
    """(text, origin, position, chart, field path, kind, the panel's row keys) of every query in the app; kind is
    ``logs``, ``metrics`` (a panel query of that type) or ``metadata`` (a metadata variable's filter)."""
    for query in app.queries:
        yield query.text, query.origin, query.position, None, f"queries[{query.id}].query", "logs", None
    for dashboard in app.dashboards:
        for variable in dashboard.variables:
            if variable.query:
                yield (variable.query, variable.query_origin, variable.position, None,
                       f"{dashboard.slug}.variables[{variable.name}].fromQuery.query", "logs", None)
            elif variable.metadata_key and variable.metadata_filter:
                yield (variable.metadata_filter, None, variable.position, None,
                       f"{dashboard.slug}.variables[{variable.name}].metadata.filter", "metadata", None)
        for panel in dashboard.panels:
            queries = [] if panel.query_ref else panel.all_queries()
            rows = {q.key for q in queries}
            for query in queries:
                if query.metrics_data is not None and not query.text.strip():
                    continue  # a basic-mode metrics query: Sumo writes it from its structured form
                where = "query" if len(queries) == 1 else f"queries[{query.key}]"
                yield (query.text, query.origin, query.position or panel.position, panel.chart,
                       f"{dashboard.slug}.panels[{panel.id}].{where}", query.type.lower(), rows)
    for monitor in app.monitors:
        yield (monitor.query, monitor.origin, monitor.position, None, f"monitors[{monitor.slug}].query", "logs",
               None)


def lint_app_queries(app: App) -> list[Diagnostic]:
    """Lint findings for every query of ``app`` (each by its kind), positioned in the YAML files."""
    from appbuilder.query import LintContext, event_fields_from_samples
    from appbuilder.query.metrics import lint_typed_query

    event_fields = event_fields_from_samples(read_samples(app.sample_files)) if app.sample_files else None
    charts_by_query: dict[str, str] = {}
    for dashboard in app.dashboards:
        for panel in dashboard.panels:
            if panel.query_ref:
                charts_by_query.setdefault(panel.query_ref, panel.chart)
    found: dict[tuple[Position, str, str], tuple[Diagnostic, list[str]]] = {}
    for text, origin, position, chart, field_path, kind, rows in _app_queries(app):
        if has_unexpanded_include(text):
            continue  # its missing fragment is reported; linting the rest would only repeat that
        if chart is None and field_path.startswith("queries["):
            chart = charts_by_query.get(field_path[len("queries["):-len("].query")])
        context = LintContext(event_fields=event_fields, chart=chart, severity=dict(app.lint_severity))
        for issue in lint_typed_query(text, kind, context, rows=rows if kind == "metrics" else None):
            where = origin.locate(issue.line, issue.column) if origin else (position or Position("?"))
            key = (where, issue.code, issue.message)
            if key not in found:
                found[key] = (Diagnostic(where, issue.message, severity=issue.severity, code=issue.code,
                                         path=field_path, hint=issue.hint), [])
            found[key][1].append(origin_note(origin, issue.line))
    return [_with_uses(diagnostic, notes) for diagnostic, notes in found.values()]


def _with_uses(diagnostic: Diagnostic, notes: list[str]) -> Diagnostic:
    """One finding inside a shared fragment, reported once: where it is, its first use, how many more."""
    more = f" and {len(notes) - 1} more use(s)" if len(notes) > 1 and notes[0] else ""
    return replace(diagnostic, message=diagnostic.message + notes[0][:-1] + more + ")" if notes[0] else
                   diagnostic.message)
