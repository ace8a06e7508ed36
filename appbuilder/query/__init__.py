"""Sumo Logic query language: lexer, parser, lint and a local evaluator over JSON events."""

from appbuilder.query.ast import QueryAST
from appbuilder.query.parser import parse

__all__ = ["QueryAST", "parse"]
