"""The first aggregate of a query (an aggregate operator, or ``top``) compiled to DuckDB SQL over a ``Pipeline``:
one row per group, in the order the Python evaluator meets the groups, and a ``sort``/``limit``/``fields`` right
after it."""

from __future__ import annotations

from dataclasses import dataclass, field

import appbuilder.query.ast as ast
from appbuilder.query.engines.sqlexpr import ExprCompiler, NotCompiled, Sql, as_num, as_str, ident
from appbuilder.query.engines.sqlops import Pipeline
from appbuilder.query.evaluate.expr import Env
from appbuilder.query.evaluate.tableops import fields_columns, top_call
from appbuilder.query.evaluate.values import to_number


@dataclass
class Aggregate:
    body: str  # SQL over the (windowed) rows of the pipeline: one row per group, "__first" last
    keys: list[str]  # display names
    outputs: list[str]
    types: dict[str, str] = field(default_factory=dict)  # lower-case result column -> type
    order: list[str] = field(default_factory=lambda: ['"__first"'])  # groups in the order Python meets them
    limit: int | None = None
    columns: list[str] | None = None  # what a ``fields`` after it leaves (``then`` takes one only last)

    @property
    def result_columns(self) -> list[str]:
        return self.columns if self.columns is not None else self.keys + self.outputs

    def result_select(self, rows: int | None = None) -> str:
        """The SQL of the result's columns (a ``fields`` may name one the aggregate does not make: null); with
        ``rows``, only the first (``page``)."""
        columns = ", ".join(ident(c) if c.lower() in self.types else f"NULL AS {ident(c)}"
                            for c in self.result_columns)
        return self.query(columns) if rows is None else self.page(columns, rows)

    @property
    def select(self) -> str:
        return self.query("*")

    def page(self, columns: str, rows: int) -> str:
        """``query`` cut to its first ``rows`` rows, each with the number of rows the whole result has
        (``__total``, its last column)."""
        limit = rows if self.limit is None else min(rows, self.limit)
        return (f'SELECT {columns}, count(*) OVER () AS "__total" FROM ({self.body}) AS a\n'
                f"ORDER BY {', '.join(self.order)}\nLIMIT {limit}")

    def query(self, columns: str) -> str:
        return (f"SELECT {columns} FROM ({self.body}) AS a\nORDER BY {', '.join(self.order)}"
                + (f"\nLIMIT {self.limit}" if self.limit is not None else ""))

    def then(self, op: ast.Operator) -> bool:
        """Take a ``sort`` by result columns, a ``limit`` or a ``fields`` right after the aggregate into the SQL
        (Python's order: nulls last, ties in group order); False when ``op`` is anything else. The caller offers
        a ``fields`` only as the query's last operator (the rows it hides stay sortable in Python)."""
        if isinstance(op, ast.SortOp) and self.limit is None and len(self.order) == 1:
            names = [k.expr.name.lower() for k in op.keys if isinstance(k.expr, ast.FieldRef)]
            if len(names) != len(op.keys) or any(self.types.get(n) not in ("str", "int", "num") for n in names):
                return False
            self.order = [f"({ident(n)} IS NULL), {ident(n)} {'DESC' if k.descending else 'ASC'}"
                          for n, k in zip(names, op.keys, strict=True)] + self.order
            return True
        if isinstance(op, ast.LimitOp) and isinstance(op.count, int) and self.limit is None:
            self.limit = op.count
            return True
        if isinstance(op, ast.FieldsOp) and self.columns is None:
            self.columns = fields_columns(self.keys + self.outputs, op)
            return True
        return False


