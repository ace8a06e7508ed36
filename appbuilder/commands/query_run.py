"""`appbuilder query run`: the rows a panel, saved search, monitor or query file returns on an app's samples (or
on events from JSON-lines files)."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.commands.query_lint import MAX_QUERY_BYTES, STDIN, lint_text
from appbuilder.commands.sample_runner import SampleRunner
from appbuilder.commands.test import metrics_panels, unknown_variables
from appbuilder.diagnostics import Diagnostic
from appbuilder.load.textfile import FileKind, read_text
from appbuilder.pipeline import run_pipeline
from appbuilder.query.engines.files import EventsError
from appbuilder.query.evaluate.engine import METRICS_NOT_RUN
from appbuilder.query.evaluate.values import to_str
from appbuilder.templating import find_variables


@dataclass
class QueryRunOutcome:
    """The result table, or why there is none (invalid app, unknown target, unreadable file, query error)."""

    target: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    hint: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plan: str = ""  # with --explain: which part ran as DuckDB SQL, which on the Python evaluator, and the SQL

    @property
    def ok(self) -> bool:
        return self.error is None and not any(d.is_error for d in self.diagnostics)


def run_query(path: str | Path, *, panel: str | None = None, query_file: str | None = None,
              variables: Mapping[str, str] | None = None, parameters: Mapping[str, str] | None = None,
              stdin_text: str | None = None, explain: bool = False, engine: str = "auto",
              events: Sequence[str] = ()) -> QueryRunOutcome:
    """Run one panel (``DASHBOARD/PANEL``, ``query:ID`` or ``monitor:NAME``) or a query file (``-``: the
    caller's ``stdin_text``) on the samples of the app at ``path``, or on the events of the JSON-lines files
    ``events``."""
    result = run_pipeline(path, parameters, until="validate", lint_queries=False)  # checks --param too
    outcome = QueryRunOutcome(target=panel or str(query_file))
    if result.app is None or any(d.is_error for d in result.diagnostics):
        outcome.diagnostics = [d for d in result.diagnostics if d.is_error]
        outcome.error = "the app definition is not valid"
        outcome.hint = f"run `appbuilder validate {path}` and fix the problems first"
        return outcome
    text = None
    if panel is None:
        text = _read(query_file, stdin_text, outcome)
        if text is None:
            return outcome
    outcome.diagnostics = unknown_variables(result.app, variables or {},
                                            {ref.name for ref in find_variables(text or "")})
    if outcome.diagnostics:
        outcome.error = "unknown --var name"
        return outcome
    samples = result.validation.samples
    try:
        runner = SampleRunner.over_files(result.app, variables or {}, result.parameters, events,
                                         samples.lookups if samples else None, engine=engine) if events else \
            SampleRunner(result.app, variables or {}, result.parameters, samples, engine=engine)
    except EventsError as exc:
        outcome.error, outcome.hint = f"cannot read the events: {exc}", exc.hint
        return outcome
    targets = runner.targets()
    if panel is not None:
        if panel not in targets:
            close = difflib.get_close_matches(panel, sorted(targets), n=1)
            outcome.error = f"'{panel}' names no panel, saved search or monitor of {result.app.name}"
            outcome.hint = f"did you mean '{close[0]}'?" if close else \
                "use <dashboard file stem>/<panel id>, query:<query id> or monitor:<monitor file stem>"
            return outcome
        if panel in metrics_panels(result.app):
            outcome.error = f"'{panel}' is a metrics panel: {METRICS_NOT_RUN}"
            outcome.hint = "its query is linted by `appbuilder validate`; run log panels, saved searches or monitors"
            return outcome
        spec = targets[panel]
    else:
        assert text is not None
        defaults = {ref.name: "*" for ref in find_variables(text)}
        spec = (text, None, defaults, "query")
    runner.prepare({outcome.target: spec})  # one query: nothing to keep for another
    table, error, _ = runner.run(outcome.target, spec, {})
    if explain:
        outcome.plan = runner.evaluator.plan
    if error or table is None:
        outcome.error = error or "no result"
        return outcome
    outcome.columns, outcome.rows = list(table.columns), [dict(r) for r in table.rows]
    return outcome


def _read(query_file: str | None, stdin_text: str | None, outcome: QueryRunOutcome) -> str | None:
    """The query file's text (``-``: ``stdin_text``), or None with the problem in ``outcome``: the file cannot
    be read, holds no query, or does not parse (positioned in the file, before any substitution)."""
    if query_file is None:
        outcome.error = "give --panel or --query"
        return None
    shown = STDIN if query_file == "-" else query_file
    if query_file == "-":
        text: str | None = stdin_text or ""
    else:
        text, outcome.diagnostics = read_text(Path(query_file), shown, FileKind("query file", MAX_QUERY_BYTES))
    if text is not None:
        lint = lint_text(shown, text, syntax_only=True)
        outcome.diagnostics = lint.diagnostics
    if outcome.diagnostics:
        outcome.error = f"cannot run {shown}"
        return None
    return text


def _cell(value: Any) -> str:
    return "" if value is None else (to_str(value) or "")


def render_table(outcome: QueryRunOutcome) -> str:
    """The rows as an aligned text table, then the row count."""
    columns = outcome.columns
    cells = [[_cell(row.get(c)) for c in columns] for row in outcome.rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return (outcome.plan + "\n" if outcome.plan else "") + "\n".join(lines) + "\n"


def render_json(outcome: QueryRunOutcome) -> str:
    doc: dict[str, Any] = {"target": outcome.target, "columns": outcome.columns, "rows": outcome.rows}
    if outcome.plan:
        doc["plan"] = outcome.plan
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"
