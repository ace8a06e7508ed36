"""Row-local operators of a query compiled to one DuckDB SELECT each (its first aggregate: ``sqlagg``).

A ``Pipeline`` is a SELECT over the events (``_seq``: the event's position, ``_messagetime``, ``_raw`` and the
fields defined so far, all typed); each operator wraps it in another SELECT. Rows keep their event position, so
groups come out in the order the Python evaluator meets them and ``first``/``last`` pick the same values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import appbuilder.query.ast as ast
import appbuilder.query.evaluate.rowops as rowops
from appbuilder.query.engines.sqlexpr import ExprCompiler, NotCompiled, as_str, ident, literal, regex_text
from appbuilder.query.evaluate.expr import Env
from appbuilder.query.evaluate.values import _STEP
from appbuilder.query.stream import duration_ms

# (table, columns) -> (SQL table name, column types); the engine registers the lookup stubs on demand
LookupTables = Callable[[str, list[str]], tuple[str, list[str]]]


@dataclass
class Pipeline:
    sql: str
    types: dict[str, str] = field(default_factory=dict)  # lower-case field name -> type
    # json key paths of the message already extracted into hidden columns: path -> (value, presence) columns
    extracted: dict[str, tuple[str, str]] = field(default_factory=dict)
    # field -> a cheaper test of its being null: a json value's JSON (kept in a hidden list column), which is
    # NULL or 'null' exactly when the value is null, so a test need not unquote it
    nulls: dict[str, str] = field(default_factory=dict)
    lists: int = 0  # hidden lists of json values kept so far

    def then(self, select: str, where: str | None = None, join: str = "") -> Pipeline:
        sql = f"SELECT {select}\nFROM ({self.sql}) AS t{join}" + (f"\nWHERE {where}" if where else "")
        return Pipeline(sql, dict(self.types), self.extracted, dict(self.nulls), self.lists)


def _exclude(names: list[str], types: dict[str, str], extra: tuple[str, ...] = ()) -> str:
    gone = [ident(n) for n in dict.fromkeys([*extra, *(n.lower() for n in names if n.lower() in types)])]
    return "t.*" + (f" EXCLUDE ({', '.join(gone)})" if gone else "")


def compile_op(p: Pipeline, op: ast.Operator, env: Env, lookups: LookupTables,
               json_run: list[ast.JsonOp] | None = None, prefetch: Sequence[str] = (),
               auto: Sequence[str] | None = None) -> Pipeline:
    """``p`` followed by the row-local ``op``; ``NotCompiled`` when SQL would not mean what Python does.
    ``json_run``: ``op`` and the ``json`` operators right after it on the same source, extracted together
    (the later ones then compile to nothing: ``[]``). ``prefetch``: message paths (DuckDB's, without ``[*]``)
    a later ``json`` reads, taken in the same parse into hidden columns (``Pipeline.extracted``). ``auto``: for
    a ``json auto``, the fields it may have to give (``plan.auto_fields``)."""
    out = _compile_op(p, op, env, lookups, json_run, prefetch, auto)
    if not isinstance(op, ast.WhereOp) and not (isinstance(op, ast.JsonOp) and not op.auto):
        # what the operator writes loses its null test (an ``... as x`` writes x alone; others, to be safe, all)
        alias = op.alias.lower() if isinstance(op, ast.EvalOp) else None
        out = replace(out, nulls={k: v for k, v in p.nulls.items() if alias is not None and k != alias})
    return out


def _compile_op(p: Pipeline, op: ast.Operator, env: Env, lookups: LookupTables,
                json_run: list[ast.JsonOp] | None, prefetch: Sequence[str], auto: Sequence[str] | None) -> Pipeline:
    if isinstance(op, ast.JsonOp) and op.auto:
        if auto is None:
            raise NotCompiled("json auto with no aggregate after it (its keys would be columns of the output)")
        return _json_auto(p, op, auto)
    if isinstance(op, ast.JsonOp):
        if json_run is None:
            return _json(p, [op], prefetch)
        return _json(p, json_run, prefetch) if json_run else p
    if isinstance(op, (ast.ParseOp, ast.ParseRegexOp)):
        return _parse(p, op)
    if isinstance(op, ast.WhereOp):
        assert op.condition is not None
        return p.then("t.*", ExprCompiler(p.types, env, p.nulls).predicate(op.condition))
    if isinstance(op, ast.EvalOp):
        assert op.expr is not None
        value = ExprCompiler(p.types, env, p.nulls).expr(op.expr)
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
        out.nulls = {k: v for k, v in p.nulls.items() if k not in found}
        return out
    src, guard = _json_source(p, op)

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
    nulls: dict[str, str | None] = {}
    kept = f"__jl{p.lists + 1}"  # the list, kept under a name of its own for the null tests
    present, k = [], 0
    for i, (name, (_, star), drop) in enumerate(zip(names, compiled, drops, strict=True)):
        if star:  # the matches as a JSON array; none is missing
            values[name.lower()] = f'CASE WHEN len(t."__w{i}") > 0 THEN CAST(to_json(t."__w{i}") AS VARCHAR) END'
            nulls[name.lower()] = None
            test = f'coalesce(len(t."__w{i}") > 0, false)'
        else:
            k += 1
            values[name.lower()] = key_value(f't."__j"[{k}]')
            nulls[name.lower()] = f"(\"{kept}\"[{k}] IS NULL OR \"{kept}\"[{k}] = 'null')"
            test = key_found(f't."__j"[{k}]')
        if drop:
            present.append(test)
    helpers = (("__j",) if plain else ()) + tuple(f"__w{i}" for i, _ in wild)
    cols = ", ".join(f"{value} AS {ident(name)}" for name, value in values.items())
    if plain:
        cols += f', t."__j" AS "{kept}"'
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
    out.nulls = {**{k: v for k, v in p.nulls.items() if k not in nulls},
                 **{k: v for k, v in nulls.items() if v is not None}}
    out.lists = p.lists + (1 if plain else 0)
    return out


def _json_source(p: Pipeline, op: ast.JsonOp) -> tuple[str, str | None]:
    """The SQL of the text a ``json`` reads (the message, or a ``field=``) and the condition for reading it (a
    field must hold valid JSON; None for the message)."""
    if op.source is None:
        return '"_raw"', None
    value = ExprCompiler(p.types, Env(0)).expr(ast.FieldRef(op.source))
    if value.type not in ("str", "null"):
        raise NotCompiled("json field= on a field that is not text")
    return value.text, f"json_valid({value.text})"


def _json_auto(p: Pipeline, op: ast.JsonOp, names: Sequence[str]) -> Pipeline:
    """``json auto`` as the evaluator runs it: each top-level key of an object message becomes the field of its
    name in lower case with ``_`` for spaces (the last key of a name wins); a field no key names keeps its value.
    Only ``names`` (the fields the rest of the query mentions) are given."""
    src, guard = _json_source(p, op)
    # a key named like a text field replaces it, as in the evaluator; one named _raw would replace the message,
    # which SQL keeps apart (a kept head joins it back): such a message stops the query (see LocalEngine.run)
    wanted = [n for n in names if n != "_raw"]
    if "_seq" in wanted or any(p.types.get(n, "str") not in ("str", "null") for n in wanted):
        raise NotCompiled("json auto of a field that holds numbers (a key would turn it into text)")
    if not names:
        return p

    def guarded(call: str) -> str:
        return f"CASE WHEN {guard} THEN {call} END" if guard else call
    keys = guarded(f"json_keys({src})")
    names_of_keys = f"list_reverse(list_transform({keys}, lambda k: replace(lower(k), ' ', '_')))"
    every = literal("$.*")  # the values, in the keys' order
    values = f"list_reverse({guarded(f'json_extract({src}, {every})')})"
    inner = p.then(f't.*, {names_of_keys} AS "__ak", {values} AS "__av"')
    cols = []
    for name in wanted:
        at = f'list_position(t."__ak", {literal(name)})'  # reversed: the last key of the name
        value = key_value(f't."__av"[{at}]')
        before = f"t.{ident(name)}" if name in p.types else "NULL"
        cols.append(f"CASE WHEN coalesce({at}, 0) > 0 THEN {value} ELSE {before} END AS {ident(name)}")
    stop = None
    if len(wanted) < len(names):
        message = literal("json auto: a message has a key named _raw (only the Python evaluator runs that)")
        stop = f"CASE WHEN coalesce(list_contains(t.\"__ak\", '_raw'), false) THEN error({message}) ELSE true END"
    out = inner.then(f"{_exclude(wanted, p.types, ('__ak', '__av'))}" + "".join(f", {c}" for c in cols), stop)
    out.types.update({n: "str" for n in wanted})
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
