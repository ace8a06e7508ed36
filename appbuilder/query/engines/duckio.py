"""The DuckDB engine's connection-level pieces: its thread count, the message-time macro, the events' metadata
columns, and results fetched as rows a batch at a time."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from appbuilder.query.engines.sqlexpr import NotCompiled

if TYPE_CHECKING:
    import duckdb

# RFC 3339 timestamps as ``timestamp_ms`` reads them (the same pattern; the cast runs in UTC, to milliseconds)
TS = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?\s*(?:Z|z|[+-]\d\d:?\d\d)?"
TS_MACRO = f"""CREATE OR REPLACE MACRO sumo_ts(s) AS
  CASE WHEN regexp_full_match(s, '\\d{{4}}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{{1,3}})?Z')
            AND substr(s, 12, 2) < '24' AND left(s, 4) <> '0000'
       THEN epoch_ms(TRY_CAST(s AS TIMESTAMPTZ))
       WHEN regexp_full_match(trim(s), '{TS}') AND substr(trim(s), 12, 2) < '24' AND left(trim(s), 4) <> '0000'
       THEN epoch_ms(TRY_CAST(regexp_replace(regexp_replace(upper(trim(s)), '[.,](\\d{{1,3}})\\d*', '.\\1'),
                                             '\\s+([Z+-])', '\\1') AS TIMESTAMPTZ)) END"""
SQL_TYPES = {"str": "VARCHAR", "int": "BIGINT"}
FETCH_BATCH = 50_000


def default_threads() -> int:
    """Two threads at most: the engine shares the machine with the rest of the command."""
    return max(1, min(2, os.cpu_count() or 1))


def batches(result: duckdb.DuckDBPyConnection) -> Iterator[tuple]:
    """The rows of ``result`` a batch at a time: a large result is never held both as DuckDB's tuples and as the
    caller's rows."""
    while batch := result.fetchmany(FETCH_BATCH):
        yield from batch


def dict_rows(result: duckdb.DuckDBPyConnection, names: list[str]) -> list[dict]:
    """``result``'s rows as dicts by ``names`` (only the first ``len(names)`` columns)."""
    return [dict(zip(names, r, strict=False)) for r in batches(result)]


def metadata_columns(fields: Sequence[Mapping[str, object]]) -> dict[str, list[object]]:
    """Per-event fields (the fake's ``_sourceCategory``, ``_receiptTime``…) as columns by lower-case name, the
    message time left out (it is the events' own column)."""
    names = list(dict.fromkeys(k.lower() for row in fields for k in row if k.lower() != "_messagetime"))
    columns: dict[str, list[object]] = {name: [] for name in names}
    for row in fields:
        lowered = {k.lower(): v for k, v in row.items()}
        for name in names:
            columns[name].append(lowered.get(name))
    return columns


def column_kind(name: str, values: Sequence[object]) -> str:
    """``str`` or ``int``; ``NotCompiled`` for a field the SQL engine cannot give the evaluator's types."""
    kinds = {"str" if isinstance(v, str) else "int" if isinstance(v, int) and not isinstance(v, bool) else "?"
             for v in values if v is not None}
    if len(kinds) > 1 or "?" in kinds:
        raise NotCompiled(f"the events' metadata field '{name}' has values that mix text and numbers (or are "
                          "neither)")
    return kinds.pop() if kinds else "str"
