"""`appbuilder preview`: dashboards drawn from the sample events, as a static site, PNGs, or a local server."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from appbuilder.cli.common import emit, existing, parse_params, plural, progress, require_preview
from appbuilder.cli.group import cli
from appbuilder.cli.live import live_settings, preview_live_options, refuse_live_options
from appbuilder.report.text import live_cost


@cli.command()
@click.argument("path")
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None,
              help="Write the site (index.html and one page per dashboard) into this directory.")
@click.option("--png", "png", type=click.Path(file_okay=False), default=None,
              help="Write one PNG per dashboard (default variable values) into this directory.")
@click.option("--serve", is_flag=True, help="Serve the site on 127.0.0.1 and render it again when a file changes.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port for --serve (0 = a free port).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Install parameter, repeatable.")
@click.option("--events", "events", multiple=True, metavar="FILE",
              help="Draw from the events of this JSON-lines file (one event object per line; repeatable) instead "
              "of the app's samples: DuckDB reads it without loading it.")
@preview_live_options
def preview(path: str, output: str | None, png: str | None, serve: bool, port: int,
            params: tuple[str, ...], events: tuple[str, ...], live: bool, **live_kwargs: object) -> None:
    """Draw every dashboard from the app's sample events (--events: from JSON-lines files; --live: from the
    org's data through search jobs): a static site (-o), PNGs (--png) or a live server."""
    from appbuilder.validate.reporting import render

    target = existing(path)
    parameters = parse_params(params)
    if not (output or png or serve):
        raise click.UsageError("give -o DIR (site), --png DIR (images) or --serve")
    require_preview("preview")
    if live and events:
        raise click.UsageError("--events draws from local files and --live from the org's data: give one of them")
    if live and serve:
        raise click.UsageError("--live draws once from the org's data; give -o DIR or --png DIR, not --serve")
    settings = None
    if live:
        settings, parameters = live_settings(target, live_kwargs, parameters)
    else:
        refuse_live_options(live_kwargs)
    if output or png:
        from appbuilder.commands.preview import run_preview

        outcome = run_preview(target, site=Path(output) if output else None, png=Path(png) if png else None,
                              parameters=parameters, live=settings, progress=progress, events=events)
        if outcome.events_error:
            emit(f"appbuilder preview: cannot read the events: {outcome.events_error}"
                 + (f"\nhint: {outcome.events_hint}" if outcome.events_hint else ""), err=True)
            sys.exit(1)
        if outcome.live_error:
            emit(f"appbuilder preview: cannot search the org: {outcome.live_error}", err=True)
            sys.exit(1)
        if outcome.write_error:
            emit(f"appbuilder preview: {outcome.write_error}; choose a writable directory", err=True)
            sys.exit(1)
        if not outcome.ok:
            emit(render(outcome.validation.diagnostics, "text", summary=f"{path}: invalid, no preview"), err=True)
            sys.exit(1)
        for written in [*outcome.pages, *outcome.images]:
            emit(f"wrote {written}")
        for problem in outcome.errors:
            emit(f"panel error: {problem}", err=True)
        cost = f", {live_cost(outcome.live)}" if outcome.live else ""
        emit(f"{plural(outcome.panels, 'panel')}, {len(outcome.errors)} with errors{cost}, {outcome.seconds:.2f} s",
             err=True)
    if serve:
        from appbuilder.preview.serve import PreviewServer

        with tempfile.TemporaryDirectory(prefix="appbuilder-preview-") as temp:
            try:
                server = PreviewServer(target, Path(output or temp), parameters, port=port, events=events)
            except OSError as exc:
                emit(f"appbuilder preview: cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}; "
                     f"choose another --port", err=True)
                sys.exit(1)
            if server.problems:
                emit(server.problems, err=True)
            emit(f"serving {server.url} (Ctrl-C to stop); watching {target} for changes", err=True)
            try:
                server.start()
                while True:
                    server.wait(3600)
            except KeyboardInterrupt:
                emit("stopped", err=True)
            finally:
                server.close()
