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
from appbuilder.query.engines.duckio import (
    SQL_TYPES,
    TS_MACRO,
    batches,
    column_kind,
    default_threads,
    dict_rows,
)
from appbuilder.query.engines.lookups import LookupTables
from appbuilder.query.engines.plan import (
    Batch,
    Plan,
    auto_fields,
    json_runs,
    op_text,
    plain_path,
    plain_paths,
    reads_raw,
    with_raw,
)
from appbuilder.query.engines.sqlagg import Aggregate, first_aggregate
from appbuilder.query.engines.sqlexpr import (
    PY_FUNCTIONS,
    NotCompiled,
    ident,
    literal,
    py_function,
    py_functions_run,
    scope_sql,
)
from appbuilder.query.engines.sqlops import Pipeline, compile_op, key_found, key_value
from appbuilder.query.evaluate.engine import (
    METRICS_NOT_RUN,
    Evaluator,
    Table,
    _parsed,
    _to_table,
    window_start,
)
from appbuilder.query.evaluate.expr import Env
from appbuilder.query.evaluate.expr import functions as evaluator_functions
from appbuilder.query.evaluate.tableops import Frame, _add_columns
from appbuilder.query.evaluate.values import HIDDEN_OBJ, EvalError, Lookups, Row

_BASE_TYPES = {"_messagetime": "int", "_raw": "str"}


