"""The `appbuilder` command line. Thin: parse options, call a command function, render its result.

Heavy modules (requests, the query engine) are imported inside the commands that need them so that
`appbuilder --help` and `appbuilder validate` start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from appbuilder import __version__

FORMAT_CHOICE = click.Choice(["text", "json", "github"])


def parse_params(values: tuple[str, ...]) -> dict[str, str]:
    """``name=value`` pairs from repeated ``--param`` options."""
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"'{item}' is not name=value", param_hint="--param")
        params[name.strip()] = value
    return params


def _existing(path: str) -> Path:
    target = Path(path)
    if not target.exists():
        raise click.BadParameter(f"'{path}' does not exist", param_hint="PATH")
    return target


def _emit(text: str, *, err: bool = False) -> None:
    if text:
        click.echo(text, err=err)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="appbuilder")
@click.option("--debug", is_flag=True, help="Log every API call (secrets redacted) and show tracebacks.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Sumo Logic apps as code: validate, build, test, plan and install app definitions."""
    ctx.obj = {"debug": debug}
    if debug:
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@click.argument("path")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="text", show_default=True)
def validate(path: str, fmt: str) -> None:
    """Check an app definition (schema, references, variables, layout, queries). Exit 1 when invalid."""
    from appbuilder.commands.validate import run_validate
    from appbuilder.validate.reporting import render

    result = run_validate(_existing(path))
    summary = (f"{path}: valid" if result.ok else f"{path}: invalid") + \
        f" ({len(result.errors)} errors, {len(result.warnings)} warnings)"
    _emit(render(result.diagnostics, fmt, summary=summary))
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

    outcome = run_build(_existing(path), Path(output) if output else None, parse_params(params))
    if not outcome.ok or outcome.result is None:
        _emit(render(outcome.validation.diagnostics, fmt, summary=f"{path}: not built"), err=fmt == "text")
        sys.exit(1)
    warnings = render(outcome.validation.warnings, fmt) if fmt != "json" else ""
    _emit(warnings, err=True)
    for written in outcome.written:
        _emit(f"wrote {written}")
    _emit(f"content hash {outcome.result.manifest['contentHash']}")


@cli.command()
@click.argument("kind", type=click.Choice(["app", "source", "queries", "dashboard", "tests"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of one YAML kind."""
    from appbuilder.commands.schema import schema_text

    click.echo(schema_text(kind), nl=False)


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


def main() -> None:
    """Console entry point; turns unexpected failures into one clear line unless --debug is given."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last line of defence: never show a traceback by default
        if "--debug" in sys.argv:
            raise
        click.echo(f"appbuilder: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                   err=True)
        sys.exit(1)