def first_aggregate(p: Pipeline, op: ast.Operator, env: Env, where: str | None) -> Aggregate:
    """The SQL of the query's first aggregate: an aggregate operator, or ``top`` (a count, or the ``by``
    function, by its fields, sorted on it, the first rows)."""
    if isinstance(op, ast.AggregateOp):
        return aggregate(p, op, env, where)
    assert isinstance(op, ast.TopOp)
    if not all(isinstance(f, ast.FieldRef) for f in op.fields):
        raise NotCompiled("top by an expression")
    if isinstance(op.by, ast.FieldRef) and op.by.name.lower() in (*p.types, "_messagetime"):
        raise NotCompiled("top by a field of the events")  # the evaluator sorts the events on it
    call = top_call(op)
    count = to_number(op.count)
    if count is None:
        raise NotCompiled(f"top '{op.count}'")  # the evaluator says why
    fields = [f for f in op.fields if isinstance(f, ast.FieldRef)]
    agg = aggregate(p, ast.AggregateOp(aggs=[call], by=list(fields)), env, where)
    if not agg.then(ast.SortOp(keys=[ast.SortKey(ast.FieldRef(call.output))])):
        raise NotCompiled("top by a value that does not sort as SQL")
    agg.then(ast.LimitOp(count=int(count)))
    return agg


def aggregate(p: Pipeline, op: ast.AggregateOp, env: Env, where: str | None) -> Aggregate:
    if not all(isinstance(k, ast.FieldRef) for k in op.by):
        raise NotCompiled("an aggregate by an expression")
    keys = [k.name for k in op.by if isinstance(k, ast.FieldRef)]
    calls = [call for agg in op.aggs for call in agg.per_output()]
    outputs = [c.output for c in calls]
    lowered = [n.lower() for n in keys + outputs]
    if len(set(lowered)) != len(lowered):
        raise NotCompiled("an aggregate whose outputs repeat or shadow a key")
    compiler = ExprCompiler(p.types, env)
    key_sql = [compiler.expr(ast.FieldRef(k)) for k in keys]
    parts = [f"{s.text} AS {ident(k)}" for s, k in zip(key_sql, keys, strict=True)]
    types = {k.lower(): s.type for s, k in zip(key_sql, keys, strict=True)}
    for call in calls:
        sql, kind = _agg_sql(call, compiler)
        parts.append(f"{sql} AS {ident(call.output)}")
        types[call.output.lower()] = kind
    group = f"\nGROUP BY {', '.join(s.text for s in key_sql)}" if keys else ""
    body = (f"SELECT {', '.join(parts)}, min(t.\"_seq\") AS \"__first\"\nFROM ({p.sql}) AS t"
            + (f"\nWHERE {where}" if where else "") + group)
    return Aggregate(body, keys, outputs, types)


def _agg_sql(call: ast.AggCall, compiler: ExprCompiler) -> tuple[str, str]:
    """The SQL of one aggregate and the type of its result."""
    func = call.func
    arg = call.args[0] if call.args else None
    if func == "count" and (arg is None or (isinstance(arg, ast.FieldRef) and arg.name == "*")):
        return "count(*)", "int"
    if arg is None:
        raise NotCompiled(f"{func}() without an argument")
    value: Sql = compiler.expr(arg)
    if func == "count":
        return f"count({value.text})", "int"
    if func == "count_distinct":
        return f"count(DISTINCT {as_str(value)})", "int"
    if func in ("first", "last"):
        pick = "arg_min" if func == "first" else "arg_max"
        return f'{pick}({value.text}, t."_seq") FILTER (WHERE {value.text} IS NOT NULL)', value.type
    n = as_num(value)
    kind = "int" if value.type == "int" else "num"
    simple = {"sum": "sum", "min": "min", "max": "max"}
    if func in simple:
        return f"{simple[func]}({n})", kind
    if func == "avg":
        return f"avg({n})", "num"
    if func in ("median", "pct"):
        extra = [a.value for a in call.args[1:] if isinstance(a, ast.Literal)]
        share = 0.5 if func == "median" else float(extra[0] if extra else 50) / 100  # type: ignore[arg-type]
        return f"quantile_cont({n}, {share!r})", "num"
    if func == "stddev":
        return f"CASE WHEN count({n}) > 1 THEN stddev_samp({n}) WHEN count({n}) = 1 THEN 0.0 END", "num"
    raise NotCompiled(f"aggregate {func}()")
