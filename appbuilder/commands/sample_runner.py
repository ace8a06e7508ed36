"""The sample runner: an app's panels, saved searches and monitors run on its sample events (or on events files)
with the local query engine; what `test`, `preview` and `query run` share."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from appbuilder.commands.monitor_verdict import TriggerVerdict, monitor_verdicts, window_verdicts
from appbuilder.load.samples import LOOKUP_DIR, SampleData, evaluator_lookups, read_lookup_tables, read_sample_data
from appbuilder.model import App, Monitor, TextOrigin
from appbuilder.query.engines.local import LocalEngine
from appbuilder.query.evaluate import EvalError, Table
from appbuilder.templating import expand_query


def app_targets(app: App) -> dict[str, tuple[str, str | None, dict[str, str], str]]:
    """Every query of ``app`` by test target: (query text, time range, default variable values, kind)."""
    out: dict[str, tuple[str, str | None, dict[str, str], str]] = {}
    for dash in app.dashboards:
        defaults = {v.name: v.default or "*" for v in dash.variables}
        for panel in dash.panels:
            if panel.query:
                out[f"{dash.slug}/{panel.id}"] = (panel.query, panel.time_range or dash.time_range, defaults, "panel")
    for query in app.queries:
        out[f"query:{query.id}"] = (query.text, query.time_range, {v.name: v.default for v in query.variables},
                                    "query")
    for monitor in app.monitors:  # the whole sample set; `verdicts` runs each trigger's windows
        out[f"monitor:{monitor.slug}"] = (monitor.query, None, {}, "monitor")
    return out


def locator(origin: TextOrigin | None) -> Callable[[int], str]:
    """``line 3 (dashboards/overview.yaml:41)``: a line of a query and where it is written."""
    def locate(line: int) -> str:
        if origin is None:
            return f"line {line}"
        position = origin.locate(line, 1)
        return f"line {line} ({position.file}:{position.line})"

    return locate


def target_origins(app: App) -> dict[str, TextOrigin | None]:
    """Where each target's query is written (maps a line of the query to its file position)."""
    origins = {f"{d.slug}/{p.id}": p.query_origin for d in app.dashboards for p in d.panels}
    origins |= {f"query:{q.id}": q.origin for q in app.queries}
    return origins | {f"monitor:{m.slug}": m.origin for m in app.monitors}


