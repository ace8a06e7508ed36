"""The README's command table stays complete: a row per verb, and every option of every verb named."""

from __future__ import annotations

import re
from pathlib import Path

import click

from appbuilder.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def verbs(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    out: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out.update(verbs(command, f"{prefix}{name} "))
        else:
            out[f"{prefix}{name}"] = command
    return out


def test_every_verb_has_a_row_in_the_commands_table() -> None:
    rows = re.findall(r"^\| `appbuilder ([a-z-]+(?: [a-z]+)?)", README, re.M)
    missing = [verb for verb in verbs(cli) if not any(row == verb or row.startswith(verb + " ") for row in rows)]
    assert missing == []


def test_every_option_of_every_verb_is_named() -> None:
    missing = []
    for verb, command in verbs(cli).items():
        for param in command.params:
            names = [n for n in getattr(param, "opts", []) if n.startswith("-") and n != "--help"]
            if names and not any(re.search(rf"`[^`]*{re.escape(n)}\b[^`]*`", README) for n in names):
                missing.append(f"{verb} {names[0]}")
    assert missing == []
