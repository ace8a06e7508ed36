"""Sumo Logic query language: lexer, parser, lint and a local evaluator over JSON events."""

from appbuilder.query.ast import QueryAST
from appbuilder.query.evaluate import EvalError, Evaluator, Lookups, Table, evaluate
from appbuilder.query.lint import LintContext, QueryIssue, event_fields_from_samples, lint_query
from appbuilder.query.parser import parse

__all__ = [
    "EvalError", "Evaluator", "LintContext", "Lookups", "QueryAST", "QueryIssue", "Table", "evaluate",
    "event_fields_from_samples", "lint_query", "parse",
]
