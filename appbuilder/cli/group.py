"""The root `appbuilder` click group; every command module registers its verbs on it."""

from __future__ import annotations

import click

from appbuilder import __version__


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
