"""Run every panel of a dashboard on the samples: at the variables' defaults, and once per value of each variable
(the others at their defaults), which is what the static page's drop-downs switch between."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Protocol

from appbuilder.build.visuals import visual_settings
from appbuilder.commands.sample_runner import SampleRunner
from appbuilder.model import App, Dashboard, Panel, Variable
from appbuilder.preview.payload import Payload, grid_layout, message, panel_payload, table_rows
from appbuilder.preview.tables import format_value
from appbuilder.query.evaluate import Table
from appbuilder.query.evaluate.engine import METRICS_NOT_RUN
from appbuilder.templating import find_variables, substitute_variables

MAX_OPTIONS = 50  # values offered per variable (Sumo's drop-down lists the most frequent ones too)
ALL = "*"
METRICS = f"{METRICS_NOT_RUN[0].upper()}{METRICS_NOT_RUN[1:]}."


@dataclass
class VariableView:
    """A variable as its drop-down shows it: the values its query returns on the samples."""

    name: str
    label: str
    default: str
    options: list[str]
    note: str = ""


@dataclass
class DashboardView:
    """Payloads per view: ``""`` holds every panel at the defaults, ``"name=value"`` the panels that change."""

    dashboard: Dashboard
    variables: list[VariableView]
    views: dict[str, dict[str, Payload]] = field(default_factory=dict)
    runs: int = 0
    seconds: float = 0.0

    def title(self, panel: Panel) -> str:
        """The panel's title with ``{{var}}`` filled in with the variables' defaults, as Sumo shows it."""
        return substitute_variables(panel.title, {v.name: v.default for v in self.variables})


def view_key(name: str, value: str) -> str:
    return f"{name}={value}"


class DashboardRunner:
    """Runs one dashboard's panels and variable queries with the app's sample runner."""

    def __init__(self, runner: QueryRunner, dashboard: Dashboard):
        self.runner = runner
        self.dashboard = dashboard
        self.defaults = {v.name: v.default or ALL for v in dashboard.variables}
        self.settings = {p.id: visual_settings(p) for p in dashboard.panels}
        self.uses = {p.id: {r.name for r in find_variables(p.query or "")} for p in dashboard.panels}
        self.runs = 0
        self._counting = threading.Lock()  # views may be made on several threads

    def _ran(self) -> None:
        with self._counting:
            self.runs += 1

    def payload(self, panel: Panel, values: Mapping[str, str]) -> Payload:
        layout = grid_layout(panel)
        if str(getattr(panel, "query_type", None) or "logs").lower() == "metrics":
            return message(METRICS, error=False)
        if not panel.query:
            return panel_payload(panel, self.settings[panel.id], None, None if panel.chart == "text" else
                                 "the panel has no query", layout)
        spec = (panel.query, panel.time_range or self.dashboard.time_range, self.defaults, "panel")
        table, error, _ = self.runner.run(f"{self.dashboard.slug}/{panel.id}", spec, values,
                                          table_rows(panel, self.settings[panel.id]))
        self._ran()
        return panel_payload(panel, self.settings[panel.id], table, error, layout)

    def panels(self, values: Mapping[str, str], only: str | None = None) -> dict[str, Payload]:
        """Payloads of every panel (or of the panels using variable ``only``) at ``values``."""
        merged = {**self.defaults, **values}
        return {p.id: self.payload(p, merged) for p in self.dashboard.panels
                if only is None or only in self.uses[p.id]}

    def variable(self, variable: Variable) -> VariableView:
        values: list[str] = []
        note = ""
        if variable.values is not None:
            values = list(variable.values)
        elif variable.query and variable.field:
            spec = (variable.query, self.dashboard.time_range, {}, "variable")
            table, error, _ = self.runner.run(f"{self.dashboard.slug}:{variable.name}", spec, self.defaults)
            self._ran()
            if error or table is None:
                note = f"its query failed: {error}"
            else:
                column = next((c for c in table.columns if c.lower() == variable.field.lower()), None)
                if column is None:
                    note = f"its query returns no field '{variable.field}'"
                else:
                    seen = dict.fromkeys(format_value(r.get(column)) for r in table.rows)
                    values = [v for v in seen if v]
        else:
            note = "metadata values are not in the sample events"
        if len(values) > MAX_OPTIONS:
            note = f"first {MAX_OPTIONS} of {len(values)} values"
            values = values[:MAX_OPTIONS]
        default = variable.default or ALL
        head = [ALL] if variable.include_all or default == ALL else []
        options = list(dict.fromkeys([*head, default, *values]))
        return VariableView(variable.name, variable.display_name or variable.name, default, options, note)


def dashboard_view(runner: QueryRunner, dashboard: Dashboard, *, variants: bool = True) -> DashboardView:
    """Every panel at the defaults and, with ``variants``, at each value of each variable."""
    began = time.perf_counter()
    dash = DashboardRunner(runner, dashboard)
    view = DashboardView(dashboard, [dash.variable(v) for v in dashboard.variables])
    view.views[""] = dash.panels({})
    if variants:
        jobs = [(v.name, value) for v in view.variables for value in v.options if value != v.default]
        workers = getattr(runner, "concurrency", 1)
        with ThreadPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
            each = pool.map if pool is not None else map
            made = list(each(lambda job: dash.panels({job[0]: job[1]}, only=job[0]), jobs))
        for (name, value), payloads in zip(jobs, made, strict=True):
            view.views[view_key(name, value)] = payloads
    view.runs, view.seconds = dash.runs, time.perf_counter() - began
    return view


class QueryRunner(Protocol):
    """What a dashboard view runs its queries with: the sample runner, or ``appbuilder.live.preview.LiveRunner``.
    A runner with a ``concurrency`` above 1 runs that many variable values' panels at once."""

    def run(self, target: str, spec: tuple[str, str | None, dict[str, str], str],
            variables: Mapping[str, str], max_rows: int | None = None) -> tuple[Table | None, str | None, float]: ...


def app_views(app: App, parameters: Mapping[str, str], *, variants: bool = True,
              runner: QueryRunner | None = None) -> list[DashboardView]:
    """Every dashboard's view; on the samples unless ``runner`` (one with ``SampleRunner.run``) is given."""
    runner = runner or SampleRunner(app, {}, parameters)
    if isinstance(runner, SampleRunner):
        runner.prepare_panels()
    return [dashboard_view(runner, d, variants=variants) for d in app.dashboards]
