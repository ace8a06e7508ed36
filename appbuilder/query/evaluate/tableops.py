"""Operators over the whole result: aggregates, sort, top, limit, fields, transpose, outlier."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import appbuilder.query.ast as ast
from appbuilder.query.evaluate.expr import Env, compile_expr
from appbuilder.query.evaluate.values import EvalError, Row, to_number, to_str


@dataclass
class Frame:
    rows: list[Row]
    columns: list[str]  # display names, in order
    group_keys: list[str] = field(default_factory=list)  # of the last aggregate (display names)
    agg_outputs: list[str] = field(default_factory=list)
    aggregated: bool = False


def _add_columns(columns: list[str], names: list[str]) -> list[str]:
    lower = {c.lower() for c in columns}
    out = list(columns)
    for n in names:
        if n.lower() not in lower:
            out.append(n)
            lower.add(n.lower())
    return out


# -- aggregates ------------------------------------------------------------------------------------------------


def _numbers(values: list[object]) -> list[float]:
    return [n for n in map(to_number, values) if n is not None]


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def _finish(func: str, values: list[object], extra: list[object], times: list[object]) -> object:
    if func == "count":
        return len(values)
    present = [v for v in values if v is not None]
    if func == "count_distinct":
        return len({to_str(v) for v in present})
    if func in ("first", "last", "most_recent", "least_recent"):
        if not present:
            return None
        if func in ("most_recent", "least_recent") and times:
            pairs = [(t if isinstance(t, int) else 0, v) for t, v in zip(times, values, strict=False) if v is not None]
            pairs.sort(key=lambda p: p[0])
            return pairs[-1][1] if func == "most_recent" else pairs[0][1]
        return present[0] if func == "first" else present[-1]
    if func == "values":
        return json.dumps(sorted({to_str(v) or "" for v in present}))
    nums = _numbers(present)
    if func == "sum":
        return sum(nums) if nums else None
    if not nums:
        return None
    if func == "avg":
        return sum(nums) / len(nums)
    if func == "min":
        return min(nums)
    if func == "max":
        return max(nums)
    if func == "median":
        return _pct(nums, 50)
    if func == "pct":
        return _pct(nums, float(to_number(extra[0]) if extra else 50))
    if func == "stddev":
        mean = sum(nums) / len(nums)
        return math.sqrt(sum((x - mean) ** 2 for x in nums) / (len(nums) - 1)) if len(nums) > 1 else 0.0
    raise EvalError(f"aggregate '{func}' cannot be evaluated locally")


def aggregate(frame: Frame, op: ast.AggregateOp, env: Env) -> Frame:
    key_fns = [compile_expr(k, env) for k in op.by]
    key_names = [k.name if isinstance(k, ast.FieldRef) else _expr_name(k) for k in op.by]
    aggs = [call for agg in op.aggs for call in agg.per_output()]
    outputs = [a.output for a in aggs]
    groups: dict[object, list[Row]] = {}
    if len(key_fns) == 1:
        kf = key_fns[0]
        for r in frame.rows:
            groups.setdefault(kf(r), []).append(r)
        items = [((k,), rows) for k, rows in groups.items()]
    elif all(isinstance(k, ast.FieldRef) for k in op.by):
        lkeys = [k.name.lower() for k in op.by if isinstance(k, ast.FieldRef)]
        for r in frame.rows:
            groups.setdefault(tuple(map(r.get, lkeys)), []).append(r)
        items = list(groups.items())  # type: ignore[arg-type]
    else:
        for r in frame.rows:
            groups.setdefault(tuple(f(r) for f in key_fns), []).append(r)
        items = list(groups.items())  # type: ignore[arg-type]
    if not key_fns and not items:
        items = [((), [])]
    agg_specs = []
    for agg in aggs:
        arg = agg.args[0] if agg.args else None
        count_all = agg.func == "count" and (arg is None or (isinstance(arg, ast.FieldRef) and arg.name == "*"))
        fn = None if count_all or arg is None else compile_expr(arg, env)
        extra = [a.value for a in agg.args[1:] if isinstance(a, ast.Literal)]
        agg_specs.append((agg.func, fn, extra, count_all))
    out_rows: list[Row] = []
    lower_keys = [n.lower() for n in key_names]
    lower_outs = [o.lower() for o in outputs]
    for key, rows in items:
        row: Row = dict(zip(lower_keys, key, strict=False))
        for (func, fn, extra, count_all), name in zip(agg_specs, lower_outs, strict=False):
            if count_all:
                row[name] = len(rows)
                continue
            values = [fn(r) for r in rows] if fn is not None else [None] * len(rows)
            if func == "count":
                row[name] = sum(1 for v in values if v is not None)
                continue
            times = [r.get("_messagetime") for r in rows] if func in ("most_recent", "least_recent") else []
            row[name] = _finish(func, values, extra, times)
        out_rows.append(row)
    return Frame(out_rows, _add_columns(key_names, outputs), key_names, outputs, True)


def _expr_name(node: ast.Expr) -> str:
    if isinstance(node, ast.Template):
        return "{{" + node.name + "}}"
    return type(node).__name__.lower()


# -- ordering and selection -------------------------------------------------------------------------------------


def sort_key(value: object) -> tuple:
    if value is None:
        return (2, 0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, to_str(value) or "")


def sort(frame: Frame, op: ast.SortOp, env: Env) -> Frame:
    rows = list(frame.rows)
    for key in reversed(op.keys):
        fn = compile_expr(key.expr, env)
        present = [r for r in rows if fn(r) is not None]
        missing = [r for r in rows if fn(r) is None]
        present.sort(key=lambda r: sort_key(fn(r)), reverse=key.descending)
        rows = present + missing
    return Frame(rows, frame.columns, frame.group_keys, frame.agg_outputs, frame.aggregated)


def _count_arg(value: int | str) -> int:
    n = to_number(value)
    if n is None:
        raise EvalError(f"'{value}' is not a number of rows")
    return int(n)


def limit(frame: Frame, op: ast.LimitOp) -> Frame:
    return Frame(frame.rows[:_count_arg(op.count)], frame.columns, frame.group_keys, frame.agg_outputs,
                 frame.aggregated)


def top_call(op: ast.TopOp) -> ast.AggCall:
    """What ``top`` aggregates by its fields (when its ``by`` is not a column): ``by``'s function when it is one
    of count, sum, avg, min, max or count_distinct, else a count."""
    if isinstance(op.by, ast.Call) and op.by.name in ("count", "sum", "avg", "min", "max", "count_distinct"):
        return ast.AggCall(op.by.name, op.by.args)
    return ast.AggCall("count", [])


def top(frame: Frame, op: ast.TopOp, env: Env) -> Frame:
    fields = [f.name for f in op.fields if isinstance(f, ast.FieldRef)]
    n = _count_arg(op.count)
    if isinstance(op.by, ast.FieldRef) and any(op.by.name.lower() == c.lower() for c in frame.columns):
        by_name = op.by.name
        base = frame
    else:
        agg = top_call(op)
        base = aggregate(frame, ast.AggregateOp(aggs=[agg], by=[ast.FieldRef(f) for f in fields]), env)
        by_name = agg.output
    ordered = sort(base, ast.SortOp(keys=[ast.SortKey(ast.FieldRef(by_name))]), env)
    return Frame(ordered.rows[:n], _add_columns(fields, [by_name]), fields, [by_name], True)


def topk(frame: Frame, op: ast.TopkOp, env: Env) -> Frame:
    assert op.expr is not None
    n = _count_arg(op.count)
    value = compile_expr(op.expr, env)
    key_fns = [compile_expr(k, env) for k in op.by]
    groups: dict[tuple, list[Row]] = {}
    for r in frame.rows:
        groups.setdefault(tuple(f(r) for f in key_fns), []).append(r)
    out = []
    for rows in groups.values():
        ranked = sorted(rows, key=lambda r: sort_key(value(r)), reverse=True)[:n]
        for i, r in enumerate(ranked, start=1):
            new = r.copy()
            new["_rank"] = i
            out.append(new)
    return Frame(out, _add_columns(frame.columns, ["_rank"]), frame.group_keys, frame.agg_outputs, frame.aggregated)


def fields_columns(columns: list[str], op: ast.FieldsOp) -> list[str]:
    """The columns ``fields`` leaves of ``columns`` (a kept name the columns lack is added as given)."""
    names = {n.lower() for n in op.names}
    if op.exclude:
        return [c for c in columns if c.lower() not in names]
    by_lower = {c.lower(): c for c in columns}
    return [by_lower.get(n.lower(), n) for n in op.names]


def fields(frame: Frame, op: ast.FieldsOp) -> Frame:
    return Frame(frame.rows, fields_columns(frame.columns, op), frame.group_keys, frame.agg_outputs,
                 frame.aggregated)


def transpose(frame: Frame, op: ast.TransposeOp) -> Frame:
    row_keys = [f.lower() for f in op.row_fields]
    col_keys = [f.lower() for f in op.column_fields]
    used = set(row_keys) | set(col_keys)
    value_cols = [c.lower() for c in frame.columns if c.lower() not in used]
    value_key = value_cols[0] if value_cols else None
    table: dict[tuple, Row] = {}
    dynamic: set[str] = set()
    for r in frame.rows:
        rk = tuple(r.get(k) for k in row_keys)
        name = "_".join(to_str(r.get(k)) or "" for k in col_keys)
        dynamic.add(name)
        out = table.setdefault(rk, dict(zip(row_keys, rk, strict=False)))
        out[name.lower()] = r.get(value_key) if value_key else None
    if op.outputs is None:
        new_cols = sorted(dynamic)
    else:
        named = [o for o in op.outputs if o != "*"]
        new_cols = named + (sorted(d for d in dynamic if d.lower() not in {n.lower() for n in named})
                            if "*" in op.outputs else [])
    rows = []
    for out in table.values():
        for c in new_cols:
            out.setdefault(c.lower(), None)
        rows.append(out)
    return Frame(rows, _add_columns(list(op.row_fields), new_cols), list(op.row_fields), new_cols, True)


def outlier(frame: Frame, op: ast.OutlierOp) -> Frame:
    target = op.target.lower()
    by = [b.lower() for b in op.by]
    series: dict[tuple, list[Row]] = {}
    for r in frame.rows:
        series.setdefault(tuple(r.get(b) for b in by), []).append(r.copy())
    out: list[Row] = []
    for rows in series.values():
        rows.sort(key=lambda r: sort_key(r.get("_timeslice")))
        history: list[float] = []
        streak = 0
        for i, r in enumerate(rows):
            value = to_number(r.get(target))
            window = history[-op.window:]
            mean = std = lower = upper = None
            indicator = 0
            if len(window) >= 2 and value is not None:
                mean = sum(window) / len(window)
                std = math.sqrt(sum((x - mean) ** 2 for x in window) / (len(window) - 1))
                lower, upper = mean - op.threshold * std, mean + op.threshold * std
                above, below = value > upper, value < lower
                hit = above if op.direction == "+" else below if op.direction == "-" else above or below
                indicator = 1 if hit and i < len(rows) - 1 else 0  # the last bucket is still filling up
            streak = streak + 1 if indicator else 0
            r[f"{target}_error"] = None if mean is None or value is None else value - mean
            r[f"{target}_lower"], r[f"{target}_upper"] = lower, upper
            r[f"{target}_std"] = std
            r[f"{target}_indicator"] = indicator
            r[f"{target}_violation"] = 1 if streak >= op.consecutive else 0
            if value is not None:
                history.append(value)
            out.append(r)
    suffixes = ["error", "lower", "upper", "indicator", "violation"]
    return Frame(out, _add_columns(frame.columns, [f"{op.target}_{s}" for s in suffixes]), frame.group_keys,
                 frame.agg_outputs, frame.aggregated)
