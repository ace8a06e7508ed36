"""Helpers shared by the command modules of the CLI: option parsing and output."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

FORMAT_CHOICE = click.Choice(["text", "json", "github"])
# every format a list of problems can be rendered in (appbuilder.report registers them)
REPORT_CHOICE = click.Choice(["text", "json", "github", "sarif", "markdown"])


def parse_params(values: tuple[str, ...], option: str = "--param") -> dict[str, str]:
    """``name=value`` pairs from a repeated option (``--param``, ``--var``)."""
    params: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            from appbuilder.tokens import mask_tokens

            raise click.BadParameter(f"'{mask_tokens(item)}' is not name=value", param_hint=option)
        if name.strip() in params:
            raise click.BadParameter(f"'{name.strip()}' is given twice", param_hint=option)
        params[name.strip()] = value
    return params


def plural(count: int, word: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary(path: str, errors: int, warnings: int, verdict: str) -> str:
    """The last line of a report: ``app: invalid (1 error, 2 warnings)``."""
    return f"{path}: {verdict} ({plural(errors, 'error')}, {plural(warnings, 'warning')})"


def existing(path: str) -> Path:
    target = Path(path)
    if not target.exists():
        raise click.BadParameter(f"'{path}' does not exist", param_hint="PATH")
    return target


def emit(text: str, *, err: bool = False) -> None:
    if text:
        click.echo(text, err=err)


def require_preview(command: str) -> None:
    """Stop with one line naming the extra to install when the preview packages are missing (exit 1)."""
    from appbuilder.preview import PREVIEW_EXTRA_HINT, missing_preview_packages

    missing = missing_preview_packages()
    if missing:
        emit(f"appbuilder {command}: drawing dashboards needs {', '.join(missing)}, which the core install leaves "
             f"out", err=True)
        emit(f"hint: {PREVIEW_EXTRA_HINT}", err=True)
        sys.exit(1)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def use_colour(no_color: bool) -> bool:
    """Colour only on a terminal, and never with ``--no-color`` or a non-empty ``NO_COLOR`` (no-color.org)."""
    return not no_color and not os.environ.get("NO_COLOR") and stdout_is_terminal()


def progress(message: str) -> None:
    """Progress of a command that talks to an org: one line on stderr."""
    click.echo(message, err=True)


def stacked(*options: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """One decorator adding ``options`` in the order given (as in ``--help``)."""
    def decorate(func: Any) -> Any:
        for option in reversed(options):
            func = option(func)
        return func
    return decorate


LITERAL_KEY_WARNING = ("warning: an access key given on the command line is kept in the shell's history and shown "
                       "by `ps`; set SUMOLOGIC_ACCESSKEY, or pass --access-key - and give the key on standard input")


def access_key_value(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--access-key -`` reads the key from standard input (first line); a literal key works but is warned about."""
    if value is None:
        return None
    if value == "-":
        key = sys.stdin.readline().strip()
        if not key:
            raise click.BadParameter("no access key on standard input", ctx=ctx, param=param)
        return key
    emit(LITERAL_KEY_WARNING, err=True)
    return value


# Where and as whom to reach an org: shared by the verbs that talk to one (deploy verbs, export).
connection_options = stacked(
    click.option("--access-id", default=None, help="Access ID (default: SUMOLOGIC_ACCESSID)."),
    click.option("--access-key", default=None, callback=access_key_value, metavar="KEY|-",
                 help="Access key (default: SUMOLOGIC_ACCESSKEY); - reads it from standard input."),
    click.option("--deployment", default=None, help="Deployment, e.g. us2 (default: SUMOLOGIC_ENVIRONMENT)."),
    click.option("--base-url", default=None, help="API base URL (default: SUMOLOGIC_BASE_URL)."),
)
admin_mode_option = click.option("--admin-mode", is_flag=True,
                                 help="Act as content administrator (Admin Recommended).")
