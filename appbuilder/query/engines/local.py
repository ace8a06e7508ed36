"""The engine `appbuilder test`, `preview` and `query run` use: DuckDB for the row-heavy part of each query, the
Python evaluator (the reference) for the rest and for anything the SQL engine cannot run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

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
                 engine: str = "auto"):
        if engine not in ENGINES:
            raise ValueError(f"unknown query engine '{engine}' (one of {', '.join(ENGINES)})")
        super().__init__(events, lookups, raw)
        self.engine = "python" if engine == "auto" and len(self.base) < SMALL_INPUT else engine
        self.plan = ""  # which engine ran the last query, and how it was split (`query run --explain`)
        self._duck: DuckEngine | None = None

    def duck(self) -> DuckEngine:
        """The DuckDB engine over these events (made, and duckdb imported, on first use)."""
        if self._duck is None:
            from appbuilder.query.engines.duck import DuckEngine

            self._duck = DuckEngine.from_rows([r["_messagetime"] for r in self.base],  # type: ignore[misc]
                                              [r["_raw"] for r in self.base], self.lookups, self.last_time)
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
            time_range: str | None = None, query_type: str = "logs") -> Table:
        if self.engine != "python" and query_type.lower() != "metrics":
            try:
                duck = self.duck()
                table = duck.run(text, variables=variables, parameters=parameters, now=now, time_range=time_range)
                self.plan = duck.last_plan.render() if duck.last_plan else ""
                return table
            except EvalError:
                raise  # the query's own problem: the Python evaluator would say the same
            except Exception as exc:  # a gap of the SQL engine must not fail a query the reference runs
                if self.engine == "duckdb":
                    raise
                self.plan = f"engine: python (DuckDB could not run the query: {type(exc).__name__}: {exc})\n"
        elif query_type.lower() == "metrics":
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
