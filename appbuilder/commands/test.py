"""`appbuilder test`: run every panel, saved search and monitor of an app on its samples and check expectations."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.commands.monitor_verdict import TriggerVerdict, check_fires, describe
from appbuilder.commands.sample_runner import SampleRunner
from appbuilder.diagnostics import Diagnostic
from appbuilder.load.samples import SampleData
from appbuilder.load.yamlfile import read_yaml
from appbuilder.model import App, Monitor, Position
from appbuilder.pipeline import run_pipeline
from appbuilder.query.evaluate import Table
from appbuilder.query.evaluate.engine import METRICS_NOT_RUN
from appbuilder.query.evaluate.values import to_number, to_str
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