class DuckEngine:
    """Runs log queries as DuckDB SQL over one set of events; ``run`` has the Python evaluator's signature."""

    def __init__(self, lookups: Lookups | None = None, *, threads: int | None = None, memory_limit: str = "1GB"):
        self.lookups = lookups or Lookups()
        # where DuckDB spills past its memory limit (made by DuckDB only then), removed with the engine
        self._tmp = os.path.join(tempfile.gettempdir(), f"appbuilder-duckdb-{os.getpid()}-{id(self):x}")
        weakref.finalize(self, shutil.rmtree, self._tmp, True)
        self.con = duckdb.connect(":memory:", config={"threads": threads or default_threads(),
                                                      "memory_limit": memory_limit, "temp_directory": self._tmp})
        self.con.execute("SET GLOBAL TimeZone = 'UTC'")  # GLOBAL: the threads' connections too
        self.con.execute("SET enable_progress_bar = false")  # long scans must not draw on the terminal
        # DuckDB pushes a filter through the projection that extracts a ``json`` operator's values and then runs
        # the extraction once per reference to it: a query straight from the events ran 4-5 times slower
        self.con.execute("SET GLOBAL disabled_optimizers = 'filter_pushdown'")
        self.con.execute(TS_MACRO)
        functions = evaluator_functions(Env(0))
        for name, kind in PY_FUNCTIONS.items() if py_functions_run() else ():  # the evaluator's code: its answers
            self.con.create_function(py_function(name), functions[name], ["VARCHAR"],  # type: ignore[list-item]
                                     "BOOLEAN" if kind == "bool" else "VARCHAR",  # type: ignore[arg-type]
                                     null_handling="special", side_effects=False)
        self.python = Evaluator([], self.lookups)
        self.last_time = 0
        self.last_plan: Plan | None = None
        self._lookups = LookupTables(self._db, self.lookups)
        self.base_types = dict(_BASE_TYPES)  # the events' columns (besides their position) and their types
        self._heads: dict[str, tuple[str, Pipeline]] = {}  # SQL -> the kept table's name and the pipeline reading it
        self._sides: dict[tuple, str] = {}  # (kept table, json paths) -> its side table
        self._batch: Batch | None = None
        # queries run on any thread, each on its own connection to the one database (its tables are not TEMP,
        # which would be the creating connection's alone); what the engine keeps is made under the lock
        self._lock = threading.RLock()
        self._owner = threading.get_ident()
        self._local = threading.local()
        self._cursors: dict[int, duckdb.DuckDBPyConnection] = {}  # by thread

    # -- sources -----------------------------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, times: Sequence[int | None], raw: Sequence[str], lookups: Lookups | None = None,
                  last_time: int = 0, metadata: Mapping[str, Sequence[object]] | None = None) -> DuckEngine:
        """Events held in memory: their JSON text and message times (as ``timestamp_ms`` read them).
        ``metadata``: more fields of every event (``_sourcecategory``…, lower case) by name, each all text or
        all integers (``metadata_columns``)."""
        engine = cls(lookups, threads=1 if len(raw) < 100_000 else None)  # planning dominates on few events
        meta = dict(metadata or {})
        kinds = {name: column_kind(name, values) for name, values in meta.items()}
        engine.base_types.update(kinds)
        extra = "".join(f", {ident(name)} {SQL_TYPES[kind]}" for name, kind in kinds.items())
        engine.con.execute(f'CREATE TABLE events ("_seq" BIGINT, "_messagetime" BIGINT, "_raw" VARCHAR{extra})')
        engine.con.execute('CREATE VIEW events_raw AS SELECT "_seq", "_raw" FROM events')
        if raw:
            cols = "".join(f", unnest($c{i}) AS c{i}" for i in range(len(meta)))
            values = {f"c{i}": list(v) for i, v in enumerate(meta.values())}
            engine.con.execute('INSERT INTO events SELECT * FROM (SELECT unnest(range(1, $n + 1)) AS s, '
                               f'unnest($t) AS m, unnest($r) AS r{cols})', {"n": len(raw), "t": list(times),
                                                                           "r": list(raw), **values})
        engine.last_time = last_time
        return engine

    @classmethod
    def from_jsonl(cls, paths: Iterable[str | Path], lookups: Lookups | None = None, **settings: object
                   ) -> DuckEngine:
        """Events read by DuckDB straight from JSON-lines files (one object per line), never all in memory."""
        engine = cls(lookups, **settings)  # type: ignore[arg-type]
        files = "[" + ", ".join(literal(engine._literal_path(Path(p), i)) for i, p in enumerate(paths)) + "]"
        # one read of the files into a columnar table (DuckDB spills it to its temporary directory past the memory
        # limit): every kept head then scans it in parallel instead of parsing the files' lines again
        # DuckDB keeps the files' order as the insertion order (its default ``preserve_insertion_order``): a row's
        # position in the table is its position in the files (a row_number() window would number them on one
        # thread: a third of the read at a million events)
        engine.con.execute('CREATE TABLE events_read AS SELECT '
                           'sumo_ts(json_extract_string(json, \'$.timestamp\')) AS "_messagetime", '
                           f'CAST(json AS VARCHAR) AS "_raw" FROM read_ndjson_objects({files})')
        engine.con.execute('CREATE VIEW events AS SELECT rowid + 1 AS "_seq", "_messagetime", "_raw" '
                           'FROM events_read')
        engine.con.execute('CREATE VIEW events_raw AS SELECT "_seq", "_raw" FROM events')
        newest = engine.con.execute('SELECT max("_messagetime") FROM events_read').fetchone()
        engine.last_time = int(newest[0]) if newest and newest[0] is not None else int(datetime.now().timestamp()
                                                                                          * 1000)
        return engine

    def _literal_path(self, path: Path, index: int) -> str:
        """``path`` as DuckDB is to read it: it takes a file name as a glob pattern, so a name with ``*``, ``?``,
        ``[`` or ``{`` is read through a link of a plain name in the engine's temporary directory."""
        if not any(c in str(path) for c in "*?[{"):
            return str(path)
        os.makedirs(self._tmp, exist_ok=True)
        link = os.path.join(self._tmp, f"events-{index}{path.suffix if path.suffix.isalnum() else ''}")
        os.symlink(path.resolve(), link)
        return link

    def _db(self) -> duckdb.DuckDBPyConnection:
        """The connection of the calling thread."""
        ident = threading.get_ident()
        if ident == self._owner:
            return self.con
        con = getattr(self._local, "con", None)
        if con is None:
            with self._lock:
                alive = {t.ident for t in threading.enumerate()}
                for gone in [i for i in self._cursors if i not in alive]:  # threads that ended (a server's)
                    self._cursors.pop(gone).close()
                con = self._local.con = self._cursors[ident] = self.con.cursor()
                con.execute("SET enable_progress_bar = false")
        return con

    def close(self) -> None:
        for con in self._cursors.values():
            con.close()
        self.con.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    # -- running -----------------------------------------------------------------------------------------------
    def prepare(self, texts: Iterable[str], *,
                variables: Mapping[str, str] | Sequence[Mapping[str, str]] | None = None,
                parameters: Mapping[str, str] | None = None) -> None:
        """Plan the queries about to run: a head two or more of them share is kept as a table (made on first use,
        with the message's values the later ``json`` operators of all of them read, in the same scan); a head
        only one reads runs straight from the events. Without a plan every head is kept. ``variables``: for all
        the queries, or one mapping per query."""
        batch = Batch()
        env = Env(self.last_time, None)
        texts = list(texts)
        each = variables if isinstance(variables, Sequence) else [variables] * len(texts)
        for text, values in zip(texts, each, strict=True):
            try:
                tree = _parsed(text, values, parameters)
            except EvalError:
                continue  # it fails the same way when it runs
            with self._lock:
                self._prefix(tree, env, batch=batch)
        self._batch = batch
    def run(self, text: str, *, variables: Mapping[str, str] | None = None,
            parameters: Mapping[str, str] | None = None, now: datetime | None = None,
            time_range: str | None = None, query_type: str = "logs", strict: bool = False,
            max_rows: int | None = None) -> Table:
        """Like ``Evaluator.run``; ``strict`` refuses (``NotCompiled``) a query that would not run wholly as SQL
        up to its first aggregate (the differential tests use it to prove the SQL path ran). ``max_rows``: a
        result made wholly in SQL holds only its first rows (``Table.total`` says how many it has)."""
        if query_type.lower() == "metrics":
            raise EvalError(f"{METRICS_NOT_RUN} (the query is still linted)")
        tree = _parsed(text, variables, parameters)
        now_ms = int(now.timestamp() * 1000) if now is not None else self.last_time
        start = window_start(time_range, now_ms)
        frame, plan = self._run(tree, Env(now_ms, start), start, now_ms, max_rows)
        with self._lock:
            heads, sides = list(self._heads.items()), list(self._sides.items())
        plan.heads = {name: sql for sql, (name, _) in heads if re.search(rf"\bFROM {name}\b", plan.sql)}
        plan.heads |= {side: f"-- the values at {', '.join(paths)} of the messages of {table}"
                       for (table, paths), side in sides if re.search(rf"\b{side}\b", plan.sql)}
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
                got = self._db().execute(f'SELECT DISTINCT "_messagetime" FROM ({p.sql}) AS t WHERE '
                                         '"_messagetime" IS NOT NULL ORDER BY 1').fetchall()
                return [int(r[0]) for r in got]
            rows = self._python_prefix(p, ops[done:split], env, None)
        return sorted({t for t in (r.get("_messagetime") for r in rows) if isinstance(t, int)})

    def _prefix(self, tree: ast.QueryAST, env: Env, keep_head: bool = False, batch: Batch | None = None
                ) -> tuple[Pipeline, int, int, str, list[str]]:
        """The SQL of the scope and as many row-local operators as compile: (pipeline, operators compiled,
        the split (first operator that is not row-local), why compiling stopped, the compiled operators' text).
        ``keep_head``: the part before the first ``where`` (the head) is read from a kept table when the engine
        keeps it (without ``_raw``, which is joined back for an operator that reads it). Either way the head's
        first ``json`` also takes, in the same parse, the message paths a ``json`` after the head reads.
        ``batch``: only count the query's head into it."""
        ops = tree.operators
        split = next((i for i, op in enumerate(ops) if not rowops.is_row_local(op)), len(ops))
        columns = ", ".join(ident(name) for name in self.base_types)
        base = Pipeline(f'SELECT "_seq", {columns} FROM events', dict(self.base_types))
        scope = scope_sql(tree.scope)
        start = base.then("t.*", scope) if scope else base
        head = next((i for i, op in enumerate(ops[:split]) if isinstance(op, ast.WhereOp)), split)
        runs = json_runs(tree, ops[:split])
        later = plain_paths([path for j, run in runs.items() if j > head and run and run[0].source is None
                              for o in run for path in o.paths])
        p, done, reason, names = self._compiled(tree, start, 0, head, env, runs)
        if done == head > 0:
            if batch is not None:
                batch.add(p.sql, later)
                return p, 0, split, "", []
            if keep_head and self._keeps(p):
                kept = self._heads[p.sql][1] if p.sql in self._heads else None
                if kept is None:  # made with what every query of the batch reads after it
                    fetch = self._batch.paths.get(p.sql, []) if self._batch else later
                    built = self._compiled(tree, start, 0, head, env, runs, fetch)[0] if fetch else p
                    kept = self._materialized(p.sql, built)
                p = self._extracted(kept, later)
            elif later:
                p = self._compiled(tree, start, 0, head, env, runs, later)[0]
        if done < head:  # compiling stopped before the head's end
            return p, done, split, reason, names
        p, more, reason, also = self._compiled(tree, p, head, split, env, runs)
        return p, done + more, split, reason, names + also

    def _compiled(self, tree: ast.QueryAST, p: Pipeline, first: int, stop: int, env: Env,
                  runs: dict[int, list[ast.JsonOp]], fetch: Sequence[str] = ()) -> tuple[Pipeline, int, str, list[str]]:
        """``p`` followed by the operators ``first`` to ``stop`` as far as they compile: (pipeline, how many
        compiled, why compiling stopped, their text). ``fetch``: paths the first ``json`` of the message also
        takes."""
        names: list[str] = []
        fetching = next((i for i in range(first, stop) if runs.get(i) and runs[i][0].source is None), None)
        for i in range(first, stop):
            op = tree.operators[i]
            auto = auto_fields(tree, i) if isinstance(op, ast.JsonOp) and op.auto else None
            if "_raw" not in p.types and reads_raw(tree, op) and not (
                    isinstance(op, ast.JsonOp) and op.source is None and not op.auto
                    and all(plain_path(path) in p.extracted for path in op.paths)):
                p = with_raw(p)
            try:
                p = compile_op(p, op, env, self._lookups.table, runs.get(i), fetch if i == fetching else (), auto)
            except NotCompiled as exc:
                return p, len(names), f"'{op.name}' at {op.line}:{op.column}: {exc}", names
            names.append(op_text(tree, op))
        return p, len(names), "", names

    def _keeps(self, head: Pipeline) -> bool:
        """Whether the head is (to be) kept as a table: always without a plan, else when shared."""
        return self._batch is None or head.sql in self._heads or self._batch.uses.get(head.sql, 0) > 1

    def _materialized(self, key: str, p: Pipeline) -> Pipeline:
        """The head of a query (scope and extraction, before the first ``where``) kept as a table, once per
        distinct head (``key``: its SQL without the paths fetched for later), with the hidden columns of the
        message values fetched for later; ``_raw`` is left out (``with_raw`` joins it back when needed)."""
        name = f"head_{len(self._heads)}"
        types = {k: v for k, v in p.types.items() if k != "_raw"}
        hidden = [column for pair in p.extracted.values() for column in pair]
        cols = ", ".join(['"_seq"'] + [ident(k) for k in types] + [f'"{c}"' for c in hidden])
        self._db().execute(f"CREATE TABLE {name} AS SELECT {cols} FROM ({p.sql}) AS t")
        kept = Pipeline(f"SELECT * FROM {name}", types, dict(p.extracted))
        self._heads[key] = (name, kept)
        return kept

    def _extracted(self, head: Pipeline, paths: list[str]) -> Pipeline:
        """``head`` (a kept table) with the message's values at ``paths`` (read by a ``json`` after the first
        ``where``) in hidden columns: its own when it was made with them, else a side table lined up with the
        head by position, made once per head and paths, so the queries sharing the head do not read the
        messages again."""
        plain = [path for path in paths if path not in head.extracted]
        if not plain:
            return head
        table = head.sql.removeprefix("SELECT * FROM ")
        key = (table, tuple(plain))
        side = self._sides.get(key)
        if side is None:
            side = f"{table}_x{len(self._sides)}"
            listed = "[" + ", ".join(literal(path) for path in plain) + "]"
            cols = ", ".join(f'{key_value(f"j[{i}]")} AS "v{i}", {key_found(f"j[{i}]")} AS "p{i}"'
                             for i in range(1, len(plain) + 1))
            self._db().execute(f'CREATE TABLE {side} AS SELECT {cols} FROM (SELECT h.rowid AS n, '
                               f'json_extract(r."_raw", {listed}) AS j FROM {table} AS h '
                               f'JOIN events_raw AS r ON r."_seq" = h."_seq") ORDER BY n')
            self._sides[key] = side
        extracted = {path: (f"{side}_v{i}", f"{side}_p{i}") for i, path in enumerate(plain, 1)}
        cols = ", ".join(f'x."v{i}" AS "{side}_v{i}", x."p{i}" AS "{side}_p{i}"' for i in range(1, len(plain) + 1))
        return Pipeline(f"SELECT h.*, {cols} FROM {table} AS h POSITIONAL JOIN {side} AS x", head.types,
                        {**head.extracted, **extracted})

    def _run(self, tree: ast.QueryAST, env: Env, start: int | None, end: int, max_rows: int | None = None
             ) -> tuple[Frame | Table, Plan]:
        ops = tree.operators
        with self._lock:  # it may make the head's table
            p, done, split, reason, names = self._prefix(tree, env, keep_head=True)
        plan = Plan(sql_ops=names, reason=reason)
        window = _window_sql(start, end)
        agg: Aggregate | None = None
        at = split  # the first aggregate; a `fields` right before it changes nothing the aggregate makes
        if done == split and at + 1 < len(ops) and isinstance(ops[at], ast.FieldsOp) \
                and isinstance(ops[at + 1], (ast.AggregateOp, ast.TopOp)):
            at += 1
        if done == split and at < len(ops) and isinstance(ops[at], (ast.AggregateOp, ast.TopOp)):
            if "_raw" not in p.types and reads_raw(tree, ops[at]):  # a kept head left the message out
                p = with_raw(p)
            try:
                agg = first_aggregate(p, ops[at], env, window)
            except NotCompiled as exc:
                plan.reason = f"'{ops[at].name}' at {ops[at].line}:{ops[at].column}: {exc}"
        if agg is None:
            plan.python_ops = [op_text(tree, op) for op in ops[done:]]
            compare = any(isinstance(op, ast.CompareOp) for op in ops[split:])
            rows = self._python_prefix(p, ops[done:split], env, None if compare else window)
            plan.sql = p.sql
            return self.python._rest(ops[split:], rows, self._columns(ops[:split], env), env, start, end), plan
        plan.sql_ops += [op_text(tree, op) for op in ops[split:at + 1]]
        taken = 0  # a sort or limit right after it, unless a compare reruns the aggregate on other windows
        compare = any(isinstance(op, ast.CompareOp) for op in ops)
        while not compare and at + 1 + taken < len(ops):
            nxt = ops[at + 1 + taken]
            if (isinstance(nxt, ast.FieldsOp) and at + 2 + taken < len(ops)) or not agg.then(nxt):
                break
            plan.sql_ops.append(op_text(tree, nxt))
            taken += 1
        plan.sql = agg.select
        rest = ops[at + 1 + taken:]
        plan.python_ops = [op_text(tree, op) for op in rest]
        if not rest:  # all of it ran as SQL: its rows straight into the result table
            columns = agg.result_columns
            result = self._db().execute(agg.result_select(max_rows))
            if max_rows is None:
                return Table(columns, dict_rows(result, columns)), plan
            held = result.fetchall()
            total = held[0][-1] if held else 0
            if total > len(held) and all(v is None for r in held for v in r[:-1]):
                # a page of nulls alone would read as "no data": the whole result says whether it is
                return Table(columns, dict_rows(self._db().execute(agg.result_select()), columns)), plan
            return Table(columns, [dict(zip(columns, r, strict=False)) for r in held],
                         total if agg.limit is None else min(total, agg.limit)), plan
        frame = self._aggregated(agg)
        for i, op in enumerate(rest):
            if isinstance(op, ast.CompareOp):
                def past(s: int | None, e: int, before: list[ast.Operator] = rest[:i]) -> Frame:
                    shifted = self._aggregated(first_aggregate(p, ops[at], env, _window_sql(s, e)))
                    for o in before:
                        shifted = self.python._table_op(o, shifted, env, s, e)
                    return shifted
                return self.python.compare_frames(op, frame, past, rest[i + 1:], env, start, end), plan
            frame = self.python._table_op(op, frame, env, start, end)
        return frame, plan

    def _aggregated(self, agg: Aggregate) -> Frame:
        result = self._db().execute(agg.select)
        names = [d[0] for d in result.description][:-1]  # the last column orders the groups
        rows = dict_rows(result, names)
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
        result = self._db().execute(f"SELECT {cols} FROM ({p.sql}) AS t" + (f" WHERE {window}" if window else "")
                                    + ' ORDER BY "_seq"')
        names = ["_raw"] + fields
        rows: list[Row] = []
        wants_obj = any(isinstance(op, ast.JsonOp) and op.source is None for op in ops)
        for values in batches(result):
            row: Row = dict(zip(names, values, strict=True))
            if wants_obj and isinstance(row["_raw"], str):
                row[HIDDEN_OBJ] = json.loads(row["_raw"])
            rows.append(row)
        for op in ops:
            rows = self.python._row_stage(op, env)[0](rows)
        return rows

def _window_sql(start: int | None, end: int) -> str:
    low = f'"_messagetime" > {start} AND ' if start is not None else ""
    return f'("_messagetime" IS NULL OR ({low}"_messagetime" <= {end}))'
