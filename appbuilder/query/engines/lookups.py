"""The lookup tables a query joins (``geo://``, ``sumo://threat/...``) as DuckDB tables: the test stubs
(``Lookups``) written once per table and columns."""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb

from appbuilder.query.engines.sqlexpr import NotCompiled
from appbuilder.query.evaluate.values import Lookups

_SQL_TYPES = {"str": "VARCHAR", "int": "BIGINT", "num": "DOUBLE", "null": "VARCHAR"}


class LookupTables:
    """``table(name, columns)``: the DuckDB table holding the stub's rows (key lower-cased) and the type of each
    column; ``NotCompiled`` for a stub SQL would read differently (keys that differ only in case, mixed types)."""

    def __init__(self, con: Callable[[], duckdb.DuckDBPyConnection], lookups: Lookups):
        self.con, self.lookups = con, lookups  # ``con``: the calling thread's connection
        self._tables: dict[tuple, tuple[str, list[str]]] = {}

    def table(self, table: str, columns: list[str]) -> tuple[str, list[str]]:
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
        self.con().execute(f'CREATE TABLE {name} ("__key" VARCHAR{", " + cols if cols else ""})')
        if values:
            marks = ", ".join("?" for _ in range(len(columns) + 1))
            self.con().executemany(f"INSERT INTO {name} VALUES ({marks})", [[k, *v] for k, v in values.items()])
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
