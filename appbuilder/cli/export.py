"""`appbuilder export`: bring existing Sumo content in as an app definition directory."""

from __future__ import annotations

import shlex
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
@click.option("--monitors", "monitors", default=None, metavar="NAME",
              help="With --folder: the monitor folder to export (default: /Monitors/<the folder's name>).")
@click.option("--no-monitors", is_flag=True, help="With --folder: leave the monitors out (app.yaml marks them "
              "unmanaged: plan and uninstall leave them alone).")
@click.option("--source", "source", default=None, metavar="COLLECTOR/SOURCE",
              help="With --folder: the collector and source to export (default: the ones the app's install made).")
@click.option("--no-source", is_flag=True, help="With --folder: leave the collector and source out.")
@connection_options
@admin_mode_option
def export_command(file: str | None, folder: str | None, output: str, params: tuple[str, ...],
                   monitors: str | None, no_monitors: bool, source: str | None, no_source: bool,
                   admin_mode: bool, **connection: str | None) -> None:
    """Write Sumo content as an app definition: YAML that validates and builds back the same content. With
    --folder, the whole app: the monitor folder of the same name and the source its install created too."""
    from appbuilder.commands.export import Connection, run_export_file, run_export_folder
    from appbuilder.export.whole import PartsWanted
    from appbuilder.validate.reporting import render

    if (file is None) == (folder is None):
        raise click.UsageError("give exactly one of --file EXPORT.json or --folder PATH|ID")
    if (monitors is not None and no_monitors) or (source is not None and no_source):
        raise click.UsageError("--monitors with --no-monitors, or --source with --no-source: give one of each pair")
    if file is not None and (monitors is not None or source is not None):
        raise click.UsageError("--monitors and --source read an org: use them with --folder")
    wanted = PartsWanted(None if no_monitors else monitors or "", None if no_source else source or "")
    parameters = parse_params(params)
    if file is not None:
        outcome = run_export_file(Path(file), Path(output), parameters)
    else:
        assert folder is not None
        outcome = run_export_folder(folder, Path(output), parameters, Connection(admin_mode=admin_mode,
                                                                                 **connection),
                                    progress=progress, wanted=wanted)
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
    if result.values:
        given = " ".join(f"--param {name}={shlex.quote(value)}" for name, value in result.values.items())
        emit(f"note: the monitors' alert destinations are install parameters, not written to any file; give "
             f"plan and install the values Sumo holds, or the notifications are left out: {given}", err=True)
    searches = f"{result.saved_searches} saved search{'' if result.saved_searches == 1 else 'es'}"
    more = (f", {plural(result.monitors, 'monitor')}" if result.monitors else "") + (
        ", the source" if result.source else "")
    emit(f"exported {plural(result.dashboards, 'dashboard')}{more} and {searches} to {result.out_dir} "
         f"({plural(len(result.files), 'file')}); next: appbuilder validate {result.out_dir}")
    for item in result.left_out:
        emit(f"not exported: {item}")
