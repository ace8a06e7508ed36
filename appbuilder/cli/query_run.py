"""`appbuilder query run`: print the rows a panel or a query returns on an app's sample events (or --events)."""

from __future__ import annotations

import sys

import click

from appbuilder.cli.common import emit, existing, parse_params
from appbuilder.cli.offline import query


@query.command("run")
@click.argument("path")
@click.option("--panel", metavar="DASHBOARD/PANEL",
              help="A panel (<dashboard file stem>/<panel id>), query:<query id> or monitor:<monitor file stem>.")
@click.option("--query", "query_file", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True),
              help="A query file to run instead (`-` reads standard input; its {{variables}} default to *).")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="Dashboard variable value.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Install parameter, repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--explain", is_flag=True, help="Also print which part of the query ran as DuckDB SQL, which on the "
              "Python evaluator, and the SQL.")
@click.option("--engine", type=click.Choice(["auto", "duckdb", "python"]), default="auto", show_default=True,
              help="Query engine: auto is the Python evaluator below 10,000 events and DuckDB from there on "
              "(python loads --events files of up to 64 MiB).")
@click.option("--events", "events", multiple=True, metavar="FILE",
              help="Run on the events of this JSON-lines file (one event object per line; repeatable) instead of "
              "the app's samples: DuckDB reads it without loading it.")
def query_run(path: str, panel: str | None, query_file: str | None, variables: tuple[str, ...],
              params: tuple[str, ...], fmt: str, explain: bool, engine: str, events: tuple[str, ...]) -> None:
    """Run one panel or query of the app at PATH on its sample events (or on --events files) and print the rows
    it returns."""
    from appbuilder.commands.query_run import render_json, render_table, run_query
    from appbuilder.validate.reporting import render

    if (panel is None) == (query_file is None):
        raise click.UsageError("give exactly one of --panel DASHBOARD/PANEL and --query FILE")
    stdin_text = sys.stdin.read() if query_file == "-" else None
    outcome = run_query(existing(path), panel=panel, query_file=query_file, variables=parse_params(variables, "--var"),
                        parameters=parse_params(params), stdin_text=stdin_text, explain=explain,
                        engine=engine, events=events)
    if not outcome.ok:
        if outcome.diagnostics:
            emit(render(outcome.diagnostics, "text"), err=True)
        emit(f"error: {outcome.error}" + (f"\nhint: {outcome.hint}" if outcome.hint else ""), err=True)
        sys.exit(1)
    emit((render_json if fmt == "json" else render_table)(outcome).rstrip("\n"))
