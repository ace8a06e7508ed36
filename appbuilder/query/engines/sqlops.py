"""Row-local operators and the first aggregate of a query compiled to one DuckDB SELECT each.

A ``Pipeline`` is a SELECT over the events (``_seq``: the event's position, ``_messagetime``, ``_raw`` and the
fields defined so far, all typed); each operator wraps it in another SELECT. Rows keep their event position, so
groups come out in the order the Python evaluator meets them and ``first``/``last`` pick the same values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import appbuilder.query.ast as ast
import appbuilder.query.evaluate.rowops as rowops
from appbuilder.query.engines.sqlexpr import ExprCompiler, NotCompiled, Sql, as_num, as_str, ident, literal, regex_text
from appbuilder.query.evaluate.expr import Env
from appbuilder.query.evaluate.values import _STEP
from appbuilder.query.stream import duration_ms

# (table, columns) -> (SQL table name, column types); the engine registers the lookup stubs on demand
LookupTables = Callable[[str, list[str]], tuple[str, list[str]]]


@dataclass
class Pipeline:
    sql: str
    types: dict[str, str] = field(default_factory=dict)  # lower-case field name -> type

    def then(self, select: str, where: str | None = None, join: str = "") -> Pipeline:
        sql = f"SELECT {select}\nFROM ({self.sql}) AS t{join}" + (f"\nWHERE {where}" if where else "")
        return Pipeline(sql, dict(self.types))


def _exclude(names: list[str], types: dict[str, str], extra: tuple[str, ...] = ()) -> str:
    gone = [ident(n) for n in dict.fromkeys([*extra, *(n.lower() for n in names if n.lower() in types)])]
    return "t.*" + (f" EXCLUDE ({', '.join(gone)})" if gone else "")


def compile_op(p: Pipeline, op: ast.Operator, env: Env, lookups: LookupTables) -> Pipeline:
    """``p`` followed by the row-local ``op``; ``NotCompiled`` when SQL would not mean what Python does."""
    if isinstance(op, ast.JsonOp):
        return _json(p, op)
    if isinstance(op, (ast.ParseOp, ast.ParseRegexOp)):
        return _parse(p, op)
    if isinstance(op, ast.WhereOp):
        assert op.condition is not None
        return p.then("t.*", ExprCompiler(p.types, env).predicate(op.condition))
    if isinstance(op, ast.EvalOp):
        assert op.expr is not None
        value = ExprCompiler(p.types, env).expr(op.expr)
        out = p.then(f"{_exclude([op.alias], p.types)}, {value.text} AS {ident(op.alias)}")
        out.types[op.alias.lower()] = value.type
        return out
    if isinstance(op, ast.TimesliceOp) and rowops.is_row_local(op):
        span = duration_ms(op.span or "") or 3_600_000
        name = op.alias or "_timeslice"
        out = p.then(f"{_exclude([name], p.types)}, (\"_messagetime\" - ((\"_messagetime\" % {span}) + {span}) "
                     f"% {span}) AS {ident(name)}")
        out.types[name.lower()] = "int"
        return out
    if isinstance(op, ast.LookupOp):
        return _lookup(p, op, lookups)
    if isinstance(op, ast.GenericOp) and op.name in ("geoip", "threatip"):
        words = op.args.split()
        column = words[0] if words else ""
        if op.name == "geoip":
            cols = ["latitude", "longitude", "country_code", "country_name", "city", "state"]
            return _lookup(p, ast.LookupOp(outputs=[(c, c) for c in cols], table="geo://location",
                                           on=[("ip", column)]), lookups)
        pairs = [("actor", "actor"), ("threatlevel", "malicious_confidence"), ("raw", "raw_threat"), ("type", "type")]
        return _lookup(p, ast.LookupOp(outputs=pairs, table="sumo://threat/cs", on=[("threat", column)]), lookups)
    raise NotCompiled(f"operator '{op.name}'")


def json_path(path: str) -> tuple[str, bool]:
    """A key path (``a.b``, ``a[0].b``, ``['x y'].z``, ``$.a``, one ``[*]``) as a DuckDB JSON path, and whether
    it has the ``[*]`` step (its value is then the JSON array of the matches)."""
    text = path.strip()
    if text.startswith("$"):
        text = text[1:]
    steps = []
    for m in _STEP.finditer(text):
        bracket, name = m.groups()
        if bracket == "*" or (bracket is not None and bracket.isdigit()):
            steps.append(f"[{bracket}]")
            continue
        key = name if bracket is None else bracket[1:-1]
        if '"' in key or "\\" in key:
            raise NotCompiled(f"json path '{path}' with a quote or backslash in a key")
        steps.append(f'."{key}"')
    stars = steps.count("[*]")
    if stars > 1:
        raise NotCompiled(f"json path '{path}' with more than one [*]")
    return "$" + "".join(steps), stars == 1


def _json(p: Pipeline, op: ast.JsonOp) -> Pipeline:
    if op.auto:
        raise NotCompiled("json auto")
    names = op.aliases or op.paths
    if len(names) != len(op.paths) or len({n.lower() for n in names}) != len(names):
        raise NotCompiled("json with repeated or mismatched field names")
    compiled = [json_path(path) for path in op.paths]
    plain = [path for path, star in compiled if not star]
    if op.source is None:
        src, guard = '"_raw"', None
    else:
        value = ExprCompiler(p.types, Env(0)).expr(ast.FieldRef(op.source))
        if value.type not in ("str", "null"):
            raise NotCompiled("json field= on a field that is not text")
        src, guard = value.text, f"json_valid({value.text})"

    def extract(paths: str) -> str:
        call = f"json_extract({src}, {paths})"
        return f"CASE WHEN {guard} THEN {call} END" if guard else call
    parts = ["t.*"]
    if plain:
        parts.append(extract("[" + ", ".join(literal(path) for path in plain) + "]") + ' AS "__j"')
    wild = [(i, path) for i, (path, star) in enumerate(compiled) if star]
    parts += [extract(literal(path)) + f' AS "__w{i}"' for i, path in wild]
    inner = p.then(", ".join(parts))
    cols, present, k = [], [], 0
    for i, (name, (_, star)) in enumerate(zip(names, compiled, strict=True)):
        if star:  # the matches as a JSON array; none is missing
            cols.append(f'CASE WHEN len(t."__w{i}") > 0 THEN CAST(to_json(t."__w{i}") AS VARCHAR) END AS {ident(name)}')
            present.append(f'coalesce(len(t."__w{i}") > 0, false)')
        else:
            k += 1
            cols.append(f"json_extract_string(t.\"__j\"[{k}], '$') AS {ident(name)}")
            present.append(f't."__j"[{k}] IS NOT NULL')
    helpers = (("__j",) if plain else ()) + tuple(f"__w{i}" for i, _ in wild)
    out = inner.then(f"{_exclude(names, p.types, helpers)}, {', '.join(cols)}",
                     None if op.nodrop else " AND ".join(present))
    out.types.update({n.lower(): "str" for n in names})
    return out


def _parse(p: Pipeline, op: ast.ParseOp | ast.ParseRegexOp) -> Pipeline:
    if isinstance(op, ast.ParseOp):
        pattern = rowops._anchor_regex(op.pattern).pattern
        names = op.fields
        if len(names) != op.pattern.count("*"):
            raise NotCompiled("parse with a different number of * and fields")
        groups = list(range(1, len(names) + 1))
    else:
        if op.multi:
            raise NotCompiled("parse regex multi")
        if "|" in op.pattern or re.search(r"\)[?*{]|\)\+\?", op.pattern):
            raise NotCompiled("parse regex with optional groups (an unmatched group is null in Python)")
        pattern = regex_text(op.pattern)
        index = rowops.compile_sumo_regex(op.pattern).groupindex
        names = op.groups
        groups = [index[n] for n in names]
    if len({n.lower() for n in names}) != len(names):
        raise NotCompiled("parse with repeated field names")
    src = as_str(ExprCompiler(p.types, Env(0)).expr(ast.FieldRef(op.source or "_raw")))
    rx = literal(pattern)
    inner = p.then(f't.*, coalesce(regexp_matches({src}, {rx}), false) AS "__m"')
    cols = []
    for name, group in zip(names, groups, strict=True):
        old = ident(name) if name.lower() in p.types and p.types[name.lower()] != "null" else "NULL"
        if old != "NULL" and p.types[name.lower()] != "str":
            raise NotCompiled("parse nodrop over a field that is not text")
        cols.append(f'CASE WHEN t."__m" THEN regexp_extract({src}, {rx}, {group}) ELSE {old} END AS {ident(name)}')
    out = inner.then(f"{_exclude(names, p.types, ('__m',))}, {', '.join(cols)}", None if op.nodrop else 't."__m"')
    out.types.update({n.lower(): "str" for n in names})
    return out


def _lookup(p: Pipeline, op: ast.LookupOp, lookups: LookupTables) -> Pipeline:
    if any(col == "*" for col, _ in op.outputs) or not op.on:
        raise NotCompiled("lookup * or without on")
    table = op.table.lower()
    key_field = op.on[0][1] if table.startswith(("geo://", "sumo://threat")) else op.on[0][0]
    names = [alias for _, alias in op.outputs]
    if len({n.lower() for n in names}) != len(names):
        raise NotCompiled("lookup with repeated output names")
    name, types = lookups(table, [col.lower() for col, _ in op.outputs])
    key = as_str(ExprCompiler(p.types, Env(0)).expr(ast.FieldRef(key_field)))
    cols = ", ".join(f'lk."c{i}" AS {ident(n)}' for i, n in enumerate(names))
    join = f"\nLEFT JOIN {name} AS lk ON lk.\"__key\" = lower(coalesce({key}, ''))"
    out = p.then(f"{_exclude(names, p.types)}, {cols}", join=join)
    out.types.update({n.lower(): t for n, t in zip(names, types, strict=True)})
    return out


# -- the first aggregate ---------------------------------------------------------------------------------------


@dataclass
class Aggregate:
    select: str  # SQL over the (windowed) rows of the pipeline, rows in the order Python makes groups
    keys: list[str]  # display names
    outputs: list[str]


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
    key_sql = [compiler.expr(ast.FieldRef(k)).text for k in keys]
    parts = [f"{s} AS {ident(k)}" for s, k in zip(key_sql, keys, strict=True)]
    parts += [f"{_agg_sql(call, compiler)} AS {ident(call.output)}" for call in calls]
    group = f"\nGROUP BY {', '.join(key_sql)}" if keys else ""
    sql = (f"SELECT {', '.join(parts)}, min(t.\"_seq\") AS \"__first\"\nFROM ({p.sql}) AS t"
           + (f"\nWHERE {where}" if where else "") + group + '\nORDER BY "__first"')
    return Aggregate(sql, keys, outputs)


def _agg_sql(call: ast.AggCall, compiler: ExprCompiler) -> str:
    func = call.func
    arg = call.args[0] if call.args else None
    if func == "count" and (arg is None or (isinstance(arg, ast.FieldRef) and arg.name == "*")):
        return "count(*)"
    if arg is None:
        raise NotCompiled(f"{func}() without an argument")
    value: Sql = compiler.expr(arg)
    if func == "count":
        return f"count({value.text})"
    if func == "count_distinct":
        return f"count(DISTINCT {as_str(value)})"
    if func in ("first", "last"):
        pick = "arg_min" if func == "first" else "arg_max"
        return f'{pick}({value.text}, t."_seq") FILTER (WHERE {value.text} IS NOT NULL)'
    n = as_num(value)
    simple = {"sum": "sum", "avg": "avg", "min": "min", "max": "max"}
    if func in simple:
        return f"{simple[func]}({n})"
    if func in ("median", "pct"):
        extra = [a.value for a in call.args[1:] if isinstance(a, ast.Literal)]
        share = 0.5 if func == "median" else float(extra[0] if extra else 50) / 100  # type: ignore[arg-type]
        return f"quantile_cont({n}, {share!r})"
    if func == "stddev":
        return f"CASE WHEN count({n}) > 1 THEN stddev_samp({n}) WHEN count({n}) = 1 THEN 0.0 END"
    raise NotCompiled(f"aggregate {func}()")
