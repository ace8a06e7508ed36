"""Verbs that talk to a Sumo org: plan, install, uninstall, restore."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from appbuilder.cli.common import emit, existing, parse_params
from appbuilder.cli.group import cli


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
                         verify=bool(kwargs.pop("verify", False)), client_options={"progress": _progress})


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _deploy_failed(outcome, fmt: str, path: str) -> bool:  # type: ignore[no-untyped-def]
    """Print validation problems or the error of a deploy outcome; True when there was one."""
    from appbuilder.validate.reporting import render

    if outcome.invalid:
        emit(render(outcome.diagnostics, "text", summary=f"{path}: invalid"), err=True)
    if outcome.error:
        emit(f"error: {outcome.error}", err=True)
        if outcome.hint:
            emit(f"hint: {outcome.hint}", err=True)
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

    outcome = run_plan(existing(path), parse_params(params), _options(kwargs), progress=_progress)
    if fmt == "json":
        emit(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False))
    failed = _deploy_failed(outcome, fmt, path)
    if failed or outcome.plan is None:
        sys.exit(1)
    if fmt == "text":
        emit(render_plan(outcome.plan))
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

    outcome = run_install(existing(path), parse_params(params), _options(kwargs), dry_run=dry_run, force=force,
                          token_file=Path(token_file) if token_file else None, backup_root=Path(backup_dir),
                          progress=_progress)
    if fmt == "json":
        emit(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False))
    else:
        if outcome.plan is not None:
            emit(render_plan(outcome.plan))
        for step in outcome.steps:
            emit(f"done: {step}")
        if outcome.backup:
            emit(f"backup saved in {outcome.backup}")
        if outcome.ok and not dry_run and outcome.plan is not None:
            emit("installed" if outcome.steps else "nothing to do: already installed")
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
        emit("Will remove:\n" + "\n".join(f"  - {r}" for r in removals), err=True)
        return click.confirm("Continue?", default=False, err=True)

    outcome = run_uninstall(existing(path), parse_params(params), _options(kwargs), with_source=with_source,
                            confirm=None if yes else confirm, backup_root=Path(backup_dir), progress=_progress)
    for step in outcome.steps:
        emit(f"done: {step}")
    if outcome.backup:
        emit(f"backup saved in {outcome.backup}")
    if outcome.ok and not outcome.removals:
        emit(f"nothing to uninstall at {outcome.target}")
    if outcome.aborted:
        emit("aborted: nothing was removed", err=True)
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
        emit(f"backup of what was there saved in {outcome.backup}")
    for step in outcome.steps:
        emit(f"done: {step}")
    sys.exit(1 if _deploy_failed(outcome, "text", backup_dir) else 0)
