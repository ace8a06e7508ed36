"""`appbuilder test`: run every panel, saved search and monitor of an app on its samples and check expectations."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from appbuilder.commands.monitor_verdict import TriggerVerdict, check_fires, describe, monitor_verdicts, window_verdicts
from appbuilder.diagnostics import Diagnostic
from appbuilder.load.samples import LOOKUP_DIR, SampleData, evaluator_lookups, read_lookup_tables, read_sample_data
from appbuilder.load.yamlfile import read_yaml
from appbuilder.model import App, Monitor, Position, TextOrigin
from appbuilder.pipeline import run_pipeline
from appbuilder.query.engines.local import LocalEngine
from appbuilder.query.evaluate import EvalError, Table
from appbuilder.query.evaluate.engine import METRICS_NOT_RUN
from appbuilder.query.evaluate.values import to_number, to_str
from appbuilder.templating import expand_query
from appbuilder.validate import ValidationResult


@dataclass
class CaseResult:
    name: str
    target: str
    kind: str  # "panel", "query", "monitor" or "expectation"
    failures: list[str] = field(default_factory=list)
    detail: str = ""  # a monitor's verdict
    rows: int = 0
    columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    file: str = ""
    skipped: str = ""  # why the case was not run (a metrics panel); a skipped case is not a failure
    triggers: list[dict] = field(default_factory=list)  # a monitor's verdict per trigger (JSON report)
    status: str = ""  # `test --live`: ok, no data, error or skipped

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class TestRunResult:
    app: str
    cases: list[CaseResult] = field(default_factory=list)
    events: int = 0
    seconds: float = 0.0
    live: dict[str, Any] | None = None  # `test --live`: the window searched and what the run cost
    interrupted: bool = False  # `test --live` stopped by Ctrl-C (its search jobs deleted)

    @property
    def ok(self) -> bool:
        return bool(self.cases) and all(c.ok for c in self.cases)

    @property
    def passed(self) -> int:
        return sum(1 for c in self.cases if c.ok and not c.skipped)

    @property
    def skipped(self) -> int:
        return sum(1 for c in self.cases if c.skipped)

    @property
    def failed(self) -> int:
        return sum(1 for c in self.cases if not c.ok)


def unknown_variables(app: App, variables: Mapping[str, str], also: set[str] | None = None) -> list[Diagnostic]:
    """An error for each ``--var`` name that no dashboard or saved search of ``app`` declares (nor ``also``)."""
    import difflib

    known = {v.name for d in app.dashboards for v in d.variables} | {
        v.name for q in app.queries for v in q.variables} | (also or set())
    problems = []
    for name in sorted(set(variables) - known):
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = (f"did you mean '{close[0]}'?" if close else
                f"known variables: {', '.join(sorted(known))}" if known else "this app declares no variables")
        problems.append(Diagnostic(Position("--var"), f"no dashboard variable or saved-search parameter is named "
                                   f"'{name}'", code="unknown-variable", hint=hint))
    return problems


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
            variables: Mapping[str, str]) -> tuple[Table | None, str | None, float]:
        text, time_range, defaults, _ = spec
        start = time.perf_counter()
        try:
            table = self.evaluator.run(text, variables={**defaults, **self.variables, **variables},
                                       parameters=self.parameters, now=self.now, time_range=time_range)
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


def _judge(case: CaseResult, runner: SampleRunner, monitor: Monitor, table: Table,
           variables: Mapping[str, str]) -> list[TriggerVerdict] | None:
    """Set ``case``'s monitor verdict (text and per trigger); None (and a failure) when a window cannot run."""
    try:
        verdicts = runner.verdicts(monitor, table, variables)
    except Exception as exc:  # the whole-set run passed; a window run failing is an evaluator gap
        case.failures.append(f"the local query evaluator cannot run this monitor's windows "
                             f"({type(exc).__name__}: {exc}); please report it")
        return None
    case.detail = describe(monitor, verdicts)
    case.triggers = [v.to_json() for v in verdicts]
    return verdicts


@dataclass
class TestOutcome:
    """The validation of the app (and of ``--param``), and the test run when the app was valid."""

    validation: ValidationResult
    result: TestRunResult | None = None

    @property
    def ok(self) -> bool:
        return self.validation.ok and self.result is not None and self.result.ok


