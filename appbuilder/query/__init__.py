"""Sumo Logic query language: lexer, parser and lint; the local evaluator is `appbuilder.query.evaluate`.

The evaluator is not imported here so that validation (parse + lint) starts fast.
"""

from appbuilder.query.ast import QueryAST
from appbuilder.query.lint import LintContext, QueryIssue, event_fields_from_samples, lint_query
from appbuilder.query.metrics import MetricsQuery, lint_metrics_query, lint_typed_query, parse_metrics_query
from appbuilder.query.parser import parse

__all__ = ["LintContext", "MetricsQuery", "QueryAST", "QueryIssue", "event_fields_from_samples",
           "lint_metrics_query", "lint_query", "lint_typed_query", "parse", "parse_metrics_query"]
