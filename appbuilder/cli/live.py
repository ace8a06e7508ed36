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
live_options = stacked(  # test
    _window_options,
    click.option("--allow-empty", multiple=True, metavar="TARGET",
                 help="With --live: a panel (dashboard/panel), query:ID or monitor:NAME that may find no data."),
    connection_options,
)
preview_live_options = stacked(_window_options, connection_options)
_LIVE_ONLY = ("window", "start", "end", "allow_empty", "access_id", "access_key", "deployment", "base_url")


def refuse_live_options(kwargs: dict[str, Any]) -> None:
    """A usage error for an option that only means something with --live."""
    given = [name for name in _LIVE_ONLY if kwargs.get(name)]
    if given:
        shown = "--" + given[0].replace("_", "-").replace("start", "from").replace("end", "to")
        raise click.UsageError(f"{shown} is for --live runs (on an org's data); add --live or leave it out")


def live_settings(kwargs: dict[str, Any]) -> Any:
    """The connection, window and allowed-empty targets of a --live run; a usage error for a bad window."""
    from appbuilder.commands.test_live import LiveSettings, parse_window
    from appbuilder.deploy.session import DeployOptions

    try:
        window = parse_window(kwargs.get("window"), kwargs.get("start"), kwargs.get("end"), time.time())
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    options = DeployOptions(access_id=kwargs.get("access_id"), access_key=kwargs.get("access_key"),
                            deployment=kwargs.get("deployment"), base_url=kwargs.get("base_url"))
    return LiveSettings(options, window, frozenset(kwargs.get("allow_empty") or ()))


def run_live_command(path: Path, variables: dict[str, str], params: dict[str, str], kwargs: dict[str, Any]) -> Any:
    from appbuilder.commands.test_live import run_live_test

    return run_live_test(path, variables=variables, parameters=params, settings=live_settings(kwargs),
                         progress=progress)
