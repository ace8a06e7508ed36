"""The `appbuilder` command line (offline commands): validate, build, schema, --help, start-up imports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import cli_run, edit
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "minimal"
ONEPASSWORD = REPO / "app_definitions" / "1password"
KINDS = ["app", "source", "queries", "dashboard", "tests"]


run = cli_run




# --- validate ---------------------------------------------------------------------------------------------


def test_validate_valid(app_dir: Path) -> None:
    code, out = run("validate", "app")
    assert code == 0
    assert out.strip().splitlines()[-1] == "app: valid (0 errors, 0 warnings)"


def test_validate_app_yaml_path(app_dir: Path) -> None:
    assert run("validate", "app/app.yaml")[0] == 0


def test_validate_warning_only_exits_0(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "panels:\n", "  - name: unused\n    values: [a]\npanels:\n")
    code, out = run("validate", "app")
    assert code == 0
    assert "app/dashboards/main.yaml:12:5: warning: variable 'unused' is declared but no query uses it" in out
    assert "valid (0 errors, 1 warning)" in out
    code, out = run("validate", "app", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["valid"] is True and report["warnings"] == 1
    code, out = run("validate", "app", "--format", "github")
    assert code == 0 and out.startswith("::warning file=app/dashboards/main.yaml,line=12,col=5,")


def test_validate_invalid_exits_1(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "chart: pie", "chart: pi")
    code, out = run("validate", "app")
    assert code == 1
    assert 'app/dashboards/main.yaml:21:12: error: "pi" is not allowed here [panels[1].chart]' in out
    assert 'hint: did you mean "pie"?' in out
    assert out.strip().endswith("app: invalid (1 error, 0 warnings)")


def test_validate_json_and_github(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "chart: pie", "chart: pi")
    code, out = run("validate", "app", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["valid"] is False and report["errors"] == 1
    assert report["problems"][0]["file"] == "app/dashboards/main.yaml"
    assert (report["problems"][0]["line"], report["problems"][0]["column"]) == (21, 12)
    code, out = run("validate", "app", "--format", "github")
    assert code == 1
    assert out.startswith("::error file=app/dashboards/main.yaml,line=21,col=12,title=schema::")
    assert "valid" not in out.split("::", 2)[1]  # no text summary in annotations


def test_validate_nonexistent_path_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run("validate", "nowhere")
    assert code == 1  # a usage error exits 1 like every error
    assert "'nowhere' does not exist" in out


def test_validate_bad_format_is_a_usage_error(app_dir: Path) -> None:
    assert run("validate", "app", "--format", "xml")[0] == 1


def test_validate_missing_argument(app_dir: Path) -> None:
    assert run("validate")[0] == 1


# --- build ------------------------------------------------------------------------------------------------


def test_build_writes_files_and_prints_the_hash(app_dir: Path) -> None:
    code, out = run("build", "app", "-o", "out", "--param", "source_category=cli/test")
    assert code == 0, out
    written = sorted(p.name for p in Path("out").iterdir())
    assert written == ["collector.json", "content.json", "manifest.json", "source.json"]
    for name in written:
        assert f"wrote {Path('out') / name}" in out
    manifest = json.loads(Path("out/manifest.json").read_text())
    assert f"content hash {manifest['contentHash']}" in out
    assert manifest["parameters"] == {"source_category": "cli/test"}
    assert json.loads(Path("out/content.json").read_text())["name"] == "Minimal cli/test"


def test_build_default_output_directory(app_dir: Path) -> None:
    code, out = run("build", "app")
    assert code == 0, out
    assert Path(".appbuilder/dist/app/content.json").is_file()  # outside a git repository: in the directory


def test_build_invalid_writes_nothing(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "chart: pie", "chart: pi")
    code, out = run("build", "app", "-o", "out")
    assert code == 1
    assert "app: not built" in out
    assert not Path("out").exists()


@pytest.mark.parametrize(("param", "message"), [
    ("nope=1", "unknown parameter 'nope'"),
    ("source_category=has space", "value 'has space' of parameter 'source_category' does not match"),
])
def test_build_bad_params(app_dir: Path, param: str, message: str) -> None:
    code, out = run("build", "app", "-o", "out", "--param", param)
    assert code == 1
    assert message in out
    assert not Path("out").exists()


def test_build_malformed_param_is_a_usage_error(app_dir: Path) -> None:
    code, out = run("build", "app", "-o", "out", "--param", "no-equals-sign")
    assert code == 1
    assert "is not name=value" in out


def test_build_json_format_failure_is_json(app_dir: Path) -> None:
    code, out = run("build", "app", "-o", "out", "--param", "nope=1", "--format", "json")
    assert code == 1
    assert json.loads(out)["problems"][0]["message"] == "unknown parameter 'nope'"


# --- schema and help ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_schema_prints_a_valid_json_schema(kind: str) -> None:
    code, out = run("schema", kind)
    assert code == 0
    schema = json.loads(out)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"/{kind}.schema.json")


def test_schema_unknown_kind() -> None:
    code, out = run("schema", "widget")
    assert code == 1
    assert "widget" in out


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["validate", "--help"], ["build", "--help"],
                                  ["schema", "--help"]])
def test_help(args: list[str]) -> None:
    code, out = run(*args)
    assert code == 0
    assert out.startswith("Usage: ")


def test_top_level_help_lists_the_offline_commands() -> None:
    out = run("--help")[1]
    commands = set(re.findall(r"^  ([a-z-]+)\s", out.split("Commands:")[1], re.M))
    assert {"validate", "build", "schema"} <= commands


def test_version() -> None:
    code, out = run("--version")
    assert code == 0 and out.startswith("appbuilder, version ")


# --- start-up cost: no HTTP stack for offline commands -------------------------------------------------------

PROBE = """
import sys
from click.testing import CliRunner
from appbuilder.cli import cli
result = CliRunner().invoke(cli, sys.argv[1:])
assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
heavy = sorted(m for m in sys.modules if m in HEAVY or m.startswith(tuple(h + "." for h in HEAVY)))
print(",".join(heavy))
"""
# what only other commands need: the HTTP stack (deploy), the preview renderers and browser, the query evaluator
# (test, preview), the diff and environments (their reports)
HEAVY = ("requests", "urllib3", "http.client", "vl_convert", "playwright", "markdown_it",
         "appbuilder.query.evaluate", "appbuilder.appdiff", "appbuilder.environments")


@pytest.mark.parametrize("args", [["--help"], ["validate", str(FIXTURE)], ["validate", str(ONEPASSWORD)],
                                  ["schema", "app"]])
def test_offline_commands_do_not_import_heavy_modules(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{PROBE}", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"{args} imported {done.stdout.strip()}"


def test_console_entry_point_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "app"
    shutil.copytree(FIXTURE, bad)
    (bad / "queries.yaml").write_bytes(b"\xff\xfe not yaml")
    done = subprocess.run([sys.executable, "-m", "appbuilder", "validate", str(bad)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert "not valid UTF-8" in done.stdout
