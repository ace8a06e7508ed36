"""The bad-input corpus: every case must give a clear, positioned diagnostic and never a traceback.

Each directory under ``tests/bad_inputs/`` is an *overlay* on ``tests/fixtures/minimal``: the files it holds
replace (or add to) the fixture's files, and its ``expect.yaml`` says what must be reported:

``file``/``line``/``column``
    where (``file`` relative to the app directory; ``line: 0`` for file-level problems),
``message`` / ``hint`` / ``code``
    substrings of the diagnostic's message and hint, and its exact code,
``command`` / ``args`` / ``target`` / ``exit``
    what to run (default ``validate`` on the app directory, exit 1),
``delete`` / ``generate``
    fixture files to remove, and big inputs generated at test time (never committed).

Each case is run through ``appbuilder`` (click's CliRunner) in the three output formats and through the API.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from appbuilder.build import resolve_parameters
from appbuilder.cli import cli
from appbuilder.diagnostics import Diagnostic, InputError
from appbuilder.validate import validate_app

HERE = Path(__file__).resolve().parent
CASES_DIR = HERE / "bad_inputs"
FIXTURE = HERE / "fixtures" / "minimal"
APP_DIR = "app"


@dataclass
class Case:
    name: str
    directory: Path
    expect: dict[str, Any]

    @property
    def command(self) -> str:
        return str(self.expect.get("command", "validate"))

    @property
    def exit_code(self) -> int:
        return int(self.expect.get("exit", 1))

    @property
    def usage(self) -> bool:
        """A usage error (click's own message, no positions); it exits 1 like every error."""
        return bool(self.expect.get("usage", False))

    @property
    def shown_file(self) -> str:
        """The file as appbuilder shows it when run from the directory holding ``app/``."""
        rel = str(self.expect.get("file", ""))
        return f"{APP_DIR}/{rel}" if rel else APP_DIR

    @property
    def line(self) -> int:
        return int(self.expect.get("line", 0))

    @property
    def column(self) -> int | None:
        column = self.expect.get("column")
        return int(column) if column is not None else None


def _cases() -> list[Case]:
    yaml = YAML(typ="safe", pure=True)
    found = []
    for directory in sorted(p for p in CASES_DIR.iterdir() if (p / "expect.yaml").is_file()):
        expect = yaml.load((directory / "expect.yaml").read_text(encoding="utf-8"))
        found.append(Case(directory.name, directory, expect))
    return found


CASES = _cases()


def _generate(app: Path, spec: dict[str, Any]) -> None:
    target = app / spec["file"]
    if "megabytes" in spec:
        line = b"# padding padding padding padding padding padding padding padding padding padding\n"
        with target.open("wb") as handle:
            handle.write(b"queries:\n")
            chunk = line * (1024 * 1024 // len(line) + 1)
            for _ in range(int(spec["megabytes"])):
                handle.write(chunk)
    elif "nesting" in spec:
        depth = int(spec["nesting"])
        target.write_text("queries: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    else:  # pragma: no cover - a broken expect.yaml
        raise AssertionError(f"unknown generate spec {spec}")


def materialise(case: Case, where: Path) -> str:
    """Copy the fixture into ``where/app``, apply the case's overlay; returns the path argument to use."""
    app = where / APP_DIR
    shutil.copytree(FIXTURE, app)
    for path in sorted(case.directory.rglob("*")):
        if path.is_file() and path.name != "expect.yaml":
            target = app / path.relative_to(case.directory)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    for rel in case.expect.get("delete", []):
        (app / rel).unlink()
    if "generate" in case.expect:
        _generate(app, case.expect["generate"])
    return str(case.expect.get("target", APP_DIR))


def _invoke(case: Case, target: str, fmt: str) -> Result:
    args = [case.command, target, "--format", fmt, *[str(a) for a in case.expect.get("args", [])]]
    if case.command == "build":
        args += ["-o", "out"]
    return CliRunner().invoke(cli, args)


def _check_clean(result: Result) -> None:
    assert "Traceback" not in result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)


def _matches(d: Diagnostic, case: Case) -> bool:
    expect = case.expect
    if expect["message"] not in d.message:
        return False
    if "hint" in expect and expect["hint"] not in d.hint:
        return False
    if "code" in expect and d.code != expect["code"]:
        return False
    if d.position.line != case.line:
        return False
    if case.column is not None and d.position.column != case.column:
        return False
    return d.position.file.replace("\\", "/") == case.shown_file


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli_text(case: Case, in_tmp: Path) -> None:
    target = materialise(case, in_tmp)
    result = _invoke(case, target, "text")
    _check_clean(result)
    assert result.exit_code == case.exit_code, result.output
    assert case.expect["message"] in result.output, result.output
    if case.usage:
        return  # a usage error: click's own message, no positions
    if case.line:
        column = f"{case.column}:" if case.column is not None else ""
        assert f"{case.shown_file}:{case.line}:{column}" in result.output, result.output
    else:
        assert re.search(rf"(^|\s){re.escape(case.shown_file)}: error:", result.output, re.M), result.output
    if "hint" in case.expect:
        assert case.expect["hint"] in result.output


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli_github(case: Case, in_tmp: Path) -> None:
    target = materialise(case, in_tmp)
    result = _invoke(case, target, "github")
    _check_clean(result)
    assert result.exit_code == case.exit_code, result.output
    if case.usage:
        return
    lines = [ln for ln in result.output.splitlines() if ln.startswith("::error ")]
    wanted = f"::error file={case.shown_file}"
    if case.line:
        wanted += f",line={case.line}"
        if case.column is not None:
            wanted += f",col={case.column}"
    assert any(ln.startswith(wanted) and case.expect["message"] in ln for ln in lines), result.output


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli_json(case: Case, in_tmp: Path) -> None:
    target = materialise(case, in_tmp)
    result = _invoke(case, target, "json")
    _check_clean(result)
    assert result.exit_code == case.exit_code, result.output
    if case.usage:
        return
    report = json.loads(result.output)
    assert report["valid"] is False
    assert report["errors"] >= 1
    problems = report["problems"]
    assert any(p["file"] == case.shown_file and p["line"] == case.line and case.expect["message"] in p["message"]
               and (case.column is None or p["column"] == case.column) and p["severity"] == "error"
               for p in problems), json.dumps(problems, indent=1)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_api(case: Case, in_tmp: Path) -> None:
    target = materialise(case, in_tmp)
    result = validate_app(target, lint_queries=True)
    if case.command == "build":
        assert result.ok, result.diagnostics
        assert result.app is not None
        params = dict(str(a).partition("=")[::2] for a in case.expect["args"][1::2])
        with pytest.raises(InputError) as raised:
            resolve_parameters(result.app, params)
        found = raised.value.diagnostics
    else:
        assert not result.ok
        found = result.errors
    assert all(d.hint for d in found), "every error has a hint"
    if case.usage:
        assert found  # the API reports the missing path itself: "file not found"
        return
    assert any(_matches(d, case) for d in found), "\n".join(map(str, found))


def test_unused_variable_is_only_a_warning(in_tmp: Path) -> None:
    """The positive counterpart: a declared-but-unused variable warns, and validate still exits 0."""
    shutil.copytree(FIXTURE, in_tmp / APP_DIR)
    dashboard = in_tmp / APP_DIR / "dashboards" / "main.yaml"
    dashboard.write_text(dashboard.read_text().replace("panels:\n", "  - name: spare\n    values: [a]\npanels:\n"))
    result = CliRunner().invoke(cli, ["validate", APP_DIR])
    assert result.exit_code == 0, result.output
    assert "app/dashboards/main.yaml:12:5: warning: variable 'spare' is declared but no query uses it" in result.output
    api = validate_app(APP_DIR, lint_queries=True)
    assert api.ok and [d.code for d in api.warnings] == ["unused-variable"]
