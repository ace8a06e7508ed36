"""Run the query linter over every query of an app and map its findings to YAML positions."""

from __future__ import annotations

from collections.abc import Iterator

from appbuilder.diagnostics import WARNING, Diagnostic
from appbuilder.load.samples import SampleData, read_sample_data
from appbuilder.model import App, Position, TextOrigin


def _app_queries(app: App) -> Iterator[tuple[str, TextOrigin | None, Position | None, str | None, str]]:
    """(text, origin, position, chart, field path) of every query in the app."""
    for query in app.queries:
        yield query.text, query.origin, query.position, None, f"queries[{query.id}].query"
    for dashboard in app.dashboards:
        for variable in dashboard.variables:
            if variable.query:
                yield (variable.query, variable.query_origin, variable.position, None,
                       f"{dashboard.slug}.variables[{variable.name}].fromQuery.query")
        for panel in dashboard.panels:
            if panel.query and not panel.query_ref:
                yield (panel.query, panel.query_origin, panel.position, panel.chart,
                       f"{dashboard.slug}.panels[{panel.id}].query")


def lint_app_queries(app: App, samples: SampleData | None = None) -> list[Diagnostic]:
    """Lint findings for every query of ``app``, positioned in the YAML files (``samples`` are read if not given)."""
    from appbuilder.query import LintContext, event_fields_from_samples, lint_query

    data = samples if samples is not None else read_sample_data(app)
    event_fields = event_fields_from_samples(data.events) if data.events else None
    charts_by_query: dict[str, str] = {}
    for dashboard in app.dashboards:
        for panel in dashboard.panels:
            if panel.query_ref:
                charts_by_query.setdefault(panel.query_ref, panel.chart)
    found: list[Diagnostic] = []
    queries = list(_app_queries(app))
    lacking = event_fields is None and not data.diagnostics  # broken sample files are reported already
    if lacking and queries and app.lint_severity.get("unknown-json-path") != "off":
        found.append(Diagnostic(app.position or Position(str(app.root)), "the unknown-json-path check is off: "
                                "the app has no sample events", severity=WARNING, code="lint-off",
                                path="samples", hint="add JSON-lines sample events under samples: in app.yaml "
                                "(e.g. samples/*.jsonl), or set lint.severity.unknown-json-path: off"))
    for text, origin, position, chart, field_path in queries:
        if chart is None and field_path.startswith("queries["):
            chart = charts_by_query.get(field_path[len("queries["):-len("].query")])
        context = LintContext(event_fields=event_fields, chart=chart, severity=dict(app.lint_severity))
        for issue in lint_query(text, context):
            if issue.severity == "off":
                continue
            where = origin.locate(issue.line, issue.column) if origin else (position or Position("?"))
            hint = issue.hint or f"fix the query, or set lint.severity.{issue.code} in app.yaml"
            found.append(Diagnostic(where, issue.message, severity=issue.severity, code=issue.code,
                                    path=field_path, hint=hint))
    return found
