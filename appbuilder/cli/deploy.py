"""Verbs that talk to a Sumo org: plan, install, uninstall, restore."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from appbuilder.cli.common import (
    admin_mode_option,
    connection_options,
    emit,
    existing,
    parse_params,
    progress,
    stacked,
    use_colour,
)
from appbuilder.cli.environments import (
    environment_options,
    install_in_environments,
    plan_in_environments,
    wants_environments,
)
from appbuilder.cli.group import cli

INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C


# Options several verbs share (a click option decorator adds a fresh option each time it is used).
# Connection and target options shared by plan, install and uninstall (restore takes the connection ones).
_deploy_options = stacked(
    connection_options,
    click.option("--folder", default=None, metavar="PATH",
                 help="Library path of the folder to install into (default: your Personal folder)."),
    admin_mode_option,
)
_param_option = click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
                             help="Install parameter, repeatable.")
_verify_option = click.option("--verify", is_flag=True, help="Always export and compare the installed content "
                              "(slower; does not rely on Sumo's modification times to spot changes made in the UI).")
_yes_option = click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (CI).")
_token_file_option = click.option("--token-file", type=click.Path(dir_okay=False), default=None,
                                  help="File holding the 1Password token (when its environment variable is not set).")
BACKUP_HELP = ("Where backups go (default: .appbuilder/backups at the root of the git repository; a directory "
               "appbuilder creates is kept out of git).")
_backup_dir_option = click.option("--backup-dir", type=click.Path(file_okay=False), default=None, help=BACKUP_HELP)
_format_option = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                              show_default=True)
# how a plan is shown (text format): every unchanged item, and colour
_output_options = stacked(
    click.option("-v", "--verbose", is_flag=True, help="List every unchanged item too (folded into a count)."),
    click.option("--no-color", is_flag=True, help="No colour (also: NO_COLOR set; colour is only used on a "
                 "terminal)."),
)


def _style(kwargs: dict[str, object]):  # type: ignore[no-untyped-def]
    from appbuilder.deploy.render import PlanStyle

    return PlanStyle(verbose=bool(kwargs.pop("verbose", False)), colour=use_colour(bool(kwargs.pop("no_color", False))))
_lock_timeout_option = click.option(
    "--lock-timeout", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
    help="Wait this long for another run's lock on the app folder (0: refuse at once, naming the holder).")


def _options(kwargs: dict[str, object]):  # type: ignore[no-untyped-def]
    from appbuilder.deploy.session import DeployOptions

    return DeployOptions(access_id=kwargs.pop("access_id"), access_key=kwargs.pop("access_key"),  # type: ignore[arg-type]
                         deployment=kwargs.pop("deployment"), base_url=kwargs.pop("base_url"),  # type: ignore[arg-type]
                         folder=kwargs.pop("folder"), admin_mode=bool(kwargs.pop("admin_mode")),  # type: ignore[arg-type]
                         verify=bool(kwargs.pop("verify", False)),
                         lock_timeout=float(kwargs.pop("lock_timeout", 0) or 0))  # type: ignore[arg-type]


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


def is_terminal() -> bool:
    """Whether a person can answer a question (stdin is a terminal)."""
    return sys.stdin.isatty()


class Asker:
    """Shows a plan that writes, then asks on a terminal; ``--yes`` answers for CI; with neither it refuses."""

    def __init__(self, verb: str, yes: bool, fmt: str, style):  # type: ignore[no-untyped-def]
        self.verb, self.yes, self.fmt, self.style = verb, yes, fmt, style
        self.shown = False

    def __call__(self, plan) -> bool:  # type: ignore[no-untyped-def]
        from appbuilder.deploy.render import render_plan
        from appbuilder.deploy.state import DeployError

        if self.fmt == "text":
            emit(render_plan(plan, self.style))
            self.shown = True
        if self.yes:
            return True
        if not is_terminal():
            raise DeployError(f"{self.verb} changes Sumo and asks first, but there is no terminal to ask on; "
                              "nothing was written", hint=f"review the plan, then re-run `appbuilder {self.verb}` "
                              "with --yes (as CI does)")
        return click.confirm("Apply these changes?", default=False, err=True)

    def show(self, plan) -> None:  # type: ignore[no-untyped-def]
        """Print the plan when it was not printed before asking (nothing to change, dry run)."""
        from appbuilder.deploy.render import render_plan

        if self.fmt == "text" and plan is not None and not self.shown:
            emit(render_plan(plan, self.style))


def _finish(outcome, fmt: str, path: str, done: str, nothing: str) -> None:  # type: ignore[no-untyped-def]
    """The common tail of install, uninstall and restore: JSON or steps, then the exit code."""
    import json

    if fmt == "json":
        emit(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False))
    else:
        for step in outcome.steps:
            emit(f"done: {step}")
        if outcome.backup:
            emit(f"backup saved in {outcome.backup}")
        if outcome.ok and not outcome.aborted and outcome.plan is not None:
            from appbuilder.deploy.render import done_summary

            dry = getattr(outcome, "dry_run", False)
            emit("dry run: nothing was written" if dry and outcome.plan.changed else
                 nothing if dry or not outcome.steps else done_summary(done, outcome.plan))
    if outcome.aborted:
        emit("aborted: nothing was written", err=True)
        sys.exit(1)
    failed = _deploy_failed(outcome, fmt, path)
    sys.exit(INTERRUPTED if outcome.interrupted else 1 if failed else 0)


@cli.command()
@click.argument("path")
@_param_option
@_deploy_options
@_format_option
@_verify_option
@click.option("--exit-code", is_flag=True, help="Exit 0 when nothing would change, 2 when something would, 1 on error.")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Save the plan to FILE for `install --plan FILE`.")
@_output_options
@environment_options
def plan(path: str, params: tuple[str, ...], fmt: str, exit_code: bool, out: str | None, **kwargs: object) -> None:
    """Show what install would change: create / update / delete / no-op / drifted, with a field-level diff."""
    import json

    from appbuilder.commands.plan import run_plan
    from appbuilder.deploy.render import render_plan

    style = _style(kwargs)
    if wants_environments(kwargs):
        if out:
            raise click.UsageError("--out saves the plan of one org; give it without --env/--all-envs")
        plan_in_environments(str(existing(path)), kwargs, parse_params(params), _options(kwargs), fmt, exit_code)
    outcome = run_plan(existing(path), parse_params(params), _options(kwargs), progress=progress,
                       out=Path(out) if out else None)
    if fmt == "json":
        emit(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False))
    failed = _deploy_failed(outcome, fmt, path)
    if failed or outcome.plan is None:
        sys.exit(INTERRUPTED if outcome.interrupted else 1)
    if fmt == "text":
        emit(render_plan(outcome.plan, style))
        if outcome.saved:
            emit(f"plan saved in {outcome.saved}; apply exactly it with `appbuilder install {path} --plan "
                 f"{outcome.saved}`")
    sys.exit(2 if exit_code and outcome.plan.changed else 0)


@cli.command()
@click.argument("path")
@_param_option
@_deploy_options
@_verify_option
@click.option("--plan", "plan_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Apply exactly this saved plan (from `plan --out`); refused when the org changed since.")
@click.option("--dry-run", is_flag=True, help="Only plan; change nothing.")
@click.option("--force", is_flag=True, help="Overwrite content changed in Sumo since the last install.")
@_yes_option
@_token_file_option
@_backup_dir_option
@_format_option
@_output_options
@_lock_timeout_option
@environment_options
def install(path: str, params: tuple[str, ...], plan_file: str | None, dry_run: bool, force: bool, yes: bool,
            token_file: str | None, backup_dir: str | None, fmt: str, **kwargs: object) -> None:
    """Plan, show the plan, ask, then create or update the collector, the source and the app content."""
    from appbuilder.commands.install import run_install

    style = _style(kwargs)
    if wants_environments(kwargs):
        if plan_file:
            raise click.UsageError("--plan applies the saved plan of one org; give it without --env/--all-envs")

        from appbuilder.workspace import default_backups

        def in_environment(env, env_params, options, progress):  # type: ignore[no-untyped-def]
            return run_install(existing(path), env_params, options, dry_run=dry_run, force=force,
                               token_file=Path(token_file) if token_file else None,
                               backup_root=(Path(backup_dir) if backup_dir else default_backups()) / env.name,
                               progress=progress,
                               approve=lambda plan: True)

        install_in_environments(path, kwargs, parse_params(params), _options(kwargs), fmt, yes, in_environment)
    asker = Asker("install", yes, fmt, style)
    outcome = run_install(existing(path), parse_params(params), _options(kwargs), dry_run=dry_run, force=force,
                          token_file=Path(token_file) if token_file else None,
                          backup_root=Path(backup_dir) if backup_dir else None,
                          progress=progress, plan_file=Path(plan_file) if plan_file else None, approve=asker)
    asker.show(outcome.plan)
    _finish(outcome, fmt, path, "installed", "nothing to do: already installed")


@cli.command()
@click.argument("path")
@_param_option
@_deploy_options
@click.option("--with-source", is_flag=True, help="Also remove the source (and the collector if appbuilder "
              "created it and it is empty).")
@_yes_option
@_backup_dir_option
@_format_option
@_output_options
@_lock_timeout_option
def uninstall(path: str, params: tuple[str, ...], with_source: bool, yes: bool, backup_dir: str | None, fmt: str,
              **kwargs: object) -> None:
    """Show the destroy plan, ask, back up, then remove the app folder (and with --with-source its source)."""
    from appbuilder.commands.uninstall import run_uninstall

    asker = Asker("uninstall", yes, fmt, _style(kwargs))
    outcome = run_uninstall(existing(path), parse_params(params), _options(kwargs), with_source=with_source,
                            approve=asker, backup_root=Path(backup_dir) if backup_dir else None, progress=progress)
    asker.show(outcome.plan)
    _finish(outcome, fmt, path, "uninstalled", f"nothing to uninstall at {outcome.target}")


@cli.command()
@click.argument("backup_dir", type=click.Path(exists=True, file_okay=False))
@connection_options
@_token_file_option
@click.option("--backup-dir", "backup_root", type=click.Path(file_okay=False), default=None, help=BACKUP_HELP)
@_yes_option
@_format_option
@_output_options
@_lock_timeout_option
def restore(backup_dir: str, access_id: str | None, access_key: str | None, deployment: str | None,
            base_url: str | None, token_file: str | None, backup_root: str | None, yes: bool, fmt: str,
            verbose: bool, no_color: bool, lock_timeout: float) -> None:
    """Show the plan back to a backup (made by install or uninstall), ask, then apply it."""
    from appbuilder.commands.restore import run_restore

    options = _options({"access_id": access_id, "access_key": access_key, "deployment": deployment,
                        "base_url": base_url, "folder": None, "admin_mode": False, "lock_timeout": lock_timeout})
    asker = Asker("restore", yes, fmt, _style({"verbose": verbose, "no_color": no_color}))
    outcome = run_restore(Path(backup_dir), options, token_file=Path(token_file) if token_file else None,
                          backup_root=Path(backup_root) if backup_root else None, progress=progress,
                          approve=asker)
    asker.show(outcome.plan)
    _finish(outcome, fmt, backup_dir, f"restored {backup_dir}", "nothing to restore: the org matches the backup")


@cli.command("force-unlock")
@click.argument("path")
@click.argument("lock_id")
@_param_option
@_deploy_options
@_format_option
def force_unlock(path: str, lock_id: str, params: tuple[str, ...], fmt: str, **kwargs: object) -> None:
    """Release the lock LOCK_ID on the app folder of the app at PATH, left by a run that died (the id is in the
    error that named its holder). What that run recorded it was writing is kept for the next install."""
    import json

    from appbuilder.commands.force_unlock import run_force_unlock

    outcome = run_force_unlock(existing(path), parse_params(params), _options(kwargs), lock_id, progress=progress)
    if fmt == "json":
        emit(json.dumps(outcome.to_dict(), indent=2, ensure_ascii=False))
    elif outcome.ok:
        emit(f"released the lock {lock_id} on {outcome.target} (held by {outcome.holder}); the next install takes "
             "it over with what that run recorded")
    sys.exit(INTERRUPTED if outcome.interrupted else 1 if _deploy_failed(outcome, fmt, path) else 0)
