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


@cli.group()
def query() -> None:
    """Work with standalone Sumo query files."""


@query.command("lint")
@click.argument("files", nargs=-1, required=True)
@click.option("--syntax-only", is_flag=True, help="Only check that each query parses (for other apps' queries).")
def query_lint(files: tuple[str, ...], syntax_only: bool) -> None:
    """Lint query files, one query per file (`-` reads standard input). Exit 1 when any has an error."""
    from appbuilder.commands.query_lint import lint_files

    stdin_text = click.get_text_stream("stdin").read() if "-" in files else None
    result = lint_files(list(files), syntax_only=syntax_only, stdin_text=stdin_text)
    _emit("\n".join(result.lines))
    _emit(f"{len(result.files)} files, {result.count('error')} errors, {result.count('warning')} warnings", err=True)
    sys.exit(0 if result.ok else 1)


@cli.command("test")
@click.argument("path")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="Dashboard variable value.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Install parameter, repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the report to a file.")
def test_command(path: str, variables: tuple[str, ...], params: tuple[str, ...], fmt: str,
                 output: str | None) -> None:
    """Run every panel and saved search on the app's sample events and check its expectations."""
    from appbuilder.commands.test import render_json, render_junit, render_text, run_app_tests
    from appbuilder.validate import validate_app
    from appbuilder.validate.reporting import render

    validation = validate_app(_existing(path), lint_queries=False)
    if not validation.ok or validation.app is None:
        _emit(render(validation.diagnostics, "text", summary=f"{path}: invalid, not tested"), err=True)
        sys.exit(1)
    result = run_app_tests(validation.app, variables=parse_params(variables), parameters=parse_params(params))
    renderer = {"text": render_text, "json": render_json, "junit": render_junit}[fmt]
    report = renderer(result)
    if output:
        Path(output).write_text(report + "\n", encoding="utf-8")
        _emit(render_text(result) if fmt != "text" else report)
    else:
        _emit(report)
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


def _deploy_options(func):  # type: ignore[no-untyped-def]
    """Connection and target options shared by plan, install, uninstall and restore."""
    options = [
        click.option("--access-id", default=None, help="Access ID (default: SUMOLOGIC_ACCESSID)."),
        click.option("--access-key", default=None, help="Access key (default: SUMOLOGIC_ACCESSKEY)."),
        click.option("--deployment", default=None, help="Deployment, e.g. us2 (default: SUMOLOGIC_ENVIRONMENT)."),
        click.option("--base-url", default=None, help="API base URL (default: SUMOLOGIC_BASE_URL)."),
        click.option("--folder", default=None, metavar="PATH",
                     help="Library path of the folder to install into (default: your Personal folder)."),
        click.option("--admin-mode", is_flag=True, help="Act as content administrator (Admin Recommended)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _options(kwargs: dict[str, object]):  # type: ignore[no-untyped-def]
    from appbuilder.deploy.session import DeployOptions

    return DeployOptions(access_id=kwargs.pop("access_id"), access_key=kwargs.pop("access_key"),  # type: ignore[arg-type]
                         deployment=kwargs.pop("deployment"), base_url=kwargs.pop("base_url"),  # type: ignore[arg-type]
                         folder=kwargs.pop("folder"), admin_mode=bool(kwargs.pop("admin_mode")),  # type: ignore[arg-type]
                         verify=bool(kwargs.pop("verify", False)))


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _deploy_failed(outcome, fmt: str, path: str) -> bool:  # type: ignore[no-untyped-def]
    """Print validation problems or the error of a deploy outcome; True when there was one."""
    from appbuilder.validate.reporting import render

    if outcome.invalid:
        _emit(render(outcome.diagnostics, "text", summary=f"{path}: invalid"), err=True)
    if outcome.error:
        _emit(f"error: {outcome.error}", err=True)
        if outcome.hint:
            _emit(f"hint: {outcome.hint}", err=True)
    return not outcome.ok


@cli.command()
@click.argument("path")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Install parameter, repeatable.")
@_deploy_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--verify", is_flag=True, help="Always export and compare the installed content (slower; does not "
              "rely on Sumo's modification times to spot changes made in the UI).")
@click.option("--exit-code", is_flag=True, help="Exit 0 when nothing would change, 2 when something would, 1 on error.")
def plan(path: str, params: tuple[str, ...], fmt: str, exit_code: bool, **kwargs: object) -> None:
    """Show what install would change: create / update / unchanged / drifted, with a field-level diff."""
    import json

    from appbuilder.commands.plan import run_plan
    from appbuilder.deploy.render import render_plan

    outcome = run_plan(_existing(path), parse_params(params), _options(kwargs), progress=_progress)
    if fmt == "json":
        _emit(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False))
    failed = _deploy_failed(outcome, fmt, path)
    if failed or outcome.plan is None:
        sys.exit(1)
    if fmt == "text":
        _emit(render_plan(outcome.plan))
    sys.exit(2 if exit_code and outcome.plan.changed else 0)


@cli.command()
@click.argument("path")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Install parameter, repeatable.")
@_deploy_options
@click.option("--verify", is_flag=True, help="Always export and compare the installed content (slower; does not "
              "rely on Sumo's modification times to spot changes made in the UI).")
@click.option("--dry-run", is_flag=True, help="Only plan; change nothing.")
@click.option("--force", is_flag=True, help="Overwrite content changed in Sumo since the last install.")
@click.option("--token-file", type=click.Path(dir_okay=False), default=None,
              help="File holding the 1Password token (when its environment variable is not set).")
@click.option("--backup-dir", type=click.Path(file_okay=False), default="backups", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def install(path: str, params: tuple[str, ...], dry_run: bool, force: bool, token_file: str | None,
            backup_dir: str, fmt: str, **kwargs: object) -> None:
    """Plan, then create or update the collector, the source and the app content in Sumo Logic."""
    import json

    from appbuilder.commands.install import run_install
    from appbuilder.deploy.render import render_plan

    outcome = run_install(_existing(path), parse_params(params), _options(kwargs), dry_run=dry_run, force=force,
                          token_file=Path(token_file) if token_file else None, backup_root=Path(backup_dir),
                          progress=_progress)
    if fmt == "json":
        _emit(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False))
    else:
        if outcome.plan is not None:
            _emit(render_plan(outcome.plan))
        for step in outcome.steps:
            _emit(f"done: {step}")
        if outcome.backup:
            _emit(f"backup saved in {outcome.backup}")
        if outcome.ok and not dry_run and outcome.plan is not None:
            _emit("installed" if outcome.steps else "nothing to do: already installed")
    sys.exit(1 if _deploy_failed(outcome, fmt, path) else 0)


@cli.command()
@click.argument("path")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="Install parameter, repeatable.")
@_deploy_options
@click.option("--with-source", is_flag=True, help="Also remove the source (and the collector if appbuilder "
              "created it and it is empty).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--backup-dir", type=click.Path(file_okay=False), default="backups", show_default=True)
