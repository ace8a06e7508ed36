"""A log query cut into growing prefixes (``scope | count``, ``scope | op1 | count``, …) to find the operator
that loses every event, and the shape facts the Search Job API needs (aggregate or not)."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

import appbuilder.query.ast as ast
from appbuilder.query.issues import json_paths
from appbuilder.query.parser import parse

# Operators that turn messages into records: the Search Job API serves their results from /records
AGGREGATES = (ast.AggregateOp, ast.TopOp, ast.TopkOp, ast.TransposeOp, ast.CompareOp)
_METADATA = {"_sourcecategory", "_sourcename", "_sourcehost", "_collector", "_source", "_index", "_view",
             "_datatier", "_sourceid", "_collectorid"}


@dataclass(frozen=True)
class Stage:
    """One operator of a query: its text (whitespace collapsed), its line in the query, and the query up to and
    including it (``upto``)."""

    operator: ast.Operator
    text: str
    line: int
    upto: str

    @property
    def count_query(self) -> str:
        return f"{self.upto}\n| count"


@dataclass(frozen=True)
class Stages:
    scope: str  # the scope as written (no operators)
    stages: list[Stage]

    @property
    def scope_count(self) -> str:
        return f"{self.scope}\n| count"

    def before(self, index: int) -> str:
        """The query up to (not including) stage ``index``."""
        return self.stages[index - 1].upto if index else self.scope


def is_aggregate(text: str) -> bool:
    """Whether the query's results are records (an aggregate operator) rather than messages."""
    return any(isinstance(op, AGGREGATES) for op in parse(text).operators)


def stages(text: str) -> Stages:
    """The scope and the stages of ``text`` (which must parse)."""
    tree = parse(text)
    ops = tree.operators
    scope = text[:text.rfind("|", 0, ops[0].start)].rstrip() if ops else text.rstrip()
    out = []
    for op in ops:
        segment = " ".join(text[op.start:op.end].split())
        out.append(Stage(op, segment, op.line, text[:op.end].rstrip()))
    return Stages(scope, out)


def shape_scope(text: str) -> str | None:
    """The scope of ``text`` without its metadata terms (``_sourceCategory=…`` and the like), then its first
    operator when that is a ``json`` or ``parse`` of the message (without ``nodrop``): a query finding events
    of the same shape wherever they are. None when nothing is left to tell the shape by (a bare ``*``)."""
    tree = parse(text)
    terms = _plain_terms(tree.scope)
    scope = " ".join(terms) if terms else "*"
    first = tree.operators[0] if tree.operators else None
    if isinstance(first, (ast.JsonOp, ast.ParseOp, ast.ParseRegexOp)) and getattr(first, "source", None) is None:
        operator = re.sub(r"\s+nodrop$", "", " ".join(text[first.start:first.end].split()))
        return f"{scope}\n| {operator}"
    return None if scope == "*" else scope


def _plain_terms(scope: ast.ScopeExpr | None) -> list[str]:
    if isinstance(scope, ast.ScopeTerm):
        if scope.kind == "keyword":
            return [] if scope.value == "*" else [scope.value]
        if scope.kind == "phrase":
            return [json.dumps(scope.value)]
        if scope.kind == "field" and (scope.key or "").lower() not in _METADATA:
            return [f"{scope.key}{'!=' if scope.negated else '='}{scope.value}"]
        return []
    if isinstance(scope, ast.ScopeBool) and scope.op == "and":
        return [t for item in scope.items for t in _plain_terms(item)]
    return []


def missing_paths(op: ast.JsonOp, events: Iterable[object]) -> list[tuple[str, list[str]]]:
    """The paths ``op`` reads that the events closest to its shape (those holding most of its paths) lack, each
    with the closest paths those events do have."""
    wanted = [(path, re.sub(r"\[\d+\]", "[*]", path)) for path in op.paths]
    best: list[set[str]] = []
    score = -1
    for event in events:
        have = json_paths(event, "[*]")
        held = sum(plain in have for _, plain in wanted)
        if held > score:
            best, score = [have], held
        elif held == score:
            best.append(have)
    if not best:
        return []
    common = set.union(*best)
    out = []
    for path, plain in wanted:
        if all(plain not in have for have in best):
            candidates = sorted(p for p in common if not plain.startswith(p + "."))  # not its parent objects
            out.append((path, difflib.get_close_matches(plain, candidates, n=1, cutoff=0.6)))
    return out
