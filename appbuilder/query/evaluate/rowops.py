"""Row-local operators: each keeps, drops, extends or splits single rows and never looks at the window."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

import appbuilder.query.ast as ast
from appbuilder.patterns import compile_regex
from appbuilder.query.evaluate.expr import Env, compile_expr, compile_predicate, compile_sumo_regex
from appbuilder.query.evaluate.values import (
    HIDDEN_OBJ,
    MISSING,
    EvalError,
    Lookups,
    Row,
    compile_json_path,
    from_json,
    keyword_regex,
    to_str,
)
from appbuilder.query.stream import duration_ms

Stage = Callable[[list[Row]], list[Row]]
T = TypeVar("T")
ROW_LOCAL = (ast.JsonOp, ast.ParseOp, ast.ParseRegexOp, ast.WhereOp, ast.EvalOp, ast.LookupOp)


def is_row_local(op: ast.Operator) -> bool:
    if isinstance(op, ROW_LOCAL):
        return True
    if isinstance(op, ast.TimesliceOp):
        return op.span is not None and duration_ms(op.span) is not None
    return isinstance(op, ast.GenericOp) and op.name in ("geoip", "threatip")


# -- scope ---------------------------------------------------------------------------------------------------


def term_regex(node: ast.ScopeTerm) -> Any:
    """What a keyword or phrase term of the scope looks for in ``_raw``; None for the terms that match every
    event here (``*``, metadata and key=value terms, templates, params, $$app params, subqueries)."""
    if node.kind == "keyword" and node.value != "*":
        return keyword_regex(node.value)
    if node.kind == "phrase":
        return keyword_regex(node.value, phrase=True)
    return None


def fold_scope(node: ast.ScopeExpr | None, term: Callable[[Any], T], negate: Callable[[T | None], T],
               every: Callable[[list[T]], T], some: Callable[[list[T]], T]) -> T | None:
    """The scope folded into one test (a predicate, SQL...): ``term`` of a term's regex, ``negate`` of a test (of
    None: a test that matches nothing), ``every`` / ``some`` of the tests of an AND / OR. None when every event
    matches: a term without a regex, an AND of such terms, an OR holding one."""
    if node is None:
        return None
    if isinstance(node, ast.ScopeTerm):
        rx = term_regex(node)
        return None if rx is None else term(rx)
    if isinstance(node, ast.ScopeNot):
        return negate(fold_scope(node.item, term, negate, every, some))
    parts = [fold_scope(item, term, negate, every, some) for item in node.items]
    tests = [p for p in parts if p is not None]
    if node.op == "and":
        return every(tests) if tests else None
    return None if len(tests) < len(parts) else some(tests)


def compile_scope(node: ast.ScopeExpr | None) -> Callable[[Row], bool] | None:
    """A predicate on the row's ``_raw``; None when every event matches (metadata-only scopes)."""
    def term(rx: Any) -> Callable[[Row], bool]:
        search = rx.search
        return lambda r: search(r["_raw"]) is not None

    def negate(inner: Callable[[Row], bool] | None) -> Callable[[Row], bool]:
        return (lambda r: False) if inner is None else (lambda r: not inner(r))

    return fold_scope(node, term, negate, lambda tests: lambda r: all(t(r) for t in tests),
                      lambda tests: lambda r: any(t(r) for t in tests))


# -- operators -----------------------------------------------------------------------------------------------


def _json_source(source: str | None) -> Callable[[Row], object]:
    if source is None:
        return lambda r: r.get(HIDDEN_OBJ, MISSING)
    key = source.lower()
    cache: dict[str, object] = {}

    def parsed(r: Row) -> object:
        text = r.get(key)
        if not isinstance(text, str):
            return MISSING
        if text not in cache:
            try:
                cache[text] = json.loads(text)
            except ValueError:
                cache[text] = MISSING
        return cache[text]
    return parsed


def json_stage(op: ast.JsonOp, keep_missing: bool = False) -> tuple[Stage, list[str]]:
    """``json``; without ``nodrop`` an event lacking a key is dropped, unless ``keep_missing``."""
    source = _json_source(op.source)
    if op.auto:
        def auto(rows: list[Row]) -> list[Row]:
            out = []
            for r in rows:
                doc = source(r)
                if isinstance(doc, dict):
                    r = r.copy()
                    for k, v in doc.items():
                        r[k.lower().replace(" ", "_")] = from_json(v)
                out.append(r)
            return out
        return auto, []
    names = op.aliases or op.paths
    if len(names) != len(op.paths):
        raise EvalError("json: the number of keys and field names differ")
    getters = [compile_json_path(p) for p in op.paths]
    pairs = list(zip([n.lower() for n in names], getters, strict=False))
    nodrop = op.nodrop or keep_missing

    def run(rows: list[Row]) -> list[Row]:
        out = []
        append = out.append
        for r in rows:
            doc = source(r)
            new = r.copy()
            ok = True
            for key, get in pairs:
                v = get(doc) if doc is not MISSING else MISSING
                if v is MISSING:
                    if not nodrop:
                        ok = False
                        break
                    new[key] = None
                elif isinstance(v, str) or v is None:
                    new[key] = v
                else:
                    new[key] = from_json(v)
            if ok:
                append(new)
        return out
    return run, list(names)


