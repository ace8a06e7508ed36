"""Offline verbs: validate, build, schema, query lint, test, fake-sumo."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from appbuilder.cli.common import FORMAT_CHOICE, REPORT_CHOICE, emit, existing, parse_params, plural, summary
from appbuilder.cli.group import cli
from appbuilder.cli.live import live_options, refuse_live_options, run_live_command
from appbuilder.report.text import live_cost

# credentials `fake-sumo` accepts when none are given: for a fake on 127.0.0.1 only, never a real org's
LOCAL_ACCESS_ID = "local"
LOCAL_ACCESS_KEY = "local-fake-sumo-key"


@cli.command()
@click.argument("path")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Install parameter to check as build would, repeatable.")
@click.option("--format", "fmt", type=REPORT_CHOICE, default="text", show_default=True)
@click.option("--base", metavar="REF", default=None,
              help="Also require a new version (and its CHANGELOG.md entry) when the built content changed since "
                   "this git ref.")
def validate(path: str, params: tuple[str, ...], fmt: str, base: str | None) -> None:
    """Check an app definition (schema, references, variables, layout, queries). Exit 1 when invalid."""
    from appbuilder.commands.validate import run_validate
    from appbuilder.validate.reporting import render

    result = run_validate(existing(path), parse_params(params), base=base)
    verdict = "valid" if result.ok else "invalid"
    emit(render(result.diagnostics, fmt, summary=summary(path, len(result.errors), len(result.warnings), verdict)))
    sys.exit(0 if result.ok else 1)


@cli.command()
@click.argument("path")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), default=None,
              help="Output directory (default .appbuilder/dist/<app directory name> at the root of the git "
              "repository, kept out of git).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Install parameter, repeatable.")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="text", show_default=True)
def build(path: str, output: str | None, params: tuple[str, ...], fmt: str) -> None:
    """Validate, then write Sumo content JSON, source JSON and a manifest."""
    from appbuilder.commands.build import run_build
    from appbuilder.validate.reporting import render

    outcome = run_build(existing(path), Path(output) if output else None, parse_params(params))
    if not outcome.ok or outcome.result is None:
        validation = outcome.validation
        verdict = summary(path, len(validation.errors), len(validation.warnings), "not built")
        emit(render(validation.diagnostics, fmt, summary=verdict), err=fmt == "text")
        sys.exit(1)
    if fmt == "json":
        import json

        report = json.loads(render(outcome.validation.diagnostics, "json"))
        report.update(built=True, written=[str(p) for p in outcome.written], manifest=outcome.result.manifest.to_dict())
        emit(json.dumps(report, indent=2))
        return
    emit(render(outcome.validation.warnings, fmt), err=True)
    for written in outcome.written:
        emit(f"wrote {written}")
    emit(f"content hash {outcome.result.manifest['contentHash']}")


@cli.command()
@click.argument("kind", type=click.Choice(["app", "source", "queries", "dashboard", "tests", "fragments", "monitor",
                                         "environments"]), required=False)
@click.option("--write", "write_dir", type=click.Path(file_okay=False), default=None,
              help="Write the schemas (all, or KIND's) into this directory for editors' $schema comments.")
def schema(kind: str | None, write_dir: str | None) -> None:
    """Print the JSON Schema of one YAML kind, or write them to a directory (--write DIR)."""
    from appbuilder.commands.schema import KINDS, schema_text, update_schemas

    if write_dir is None:
        if kind is None:
            raise click.UsageError("give a KIND to print, or --write DIR to write every schema")
        click.echo(schema_text(kind), nl=False)
        return
    try:
        done = update_schemas(Path(write_dir), (kind,) if kind else KINDS)
    except OSError as exc:
        raise click.ClickException(f"cannot write schemas to {write_dir}: {exc.strerror or exc}") from exc
    for path, changed in done:
        emit(f"{'wrote' if changed else 'up to date'} {path}")


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
@click.option("--format", "fmt", type=REPORT_CHOICE, default="text", show_default=True)
def query_lint(files: tuple[str, ...], syntax_only: bool, query_type: str, samples: tuple[str, ...],
               fmt: str) -> None:
    """Lint query files, one query per file (`-` reads standard input). Exit 1 when any has an error."""
    from appbuilder.commands.query_lint import lint_files
    from appbuilder.validate.reporting import render

    stdin_text = sys.stdin.read() if "-" in files else None
    result = lint_files(list(files), syntax_only=syntax_only, stdin_text=stdin_text, query_type=query_type,
                        samples=[Path(p) for p in samples])
    emit("\n".join(result.lines) if fmt == "text" else render(result.diagnostics, fmt))
    emit(f"{plural(len(result.files), 'file')}, {plural(result.count('error'), 'error')}, "
         f"{plural(result.count('warning'), 'warning')}", err=True)
    sys.exit(0 if result.ok else 1)


@cli.command("test")
@click.argument("path")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="Dashboard variable value.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Install parameter, repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "junit"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the report to a file.")
@live_options
def test_command(path: str, variables: tuple[str, ...], params: tuple[str, ...], fmt: str,
                 output: str | None, live: bool, **live_kwargs: object) -> None:
    """Run every panel, saved search and monitor on the app's sample events and check its expectations
    (--live: on the org's own logs through search jobs, and say why a panel is empty)."""
    from appbuilder.commands.test import run_test, write_report
    from appbuilder.report import render as render_result
    from appbuilder.validate.reporting import render

    if live:
        outcome = run_live_command(existing(path), parse_params(variables, "--var"), parse_params(params),
                                   live_kwargs)
    else:
        refuse_live_options(live_kwargs)
        outcome = run_test(existing(path), variables=parse_params(variables, "--var"),
                           parameters=parse_params(params))
    validation, result = outcome.validation, outcome.result
    if result is None:
        verdict = summary(path, len(validation.errors), len(validation.warnings), "invalid, not tested")
        if output:  # a CI test publisher reads this file: it is written even when nothing could be tested
            problem = write_report(Path(output), render(validation.diagnostics, fmt, summary=verdict) + "\n")
            if problem is not None:
                emit(render([problem], "text"), err=True)
        if fmt in ("json", "github") and not output:  # a script or a workflow reads the problems in its format
            emit(render(validation.diagnostics, fmt))
            emit(verdict, err=True)
        else:
            emit(render(validation.diagnostics, "text", summary=verdict), err=True)
        sys.exit(1)
    report = render_result(result, fmt)
    if output:
        problem = write_report(Path(output), report + "\n")
        if problem is not None:
            emit(render([problem], "text"), err=True)
            sys.exit(1)
        emit(render_result(result, "text") if fmt != "text" else report)
    else:
        emit(report)
    if result.live is not None:
        emit(f"cost: {live_cost(result.live)}, {result.seconds:.1f} s", err=True)
        if result.interrupted:
            emit("interrupted (Ctrl-C): the search jobs this run created were deleted", err=True)
        if result.live["leftOpen"]:
            emit(f"warning: could not delete search jobs {', '.join(result.live['leftOpen'])}; Sumo cancels them "
                 f"after a few minutes without polls", err=True)
    sys.exit(130 if result.interrupted else 0 if result.ok else 1)


def _fake_setting(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A fake-sumo setting as the fake accepts it (``--rate-limit 0`` is refused, not an HTTP 500 later)."""
    from appbuilder.fakesumo.traffic import checked_setting

    try:
        return checked_setting(str(param.name), value, nullable=False)  # type: ignore[no-any-return]
    except ValueError as exc:
        raise click.BadParameter(str(exc).replace(f"{param.name} must", "must", 1)) from None


@cli.command("fake-sumo")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0 = a free port).")
@click.option("--access-id", envvar="SUMOLOGIC_ACCESSID", default=LOCAL_ACCESS_ID, show_default=True,
              help="Access id the fake accepts.")
@click.option("--access-key", envvar="SUMOLOGIC_ACCESSKEY", default=LOCAL_ACCESS_KEY,
              help=f"Access key the fake accepts (default {LOCAL_ACCESS_KEY}, a local-only credential).")
@click.option("--user-email", default="dev@example.com", show_default=True, help="Owner of the personal folder.")
@click.option("--rate-limit", type=float, default=4.0, show_default=True, callback=_fake_setting,
              help="Requests per second per key (greater than 0).")
@click.option("--job-polls", type=int, default=2, show_default=True, callback=_fake_setting,
              help="Polls before an async job ends.")
@click.option("--latency", type=float, default=0.0, show_default=True, callback=_fake_setting,
              help="Seconds added to every request.")
@click.option("--events", "events", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Preload log messages (one per line, e.g. an app's samples/*.jsonl) for the Search Job API.")
@click.option("--category", default="fake", show_default=True, help="_sourceCategory of the --events messages.")
@click.option("--lookups", type=click.Path(exists=True, file_okay=False), default=None,
              help="Directory of geo.jsonl / threat_cs.jsonl tables the searches' lookups read (an app's "
                   "tests/lookups).")
def fake_sumo(port: int, access_id: str, access_key: str, user_email: str, rate_limit: float, job_polls: int,
              latency: float, events: tuple[str, ...], category: str, lookups: str | None) -> None:
    """Run the Sumo-compatible fake API server on 127.0.0.1 until interrupted (for local use and CI)."""
    from appbuilder.commands.fake_sumo import preload, run_forever, serve

    try:
        fake = serve(port, {access_id: access_key}, user_email=user_email, rate_limit=rate_limit,
                     job_polls=job_polls, latency=latency)
    except OSError as exc:
        click.echo(f"appbuilder fake-sumo: cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; choose another "
                   f"--port (0 = a free port)", err=True)
        sys.exit(1)
    problem = preload(fake, [Path(e) for e in events], category, Path(lookups) if lookups else None)
    if problem:
        fake.stop()
        click.echo(f"appbuilder fake-sumo: {problem}", err=True)
        sys.exit(1)
    if events:
        click.echo(f"holding {len(fake.logs.messages)} messages in _sourceCategory={category}; receiver: "
                   f"{fake.url}/receiver/v1/http/TOKEN", err=True)
    click.echo(f"fake Sumo listening: SUMOLOGIC_BASE_URL={fake.base_url}", err=True)
    if (access_id, access_key) == (LOCAL_ACCESS_ID, LOCAL_ACCESS_KEY):
        click.echo(f"default local credentials: export SUMOLOGIC_BASE_URL={fake.base_url} "
                   f"SUMOLOGIC_ACCESSID={LOCAL_ACCESS_ID} SUMOLOGIC_ACCESSKEY={LOCAL_ACCESS_KEY}", err=True)
    run_forever(fake)
