"""The DuckDB engine: the row-heavy part of a query (scope, row-local operators, the first aggregate) runs as SQL
over the events, the rest on the Python evaluator over the (small) result.

Events come from memory (an app's samples, the fake's store) or straight from JSON-lines files, which DuckDB
scans without the events ever becoming Python objects. The extraction at the head of a query (scope, ``json``,
``parse``, ``if ... as``) is kept as a columnar table per distinct head, so the panels of a dashboard, which
repeat it, scan and parse the events once. What does not compile (``NotCompiled``) runs on the Python
evaluator, which stays the reference: the SQL prefix's rows are handed to it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import duckdb

import appbuilder.query.ast as ast
import appbuilder.query.evaluate.rowops as rowops
from appbuilder.query.engines.plan import (
    LITERAL_RAW,
    Plan,
    json_runs,
    op_text,
    plain_path,
    raw_exists,
    reads_raw,
    with_raw,
)
from appbuilder.query.engines.sqlexpr import NotCompiled, ident, literal, scope_sql
from appbuilder.query.engines.sqlops import Aggregate, Pipeline, aggregate, compile_op, key_present
from appbuilder.query.evaluate.engine import (
    METRICS_NOT_RUN,
    Evaluator,
    Table,
    _parsed,
    _to_table,
    window_start,
)
from appbuilder.query.evaluate.expr import Env
from appbuilder.query.evaluate.tableops import Frame, _add_columns
from appbuilder.query.evaluate.values import HIDDEN_OBJ, EvalError, Lookups, Row

# RFC 3339 timestamps as ``timestamp_ms`` reads them (the same pattern; the cast runs in UTC, to milliseconds)
_TS = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?\s*(?:Z|z|[+-]\d\d:?\d\d)?"
_TS_MACRO = f"""CREATE OR REPLACE TEMP MACRO sumo_ts(s) AS
  CASE WHEN regexp_full_match(s, '\\d{{4}}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{{1,3}})?Z')
            AND substr(s, 12, 2) < '24' AND left(s, 4) <> '0000'
       THEN epoch_ms(TRY_CAST(s AS TIMESTAMPTZ))
       WHEN regexp_full_match(trim(s), '{_TS}') AND substr(trim(s), 12, 2) < '24' AND left(trim(s), 4) <> '0000'
       THEN epoch_ms(TRY_CAST(regexp_replace(regexp_replace(upper(trim(s)), '[.,](\\d{{1,3}})\\d*', '.\\1'),
                                             '\\s+([Z+-])', '\\1') AS TIMESTAMPTZ)) END"""
_BASE_TYPES = {"_raw": "str", "_messagetime": "int"}
_SQL_TYPES = {"str": "VARCHAR", "int": "BIGINT", "num": "DOUBLE", "null": "VARCHAR"}


class DuckEngine:
    """Runs log queries as DuckDB SQL over one set of events; ``run`` has the Python evaluator's signature."""

    def __init__(self, lookups: Lookups | None = None, *, threads: int | None = None, memory_limit: str = "1GB"):
        self.lookups = lookups or Lookups()
        # where DuckDB spills past its memory limit (made by DuckDB only then), removed with the engine
        self._tmp = os.path.join(tempfile.gettempdir(), f"appbuilder-duckdb-{os.getpid()}-{id(self):x}")
        weakref.finalize(self, shutil.rmtree, self._tmp, True)
        self.con = duckdb.connect(":memory:", config={"threads": threads or default_threads(),
                                                      "memory_limit": memory_limit, "temp_directory": self._tmp})
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")  # long scans must not draw on the terminal
        self.con.execute(_TS_MACRO)
        self.python = Evaluator([], self.lookups)
        self.last_time = 0
        self.last_plan: Plan | None = None
        self._tables: dict[tuple, tuple[str, list[str]]] = {}
        self._heads: dict[str, str] = {}  # SQL -> name of the kept table
        self._sides: dict[tuple, str] = {}  # (kept table, json paths) -> its side table
        self._lock = threading.Lock()

    # -- sources -----------------------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, times: Sequence[int | None], raw: Sequence[str], lookups: Lookups | None = None,
                  last_time: int = 0) -> DuckEngine:
        """Events held in memory: their JSON text and message times (as ``timestamp_ms`` read them)."""
        engine = cls(lookups, threads=1 if len(raw) < 100_000 else None)  # planning dominates on few events
        engine.con.execute('CREATE TEMP TABLE events ("_seq" BIGINT, "_messagetime" BIGINT, "_raw" VARCHAR)')
        engine.con.execute('CREATE TEMP VIEW events_raw AS SELECT "_seq", "_raw" FROM events')
        if raw:
            engine.con.execute('INSERT INTO events SELECT * FROM (SELECT unnest(range(1, $n + 1)) AS s, '
                               'unnest($t) AS m, unnest($r) AS r)', {"n": len(raw), "t": list(times),
                                                                    "r": list(raw)})
        engine.last_time = last_time
        return engine

    @classmethod
    def from_jsonl(cls, paths: Iterable[str | Path], lookups: Lookups | None = None, **settings: object
                   ) -> DuckEngine:
        """Events read by DuckDB straight from JSON-lines files (one object per line), never all in memory."""
        engine = cls(lookups, **settings)  # type: ignore[arg-type]
        files = "[" + ", ".join(literal(str(p)) for p in paths) + "]"
        # one read of the files into a columnar table (DuckDB spills it to its temporary directory past the memory
        # limit): every kept head then scans it in parallel instead of parsing the files' lines again
        engine.con.execute('CREATE TEMP TABLE events AS SELECT row_number() OVER () AS "_seq", '
                           'sumo_ts(json_extract_string(json, \'$.timestamp\')) AS "_messagetime", '
                           f'CAST(json AS VARCHAR) AS "_raw" FROM read_ndjson_objects({files})')
        engine.con.execute('CREATE TEMP VIEW events_raw AS SELECT "_seq", "_raw" FROM events')
        newest = engine.con.execute('SELECT max("_messagetime") FROM events').fetchone()
        engine.last_time = int(newest[0]) if newest and newest[0] is not None else int(datetime.now().timestamp()
                                                                                          * 1000)
        return engine

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    # -- running -----------------------------------------------------------------------------------------------
    def run(self, text: str, *, variables: Mapping[str, str] | None = None,
            parameters: Mapping[str, str] | None = None, now: datetime | None = None,
            time_range: str | None = None, query_type: str = "logs", strict: bool = False) -> Table:
        """Like ``Evaluator.run``; ``strict`` refuses (``NotCompiled``) a query that would not run wholly as SQL
        up to its first aggregate (the differential tests use it to prove the SQL path ran)."""
        if query_type.lower() == "metrics":
            raise EvalError(f"{METRICS_NOT_RUN} (the query is still linted)")
        tree = _parsed(text, variables, parameters)
        now_ms = int(now.timestamp() * 1000) if now is not None else self.last_time
        start = window_start(time_range, now_ms)
        with self._lock:
            frame, plan = self._run(tree, Env(now_ms, start), start, now_ms)
        plan.heads = {name: sql for sql, name in self._heads.items() if re.search(rf"\bFROM {name}\b", plan.sql)}
        plan.heads |= {side: f"-- the values at {', '.join(paths)} of the messages of {table}"
                       for (table, paths), side in self._sides.items() if re.search(rf"\b{side}\b", plan.sql)}
        self.last_plan = plan
        if strict and plan.reason:
            raise NotCompiled(plan.reason)
        return frame if isinstance(frame, Table) else _to_table(frame)

    def row_times(self, text: str, *, variables: Mapping[str, str] | None = None,
                  parameters: Mapping[str, str] | None = None) -> list[int]:
        """``Evaluator.row_times``: the distinct times of the rows the row-local prefix keeps."""
        tree = _parsed(text, variables, parameters)
        env = Env(self.last_time, None)
        with self._lock:
            p, done, split, _, _ = self._prefix(tree, env)
            ops = tree.operators
            if done == split:
                got = self.con.execute(f'SELECT DISTINCT "_messagetime" FROM ({p.sql}) AS t WHERE '
                                       '"_messagetime" IS NOT NULL ORDER BY 1').fetchall()
                return [int(r[0]) for r in got]
            rows = self._python_prefix(p, ops[done:split], env, None)
        return sorted({t for t in (r.get("_messagetime") for r in rows) if isinstance(t, int)})

    def _prefix(self, tree: ast.QueryAST, env: Env, keep_head: bool = False
                ) -> tuple[Pipeline, int, int, str, list[str]]:
        """The SQL of the scope and as many row-local operators as compile: (pipeline, operators compiled,
        the split (first operator that is not row-local), why compiling stopped, the compiled operators' text).
        ``keep_head``: the part before the first ``where`` is read from a kept table (without ``_raw``, which is
        joined back for an operator that reads it)."""
        ops = tree.operators
        split = next((i for i, op in enumerate(ops) if not rowops.is_row_local(op)), len(ops))
        base = Pipeline('SELECT "_seq", "_messagetime", "_raw" FROM events', dict(_BASE_TYPES))
        scope = scope_sql(tree.scope)
        p = base.then("t.*", scope) if scope else base
        names: list[str] = []
        head = next((i for i, op in enumerate(ops[:split]) if isinstance(op, ast.WhereOp)), split)
        reason = ""
        done = 0
        runs = json_runs(tree, ops[:split])
        for i, op in enumerate(ops[:split]):
            if keep_head and i == head and i > 0:
                p = self._materialized(p)
                later = [path for j, run in runs.items() if j > head and run and run[0].source is None
                         for o in run for path in o.paths]
                p = self._extracted(p, later)
            if "_raw" not in p.types and reads_raw(tree, op) and not (
                    isinstance(op, ast.JsonOp) and op.source is None and not op.auto
                    and all(plain_path(path) in p.extracted for path in op.paths)):
                p = with_raw(p)
            try:
                p = compile_op(p, op, env, self._lookup_table, runs.get(i))
            except NotCompiled as exc:
                reason = f"'{op.name}' at {op.line}:{op.column}: {exc}"
                break
            names.append(op_text(tree, op))
            done += 1
        if keep_head and head == split and split > 0 and done == split:
            p = self._materialized(p)
        return p, done, split, reason, names

    def _materialized(self, p: Pipeline) -> Pipeline:
        """The head of a query (scope and extraction, before the first ``where``) kept as a table, once per
        distinct head; ``_raw`` is left out (``_with_raw`` joins it back when needed)."""
        name = self._heads.get(p.sql)
        types = {k: v for k, v in p.types.items() if k != "_raw"}
        if name is None:
            name = f"head_{len(self._heads)}"
            cols = ", ".join(["\"_seq\""] + [ident(k) for k in types])
            self.con.execute(f"CREATE TEMP TABLE {name} AS SELECT {cols} FROM ({p.sql}) AS t")
            self._heads[p.sql] = name
        return Pipeline(f"SELECT * FROM {name}", types)

    def _extracted(self, head: Pipeline, paths: list[str]) -> Pipeline:
        """``head`` (a kept table) with the message's values at ``paths`` (read by a ``json`` after the first
        ``where``) in hidden columns: a side table lined up with the head by position, made once per head and
        paths, so the queries sharing the head do not read the messages again."""
        plain = list(dict.fromkeys(p for p in (plain_path(path) for path in paths) if p))
        if not plain or len(plain) != len(set(paths)):
            return head
        table = head.sql.removeprefix("SELECT * FROM ")
        key = (table, tuple(plain))
        side = self._sides.get(key)
        if side is None:
            side = f"{table}_x{len(self._sides)}"
            listed = "[" + ", ".join(literal(path) for path in plain) + "]"
            cols = ", ".join(f'j[{i}] AS "v{i}", (j[{i}] IS NOT NULL OR {key_present(LITERAL_RAW, path, raw_exists)}) '
                             f'AS "p{i}"' for i, path in enumerate(plain, 1))
            self.con.execute(f'CREATE TEMP TABLE {side} AS SELECT {cols} FROM (SELECT h.rowid AS n, '
                             f'r."_raw", json_extract_string(r."_raw", {listed}) AS j FROM {table} AS h '
                             f'JOIN events_raw AS r ON r."_seq" = h."_seq") ORDER BY n')
            self._sides[key] = side
        extracted = {path: (f"{side}_v{i}", f"{side}_p{i}") for i, path in enumerate(plain, 1)}
        cols = ", ".join(f'x."v{i}" AS "{side}_v{i}", x."p{i}" AS "{side}_p{i}"' for i in range(1, len(plain) + 1))
        return Pipeline(f"SELECT h.*, {cols} FROM {table} AS h POSITIONAL JOIN {side} AS x", head.types,
                        {**head.extracted, **extracted})

    def _run(self, tree: ast.QueryAST, env: Env, start: int | None, end: int) -> tuple[Frame | Table, Plan]:
        ops = tree.operators
        p, done, split, reason, names = self._prefix(tree, env, keep_head=True)
        plan = Plan(sql_ops=names, reason=reason)
        window = _window_sql(start, end)
        agg: Aggregate | None = None
        if done == split and split < len(ops) and isinstance(ops[split], ast.AggregateOp):
            try:
                agg = aggregate(p, ops[split], env, window)
            except NotCompiled as exc:
                plan.reason = f"'{ops[split].name}' at {ops[split].line}:{ops[split].column}: {exc}"
        if agg is None:
            plan.python_ops = [op_text(tree, op) for op in ops[done:]]
            compare = any(isinstance(op, ast.CompareOp) for op in ops[split:])
            rows = self._python_prefix(p, ops[done:split], env, None if compare else window)
            plan.sql = p.sql
            return self.python._rest(ops[split:], rows, self._columns(ops[:split], env), env, start, end), plan
        plan.sql_ops.append(op_text(tree, ops[split]))
        taken = 0  # a sort or limit right after it, unless a compare reruns the aggregate on other windows
        compare = any(isinstance(op, ast.CompareOp) for op in ops)
        while not compare and split + 1 + taken < len(ops):
            nxt = ops[split + 1 + taken]
            if (isinstance(nxt, ast.FieldsOp) and split + 2 + taken < len(ops)) or not agg.then(nxt):
                break
            plan.sql_ops.append(op_text(tree, nxt))
            taken += 1
        plan.sql = agg.select
        rest = ops[split + 1 + taken:]
        plan.python_ops = [op_text(tree, op) for op in rest]
        if not rest:  # all of it ran as SQL: its rows straight into the result table
            columns = agg.result_columns
            result = self.con.execute(agg.result_select())
            return Table(columns, [dict(zip(columns, r, strict=True)) for r in result.fetchall()]), plan
        frame = self._aggregated(agg)
        for i, op in enumerate(rest):
            if isinstance(op, ast.CompareOp):
                def past(s: int | None, e: int, before: list[ast.Operator] = rest[:i]) -> Frame:
                    shifted = self._aggregated(aggregate(p, ops[split], env, _window_sql(s, e)))  # type: ignore
                    for o in before:
                        shifted = self.python._table_op(o, shifted, env, s, e)
                    return shifted
                return self.python.compare_frames(op, frame, past, rest[i + 1:], env, start, end), plan
            frame = self.python._table_op(op, frame, env, start, end)
        return frame, plan

    def _aggregated(self, agg: Aggregate) -> Frame:
        result = self.con.execute(agg.select)
        names = [d[0] for d in result.description][:-1]  # the last column orders the groups
        rows = [dict(zip(names, r, strict=False)) for r in result.fetchall()]
        return Frame(rows, _add_columns(agg.keys, agg.outputs), agg.keys, agg.outputs, True)

    def _columns(self, ops: list[ast.Operator], env: Env) -> list[str]:
        cols = ["_messageTime", "_raw"]
        for op in ops:
            cols = _add_columns(cols, self.python._row_stage(op, env)[1])
        return cols

    def _python_prefix(self, p: Pipeline, ops: list[ast.Operator], env: Env, window: str | None) -> list[Row]:
        """The SQL prefix's rows as the Python evaluator's rows, then ``ops`` applied by it."""
        if "_raw" not in p.types:
            p = with_raw(p)
        fields = [k for k in p.types if k not in ("_raw",)]
        cols = ", ".join([ident("_raw")] + [ident(k) for k in fields])
        result = self.con.execute(f"SELECT {cols} FROM ({p.sql}) AS t" + (f" WHERE {window}" if window else "")
                                  + ' ORDER BY "_seq"')
        names = ["_raw"] + fields
        rows: list[Row] = []
        wants_obj = any(isinstance(op, ast.JsonOp) and op.source is None for op in ops)
        for values in result.fetchall():
            row: Row = dict(zip(names, values, strict=True))
            if wants_obj and isinstance(row["_raw"], str):
                row[HIDDEN_OBJ] = json.loads(row["_raw"])
            rows.append(row)
        for op in ops:
            rows = self.python._row_stage(op, env)[0](rows)
        return rows

    # -- lookup stubs ------------------------------------------------------------------------------------------
    def _lookup_table(self, table: str, columns: list[str]) -> tuple[str, list[str]]:
        key = (table, tuple(columns))
        if key in self._tables:
            return self._tables[key]
        data = self.lookups.geo if table.startswith("geo://") else \
            self.lookups.threats if table.startswith("sumo://threat") else {}
        by_key: dict[str, dict] = {}
        for k, row in data.items():
            if k.lower() in by_key and by_key[k.lower()] is not row:
                raise NotCompiled("a lookup table whose keys differ only in case")
            by_key[k.lower()] = row
        types = []
        values = {k: [_lookup_value(row.get(c)) for c in columns] for k, row in by_key.items()}
        for i in range(len(columns)):
            kinds = {_kind(v[i]) for v in values.values()} - {"null"}
            if kinds == {"int", "num"}:
                kinds = {"num"}
            if len(kinds) > 1 or "bool" in kinds:
                raise NotCompiled(f"lookup column '{columns[i]}' mixes types")
            types.append(kinds.pop() if kinds else "null")
        name = f"lookup_{len(self._tables)}"
        cols = ", ".join(f'"c{i}" {_SQL_TYPES[t]}' for i, t in enumerate(types))
        self.con.execute(f'CREATE TEMP TABLE {name} ("__key" VARCHAR{", " + cols if cols else ""})')
        if values:
            marks = ", ".join("?" for _ in range(len(columns) + 1))
            self.con.executemany(f"INSERT INTO {name} VALUES ({marks})", [[k, *v] for k, v in values.items()])
        self._tables[key] = (name, types)
        return name, types


def _lookup_value(v: object) -> object:
    return v if v is None or isinstance(v, (str, int, float)) else json.dumps(v)


def _kind(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    return "str" if isinstance(v, str) else "int" if isinstance(v, int) else "num"


def _window_sql(start: int | None, end: int) -> str:
    low = f'"_messagetime" > {start} AND ' if start is not None else ""
    return f'("_messagetime" IS NULL OR ({low}"_messagetime" <= {end}))'


def default_threads() -> int:
    """Two threads at most: the engine shares the machine with the rest of the command."""
    return max(1, min(2, os.cpu_count() or 1))
