"""Exit codes: 0 ok, 1 any error (usage errors included, under every command), 2 only for plan --exit-code
"changes" and diff "different"; docs/exit-codes.md has one row per command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from helpers import cli_run, edit

from appbuilder.cli import cli

REPO = Path(__file__).resolve().parents[1]


def _commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        if getattr(command, "hidden", False):
            continue
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


COMMANDS = _commands()


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_an_unknown_option_exits_1_under_every_command(command: tuple[str, ...]) -> None:
    code, out = cli_run(*command, "--no-such-option")
    assert code == 1, out
    assert "No such option" in out


def test_unknown_command_and_missing_argument_exit_1() -> None:
    assert cli_run("valdate")[0] == 1
    assert cli_run("validate")[0] == 1
    assert cli_run("query", "lnt")[0] == 1


def test_plan_exit_code_on_a_mistyped_path_exits_1_not_2(tmp_path: Path) -> None:
    """The CI recipe `plan --exit-code || [ $? = 2 ]` must not pass on a typo: through the real entry point."""
    done = subprocess.run([sys.executable, "-m", "appbuilder", "plan", "app_definitions/1pasword", "--exit-code",
                           "--out", "plan.json"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "does not exist" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "plan.json").exists()


def test_diff_exits_2_when_different_and_1_on_error(tmp_path: Path) -> None:
    app = REPO / "tests" / "fixtures" / "minimal"
    changed = tmp_path / "changed"
    shutil.copytree(app, changed)
    edit(changed / "app.yaml", "version: 0.1.0", "version: 0.2.0")
    assert cli_run("diff", str(app), str(app))[0] == 0
    assert cli_run("diff", str(app), str(changed))[0] == 2
    assert cli_run("diff", str(app), str(tmp_path / "missing"))[0] == 1


def test_the_exit_code_table_has_a_row_per_command() -> None:
    table = (REPO / "docs" / "exit-codes.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`") for line in table.splitlines() if line.startswith("| `")}
    assert rows == {" ".join(c) for c in COMMANDS if not isinstance(cli.commands.get(c[0]), click.Group)
                    or len(c) > 1}
