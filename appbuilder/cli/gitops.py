"""Review and scaffolding verbs: diff, docs, new."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from appbuilder.cli.common import REPORT_CHOICE, emit, existing, parse_params, require_preview, summary
from appbuilder.cli.group import cli


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="OLD NEW | PATH")
@click.option("--base", "base", metavar="REF", default=None,
              help="Compare PATH in the working tree with PATH at this git ref (branch, tag or commit).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the diff to a file.")
@click.option("--as-installed", is_flag=True,
              help="Compare what each installs in Sumo (the default when either side is an export).")
def diff(paths: tuple[str, ...], base: str | None, fmt: str, output: str | None, as_installed: bool) -> None:
    """Semantic diff of two app definitions: dashboards, panels, queries, variables, saved searches, monitors,
    parameters, source. An export is compared as installed: item by item, what the builds put in Sumo.

    Exit 0 when equal, 2 when different, 1 on error.
    """
    from appbuilder.commands.diff import ERROR, run_diff, run_diff_base
    from appbuilder.report import DiagnosticReport, render

    if base is not None:
        if len(paths) != 1:
            raise click.UsageError("with --base give one PATH (the app in the working tree)")
        outcome = run_diff_base(existing(paths[0]), base)
    else:
        if len(paths) != 2:
            raise click.UsageError("give two app directories (OLD NEW), or --base REF and one PATH")
        outcome = run_diff(existing(paths[0]), existing(paths[1]), as_installed)
    if outcome.error:
        emit(f"appbuilder diff: {outcome.error}", err=True)
    if outcome.diagnostics and outcome.exit_code == ERROR:
        emit(render(DiagnosticReport(outcome.diagnostics, "cannot compare: an app does not load"), "text"),
             err=True)
    if outcome.diff is not None:
        from appbuilder.tokens import mask_tokens

        text = mask_tokens(render(outcome.diff, fmt))  # a diff is posted on pull requests: never a secret in it
        if output:
            try:
                Path(output).write_text(text + "\n", encoding="utf-8")
            except OSError as exc:  # exit 1 (error), not 2, which means "different"
                emit(f"appbuilder diff: cannot write {output}: {exc.strerror or exc}", err=True)
                sys.exit(ERROR)
        else:
            emit(text)
    sys.exit(outcome.exit_code)


@cli.command()
@click.argument("path")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the page to this file (default: standard output).")
@click.option("--images", type=click.Path(), default=None,
              help="Draw one PNG per dashboard into this directory and show it at the top of its section.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Install parameter the sample queries and install commands are shown with, repeatable.")
def docs(path: str, output: str | None, images: str | None, params: tuple[str, ...]) -> None:
    """Generate the app's documentation page (Markdown) from its definitions."""
    from appbuilder.commands.docs import run_docs
    from appbuilder.report import DiagnosticReport, render

    if images:
        require_preview("docs --images")
    outcome = run_docs(existing(path), Path(output) if output else None, Path(images) if images else None,
                       parse_params(params))
    if not outcome.ok:
        emit(render(DiagnosticReport(outcome.diagnostics, f"{path}: no page written"), "text"), err=True)
        sys.exit(1)
    if outcome.images:
        emit(f"wrote {len(outcome.images)} image(s) in {images}", err=output is None)  # stdout: the page
    if outcome.written is not None:
        emit(f"wrote {outcome.written}")
    else:
        click.echo(outcome.page, nl=False)


@cli.command()
@click.argument("name")
@click.option("--from-samples", "samples", type=click.Path(dir_okay=False), default=None,
              help="JSON Lines file of real events: copied as the app's samples; the queries' field comes from it.")
def new(name: str, samples: str | None) -> None:
    """Scaffold a new app directory NAME that validates and tests green."""
    from appbuilder.commands.new import run_new
    from appbuilder.report import DiagnosticReport, render

    outcome = run_new(Path(name), Path(samples) if samples else None)
    if not outcome.ok:
        emit(render(DiagnosticReport(outcome.diagnostics, f"{name}: not scaffolded"), "text"), err=True)
        sys.exit(1)
    for path in outcome.written:
        emit(f"wrote {path}")
    emit(f"next: appbuilder validate {name} && appbuilder test {name}  (queries count by '{outcome.group_field}')")


@cli.command("validate-changed")
@click.argument("files", nargs=-1)
@click.option("--format", "fmt", type=REPORT_CHOICE, default="text", show_default=True)
def validate_changed(files: tuple[str, ...], fmt: str) -> None:
    """Validate every app owning one of FILES (the pre-commit hook's entry). Exit 1 when any is invalid."""
    from appbuilder.commands.validate_changed import run_validate_changed
    from appbuilder.report import DiagnosticReport, render

    outcome = run_validate_changed([Path(f) for f in files])
    verdicts = [summary(str(app), len(r.errors), len(r.warnings), "valid" if r.ok else "invalid")
                for app, r in outcome.results.items()]
    emit(render(DiagnosticReport(outcome.diagnostics, "\n".join(verdicts)), fmt))
    sys.exit(0 if outcome.ok else 1)
