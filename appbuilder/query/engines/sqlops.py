"""Row-local operators and the first aggregate of a query compiled to one DuckDB SELECT each.

A ``Pipeline`` is a SELECT over the events (``_seq``: the event's position, ``_messagetime``, ``_raw`` and the
fields defined so far, all typed); each operator wraps it in another SELECT. Rows keep their event position, so
groups come out in the order the Python evaluator meets them and ``first``/``last`` pick the same values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import appbuilder.query.ast as ast
import appbuilder.query.evaluate.rowops as rowops
from appbuilder.query.engines.sqlexpr import ExprCompiler, NotCompiled, Sql, as_num, as_str, ident, literal, regex_text
from appbuilder.query.evaluate.expr import Env
from appbuilder.query.evaluate.tableops import fields_columns, top_call
from appbuilder.query.evaluate.values import _STEP, to_number
from appbuilder.query.stream import duration_ms

# (table, columns) -> (SQL table name, column types); the engine registers the lookup stubs on demand
LookupTables = Callable[[str, list[str]], tuple[str, list[str]]]


@dataclass
class Pipeline:
    sql: str
    types: dict[str, str] = field(default_factory=dict)  # lower-case field name -> type
    # json key paths of the message already extracted into hidden columns: path -> (value, presence) columns
    extracted: dict[str, tuple[str, str]] = field(default_factory=dict)

    def then(self, select: str, where: str | None = None, join: str = "") -> Pipeline:
        sql = f"SELECT {select}\nFROM ({self.sql}) AS t{join}" + (f"\nWHERE {where}" if where else "")
        return Pipeline(sql, dict(self.types), self.extracted)


def _exclude(names: list[str], types: dict[str, str], extra: tuple[str, ...] = ()) -> str:
    gone = [ident(n) for n in dict.fromkeys([*extra, *(n.lower() for n in names if n.lower() in types)])]
    return "t.*" + (f" EXCLUDE ({', '.join(gone)})" if gone else "")


def compile_op(p: Pipeline, op: ast.Operator, env: Env, lookups: LookupTables,
               json_run: list[ast.JsonOp] | None = None, prefetch: Sequence[str] = ()) -> Pipeline:
    """``p`` followed by the row-local ``op``; ``NotCompiled`` when SQL would not mean what Python does.
    ``json_run``: ``op`` and the ``json`` operators right after it on the same source, extracted together
    (the later ones then compile to nothing: ``[]``). ``prefetch``: message paths (DuckDB's, without ``[*]``)
    a later ``json`` reads, taken in the same parse into hidden columns (``Pipeline.extracted``)."""
    if isinstance(op, ast.JsonOp):
        if json_run is None:
            return _json(p, [op], prefetch)
        return _json(p, json_run, prefetch) if json_run else p
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


def _json(p: Pipeline, ops: list[ast.JsonOp], prefetch: Sequence[str] = ()) -> Pipeline:
    """``json`` operators on one source, one after the other: one extraction, each one's fields (a later one's
    win), rows kept where every operator without ``nodrop`` found all its keys."""
    op = ops[0]
    if any(o.auto for o in ops):
        raise NotCompiled("json auto")
    names: list[str] = []
    paths: list[str] = []
    drops: list[bool] = []
    for o in ops:
        own = o.aliases or o.paths
        if len(own) != len(o.paths) or len({n.lower() for n in own}) != len(own):
            raise NotCompiled("json with repeated or mismatched field names")
        names += own
        paths += o.paths
        drops += [not o.nodrop] * len(own)
    compiled = [json_path(path) for path in paths]
    plain = [path for path, star in compiled if not star]
    own = len(plain)
    if op.source is None:
        plain += [path for path in dict.fromkeys(prefetch) if path not in plain and path not in p.extracted]
    if op.source is None and own and not any(star for _, star in compiled) \
            and all(path in p.extracted for path in plain[:own]):  # already extracted with the kept head
        found = {name.lower(): p.extracted[path] for name, (path, _) in zip(names, compiled, strict=True)}
        present = [f't."{found[n.lower()][1]}"' for n, drop in zip(names, drops, strict=True) if drop]
        cols = ", ".join(f't."{value}" AS {ident(n)}' for n, (value, _) in found.items())
        out = p.then(f"{_exclude(list(found), p.types)}, {cols}", " AND ".join(present) or None)
        out.types.update({n: "str" for n in found})
        return out
    if op.source is None:
        src, guard = '"_raw"', None
    else:
        value = ExprCompiler(p.types, Env(0)).expr(ast.FieldRef(op.source))
        if value.type not in ("str", "null"):
            raise NotCompiled("json field= on a field that is not text")
        src, guard = value.text, f"json_valid({value.text})"

    def extract(paths: str, func: str = "json_extract") -> str:
        call = f"{func}({src}, {paths})"
        return f"CASE WHEN {guard} THEN {call} END" if guard else call
    parts = ["t.*"]
    if plain:  # one parse of the document for all the keys, as JSON: a missing key is NULL, a null value 'null'
        parts.append(extract("[" + ", ".join(literal(path) for path in plain) + "]") + ' AS "__j"')
    wild = [(i, path) for i, (path, star) in enumerate(compiled) if star]
    parts += [extract(literal(path)) + f' AS "__w{i}"' for i, path in wild]
    inner = p.then(", ".join(parts))
    values: dict[str, str] = {}  # the last operator's value of a name wins
    present, k = [], 0
    for i, (name, (_, star), drop) in enumerate(zip(names, compiled, drops, strict=True)):
        if star:  # the matches as a JSON array; none is missing
            values[name.lower()] = f'CASE WHEN len(t."__w{i}") > 0 THEN CAST(to_json(t."__w{i}") AS VARCHAR) END'
            test = f'coalesce(len(t."__w{i}") > 0, false)'
        else:
            k += 1
            values[name.lower()] = key_value(f't."__j"[{k}]')
            test = key_found(f't."__j"[{k}]')
        if drop:
            present.append(test)
    helpers = (("__j",) if plain else ()) + tuple(f"__w{i}" for i, _ in wild)
    cols = ", ".join(f"{value} AS {ident(name)}" for name, value in values.items())
    fetched: dict[str, tuple[str, str]] = {}  # hidden: the value and whether the key is there
    for path in dict.fromkeys(prefetch):
        if path in plain and path not in p.extracted:
            k, n = plain.index(path) + 1, len(p.extracted) + len(fetched) + 1
            value = f't."__j"[{k}]'
            fetched[path] = (f"__x_v{n}", f"__x_p{n}")
            cols += f', {key_value(value)} AS "__x_v{n}", {key_found(value)} AS "__x_p{n}"'
    out = inner.then(f"{_exclude(list(values), p.types, helpers)}, {cols}", " AND ".join(present) or None)
    out.types.update({n: "str" for n in values})
    out.extracted = {**p.extracted, **fetched}
    return out


def key_value(found: str) -> str:
    """The text of a value ``json_extract`` found (a string unquoted, an object or array as JSON text, a JSON
    null as NULL), as ``json_extract_string`` gives it."""
    return f"json_extract_string({found}, '$')"


def key_found(found: str) -> str:
    """Whether the message has the key: ``json_extract`` gives NULL for a missing key and JSON ``null`` for a
    null value (so no second read of the message, which a ``json_extract_string`` value needed)."""
    return f"({found} IS NOT NULL)"


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
    if not names or len({n.lower() for n in names}) != len(names):
        raise NotCompiled("parse without fields or with repeated field names")
    src = as_str(ExprCompiler(p.types, Env(0)).expr(ast.FieldRef(op.source or "_raw")))
    rx = literal(pattern)
    slots = ", ".join(f"'g{i}'" for i in range(1, max(groups, default=0) + 1))
    inner = p.then(f't.*, coalesce(regexp_matches({src}, {rx}), false) AS "__m", '
                   f'regexp_extract({src}, {rx}, [{slots}]) AS "__g"')
    cols = []
    for name, group in zip(names, groups, strict=True):
        old = ident(name) if name.lower() in p.types and p.types[name.lower()] != "null" else "NULL"
        if old != "NULL" and p.types[name.lower()] != "str":
            raise NotCompiled("parse nodrop over a field that is not text")
        cols.append(f'CASE WHEN t."__m" THEN t."__g"."g{group}" ELSE {old} END AS {ident(name)}')
    out = inner.then(f"{_exclude(names, p.types, ('__m', '__g'))}, {', '.join(cols)}",
                     None if op.nodrop else 't."__m"')
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

    def result_select(self) -> str:
        """The SQL of the result's columns (a ``fields`` may name one the aggregate does not make: null)."""
        return self.query(", ".join(ident(c) if c.lower() in self.types else f"NULL AS {ident(c)}"
                                    for c in self.result_columns))

    @property
    def select(self) -> str:
        return self.query("*")

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
