"""What the DuckDB engine plans for a query: which operators run as SQL and which on the Python evaluator, the
``json`` operators one parse serves, the operators that read the message."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import appbuilder.query.ast as ast
import appbuilder.query.evaluate.rowops as rowops
from appbuilder.query.engines.sqlexpr import NotCompiled
from appbuilder.query.engines.sqlops import Pipeline, json_path
from appbuilder.query.lexer import FIELD, IDENT, tokenize


@dataclass
class Plan:
    """Which operators ran as SQL, which on the Python evaluator, and the SQL (``query run --explain``)."""

    sql_ops: list[str] = field(default_factory=list)
    python_ops: list[str] = field(default_factory=list)
    sql: str = ""
    reason: str = ""  # why the Python evaluator took over, when it did
    heads: dict[str, str] = field(default_factory=dict)  # the kept tables the SQL reads, and their SQL

    def render(self) -> str:
        then = f" then python ({self.reason})" if self.reason else " then python"
        lines = ["engine: duckdb" + (then if self.python_ops else "")]
        lines.append("sql:    " + (" | ".join(self.sql_ops) or "(scope only)"))
        lines.append("python: " + (" | ".join(self.python_ops) or "(nothing)"))
        kept = "".join(f"-- {name} (read once, kept for the queries sharing it)\nCREATE TABLE {name} AS\n"
                       f"{sql.strip()}\n" for name, sql in self.heads.items())
        return "\n".join(lines) + "\n" + kept + "-- SQL\n" + self.sql.strip() + "\n"


def op_text(tree: ast.QueryAST, op: ast.Operator) -> str:
    return " ".join(tree.text[op.start:op.end].split())


def json_runs(tree: ast.QueryAST, ops: list[ast.Operator]) -> dict[int, list[ast.JsonOp]]:
    """The ``json`` operators that one parse serves: for the first of each run, the run; for the others, an
    empty list (they are extracted with it). A run is ``json`` operators on the same source with, between them,
    only ``... as x`` operators that neither read nor write the fields the later ``json`` writes (so taking it
    earlier changes nothing)."""
    runs: dict[int, list[ast.JsonOp]] = {}
    i = 0
    while i < len(ops):
        op = ops[i]
        if i in runs or not isinstance(op, ast.JsonOp) or op.auto:  # taken by an earlier run, or no json
            i += 1
            continue
        run, between, j = [op], [], i + 1
        runs[i] = run
        while j < len(ops):
            nxt = ops[j]
            if isinstance(nxt, ast.JsonOp) and not nxt.auto and nxt.source == op.source \
                    and not any(_mentions(tree, e, nxt.aliases or nxt.paths) for e in between):
                run.append(nxt)
                runs[j] = []
            elif isinstance(nxt, ast.EvalOp):
                between.append(nxt)
            else:
                break
            j += 1
        i += 1
    return runs


def _mentions(tree: ast.QueryAST, op: ast.Operator, names: list[str]) -> bool:
    text = tree.text[op.start:op.end].lower()
    return any(re.search(r"(?<![\w.])" + re.escape(n.lower()) + r"(?![\w])", text) for n in names)


def auto_fields(tree: ast.QueryAST, index: int) -> list[str] | None:
    """The fields a ``json auto`` (operator ``index``) may have to give: every name the query's text after it
    mentions (a superset: a key no operator reads is a column nothing uses). None when no aggregate follows the
    row-local operators: the output would then have a column per key of each message, unknown to SQL."""
    ops = tree.operators
    split = next((i for i, op in enumerate(ops) if not rowops.is_row_local(op)), len(ops))
    if split >= len(ops) or not isinstance(ops[split], (ast.AggregateOp, ast.TopOp)):
        return None
    tokens = tokenize(tree.text)[0]
    end = ops[index].end
    return list(dict.fromkeys(t.value.lower() for t in tokens if t.pos >= end and t.kind in (IDENT, FIELD)))


def plain_path(path: str) -> str:
    """The DuckDB path of a json key path without ``[*]``; empty when it has one or does not compile."""
    try:
        sql, star = json_path(path)
    except NotCompiled:
        return ""
    return "" if star else sql


def reads_raw(tree: ast.QueryAST, op: ast.Operator) -> bool:
    """Whether ``op`` reads the message (``json``/``parse`` of it, or ``_raw`` by name)."""
    if isinstance(op, ast.JsonOp) and op.source is None:
        return True
    if isinstance(op, (ast.ParseOp, ast.ParseRegexOp)) and (op.source or "_raw").lower() == "_raw":
        return True
    return "_raw" in tree.text[op.start:op.end].lower()


def with_raw(p: Pipeline) -> Pipeline:
    """``p``'s rows with their message again (a kept head leaves it out), joined back by event position."""
    out = p.then('t.*, r."_raw"', join='\nJOIN events_raw AS r ON r."_seq" = t."_seq"')
    out.types["_raw"] = "str"
    return out


@dataclass
class Batch:
    """The heads of the queries ``DuckEngine.prepare`` was given: how many read each, and the message paths
    their later ``json`` operators read."""

    uses: dict[str, int] = field(default_factory=dict)
    paths: dict[str, list[str]] = field(default_factory=dict)

    def add(self, head: str, later: list[str]) -> None:
        self.uses[head] = self.uses.get(head, 0) + 1
        self.paths[head] = list(dict.fromkeys(self.paths.get(head, []) + later))


def plain_paths(paths: list[str]) -> list[str]:
    """The DuckDB paths of json key paths, without those that have ``[*]``, each once."""
    return list(dict.fromkeys(p for p in (plain_path(path) for path in paths) if p))
