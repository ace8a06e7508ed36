"""``--env NAME`` / ``--all-envs`` for the verbs that talk to an org: options, and the run across environments."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from appbuilder.cli.common import emit, progress, stacked


def environment_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--env NAME`` (repeatable), ``--all-envs`` and ``--environments FILE`` to a command."""
    return stacked(
        click.option("--env", "env_names", multiple=True, metavar="NAME",
                     help="Environment from appbuilder.yaml to run in (repeatable)."),
        click.option("--all-envs", is_flag=True, help="Run in every environment of appbuilder.yaml, in parallel."),
        click.option("--environments", "env_file", type=click.Path(dir_okay=False), default=None,
                     help="Environments file (default: appbuilder.yaml in the app's or a parent directory)."),
    )(func)


def wants_environments(kwargs: dict[str, Any]) -> bool:
    """True when ``--env`` or ``--all-envs`` was given; otherwise drops the unused options from ``kwargs``."""
    if kwargs.get("env_names") or kwargs.get("all_envs"):
        return True
    for key in ("env_names", "all_envs", "env_file"):
        kwargs.pop(key, None)
    return False


def chosen_environments(path: str, kwargs: dict[str, Any]) -> list[Any]:
    """The environments ``--env`` / ``--all-envs`` select from the environments file; exits 1 on a problem."""
    from appbuilder.environments import ENV_FILE, find_environments_file, load_environments, select
    from appbuilder.model import Position
    from appbuilder.report import DiagnosticReport, render

    names: tuple[str, ...] = kwargs.pop("env_names", ()) or ()
    all_envs = bool(kwargs.pop("all_envs", False))
    given = kwargs.pop("env_file", None)
    env_file = Path(given) if given else find_environments_file(Path(path))
    if env_file is None or not env_file.is_file():
        raise click.UsageError(f"no {ENV_FILE} in {Path(path).resolve()} or above (or give --environments FILE); "
                               "see `appbuilder schema environments`")
    environments, problems = load_environments(env_file)
    chosen, unknown = select(environments, names, all_envs, Position(str(env_file)))
    if problems or unknown:
        emit(render(DiagnosticReport(problems + unknown, f"{env_file}: cannot use these environments"), "text"),
             err=True)
        sys.exit(1)
    return chosen


def _finish(report: Any, fmt: str, exit_code: bool) -> None:
    from appbuilder.report import render

    emit(render(report, fmt if fmt in ("json", "markdown") else "text"))
    if not report.ok:
        sys.exit(1)
    sys.exit(2 if exit_code and report.changed else 0)


def _described(outcome: Any) -> str:
    """What one environment shows above the table: its plan, what was done and where the backup went, and its
    error with the hint (the table has room for the error alone)."""
    from appbuilder.deploy.render import render_plan

    lines = [render_plan(outcome.plan)] if getattr(outcome, "plan", None) is not None else []
    lines += [f"done: {step}" for step in getattr(outcome, "steps", None) or []]
    if getattr(outcome, "backup", None):
        lines.append(f"backup saved in {outcome.backup}")
    if outcome.error:
        lines.append(f"error: {outcome.error}")
        if outcome.hint:
            lines.append(f"hint: {outcome.hint}")
    return "\n".join(lines)


def plan_in_environments(path: str, kwargs: dict[str, Any], params: dict[str, str], options: Any, fmt: str,
                         exit_code: bool) -> None:
    """`plan --env/--all-envs`: plan in each environment in parallel, print each plan and one summary table."""
    from appbuilder.commands.environments import run_across
    from appbuilder.commands.plan import run_plan

    chosen = chosen_environments(path, kwargs)
    app = Path(path)
    report = run_across("plan", chosen, lambda env, p, o, progress: run_plan(app, p, o, progress=progress),
                        params, options, os.environ, progress,
                        describe=_described)
    _finish(report, fmt, exit_code)


def install_in_environments(path: str, kwargs: dict[str, Any], params: dict[str, str], options: Any, fmt: str,
                            yes: bool, install: Callable[..., Any]) -> None:
    """`install --env/--all-envs`: install in each environment in parallel (backups under ``<backup-dir>/<env>``)
    and print each plan and one summary table. It asks nothing (the orgs run at once), so it needs ``--yes``
    after the plans were reviewed with `plan --env/--all-envs`."""
    from appbuilder.commands.environments import run_across

    chosen = chosen_environments(path, kwargs)
    if not yes:
        emit("install into environments runs them at once and asks nothing, so it needs --yes; nothing was "
             "written", err=True)
        emit(f"hint: review `appbuilder plan {path} --env NAME` (or --all-envs), then re-run with --yes", err=True)
        sys.exit(1)
    report = run_across("install", chosen, install, params, options, os.environ, progress,
                        describe=_described)
    _finish(report, fmt, False)
