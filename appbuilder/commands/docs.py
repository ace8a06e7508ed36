"""`appbuilder docs PATH -o FILE.md`: the app's documentation page, generated from its definitions.

Laid out like Sumo Logic's app pages: title and description, log types, sample log messages (from the samples),
sample queries (the saved searches), collection and installation steps, one section per dashboard with its
panels, and the monitors table when the app has monitors. Deterministic: the same definitions give the same page.
With an images directory, each dashboard's section opens with its picture, drawn by ``appbuilder preview --png``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.commands.docs_setup import source_setup
from appbuilder.diagnostics import Diagnostic
from appbuilder.model import App, MonitorTrigger, Position, Query
from appbuilder.templating import find_parameters, substitute_parameters, substitute_variables
from appbuilder.workspace import repo_path

PANEL_CHARTS_WITHOUT_QUERY = {"text"}


@dataclass
class DocsOutcome:
    """The page (None when the app is invalid), the problems found, and the file written."""

    page: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: Path | None = None
    images: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.page is not None


def _text(value: str) -> str:
    """Prose on one line, with the characters Markdown would take for emphasis escaped."""
    return " ".join(value.replace("*", "\\*").split())


def _cell(value: str) -> str:
    return _text(value.replace("|", "\\|"))


def _fence(text: str, lang: str, indent: str = "") -> list[str]:
    longest = max((len(line) - len(line.lstrip("`")) for line in text.splitlines()), default=0)
    ticks = "`" * max(3, longest + 1)
    return [f"{indent}{ticks}{lang}", *[f"{indent}{line}" for line in text.rstrip("\n").splitlines()],
            f"{indent}{ticks}"]


def _sample_messages(app: App) -> list[str]:
    """The first event of every sample file, pretty-printed, under its file's name."""
    lines: list[str] = []
    for path in sorted(app.sample_files, key=lambda p: p.name):
        first = next((line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()), "")
        if not first:
            continue
        try:
            shown = json.dumps(json.loads(first), indent=2, ensure_ascii=False)
            lang = "json"
        except json.JSONDecodeError:
            shown, lang = first, "txt"
        lines += [f"From `{path.name}`:", "", *_fence(shown, lang), ""]
    return lines


def runnable(query: Query, values: Mapping[str, str]) -> str:
    """The query as it runs in Sumo's search: install parameters substituted, the saved search's parameters at
    their defaults."""
    text = substitute_parameters(query.text, values)
    return substitute_variables(text, {v.name: v.default for v in query.variables})


def _sample_queries(app: App, values: Mapping[str, str]) -> list[str]:
    used = {ref.name for q in app.saved_searches for ref in find_parameters(q.text)}
    shown = ", ".join(f"`{name}={value}`" for name, value in values.items() if name in used)
    lines = [f"Each runs in Sumo's search as written: the install parameters are filled in ({shown}) and the "
             "saved search's own parameters are at their defaults (`*`: everything).", ""] if shown else []
    for query in app.saved_searches:
        lines += [f"**{query.name or query.id}** — {_text(query.description)}".rstrip(" —"), "",
                  *_fence(runnable(query, values), "sql"), ""]
    return lines


def _collection(app: App, app_path: str, values: Mapping[str, str]) -> list[str]:
    lines = ["## Collection configuration and app installation", ""]
    params = " ".join(f"--param {name}={value}" for name, value in values.items() if value)
    setup = source_setup(app, values)
    lines += setup
    step = 4 if setup else 1
    lines += [f"{step}. **Choose the install parameters.**", ""]
    if app.parameters:
        lines += ["   | Parameter | Default | Description |", "   | --- | --- | --- |"]
        lines += [f"   | `{p.name}` | {f'`{p.default}`' if p.default else '(empty)'} | {_cell(p.description)} |"
                  for p in app.parameters]
        lines.append("")
    step += 1
    lines += [f"{step}. **Review and install.** With `SUMOLOGIC_ACCESSID`, `SUMOLOGIC_ACCESSKEY` and "
              "`SUMOLOGIC_ENVIRONMENT` set for your org:", "",
              *_fence(f"appbuilder plan {app_path} {params}".rstrip() + "\n"
                      + f"appbuilder install {app_path} {params}".rstrip(), "sh", "   "),
              "",
              "   The commands carry the parameters this page was written with (`appbuilder docs --param "
              "NAME=VALUE` writes it with others); change one with `--param NAME=VALUE`. "
              f"The app is installed in the folder **{app.folder}**; `appbuilder uninstall {app_path}` removes it "
              "(after a backup).", ""]
    return lines


def image_links(app: App, page: Path, images: Path) -> dict[str, str]:
    """Each dashboard's PNG under ``images`` (``<slug>.png``, as ``preview --png`` names it), as a link relative
    to the directory of ``page``, by dashboard slug."""
    base = page.parent.resolve()
    return {board.slug: Path(os.path.relpath((images / f"{board.slug}.png").resolve(), base)).as_posix()
            for board in app.dashboards}


