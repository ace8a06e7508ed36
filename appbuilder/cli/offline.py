"""Offline verbs: validate, build, schema, query lint, test, fake-sumo."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from appbuilder.cli.common import FORMAT_CHOICE, emit, existing, parse_params
from appbuilder.cli.group import cli


@cli.command()
@click.argument("path")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="text", show_default=True)
def validate(path: str, fmt: str) -> None:
    """Check an app definition (schema, references, variables, layout, queries). Exit 1 when invalid."""
    from appbuilder.commands.validate import run_validate
    from appbuilder.validate.reporting import render

    result = run_validate(existing(path))
    summary = (f"{path}: valid" if result.ok else f"{path}: invalid") + \
        f" ({len(result.errors)} errors, {len(result.warnings)} warnings)"
    emit(render(result.diagnostics, fmt, summary=summary))
    sys.exit(0 if result.ok else 1)


@cli.command()
@click.argument("path")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), default=None,
              help="Output directory (default dist/<app directory name>).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Install parameter, repeatable.")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="text", show_default=True)
def build(path: str, output: str | None, params: tuple[str, ...], fmt: str) -> None:
    """Validate, then write Sumo content JSON, source JSON and a manifest."""
    from appbuilder.commands.build import run_build
    from appbuilder.validate.reporting import render

    outcome = run_build(existing(path), Path(output) if output else None, parse_params(params))
    if not outcome.ok or outcome.result is None:
        emit(render(outcome.validation.diagnostics, fmt, summary=f"{path}: not built"), err=fmt == "text")
        sys.exit(1)
    warnings = render(outcome.validation.warnings, fmt) if fmt != "json" else ""
    emit(warnings, err=True)
    for written in outcome.written:
        emit(f"wrote {written}")
    emit(f"content hash {outcome.result.manifest['contentHash']}")


@cli.command()
@click.argument("kind", type=click.Choice(["app", "source", "queries", "dashboard", "tests", "fragments", "monitor"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of one YAML kind."""
    from appbuilder.commands.schema import schema_text

    click.echo(schema_text(kind), nl=False)


@cli.group()
def query() -> None:
    """Work with standalone Sumo query files."""


@query.command("lint")
@click.argument("files", nargs=-1, required=True)
@click.option("--syntax-only", is_flag=True, help="Only check that each query parses (for other apps' queries).")
@click.option("--type", "query_type", type=click.Choice(["logs", "metrics"]), default="logs", show_default=True,
              help="Query language of the files.")
@click.option("--samples", "samples", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="JSON-lines sample events of the source (repeatable): field checks become errors.")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="text", show_default=True)
def query_lint(files: tuple[str, ...], syntax_only: bool, query_type: str, samples: tuple[str, ...],
               fmt: str) -> None:
    """Lint query files, one query per file (`-` reads standard input). Exit 1 when any has an error."""
    from appbuilder.commands.query_lint import lint_files
    from appbuilder.validate.reporting import render

    stdin_text = click.get_text_stream("stdin").read() if "-" in files else None
    result = lint_files(list(files), syntax_only=syntax_only, stdin_text=stdin_text, query_type=query_type,
                        samples=[Path(p) for p in samples])
    emit("\n".join(result.lines) if fmt == "text" else render(result.diagnostics, fmt))
    emit(f"{len(result.files)} files, {result.count('error')} errors, {result.count('warning')} warnings", err=True)
    sys.exit(0 if result.ok else 1)


@cli.command("test")
@click.argument("path")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="Dashboard variable value.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Install parameter, repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the report to a file.")
def test_command(path: str, variables: tuple[str, ...], params: tuple[str, ...], fmt: str,
                 output: str | None) -> None:
    """Run every panel, saved search and monitor on the app's sample events and check its expectations."""
    from appbuilder.commands.test import render_json, render_junit, render_text, run_app_tests
    from appbuilder.validate import validate_app
    from appbuilder.validate.reporting import render

    validation = validate_app(existing(path), lint_queries=False)
    if not validation.ok or validation.app is None:
        emit(render(validation.diagnostics, "text", summary=f"{path}: invalid, not tested"), err=True)
        sys.exit(1)
    result = run_app_tests(validation.app, variables=parse_params(variables), parameters=parse_params(params))
    renderer = {"text": render_text, "json": render_json, "junit": render_junit}[fmt]
    report = renderer(result)
    if output:
        Path(output).write_text(report + "\n", encoding="utf-8")
        emit(render_text(result) if fmt != "text" else report)
    else:
        emit(report)
    sys.exit(0 if result.ok else 1)


@cli.command("fake-sumo")
@click.option("--port", type=int, default=0, show_default=True, help="Port on 127.0.0.1 (0 = a free port).")
@click.option("--access-id", envvar="SUMOLOGIC_ACCESSID", required=True, help="Access id the fake accepts.")
@click.option("--access-key", envvar="SUMOLOGIC_ACCESSKEY", required=True, help="Access key the fake accepts.")
@click.option("--user-email", default="dev@example.com", show_default=True, help="Owner of the personal folder.")
@click.option("--rate-limit", type=float, default=4.0, show_default=True, help="Requests per second per key.")
@click.option("--job-polls", type=int, default=2, show_default=True, help="Polls before an async job ends.")
@click.option("--latency", type=float, default=0.0, show_default=True, help="Seconds added to every request.")
def fake_sumo(port: int, access_id: str, access_key: str, user_email: str, rate_limit: float, job_polls: int,
              latency: float) -> None:
    """Run the Sumo-compatible fake API server on 127.0.0.1 until interrupted (for local use and CI)."""
    from appbuilder.commands.fake_sumo import run_forever, serve

    fake = serve(port, {access_id: access_key}, user_email=user_email, rate_limit=rate_limit,
                 job_polls=job_polls, latency=latency)
    click.echo(f"fake Sumo listening: SUMOLOGIC_BASE_URL={fake.base_url}", err=True)
    run_forever(fake)
