"""`appbuilder preview`: dashboards drawn from local query results, as a static site and as PNG images."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from appbuilder.pipeline import run_pipeline
from appbuilder.validate import ValidationResult


@dataclass
class PreviewOutcome:
    validation: ValidationResult
    pages: list[Path] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    panels: int = 0
    errors: list[str] = field(default_factory=list)  # "dashboard/panel: message" for panels showing an error
    write_error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.validation.ok and not self.write_error


def run_preview(path: Path, *, site: Path | None, png: Path | None, parameters: Mapping[str, str],
                variants: bool = True, serve: bool = False) -> PreviewOutcome:
    """Validate the app at ``path``; when valid, write the site into ``site`` and/or one PNG per dashboard
    into ``png``. Panels whose query fails still render (with the error shown in the panel)."""
    began = time.perf_counter()
    validation = run_pipeline(path, parameters, until="validate", lint_queries=False).validation  # --param too
    outcome = PreviewOutcome(validation)
    if not validation.ok or validation.app is None:
        return outcome
    from appbuilder.preview.results import app_views

    app = validation.app
    views = app_views(app, parameters, variants=variants and site is not None)
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
