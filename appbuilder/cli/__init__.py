"""The `appbuilder` command line. Thin: parse options, call a command function, render its result.

One module per group of verbs (`appbuilder/cli/<area>.py`) registers its click commands on the group in `group.py`;
a new verb is a new module here plus one import line. Heavy modules (requests, the query engine) are
imported inside the commands that need them so that `appbuilder --help` and `appbuilder validate` start fast.
"""

from __future__ import annotations

import sys

import click

from appbuilder.cli import (  # noqa: F401  (importing a command module registers its verbs)
    deploy,
    export,
    gitops,
    offline,
    preview,
    query_run,
)
from appbuilder.cli.common import parse_params
from appbuilder.cli.group import cli

__all__ = ["cli", "main", "parse_params"]


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
    except OSError as exc:
        if "--debug" in sys.argv or not exc.filename:  # not about a path: fall through to the last line of defence
            _internal(exc)
        click.echo(f"appbuilder: error: {exc.filename}: {exc.strerror or exc}", err=True)
        click.echo("hint: check the path: that it exists, is not too long, and can be read or written", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - last line of defence: never show a traceback by default
        _internal(exc)


def _internal(exc: Exception) -> None:
    if "--debug" in sys.argv:
        raise exc
    click.echo(f"appbuilder: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
    sys.exit(1)