def _dashboards(app: App, images: Mapping[str, str]) -> list[str]:
    lines = ["## Viewing the dashboards", ""]
    for board in app.dashboards:
        lines += [f"### {board.title}", ""]
        if board.slug in images:
            alt = board.title.replace("[", "\\[").replace("]", "\\]")
            lines += [f"![{alt}]({images[board.slug].replace(' ', '%20')})", ""]
        if board.description:
            lines += [_text(board.description), ""]
        if board.variables:
            names = ", ".join(f"`{v.display_name or v.name}`" for v in board.variables)
            lines += [f"Filters: {names}.", ""]
        panels = [p for p in board.panels if p.chart not in PANEL_CHARTS_WITHOUT_QUERY]
        if panels:
            lines += ["| Panel | Chart | Description |", "| --- | --- | --- |"]
            lines += [f"| {_cell(p.title)} | {p.chart} | {_cell(p.description)} |" for p in panels]
            lines.append("")
    return lines


_UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week"}


def _window(time_range: Any) -> str:
    """``-15m`` as ``the last 15 minutes``; anything else as given."""
    text = str(time_range or "")
    if len(text) > 2 and text[0] == "-" and text[1:-1].isdigit() and text[-1] in _UNITS:
        count = int(text[1:-1])
        return f"the last {count} {_UNITS[text[-1]]}{'s' if count != 1 else ''}"
    return text


_SYMBOLS = {"GreaterThan": ">", "GreaterThanOrEqual": ">=", "LessThan": "<", "LessThanOrEqual": "<="}


def _trigger(trigger: MonitorTrigger) -> str:
    if trigger.level == "MissingData":
        return f"{trigger.level}: no data in {_window(trigger.time_range)}"
    op = _SYMBOLS.get(trigger.comparison, trigger.comparison)
    threshold = trigger.threshold
    if isinstance(threshold, float) and threshold.is_integer():
        threshold = int(threshold)
    return f"{trigger.level}: {trigger.field or 'results'} {op} {threshold} in {_window(trigger.time_range)}"


def _monitors(app: App) -> list[str]:
    if not app.monitors:
        return []
    lines = ["## Monitors", "",
             "The app installs these monitors.", "",
             "| Name | Description | Trigger conditions |", "| --- | --- | --- |"]
    for monitor in app.monitors:
        triggers = "; ".join(_trigger(t) for t in monitor.triggers)
        lines.append(f"| {_cell(monitor.name)} | {_cell(monitor.description)} | {_cell(triggers)} |")
    return lines + [""]


def render_page(app: App, app_path: str, images: Mapping[str, str] | None = None,
                values: Mapping[str, str] | None = None) -> str:
    """The Markdown page of ``app``; ``app_path`` is how install commands name the app directory; ``images``
    maps dashboard slugs to the links of their pictures (see ``image_links``); ``values`` are the install
    parameters the queries and commands are shown with (default: the parameters' defaults)."""
    values = {**app.parameter_defaults(), **(values or {})}
    lines = [f"# {app.name}", "",
             "<!-- generated by `appbuilder docs` from the app definition; edit the YAML, not this page -->", "",
             _text(app.description), "", f"Version {app.version}.", ""]
    if app.log_types:
        lines += ["## Log types", "", *[f"- {t}" for t in app.log_types], ""]
    samples = _sample_messages(app)
    if samples:
        lines += ["### Sample log messages", "", *samples]
    queries = _sample_queries(app, values)
    if queries:
        lines += ["### Sample queries", "", *queries]
    lines += _collection(app, app_path, values)
    lines += _dashboards(app, images or {})
    lines += _monitors(app)
    return "\n".join(lines).rstrip("\n") + "\n"


def _fail(outcome: DocsOutcome, problem: Diagnostic) -> DocsOutcome:
    outcome.diagnostics.append(problem)
    outcome.page = None
    return outcome


def _write_images(app: App, images: Path) -> list[Path]:
    """One PNG per dashboard at the default parameter and variable values, as ``preview --png`` draws it."""
    from appbuilder.preview.png import write_pngs
    from appbuilder.preview.results import app_views

    return write_pngs(app, app_views(app, {}, variants=False), images)


def run_docs(path: Path, output: Path | None, images: Path | None = None,
             parameters: Mapping[str, str] | None = None) -> DocsOutcome:
    """Validate the app at ``path`` (and the ``--param`` values) and render its page with them; write it to
    ``output`` when given. With ``images``, draw each dashboard's PNG there and link it (relative to ``output``'s
    directory, or the current directory)."""
    from appbuilder.commands.build import output_problem
    from appbuilder.pipeline import run_pipeline

    pipeline = run_pipeline(path, parameters or {}, until="validate", lint_queries=False)
    validation = pipeline.validation
    outcome = DocsOutcome(diagnostics=validation.diagnostics)
    if not validation.ok or validation.app is None:
        return outcome
    app = validation.app
    links = image_links(app, output or Path("page.md"), images) if images is not None else {}
    outcome.page = render_page(app, repo_path(app.root), links, pipeline.parameters)
    for target, directory in ((output, False), (images, True)):
        problem = output_problem(target, directory=directory) if target is not None else None
        if problem is not None:
            return _fail(outcome, problem)
    target = images
    try:
        if images is not None:
            outcome.images = _write_images(app, images)
        if output is not None:
            target = output
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(outcome.page, encoding="utf-8")
            outcome.written = output
    except OSError as exc:
        where = str(exc.filename or target)
        return _fail(outcome, Diagnostic(Position(where), f"cannot write: {exc.strerror or exc}", code="docs-write",
                                         hint="choose a file and an images directory you can write to"))
    return outcome
