"""The options of `test --live` (and `preview --live`): the org, the window, panels allowed to be empty."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from appbuilder.cli.common import connection_options, progress, stacked

_window_options = stacked(
    click.option("--live", is_flag=True, help="Run the queries on the org's data (Search Job API), not the samples."),
    click.option("--window", default=None, metavar="SPAN", help="With --live: search the last SPAN (15m, 24h, 7d; "
                 "default 24h)."),
    click.option("--from", "start", default=None, metavar="TIME",
                 help="With --live: window start (ISO 8601, UTC unless an offset is given, or epoch ms)."),
    click.option("--to", "end", default=None, metavar="TIME", help="With --live: window end (default now)."),
)
_org_options = stacked(
    connection_options,
    click.option("--env", "env_names", multiple=True, metavar="NAME",
                 help="With --live: the org (connection and parameters) of this environment of appbuilder.yaml."),
    click.option("--environments", "env_file", type=click.Path(dir_okay=False), default=None,
                 help="With --env: the environments file (default: appbuilder.yaml in the app's or a parent "
                      "directory)."),
)
live_options = stacked(  # test
    _window_options,
    click.option("--allow-empty", multiple=True, metavar="TARGET",
                 help="With --live: a panel (dashboard/panel), query:ID or monitor:NAME that may find no data."),
    _org_options,
)
preview_live_options = stacked(_window_options, _org_options)
_LIVE_ONLY = ("window", "start", "end", "allow_empty", "access_id", "access_key", "deployment", "base_url",
              "env_names", "env_file")


def refuse_live_options(kwargs: dict[str, Any]) -> None:
    """A usage error for an option that only means something with --live."""
    given = [name for name in _LIVE_ONLY if kwargs.get(name)]
    if given:
        shown = "--" + given[0].replace("_", "-").replace("start", "from").replace("end", "to")
        raise click.UsageError(f"{shown} is for --live runs (on an org's data); add --live or leave it out")


def live_settings(path: Path, kwargs: dict[str, Any], params: dict[str, str]) -> tuple[Any, dict[str, str]]:
    """The connection, window and allowed-empty targets of a --live run, and the parameters (an ``--env``'s under
    the ``--param`` values); a usage error for a bad window or environment."""
    from appbuilder.commands.test_live import LiveSettings, parse_window
    from appbuilder.deploy.session import DeployOptions

    try:
        window = parse_window(kwargs.get("window"), kwargs.get("start"), kwargs.get("end"), time.time())
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    options = DeployOptions(access_id=kwargs.get("access_id"), access_key=kwargs.get("access_key"),
                            deployment=kwargs.get("deployment"), base_url=kwargs.get("base_url"))
    if kwargs.get("env_names"):
        options, params = _environment(path, kwargs, options, params)
    return LiveSettings(options, window, frozenset(kwargs.get("allow_empty") or ())), params


def _environment(path: Path, kwargs: dict[str, Any], options: Any,
                 params: dict[str, str]) -> tuple[Any, dict[str, str]]:
    import os

    from appbuilder.cli.environments import chosen_environments
    from appbuilder.commands.environments import options_for

    if len(kwargs["env_names"]) > 1:
        raise click.UsageError("--live searches one org: give one --env NAME")
    environment = chosen_environments(str(path), {"env_names": kwargs["env_names"], "env_file": kwargs["env_file"]})[0]
    try:
        return (options_for(environment, options, os.environ, require_variables=False),  # searches need no token
                {**environment.parameters, **params})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def run_live_command(path: Path, variables: dict[str, str], params: dict[str, str], kwargs: dict[str, Any]) -> Any:
    from appbuilder.commands.test_live import run_live_test

    settings, params = live_settings(path, kwargs, params)
    return run_live_test(path, variables=variables, parameters=params, settings=settings, progress=progress)