def uninstall(path: str, params: tuple[str, ...], with_source: bool, yes: bool, backup_dir: str,
              **kwargs: object) -> None:
    """Back up, then remove the installed app folder (and with --with-source its source)."""
    from appbuilder.commands.uninstall import run_uninstall

    def confirm(removals: list[str]) -> bool:
        _emit("Will remove:\n" + "\n".join(f"  - {r}" for r in removals), err=True)
        return click.confirm("Continue?", default=False, err=True)

    outcome = run_uninstall(_existing(path), parse_params(params), _options(kwargs), with_source=with_source,
                            confirm=None if yes else confirm, backup_root=Path(backup_dir), progress=_progress)
    for step in outcome.steps:
        _emit(f"done: {step}")
    if outcome.backup:
        _emit(f"backup saved in {outcome.backup}")
    if outcome.ok and not outcome.removals:
        _emit(f"nothing to uninstall at {outcome.target}")
    if outcome.aborted:
        _emit("aborted: nothing was removed", err=True)
        sys.exit(1)
    sys.exit(1 if _deploy_failed(outcome, "text", path) else 0)


@cli.command()
@click.argument("backup_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--access-id", default=None, help="Access ID (default: SUMOLOGIC_ACCESSID).")
@click.option("--access-key", default=None, help="Access key (default: SUMOLOGIC_ACCESSKEY).")
@click.option("--deployment", default=None, help="Deployment, e.g. us2 (default: SUMOLOGIC_ENVIRONMENT).")
@click.option("--base-url", default=None, help="API base URL (default: SUMOLOGIC_BASE_URL).")
@click.option("--token-file", type=click.Path(dir_okay=False), default=None,
              help="File holding the 1Password token (when its environment variable is not set).")
@click.option("--backup-dir", "backup_root", type=click.Path(file_okay=False), default="backups",
              show_default=True, help="Where the backup of what is there now goes.")
def restore(backup_dir: str, access_id: str | None, access_key: str | None, deployment: str | None,
            base_url: str | None, token_file: str | None, backup_root: str) -> None:
    """Import a backup made by install --force or uninstall back into the folder it came from."""
    from appbuilder.commands.restore import run_restore
    from appbuilder.deploy.session import DeployOptions

    options = DeployOptions(access_id=access_id, access_key=access_key, deployment=deployment, base_url=base_url)
    outcome = run_restore(Path(backup_dir), options, token_file=Path(token_file) if token_file else None,
                          backup_root=Path(backup_root), progress=_progress)
    if outcome.backup:
        _emit(f"backup of what was there saved in {outcome.backup}")
    for step in outcome.steps:
        _emit(f"done: {step}")
    sys.exit(1 if _deploy_failed(outcome, "text", backup_dir) else 0)


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
