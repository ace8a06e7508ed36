"""`appbuilder export`: bring existing Sumo content in as an app definition directory."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from appbuilder.cli.common import admin_mode_option, connection_options, emit, parse_params, plural, progress
from appbuilder.cli.group import cli


@cli.command(name="export")
@click.option("--file", "file", type=click.Path(dir_okay=False), default=None,
              help="A Sumo export file (JSON of a folder, a dashboard or a saved search).")
@click.option("--folder", default=None, metavar="PATH|ID",
              help="A Library folder (or item) of the org, by path (/Library/Users/...) or content id.")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), required=True,
              help="Directory to write the app definition to (new or empty).")
@click.option("--param", "params", multiple=True, metavar="source_category=VALUE",
              help="Lift the literal scope _sourceCategory=VALUE into the ${source_category} install parameter.")
@connection_options
@admin_mode_option
def export_command(file: str | None, folder: str | None, output: str, params: tuple[str, ...],
                   admin_mode: bool, **connection: str | None) -> None:
    """Write Sumo content as an app definition: YAML that validates and builds back the same content."""
    from appbuilder.commands.export import Connection, run_export_file, run_export_folder
    from appbuilder.validate.reporting import render

    if (file is None) == (folder is None):
        raise click.UsageError("give exactly one of --file EXPORT.json or --folder PATH|ID")
    parameters = parse_params(params)
    if file is not None:
        outcome = run_export_file(Path(file), Path(output), parameters)
    else:
        assert folder is not None
        outcome = run_export_folder(folder, Path(output), parameters, Connection(admin_mode=admin_mode,
                                                                                 **connection),
                                    progress=progress)
    if not outcome.ok or outcome.result is None:
        if outcome.diagnostics:
            emit(render(outcome.diagnostics, "text"), err=True)
        emit(f"error: {outcome.error}", err=True)
        if outcome.hint:
            emit(f"hint: {outcome.hint}", err=True)
        sys.exit(1)
    result = outcome.result
    for note in result.notes:
        emit(f"note: {note}", err=True)
    searches = f"{result.saved_searches} saved search{'' if result.saved_searches == 1 else 'es'}"
    emit(f"exported {plural(result.dashboards, 'dashboard')} and {searches} to {result.out_dir} "
         f"({plural(len(result.files), 'file')}); next: appbuilder validate {result.out_dir}")