def run_test(path: Path, *, variables: Mapping[str, str], parameters: Mapping[str, str]) -> TestOutcome:
    """Validate the app at ``path`` (sample and lookup data included), then run its tests when it is valid."""
    pipeline = run_pipeline(path, parameters, until="validate", lint_queries=False)
    outcome = TestOutcome(pipeline.validation)
    if pipeline.app is not None:
        pipeline.validation.add(unknown_variables(pipeline.app, variables))
    if pipeline.ok and pipeline.app is not None:
        outcome.result = run_app_tests(pipeline.app, variables=dict(variables), parameters=pipeline.parameters,
                                       samples=pipeline.validation.samples)
    return outcome


def write_report(path: Path, text: str) -> Diagnostic | None:
    """Write a report file; a problem naming the path when it cannot be written (nothing is created then)."""
    from appbuilder.commands.build import output_problem

    problem = output_problem(path, directory=False)
    if problem is None and not path.parent.is_dir():
        problem = Diagnostic(Position(str(path)), f"cannot write the report: the directory '{path.parent}' does "
                             f"not exist", code="output-path", hint="create it first, or choose another -o path")
    if problem is not None:
        return problem
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        return Diagnostic(Position(str(path)), f"cannot write the report: {exc.strerror or exc}",
                          code="output-path", hint="check that the -o path is writable")
    return None


def run_app_tests(app: App, *, variables: dict[str, str], parameters: dict[str, str],
                  samples: SampleData | None = None) -> TestRunResult:
    """Run every panel and query of ``app`` on its samples, then every expectation in ``app.test_files``."""
    began = time.perf_counter()
    runner = SampleRunner(app, variables, parameters, samples)
    result = TestRunResult(app.name, events=len(runner.evaluator.base))
    for problem in runner.samples.diagnostics:
        result.cases.append(CaseResult("sample events", "samples", "samples",
                                       [f"{problem.position}: {problem.message}"]))
    targets = runner.targets()
    saved = {f"query:{q.id}" for q in app.saved_searches}
    metrics = metrics_panels(app)
    runnable = [t for t, spec in targets.items() if t not in metrics and (spec[3] != "query" or t in saved)]
    if not runner.samples.events and not runner.samples.diagnostics and runnable:
        result.cases.append(no_samples(app, len(runnable)))  # one outcome, not a "no rows" failure per panel
        result.seconds = time.perf_counter() - began
        return result
    runner.prepare({t: spec for t, spec in targets.items() if t in runnable})
    for target, spec in targets.items():
        if spec[3] == "query" and target not in saved:
            continue
        if target in metrics:
            result.cases.append(CaseResult(target, target, spec[3], skipped=METRICS_NOT_RUN))
            continue
        table, error, seconds = runner.run(target, spec, {})
        case = CaseResult(target, target, spec[3], seconds=seconds)
        if error:
            case.failures.append(error)
        elif table is not None and spec[3] == "monitor":
            case.rows, case.columns = len(table.rows), table.columns
            _judge(case, runner, runner.monitors[target], table, {})
        elif table is not None:
            case.rows, case.columns = len(table.rows), table.columns
            if not table.rows:
                case.failures.append("the query returns no rows on the sample events" + runner.why_empty(target, spec))
        result.cases.append(case)
    for path in app.test_files:
        result.cases.extend(_run_test_file(Path(path), runner, targets))
    result.seconds = time.perf_counter() - began
    return result


def no_samples(app: App, count: int) -> CaseResult:
    """The single failure of an app that ships no sample events (e.g. one made by `appbuilder export`)."""
    where = ("its files hold no events" if app.sample_files
             else "it is missing or matches no file")
    message = (f"the app ships no sample events, so none of its {count} log panels, saved searches and monitors "
               f"can be tested: app.yaml's `samples` setting names the sample files, and {where}; add events "
               f"(one JSON object per line) as samples/*.jsonl and list them under `samples:` in app.yaml "
               f"(`appbuilder new NAME --from-samples EVENTS.jsonl` shows the format)")
    return CaseResult("sample events", "samples", "samples", [message], file=str(app.root / "app.yaml"))


def metrics_panels(app: App) -> set[str]:
    """Targets (``dashboard/panel``) of the panels whose query is a metrics query: the samples are log events,
    so these are not run locally (their queries are linted by ``validate``)."""
    return {f"{d.slug}/{p.id}" for d in app.dashboards for p in d.panels
            if p.query and str(p.query_type).lower() == "metrics"}


