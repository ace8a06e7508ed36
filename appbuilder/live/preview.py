"""Dashboards drawn from an org's data: a runner with the sample runner's ``run`` that answers each panel query
from a search job (all panel queries submitted up front, so they run side by side; one job per distinct query
for the whole run)."""

from __future__ import annotations

from collections.abc import Mapping

from appbuilder.live.jobs import SearchJobs
from appbuilder.model import App
from appbuilder.query.evaluate import Table
from appbuilder.templating import expand_query

QuerySpec = tuple[str, str | None, dict[str, str], str]


class LiveRunner:
    """``run(target, spec, values)`` as ``SampleRunner`` has it, on search jobs over ``jobs``' window."""

    def __init__(self, app: App, parameters: Mapping[str, str], jobs: SearchJobs) -> None:
        self.parameters = {**app.parameter_defaults(), **parameters}
        self.jobs = jobs
        for dash in app.dashboards:  # start every panel at the variables' defaults now
            defaults = {v.name: v.default or "*" for v in dash.variables}
            for panel in dash.panels:
                if panel.query and str(panel.query_type or "logs").lower() != "metrics":
                    jobs.submit(self.text(panel.query, defaults))

    def text(self, query: str, values: Mapping[str, str]) -> str:
        return expand_query(query, values, self.parameters)

    def run(self, target: str, spec: QuerySpec, values: Mapping[str, str], max_rows: int | None = None
            ) -> tuple[Table | None, str | None, float]:
        """The query's results from a search job (all its rows: ``max_rows`` is for local runs)."""
        text, _, defaults, _ = spec
        result = self.jobs.run(self.text(text, {**defaults, **values}))
        if result.error:
            return None, f"Sumo: {result.error}", result.seconds
        return Table(list(result.columns), result.rows), None, result.seconds

