"""The engine `appbuilder test`, `preview` and `query run` use: DuckDB for the row-heavy part of each query, the
Python evaluator (the reference) for the rest and for anything the SQL engine cannot run."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from appbuilder.query.engines import files
from appbuilder.query.evaluate.engine import Evaluator, Table
from appbuilder.query.evaluate.values import EvalError, Lookups

if TYPE_CHECKING:
    from appbuilder.query.engines.duck import DuckEngine

ENGINES = ("auto", "duckdb", "python")
# Below this many events ``auto`` interprets in Python: DuckDB's per-query set-up (tables, a compiled plan) costs
# more than it saves on an app's samples (the 1Password preview: 6 s in Python, 37 s through DuckDB on 541
# events), while from about 10k events on the SQL engine wins (at 100k: 2.5 s against 12.9 s for all panels;
# `benchmarks/bench_query_eval.py`).
SMALL_INPUT = 10_000


class LocalEngine(Evaluator):
    """``Evaluator``'s interface over the same events. ``engine``: ``python`` interprets every query (the
    reference); ``duckdb`` runs its row-heavy part as SQL, handing what does not compile to the evaluator;
    ``auto`` (the default) is ``python`` for fewer than ``SMALL_INPUT`` events and ``duckdb`` from there on,
    falling back to ``python`` for the whole query should DuckDB fail."""

    def __init__(self, events: Iterable[dict], lookups: Lookups | None = None, raw: list[str] | None = None, *,
                 engine: str = "auto", fields: list[Mapping[str, object]] | None = None):
        """``fields``: per event, metadata fields (``Evaluator``'s); DuckDB gets them as columns."""
        if engine not in ENGINES:
            raise ValueError(f"unknown query engine '{engine}' (one of {', '.join(ENGINES)})")
        super().__init__(events, lookups, raw, fields)
        self.fields = fields
        self.engine = "python" if engine == "auto" and len(self.base) < SMALL_INPUT else engine
        self.chosen = engine  # as asked: `--explain` says why ``auto`` chose the Python evaluator
        self.plan = ""  # which engine ran the last query, and how it was split (`query run --explain`)
        self.files: list[str] = []  # the JSON-lines files DuckDB reads the events from (no Python rows then)
        self._duck: DuckEngine | None = None
        self._making = threading.Lock()  # queries may run on several threads (preview's variable values)

    @classmethod
    def from_files(cls, paths: Sequence[str | Path], lookups: Lookups | None = None, *, engine: str = "auto"
                   ) -> LocalEngine:
        """Events from JSON-lines files (`--events`). ``duckdb``, and ``auto`` from ``SMALL_INPUT`` lines on: read
        by DuckDB straight from the files, never loaded. ``python``, and ``auto`` below: loaded for the Python
        evaluator (``python`` refuses files above ``files.MAX_LOADED_BYTES``). Raises ``files.EventsError``
        naming the file (and line) that cannot be read."""
        if engine not in ENGINES:
            raise ValueError(f"unknown query engine '{engine}' (one of {', '.join(ENGINES)})")
        checked = files.check_files(paths)
        if engine == "python" or (engine == "auto" and files.total_bytes(checked) <= files.MAX_LOADED_BYTES
                                  and files.count_lines(checked, SMALL_INPUT) < SMALL_INPUT):
            events, raw = files.load_events(checked)
            return cls(events, lookups, raw, engine=engine)
        local = cls([], lookups, engine="duckdb")
        local._duck = files.open_duck(checked, local.lookups)
        local.last_time = local._duck.last_time
        local.files = [str(p) for p in checked]
        return local

    def duck(self) -> DuckEngine:
        """The DuckDB engine over these events (made, and duckdb imported, on first use)."""
        with self._making:
            if self._duck is None:
                from appbuilder.query.engines.duck import DuckEngine
                from appbuilder.query.engines.duckio import metadata_columns

                metadata = metadata_columns(self.fields) if self.fields is not None else {}
                self._duck = DuckEngine.from_rows([r["_messagetime"] for r in self.base],  # type: ignore[misc]
                                                  [r["_raw"] for r in self.base], self.lookups, self.last_time,
                                                  metadata)
        return self._duck

    def prepare(self, texts: Iterable[tuple[str, Mapping[str, str]]], *,
                parameters: Mapping[str, str] | None = None) -> None:
        """The queries (text, variables) about to run, so that the SQL engine keeps what they share and reads
        the rest straight from the events (``DuckEngine.prepare``); nothing to do for the Python evaluator."""
        if self.engine == "python":
            return
        batch = list(texts)
        self.duck().prepare([text for text, _ in batch], variables=[variables for _, variables in batch],
                            parameters=parameters)

    def run(self, text: str, *, variables: Mapping[str, str] | None = None,
            parameters: Mapping[str, str] | None = None, now: datetime | None = None,
            time_range: str | None = None, query_type: str = "logs", max_rows: int | None = None) -> Table:
        """``Evaluator.run``; ``max_rows``: on DuckDB, a result made wholly in SQL holds only its first rows
        (``Table.total`` says how many it has)."""
        if self.engine != "python" and query_type.lower() != "metrics":
            try:
                duck = self.duck()
                table = duck.run(text, variables=variables, parameters=parameters, now=now, time_range=time_range,
                                 max_rows=max_rows)
                self.plan = duck.last_plan.render() if duck.last_plan else ""
                return table
            except EvalError:
                raise  # the query's own problem: the Python evaluator would say the same
            except Exception as exc:  # a gap of the SQL engine must not fail a query the reference runs
                if self.files:  # ... but the reference needs the events in memory
                    raise EvalError(f"DuckDB cannot run the query '{_snippet(text)}' ({type(exc).__name__}: {exc}), "
                                    f"and the Python evaluator cannot take over: it needs the events in memory, "
                                    f"and these are read from {', '.join(self.files)} (`--engine python` loads "
                                    f"up to {files.MAX_LOADED_BYTES // 1048576} MiB of events)") from exc
                if self.engine == "duckdb":
                    raise
                self.plan = f"engine: python (DuckDB could not run the query: {type(exc).__name__}: {exc})\n"
        elif query_type.lower() == "metrics":
            self.plan = "engine: python\n"
        elif self.chosen == "python":
            self.plan = "engine: python\n"
        else:
            self.plan = f"engine: python (fewer than {SMALL_INPUT:,} events: `--engine duckdb` runs them as SQL)\n"
        return super().run(text, variables=variables, parameters=parameters, now=now, time_range=time_range,
                           query_type=query_type)

    def row_times(self, text: str, *, variables: Mapping[str, str] | None = None,
                  parameters: Mapping[str, str] | None = None) -> list[int]:
        if self.engine == "python":
            return super().row_times(text, variables=variables, parameters=parameters)
        return self.duck().row_times(text, variables=variables, parameters=parameters)


def _snippet(text: str, width: int = 60) -> str:
    """The query on one line, cut at ``width`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"
