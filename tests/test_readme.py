"""The README fits on a screen and stays true: its commands parse with the real CLI, its links resolve
(test_ci_command: CI runs its set-up commands); the command reference in docs/ is generated from the CLI and kept
current."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from appbuilder.cli import cli
from appbuilder.cli.reference import command_reference

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def shell_lines(text: str) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_the_readme_fits_on_a_screen() -> None:
    assert len(README.splitlines()) <= 150


def test_the_command_reference_is_current() -> None:
    """Regenerate with `python scripts/gen_command_reference.py` after changing a command or an option."""
    page = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    assert page == command_reference(), "docs/commands.md is stale: run python scripts/gen_command_reference.py"


def test_the_reference_has_every_verb_and_option() -> None:
    page = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")

    def walk(group: click.Group, prefix: str) -> None:
        for name, command in group.commands.items():
            assert f"## {prefix} {name}\n" in page
            for param in command.params:
                for opt in getattr(param, "opts", []):
                    if opt.startswith("-"):
                        assert opt in page, (name, opt)
            if isinstance(command, click.Group):
                walk(command, f"{prefix} {name}")

    walk(cli, "appbuilder")


@pytest.mark.parametrize("line", [ln for ln in shell_lines(README) if ln.startswith("appbuilder ")])
def test_every_command_in_the_readme_parses(line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each `appbuilder …` line names a real verb with real options and arguments (parsed by the CLI, not run;
    the files it names are made empty in a scratch directory, so options that must name a file parse)."""
    parse(line, tmp_path, monkeypatch)


def parse(line: str, where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(where)
    args = shlex.split(line, comments=True)[1:]
    for arg in args:
        if re.fullmatch(r"[\w./-]+\.(json|jsonl|yaml)", arg):
            Path(arg).parent.mkdir(parents=True, exist_ok=True)
            Path(arg).touch()
    command: click.Command = cli
    ctx = cli.make_context("appbuilder", list(args), resilient_parsing=True)
    name = "appbuilder"
    while isinstance(command, click.Group) and args:
        name = args.pop(0)
        assert name in command.commands, f"no command {name!r}"
        command = command.commands[name]
    command.make_context(name, list(args), parent=ctx)  # raises on an unknown option or a missing argument


PAGES = ["README.md", *[str(p.relative_to(REPO)) for p in sorted((REPO / "docs").rglob("*.md"))]]


@pytest.mark.parametrize("page", PAGES)
def test_every_relative_link_resolves(page: str) -> None:
    text = (REPO / page).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        assert (REPO / page).parent.joinpath(target.replace("%20", " ")).exists(), f"{page}: {target}"


def test_a_stale_line_in_the_readme_would_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(click.NoSuchOption):
        parse("appbuilder plan app --no-such-option", tmp_path, monkeypatch)
    with pytest.raises(click.MissingParameter):
        parse("appbuilder plan", tmp_path, monkeypatch)