def _anchor_regex(pattern: str) -> Any:
    text = pattern.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t")
    pieces = text.split("*")
    parts = [re.escape(pieces[0])]
    for i, piece in enumerate(pieces[1:], start=1):
        last = i == len(pieces) - 1
        parts.append("(.*)" if last and piece == "" else "(.*?)")
        parts.append(re.escape(piece))
    return compile_regex("(?s)" + "".join(parts))  # RE2: many * cannot make it backtrack for ever


def parse_stage(op: ast.ParseOp | ast.ParseRegexOp) -> tuple[Stage, list[str]]:
    if isinstance(op, ast.ParseOp):
        rx = _anchor_regex(op.pattern)
        names = op.fields
        multi = False
    else:
        try:
            rx = compile_sumo_regex(op.pattern)
        except re.error as err:
            raise EvalError(f"parse regex: invalid regular expression: {err}") from None
        names = op.groups
        multi = op.multi
    keys = [n.lower() for n in names]
    src = (op.source or "_raw").lower()
    nodrop = op.nodrop

    def run(rows: list[Row]) -> list[Row]:
        out = []
        for r in rows:
            text = to_str(r.get(src))
            matches = [] if text is None else (list(rx.finditer(text)) if multi else [rx.search(text)])
            matches = [m for m in matches if m is not None]
            if not matches:
                if nodrop:
                    new = r.copy()
                    for k in keys:
                        new.setdefault(k, None)
                    out.append(new)
                continue
            for m in matches:
                new = r.copy()
                for k, v in zip(keys, m.groups()[:len(keys)] if isinstance(op, ast.ParseOp) else
                                [m.group(n) for n in names], strict=False):
                    new[k] = v
                out.append(new)
        return out
    return run, list(names)


def where_stage(op: ast.WhereOp, env: Env) -> tuple[Stage, list[str]]:
    assert op.condition is not None
    test = compile_predicate(op.condition, env)
    return (lambda rows: [r for r in rows if test(r)]), []


def eval_stage(op: ast.EvalOp, env: Env) -> tuple[Stage, list[str]]:
    assert op.expr is not None
    fn = compile_expr(op.expr, env)
    key = op.alias.lower()

    def run(rows: list[Row]) -> list[Row]:
        out = []
        for r in rows:
            new = r.copy()
            new[key] = fn(r)
            out.append(new)
        return out
    return run, [op.alias]


def lookup_stage(op: ast.LookupOp, lookups: Lookups) -> tuple[Stage, list[str]]:
    table = op.table.lower()
    if table.startswith("geo://"):
        data = lookups.geo
        field = op.on[0][1]
    elif table.startswith("sumo://threat"):
        data = lookups.threats
        field = op.on[0][1]
    else:
        data = {}
        field = op.on[0][0]
    if any(col == "*" for col, _ in op.outputs):
        raise EvalError("lookup * cannot be evaluated locally")
    key = field.lower()
    outputs = [(col.lower(), alias.lower()) for col, alias in op.outputs]
    ci = {k.lower(): v for k, v in data.items()}
    cache: dict[object, dict[str, object]] = {}

    def values_for(value: object) -> dict[str, object]:
        if value in cache:
            return cache[value]
        row = data.get(to_str(value) or "") or ci.get((to_str(value) or "").lower())
        got: dict[str, object] = {}
        for col, alias in outputs:
            v = None if row is None else row.get(col)
            got[alias] = v if v is None or isinstance(v, (str, int, float)) else json.dumps(v)
        cache[value] = got
        return got

    def run(rows: list[Row]) -> list[Row]:
        out = []
        for r in rows:
            new = r.copy()
            new.update(values_for(r.get(key)))
            out.append(new)
        return out
    return run, [alias for _, alias in op.outputs]


def timeslice_stage(op: ast.TimesliceOp, span_ms: int) -> tuple[Stage, list[str]]:
    key = (op.alias or "_timeslice").lower()

    def run(rows: list[Row]) -> list[Row]:
        out = []
        for r in rows:
            new = r.copy()
            t = r.get("_messagetime")
            new[key] = None if not isinstance(t, int) else t - t % span_ms
            out.append(new)
        return out
    return run, [op.alias or "_timeslice"]


def generic_row_stage(op: ast.GenericOp, lookups: Lookups) -> tuple[Stage, list[str]]:
    field = op.args.split()[0] if op.args.split() else ""
    if op.name == "geoip":
        cols = ["latitude", "longitude", "country_code", "country_name", "city", "state"]
        lookup = ast.LookupOp(outputs=[(c, c) for c in cols], table="geo://location", on=[("ip", field)])
        return lookup_stage(lookup, lookups)
    cols = [("actor", "actor"), ("threatlevel", "malicious_confidence"), ("raw", "raw_threat"), ("type", "type")]
    lookup = ast.LookupOp(outputs=cols, table="sumo://threat/cs", on=[("threat", field)])
    return lookup_stage(lookup, lookups)
