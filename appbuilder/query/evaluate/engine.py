"""Run a query over JSON events.

The pipeline is split at the first operator that needs the whole result (an aggregate, sort, ...). The
row-local prefix does not depend on the time window, so its output is cached per prefix text and shared by
every query with the same scope and leading operators (dashboards repeat them) and by ``compare``'s shifted
runs. The time window is applied to the cached rows; the rest of the pipeline then runs on the window.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import appbuilder.query.ast as ast
import appbuilder.query.evaluate.rowops as rowops
import appbuilder.query.evaluate.tableops as tableops
from appbuilder.query.evaluate.expr import Env
from appbuilder.query.evaluate.tableops import Frame
from appbuilder.query.evaluate.values import HIDDEN_OBJ, EvalError, Lookups, Row, timestamp_ms, to_number
from appbuilder.query.parser import parse
from appbuilder.query.stream import duration_ms
from appbuilder.templating import VARIABLE_RE, substitute_parameters

METRICS_NOT_RUN = "metrics queries are not run locally: the sample events are logs, not time series"
_RELATIVE = re.compile(r"^-((?:\d+[wdhms])+)$")


@dataclass
class Table:
    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    total: int | None = None  # how many rows the result has, when only the first are held (``max_rows``)


def window_start(time_range: str | None, now_ms: int) -> int | None:
    """Start of ``[now - range, now]``; None for an unbounded window."""
    if not time_range:
        return None
    m = _RELATIVE.match(time_range.strip())
    if m:
        span = duration_ms(m.group(1))
        if span is not None:
            return now_ms - span
    day = 86_400_000
    midnight = now_ms - now_ms % day
    named = {"today": midnight, "yesterday": midnight - day, "previous_week": midnight - 7 * day,
             "previous_month": midnight - 30 * day}
    if time_range in named:
        return named[time_range]
    raise EvalError(f"unsupported time range '{time_range}'")


class Evaluator:
    """Holds prepared events and the shared prefix cache; ``run`` evaluates one query. This is the reference
    engine; ``appbuilder.query.engines.local.LocalEngine`` runs the row-heavy part of queries on DuckDB."""

    def __init__(self, events: Iterable[dict], lookups: Lookups | None = None, raw: list[str] | None = None,
                 fields: list[Mapping[str, object]] | None = None, *, json_keeps_missing: bool = False):
        """``fields``, when given, holds per event the metadata fields of its row (``_sourceCategory``,
        ``_sourceName``, ``_messageTime``…, any case), set over the ones read from the event.
        ``json_keeps_missing``: ``json`` without ``nodrop`` keeps an event lacking a key (the field is null)
        instead of dropping it, to check that a query does not depend on that drop (Sumo does not document
        it)."""
        self.lookups = lookups or Lookups()
        self.json_keeps_missing = json_keeps_missing
        self.base: list[Row] = []
        for i, event in enumerate(events):
            text = raw[i] if raw is not None else json.dumps(event, separators=(",", ":"))
            self.base.append({"_raw": text, "_messagetime": timestamp_ms(event.get("timestamp"))
                              if isinstance(event, dict) else None, HIDDEN_OBJ: event})
            if fields is not None:
                self.base[-1].update({k.lower(): v for k, v in fields[i].items()})
        times = [r["_messagetime"] for r in self.base if isinstance(r["_messagetime"], int)]
        self.last_time = max(times) if times else int(time.time() * 1000)
        self._cache: dict[tuple, tuple[list[Row], list[str]]] = {}

    def run(self, text: str, *, variables: Mapping[str, str] | None = None,
            parameters: Mapping[str, str] | None = None, now: datetime | None = None,
            time_range: str | None = None, query_type: str = "logs", max_rows: int | None = None) -> Table:
        """Run a log query; a metrics query (``query_type``) is refused: samples are log events. ``max_rows`` is
        for the SQL engine (the evaluator holds every row anyway)."""
        if query_type.lower() == "metrics":
            raise EvalError(f"{METRICS_NOT_RUN} (the query is still linted)")
        tree = _parsed(text, variables, parameters)
        now_ms = int(now.timestamp() * 1000) if now is not None else self.last_time
        start = window_start(time_range, now_ms)
        env = Env(now_ms, start)
        ops = tree.operators
        split = next((i for i, op in enumerate(ops) if not rowops.is_row_local(op)), len(ops))
        prefix_rows, prefix_cols = self._prefix(tree, ops[:split], env)
        frame = self._rest(ops[split:], prefix_rows, prefix_cols, env, start, now_ms)
        return _to_table(frame)

    def row_times(self, text: str, *, variables: Mapping[str, str] | None = None,
                  parameters: Mapping[str, str] | None = None) -> list[int]:
        """The sorted distinct times of the events that the query's row-local prefix (scope, parse, where...)
        keeps: the rest of the query sees only these, so a time window's result changes only at them."""
        tree = _parsed(text, variables, parameters)
        ops = tree.operators
        split = next((i for i, op in enumerate(ops) if not rowops.is_row_local(op)), len(ops))
        rows, _ = self._prefix(tree, ops[:split], Env(self.last_time, None))
        return sorted({t for t in (r.get("_messagetime") for r in rows) if isinstance(t, int)})

    # -- the row-local prefix, cached ----------------------------------------------------------------------------
    def _prefix(self, tree: ast.QueryAST, ops: list[ast.Operator], env: Env) -> tuple[list[Row], list[str]]:
        scope_end = ops[0].start - 1 if ops else len(tree.text)
        if not ops and tree.operators:
            scope_end = tree.operators[0].start - 1
        key: tuple = (" ".join(tree.text[:max(scope_end, 0)].split()),)
        hit = self._cache.get(key)
        if hit is None:
            test = rowops.compile_scope(tree.scope)
            rows = self.base if test is None else [r for r in self.base if test(r)]
            hit = (rows, ["_messageTime", "_raw"])
            self._cache[key] = hit
        rows, cols = hit
        for op in ops:
            key = key + (" ".join(tree.text[op.start:op.end].split()),)
            cached = self._cache.get(key)
            if cached is None:
                stage, defines = self._row_stage(op, env)
                cached = (stage(rows), tableops._add_columns(cols, defines))
                self._cache[key] = cached
            rows, cols = cached
        return rows, cols

    def _row_stage(self, op: ast.Operator, env: Env) -> tuple[rowops.Stage, list[str]]:
        if isinstance(op, ast.JsonOp):
            return rowops.json_stage(op, keep_missing=self.json_keeps_missing)
        if isinstance(op, (ast.ParseOp, ast.ParseRegexOp)):
            return rowops.parse_stage(op)
        if isinstance(op, ast.WhereOp):
            return rowops.where_stage(op, env)
        if isinstance(op, ast.EvalOp):
            return rowops.eval_stage(op, env)
        if isinstance(op, ast.LookupOp):
            return rowops.lookup_stage(op, self.lookups)
        if isinstance(op, ast.TimesliceOp):
            return rowops.timeslice_stage(op, duration_ms(op.span or "") or 3_600_000)
        if isinstance(op, ast.GenericOp):
            return rowops.generic_row_stage(op, self.lookups)
        raise EvalError(f"operator '{op.name}' is not row-local")

    # -- the rest, on the time window -------------------------------------------------------------------------
    def _rest(self, ops: list[ast.Operator], rows: list[Row], cols: list[str], env: Env, start: int | None,
              end: int) -> Frame:
        window = [r for r in rows if _in_window(r.get("_messagetime"), start, end)]
        frame = Frame(window, cols)
        for i, op in enumerate(ops):
            if isinstance(op, ast.CompareOp):
                return self._compare(op, ops[:i], ops[i + 1:], frame, rows, cols, env, start, end)
            frame = self._table_op(op, frame, env, start, end)
        return frame

    def _table_op(self, op: ast.Operator, frame: Frame, env: Env, start: int | None, end: int) -> Frame:
        if rowops.is_row_local(op):
            stage, defines = self._row_stage(op, env)
            return Frame(stage(frame.rows), tableops._add_columns(frame.columns, defines), frame.group_keys,
                         frame.agg_outputs, frame.aggregated)
        if isinstance(op, ast.TimesliceOp):
            first = start if start is not None else min(
                (r["_messagetime"] for r in frame.rows if isinstance(r.get("_messagetime"), int)), default=end)
            buckets = op.buckets or 60
            span = max(1000, -(-(end - first) // buckets))
            stage, defines = rowops.timeslice_stage(op, span)
            return Frame(stage(frame.rows), tableops._add_columns(frame.columns, defines))
        if isinstance(op, ast.AggregateOp):
            return tableops.aggregate(frame, op, env)
        if isinstance(op, ast.SortOp):
            return tableops.sort(frame, op, env)
        if isinstance(op, ast.LimitOp):
            return tableops.limit(frame, op)
        if isinstance(op, ast.TopOp):
            return tableops.top(frame, op, env)
        if isinstance(op, ast.TopkOp):
            return tableops.topk(frame, op, env)
        if isinstance(op, ast.FieldsOp):
            return tableops.fields(frame, op)
        if isinstance(op, ast.TransposeOp):
            return tableops.transpose(frame, op)
        if isinstance(op, ast.OutlierOp):
            return tableops.outlier(frame, op)
        if isinstance(op, ast.FillmissingOp):
            return frame
        raise EvalError(f"operator '{op.name}' cannot be evaluated locally")

    def _compare(self, op: ast.CompareOp, before: list[ast.Operator], after: list[ast.Operator], present: Frame,
                 rows: list[Row], cols: list[str], env: Env, start: int | None, end: int) -> Frame:
        def past(s: int | None, e: int) -> Frame:  # `before` applied to the rows of a shifted window
            frame = Frame([r for r in rows if _in_window(r.get("_messagetime"), s, e)], cols)
            for o in before:
                frame = self._table_op(o, frame, env, s, e)
            return frame
        return self.compare_frames(op, present, past, after, env, start, end)

    def compare_frames(self, op: ast.CompareOp, present: Frame, past: Callable[[int | None, int], Frame],
                       after: list[ast.Operator], env: Env, start: int | None, end: int) -> Frame:
        """``compare with timeshift``: ``present`` (already aggregated) joined with the results ``past(start,
        end)`` gives for each shifted window, then ``after`` applied."""
        frame = present
        if not frame.aggregated:
            raise EvalError("compare must follow an aggregate")
        keys = [k.lower() for k in frame.group_keys]
        outputs = [o.lower() for o in frame.agg_outputs]
        result: dict[tuple, Row] = {tuple(r.get(k) for k in keys): r.copy() for r in frame.rows}
        new_cols = list(frame.columns)
        for shift in op.shifts:
            span = duration_ms(shift.span)
            if span is None:
                raise EvalError(f"invalid timeshift '{shift.span}'")
            collected: dict[tuple, list[Row]] = {}
            for n in range(1, shift.periods + 1):
                delta = span * n
                s = None if start is None else start - delta
                for r in past(s, end - delta).rows:
                    k = tuple((v + delta if k == "_timeslice" and isinstance(v, int) else v)
                              for k, v in zip(keys, (r.get(k) for k in keys), strict=False))
                    collected.setdefault(k, []).append(r)
            names = [f"{o}_{shift.suffix}" for o in frame.agg_outputs]
            new_cols += names
            for k, past_rows in collected.items():
                target = result.setdefault(k, {**dict(zip(keys, k, strict=False)), **{o: None for o in outputs}})
                for o, name in zip(outputs, names, strict=False):
                    nums = [x for x in (to_number(r.get(o)) for r in past_rows) if x is not None]
                    fn = {"avg": lambda v: sum(v) / len(v), "min": min, "max": max}[shift.function]
                    value = fn(nums) if nums else None
                    if shift.periods == 1 and len(past_rows) == 1:
                        value = past_rows[0].get(o)
                    target[name.lower()] = value
            for target in result.values():
                for name in names:
                    target.setdefault(name.lower(), None)
        frame = Frame(list(result.values()), new_cols, frame.group_keys, frame.agg_outputs + [], True)
        for o in after:
            frame = self._table_op(o, frame, env, start, end)
        return frame


def _parsed(text: str, variables: Mapping[str, str] | None, parameters: Mapping[str, str] | None) -> ast.QueryAST:
    """``text`` with its ``{{variables}}`` (default ``*``) and ``${parameters}`` substituted, parsed."""
    values = dict(variables or {})
    text = VARIABLE_RE.sub(lambda m: values.get(m.group(1), "*"), text)
    if parameters:
        text = substitute_parameters(text, parameters)
    tree = parse(text)
    if tree.issues:
        first = tree.issues[0]
        raise EvalError(f"syntax error at {first.line}:{first.column}: {first.message}")
    return tree


def _in_window(t: object, start: int | None, end: int) -> bool:
    if not isinstance(t, int):
        return True
    return (start is None or t > start) and t <= end


def _to_table(frame: Frame) -> Table:
    keys = [(c, c.lower()) for c in frame.columns]
    rows = [{c: r.get(k) for c, k in keys} for r in frame.rows]
    return Table([c for c, _ in keys], rows)


def evaluate(text: str, events: list[dict], *, variables: Mapping[str, str] | None = None,
             parameters: Mapping[str, str] | None = None, lookups: Lookups | None = None,
             now: datetime | None = None, time_range: str | None = None) -> Table:
    """Run ``text`` over ``events`` (each the ``_raw`` JSON object). Window: ``[now - time_range, now]``;
    ``now`` defaults to the newest event; no ``time_range`` means no lower bound."""
    return Evaluator(events, lookups).run(text, variables=variables, parameters=parameters, now=now,
                                          time_range=time_range)