class SampleRunner:
    """The app's sample events loaded once; its panels, queries and monitors run on them (`test`, `preview`).
    ``samples`` are the ones the pipeline read (read here when not given); broken lines are left out and listed
    in ``samples.diagnostics``."""

    def __init__(self, app: App, variables: Mapping[str, str], parameters: Mapping[str, str],
                 samples: SampleData | None = None, *, engine: str = "auto", evaluator: LocalEngine | None = None):
        self.app = app
        self.variables = dict(variables)
        self.parameters = {**app.parameter_defaults(), **parameters}
        self.samples = samples if samples is not None else read_sample_data(app)
        self.monitors = {f"monitor:{m.slug}": m for m in app.monitors}  # by test target
        self.evaluator = evaluator or LocalEngine(self.samples.events, evaluator_lookups(self.samples.lookups),
                                                  self.samples.raw, engine=engine)
        self.now = datetime.fromtimestamp(self.evaluator.last_time / 1000, tz=timezone.utc)

    @classmethod
    def over_files(cls, app: App, variables: Mapping[str, str], parameters: Mapping[str, str],
                   events: Sequence[str | Path], lookups: dict[str, list[dict[str, Any]]] | None = None, *,
                   engine: str = "auto") -> SampleRunner:
        """The runner over the events of JSON-lines files (`--events`) instead of the samples; the lookup tables
        are still the app's (``lookups``: as already read). Raises ``EventsError`` for a file it cannot read."""
        if lookups is None:
            lookups = read_lookup_tables(app.root / LOOKUP_DIR)[0]
        evaluator = LocalEngine.from_files(events, evaluator_lookups(lookups), engine=engine)
        return cls(app, variables, parameters, SampleData(lookups=lookups), evaluator=evaluator)

    @property
    def concurrency(self) -> int:
        """How many queries may run at once: DuckDB runs them side by side, each on its own connection (measured
        1.6 times the throughput of one at a time on two cores); the Python evaluator runs one at a time."""
        if self.evaluator.engine == "python":
            return 1
        from appbuilder.query.engines.duckio import default_threads

        return default_threads()

    def targets(self) -> dict[str, tuple[str, str | None, dict[str, str], str]]:
        """target → (query text, time range, default variable values, kind)."""
        return app_targets(self.app)

    def _positioned(self, target: str, text: str, message: str) -> str:
        """A syntax error as ``file:line:col: message``, found in the query as written (before ``{{var}}`` and
        ``${param}`` are substituted, which would shift the columns); other messages unchanged."""
        from appbuilder.query.parser import parse

        issues = parse(text).issues if message.startswith("syntax error") else []
        if not issues:
            return message
        origin, first = target_origins(self.app).get(target), issues[0]
        where = origin.locate(first.line, first.column) if origin else f"{first.line}:{first.column}"
        return f"{where}: syntax error: {first.message}" + (f" ({first.hint})" if first.hint else "")

    def prepare(self, targets: Mapping[str, tuple[str, str | None, dict[str, str], str]]) -> None:
        """The targets about to run with their default variables (the engine keeps what their queries share)."""
        self.evaluator.prepare(((text, {**defaults, **self.variables}) for text, _, defaults, _ in targets.values()),
                               parameters=self.parameters)

    def prepare_panels(self) -> None:
        """``prepare`` for the dashboards' panels (what a preview runs)."""
        self.prepare({t: spec for t, spec in self.targets().items() if spec[3] == "panel"})

    def run(self, target: str, spec: tuple[str, str | None, dict[str, str], str],
            variables: Mapping[str, str], max_rows: int | None = None) -> tuple[Table | None, str | None, float]:
        """(table, error, seconds) of one target; ``max_rows``: the rows a table shows (``Table.total``)."""
        text, time_range, defaults, _ = spec
        start = time.perf_counter()
        try:
            table = self.evaluator.run(text, variables={**defaults, **self.variables, **variables},
                                       parameters=self.parameters, now=self.now, time_range=time_range,
                                       max_rows=max_rows)
        except EvalError as exc:
            return None, self._positioned(target, text, str(exc)), time.perf_counter() - start
        except Exception as exc:  # an evaluator bug must fail the case, not the run
            return None, (f"the local query evaluator cannot run this query ({type(exc).__name__}: {exc}); "
                          f"this is a gap in appbuilder's evaluator, please report it"), time.perf_counter() - start
        return table, None, time.perf_counter() - start


    def why_empty(self, target: str, spec: tuple[str, str | None, dict[str, str], str]) -> str:
        """``: loses every event at line 3 (file:line): json …`` for a query that returns no rows on the samples
        (the prefix search `test --live` runs on an org); empty when no single step is to blame."""
        from appbuilder.live.diagnose import diagnose
        from appbuilder.live.local import SampleBackend

        text, time_range, defaults, _ = spec
        query = expand_query(text, {**defaults, **self.variables}, self.parameters)
        try:
            found = diagnose(query, SampleBackend(self.evaluator, self.now, time_range),
                             locate=locator(target_origins(self.app).get(target)))
        except Exception:  # noqa: BLE001 - the explanation is a help; the failure stands without it
            return ""
        return "" if found.stage == "none" else f": {found.message}"

    def verdicts(self, monitor: Monitor, table: Table, variables: Mapping[str, str]) -> list[TriggerVerdict]:
        """Each trigger of ``monitor`` over its windows on the samples (``table``, its result on the whole
        sample set, when the samples have no timestamps)."""
        times = [t for t in (r["_messagetime"] for r in self.evaluator.base) if isinstance(t, int)]
        if not times:
            return monitor_verdicts(monitor, table)
        values = {**self.variables, **variables}

        def run(time_range: str, end: int) -> Table:
            return self.evaluator.run(monitor.query, variables=values, parameters=self.parameters,
                                      now=datetime.fromtimestamp(end / 1000, tz=timezone.utc),
                                      time_range=time_range)

        kept = self.evaluator.row_times(monitor.query, variables=values, parameters=self.parameters)
        return window_verdicts(monitor, run, kept, min(times), max(times))
