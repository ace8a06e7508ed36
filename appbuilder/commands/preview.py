"""`appbuilder preview`: dashboards drawn from local query results, as a static site and as PNG images."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appbuilder.pipeline import run_pipeline
from appbuilder.validate import ValidationResult

if TYPE_CHECKING:
    from appbuilder.commands.test_live import LiveSettings
    from appbuilder.deploy.session import DeployOptions
    from appbuilder.live.jobs import Window
    from appbuilder.model import App
    from appbuilder.preview.results import DashboardView


@dataclass
class PreviewOutcome:
    validation: ValidationResult
    pages: list[Path] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    panels: int = 0
    errors: list[str] = field(default_factory=list)  # "dashboard/panel: message" for panels showing an error
    write_error: str = ""
    seconds: float = 0.0
    live: dict[str, Any] | None = None  # --live: the search jobs and requests the run cost
    live_error: str = ""  # --live: why the org could not be searched
    events_error: str = ""  # --events: why a file cannot be read (``file[:line:col]: problem``)
    events_hint: str = ""

    @property
    def ok(self) -> bool:
        return self.validation.ok and not self.write_error and not self.live_error and not self.events_error


def run_preview(path: Path, *, site: Path | None, png: Path | None, parameters: Mapping[str, str],
                variants: bool = True, serve: bool = False, live: LiveSettings | None = None,
                progress: Callable[[str], None] | None = None, events: Sequence[str] = ()) -> PreviewOutcome:
    """Validate the app at ``path``; when valid, write the site into ``site`` and/or one PNG per dashboard
    into ``png``. Panels whose query fails still render (with the error shown in the panel). ``live`` draws
    them from the org's data (search jobs over its window) instead of the samples, at the variables' defaults;
    ``events`` from the events of those JSON-lines files."""
    began = time.perf_counter()
    validation = run_pipeline(path, parameters, until="validate", lint_queries=False).validation  # --param too
    outcome = PreviewOutcome(validation)
    if not validation.ok or validation.app is None:
        return outcome
    from appbuilder.preview.results import app_views

    app = validation.app
    if live is not None:
        views, outcome.live, problem = live_views(app, parameters, live.options, live.window, progress)
        if problem:
            outcome.live_error = problem
            return outcome
    else:
        from appbuilder.commands.sample_runner import SampleRunner
        from appbuilder.query.engines.files import EventsError

        try:
            runner = SampleRunner.over_files(app, {}, parameters, events, validation.samples.lookups
                                             if validation.samples else None) if events else None
        except EventsError as exc:
            outcome.events_error, outcome.events_hint = str(exc), exc.hint
            return outcome
        views = app_views(app, parameters, variants=variants and site is not None, runner=runner)
    for view in views:
        outcome.panels += len(view.dashboard.panels)
        outcome.errors += [f"{view.dashboard.slug}/{pid}: {p['message']}" for pid, p in view.views[""].items()
                           if p.get("kind") == "error"]
    try:
        if site is not None:
            from appbuilder.preview.page import write_site

            outcome.pages = write_site(app, views, site, serve=serve)
        if png is not None:
            from appbuilder.preview.png import write_pngs

            outcome.images = write_pngs(app, views, png)
    except OSError as exc:
        outcome.write_error = f"cannot write {exc.filename or 'the output'}: {exc.strerror or exc}"
    outcome.seconds = time.perf_counter() - began
    return outcome


def live_views(app: App, parameters: Mapping[str, str], options: DeployOptions, window: Window,
               progress: Callable[[str], None] | None = None) -> tuple[list[DashboardView], dict[str, Any], str]:
    """Every dashboard's view from search jobs (no variable variants: each would be more jobs), the cost, and
    the problem that stopped the run (a connection error), if any. Every job is deleted, also on Ctrl-C."""
    from appbuilder.deploy.session import open_remote
    from appbuilder.live.jobs import SearchJobs
    from appbuilder.live.preview import LiveRunner
    from appbuilder.preview.results import app_views
    from appbuilder.sumo.errors import SumoError

    try:
        client = open_remote(options, progress).client
    except SumoError as exc:
        return [], {}, str(exc)
    with client, SearchJobs(client, window, progress=progress) as jobs:
        views = app_views(app, parameters, variants=False, runner=LiveRunner(app, parameters, jobs))
    return views, {"window": str(window), "searchJobs": jobs.created, "requests": client.stats.calls}, ""
