"""``--env NAME`` / ``--all-envs`` for the verbs that talk to an org: options, and the run across environments."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from appbuilder.cli.common import emit


def environment_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--env NAME`` (repeatable), ``--all-envs`` and ``--environments FILE`` to a command."""
    options = [
        click.option("--env", "env_names", multiple=True, metavar="NAME",
                     help="Environment from appbuilder.yaml to run in (repeatable)."),
        click.option("--all-envs", is_flag=True, help="Run in every environment of appbuilder.yaml, in parallel."),
        click.option("--environments", "env_file", type=click.Path(dir_okay=False), default=None,
                     help="Environments file (default: appbuilder.yaml in the app's or a parent directory)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def wants_environments(kwargs: dict[str, Any]) -> bool:
    """True when ``--env`` or ``--all-envs`` was given."""
    names, all_envs = kwargs.get("env_names") or (), bool(kwargs.get("all_envs"))
    return bool(names) or all_envs


def run_in_environments(command: str, path: str, kwargs: dict[str, Any], runner: Any, params: dict[str, str],
                        base_options: Any, fmt: str, progress: Callable[[str], None]) -> None:
    """Load the environments, run ``runner`` in the selected ones, print one summary table and exit
    (0 all ok, 1 any failed; for plan with ``exit_code`` 2 when any would change)."""
    from appbuilder.commands.environments import run_across
    from appbuilder.environments import ENV_FILE, find_environments_file, load_environments, select
    from appbuilder.model import Position
    from appbuilder.report import DiagnosticReport, render

    names: tuple[str, ...] = kwargs.pop("env_names", ()) or ()
    all_envs = bool(kwargs.pop("all_envs", False))
    given = kwargs.pop("env_file", None)
    env_file = Path(given) if given else find_environments_file(Path(path))
    if env_file is None or not env_file.is_file():
        raise click.UsageError(f"no {ENV_FILE} found in {Path(path).resolve().parent} or above (or --environments "
                               "FILE); see `appbuilder schema environments`")
    environments, problems = load_environments(env_file)
    chosen, unknown = select(environments, names, all_envs, Position(str(env_file)))
    if problems or unknown:
        emit(render(DiagnosticReport(problems + unknown, f"{env_file}: cannot use these environments"), "text"),
             err=True)
        sys.exit(1)
    report = run_across(command, chosen, runner, params, base_options, os.environ, progress)
    emit(render(report, fmt if fmt in ("json", "markdown") else "text"))
    if not report.ok:
        sys.exit(1)
    sys.exit(2 if kwargs.get("exit_code") and report.changed else 0)
