"""Sumo Logic metrics queries: ``parse_metrics_query`` and ``lint_metrics_query`` (the same ``QueryIssue`` as
log lint, positions 1-based within the query text), and ``lint_typed_query`` for any query type.

Importing this module is cheap: the metrics parser is loaded when the first metrics query is read, so an app
with log queries only never compiles it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from appbuilder.query.issues import ERROR, WARNING, LintContext, QueryIssue, finish_issues

if TYPE_CHECKING:
    from appbuilder.query.metrics_parser import MetricsOp, MetricsQuery, RowRef, parse_metrics_query

_PARSER_NAMES = ("MetricsOp", "MetricsQuery", "RowRef", "parse_metrics_query")

__all__ = ["MetricsOp", "MetricsQuery", "RowRef", "lint_metrics_query", "lint_typed_query", "parse_metrics_query"]


def __getattr__(name: str) -> object:
    if name in _PARSER_NAMES:
        import appbuilder.query.metrics_parser as metrics_parser

        return getattr(metrics_parser, name)
    raise AttributeError(f"module 'appbuilder.query.metrics' has no attribute {name!r}")


def lint_metrics_query(text: str, ctx: LintContext | None = None, *, rows: set[str] | None = None,
                       metadata_filter: bool = False) -> list[QueryIssue]:
    """Problems of a metrics query: syntax, operators, ``#row`` references (checked when ``rows`` names the
    panel's query keys), ``{{var}}``/``${param}`` declarations. Same ``QueryIssue`` as log lint.
    ``metadata_filter`` lints a Metadata variable's filter (a selector alone, maybe empty)."""
    from appbuilder.query.metrics_parser import KNOWN_OPERATORS, parse_metrics_query

    ctx = ctx or LintContext()
    tree = parse_metrics_query(text, metadata_filter=metadata_filter)
    issues = [QueryIssue(i.line, i.column, "syntax", ERROR, i.message, i.hint) for i in tree.issues]
    if tree.selector is not None and not tree.metrics and not tree.templated and not metadata_filter:
        issues.append(QueryIssue(tree.selector.line, tree.selector.column, "metrics-no-metric", WARNING,
                                 "the selector names no metric=; every metric of the matching sources is read",
                                 "add metric=<name> to select one metric"))
    if rows is not None:
        for ref in tree.rows:
            if ref.name not in rows:
                issues.append(QueryIssue(ref.line, ref.column, "row-reference-undefined", ERROR,
                                         f"#{ref.name} does not name another query of this panel",
                                         "rows: " + (", ".join(f"#{r}" for r in sorted(rows)) or "none")))
    for op in tree.operators:
        if op.name not in KNOWN_OPERATORS:
            issues.append(QueryIssue(op.line, op.column, "unknown-operator", WARNING,
                                     f"unknown metrics operator '{op.name}'",
                                     "check the spelling against the Sumo Logic metrics operator list"))
        elif not op.modelled and not any(i.line == op.line and i.code == "syntax" for i in issues):
            issues.append(QueryIssue(op.line, op.column, "unmodelled-form", WARNING,
                                     f"appbuilder does not model this form of '{op.name}'; it is kept as written "
                                     "and not checked"))
    return finish_issues(issues, text, ctx)


def lint_typed_query(text: str, query_type: str, ctx: LintContext | None = None, *,
                     rows: set[str] | None = None) -> list[QueryIssue]:
    """Lint ``text`` as a ``logs`` or ``metrics`` query (Sumo's ``queryType``, any case), or as the filter of a
    metadata variable (``metadata``: a metrics selector alone, maybe empty)."""
    from appbuilder.query.lint import lint_query

    ctx = ctx or LintContext()
    kind = query_type.lower()
    if kind in ("metrics", "metadata"):
        return lint_metrics_query(text, ctx, rows=rows, metadata_filter=kind == "metadata")
    return lint_query(text, ctx)
