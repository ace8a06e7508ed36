"""The command reference (docs/commands.md), generated from the click commands themselves.

Every verb's ``--help`` at a fixed width, so the page says exactly what the installed CLI says; a test fails when
the committed page differs (regenerate with ``python scripts/gen_command_reference.py``).
"""

from __future__ import annotations

import click

WIDTH = 110

INTRO = """# Command reference

Generated from the commands' own `--help` by `python scripts/gen_command_reference.py`; a test fails when this
page is out of date. Exit codes are the same for every command: see [exit-codes.md](exit-codes.md).
"""


def _verbs(group: click.Group, ctx: click.Context) -> list[tuple[str, click.Command, click.Context]]:
    found: list[tuple[str, click.Command, click.Context]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        if command.hidden:
            continue
        sub = click.Context(command, info_name=name, parent=ctx, terminal_width=WIDTH, max_content_width=WIDTH)
        found.append((ctx.command_path + " " + name, command, sub))
        if isinstance(command, click.Group):
            found += _verbs(command, sub)
    return found


def command_reference(root: click.Group | None = None) -> str:
    """docs/commands.md: a table of contents, then each verb's help."""
    if root is None:
        from appbuilder.cli import cli as root
    ctx = click.Context(root, info_name="appbuilder", terminal_width=WIDTH, max_content_width=WIDTH,
                        help_option_names=["-h", "--help"])
    verbs = _verbs(root, ctx)
    lines = [INTRO, "| command | what it does |", "|---|---|"]
    for path, command, _ in verbs:
        anchor = path.replace(" ", "-")
        lines.append(f"| [`{path}`](#{anchor}) | {command.get_short_help_str(limit=100)} |")
    lines.append("")
    sections = [("appbuilder", root, ctx), *verbs]
    for path, command, sub in sections:
        lines += [f"## {path}", "", "```text", command.get_help(sub).rstrip(), "```", ""]
    return "\n".join(lines)
