"""Sumo Logic query language: lexer, parser and lint; the local evaluator is `appbuilder.query.evaluate`.

The evaluator is not imported here so that validation (parse + lint) starts fast; the metrics query tools
(`appbuilder.query.metrics`) are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from appbuilder.query.ast import QueryAST
from appbuilder.query.lint import LintContext, QueryIssue, event_fields_from_samples, lint_query
from appbuilder.query.parser import parse

if TYPE_CHECKING:
    from appbuilder.query.metrics import MetricsQuery, lint_metrics_query, lint_typed_query, parse_metrics_query

_METRICS = ("MetricsQuery", "lint_metrics_query", "lint_typed_query", "parse_metrics_query")

__all__ = ["LintContext", "MetricsQuery", "QueryAST", "QueryIssue", "event_fields_from_samples",
           "lint_metrics_query", "lint_query", "lint_typed_query", "parse", "parse_metrics_query"]


def __getattr__(name: str) -> object:
    if name in _METRICS:
        from appbuilder.query import metrics

        return getattr(metrics, name)
    raise AttributeError(f"module 'appbuilder.query' has no attribute {name!r}")