def _run_test_file(path: Path, runner: SampleRunner, targets: dict) -> list[CaseResult]:
    loaded, problems = read_yaml(path)
    if loaded is None:
        reasons = [f"{p.position}: {p.message}" for p in problems]
        return [CaseResult(path.name, "", "expectation", reasons, file=str(path))]
    doc = loaded.data
    if not isinstance(doc, dict) or not isinstance(doc.get("tests"), list):
        return [CaseResult(path.name, "", "expectation", [f"{path}: expected a mapping with a 'tests' list"],
                           file=str(path))]
    file_vars = {str(k): str(v) for k, v in (doc.get("variables") or {}).items()}
    metrics = metrics_panels(runner.app)
    cases = []
    for test in doc["tests"]:
        if not isinstance(test, dict):
            continue
        target = str(test.get("target", ""))
        case = CaseResult(str(test.get("name", target)), target, "expectation", file=str(path))
        cases.append(case)
        if target not in targets:
            case.failures.append(f"unknown target '{target}' (use <dashboard>/<panel id>, query:<query id> or "
                                 f"monitor:<monitor file stem>)")
            continue
        if target in metrics:
            case.skipped = METRICS_NOT_RUN
            continue
        test_vars = {**file_vars, **{str(k): str(v) for k, v in (test.get("variables") or {}).items()}}
        table, error, case.seconds = runner.run(target, targets[target], test_vars)
        if error or table is None:
            case.failures.append(error or "no result")
            continue
        case.rows, case.columns = len(table.rows), table.columns
        case.failures.extend(check_expectations(test, table))
        monitor = runner.monitors.get(target)
        if monitor is not None:
            verdicts = _judge(case, runner, monitor, table, test_vars)
            if verdicts is not None and "fires" in test:
                case.failures.extend(check_fires(test["fires"], verdicts))
    return cases


def values_equal(expected: object, actual: object) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    x, y = to_number(expected), to_number(actual)
    if x is not None and y is not None and not isinstance(expected, bool):
        return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))
    return (to_str(expected) or "") == (to_str(actual) or "")


def _row_matches(expected: Mapping, row: Mapping[str, object]) -> bool:
    lower = {k.lower(): v for k, v in row.items()}
    return all(str(k).lower() in lower and values_equal(v, lower[str(k).lower()]) for k, v in expected.items())


def check_expectations(test: Mapping, table: Table) -> list[str]:
    """Failure messages for ``rowCount``, ``columns``, ``rows`` and ``absent`` of one test."""
    failures = []
    count = test.get("rowCount")
    n = len(table.rows)
    if isinstance(count, int) and n != count:
        failures.append(f"expected {count} row(s), got {n}")
    elif isinstance(count, dict):
        lo, hi = count.get("min"), count.get("max")
        if (lo is not None and n < lo) or (hi is not None and n > hi):
            failures.append(f"expected between {lo if lo is not None else 0} and {hi if hi is not None else 'any'}"
                            f" rows, got {n}")
    have = {c.lower() for c in table.columns}
    missing = [c for c in test.get("columns") or [] if str(c).lower() not in have]
    if missing:
        failures.append(f"missing column(s) {', '.join(map(str, missing))}; result has {', '.join(table.columns)}")
    for row in test.get("rows") or []:
        if isinstance(row, dict) and not any(_row_matches(row, r) for r in table.rows):
            failures.append(f"no result row matches {json.dumps(row, sort_keys=True, default=str)}")
    for row in test.get("absent") or []:
        if isinstance(row, dict) and any(_row_matches(row, r) for r in table.rows):
            failures.append(f"a result row matches {json.dumps(row, sort_keys=True, default=str)}, expected none")
    if test.get("ordered"):
        failures.extend(_order_failures([r for r in test.get("rows") or [] if isinstance(r, dict)], table))
    return failures


def _order_failures(expected: list[Mapping], table: Table) -> list[str]:
    """With ``ordered: true``: the first row matching each of ``rows`` comes after the one matching the row
    before it."""
    places = [next((i for i, r in enumerate(table.rows) if _row_matches(row, r)), None) for row in expected]
    pairs = list(zip(expected, places, strict=True))
    for (before, at_before), (row, at) in zip(pairs, pairs[1:], strict=False):
        if at_before is not None and at is not None and at <= at_before:
            return [f"rows out of order: {json.dumps(row, sort_keys=True, default=str)} (row {at + 1}) should "
                    f"come after {json.dumps(before, sort_keys=True, default=str)} (row {at_before + 1})"]
    return []
