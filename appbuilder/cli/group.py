"""The root `appbuilder` click group; every command module registers its verbs on it."""

from __future__ import annotations

from typing import Any

import click

from appbuilder import __version__

USAGE_ERROR = 1  # like every other error: exit 2 is kept for "changes" (plan --exit-code) and "different" (diff)


class AppbuilderGroup(click.Group):
    """The root group: a usage error (unknown option, bad value, missing argument) exits 1, not click's 2."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            exc.exit_code = USAGE_ERROR
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            exc.exit_code = USAGE_ERROR
            raise


@click.group(cls=AppbuilderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="appbuilder")
@click.option("--debug", is_flag=True, help="Log every API call (secrets redacted) and show tracebacks.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Sumo Logic apps as code: validate, build, test, plan and install app definitions."""
    ctx.obj = {"debug": debug}
    if debug:
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
