"""The composite GitHub Action: its steps from action.yml run as a script, with an appbuilder on PATH."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import edit, shim_env
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "minimal"
ACTION = YAML(typ="safe").load((REPO / "action.yml").read_text(encoding="utf-8"))


def run_step(tmp_path: Path, cwd: Path, **inputs: str) -> tuple[int, str, dict[str, str], str]:
    """Run the action's `run` step as GitHub would: inputs (or their defaults) substituted into its env."""
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "run")
    values = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | inputs
    env = shim_env(tmp_path)
    for name, expr in step["env"].items():
        env[name] = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], expr)
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    output.write_text("", encoding="utf-8")
    summary.write_text("", encoding="utf-8")
    env.update(GITHUB_ACTION_PATH=str(REPO), GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary),
               RUNNER_TEMP=str(tmp_path / "runner"))
    done = subprocess.run([step["shell"], "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    return done.returncode, done.stdout + done.stderr, outputs, summary.read_text(encoding="utf-8")


@pytest.fixture
def apps(tmp_path: Path) -> Path:
    """A git repository with two apps under app_definitions/, committed on main."""
    root = tmp_path / "repo"
    for name in ("alpha", "beta"):
        shutil.copytree(FIXTURE, root / "app_definitions" / name)
    env = shim_env(tmp_path)
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return root


def test_action_declares_its_interface() -> None:
    assert {"path", "command", "format"} <= set(ACTION["inputs"])
    assert ACTION["runs"]["using"] == "composite"
    install = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "install")
    assert "$GITHUB_ACTION_PATH" in install["run"] and install["if"] == "inputs.install == 'true'"


def test_validate_github_annotations_every_app(tmp_path: Path, apps: Path) -> None:
    code, out, outputs, _ = run_step(tmp_path, apps)
    assert code == 0, out
    assert outputs["exit-code"] == "0" and Path(outputs["report-dir"]).is_dir()
    edit(apps / "app_definitions/beta/dashboards/main.yaml", "chart: pie", "chart: piee")
    code, out, outputs, _ = run_step(tmp_path, apps)
    assert code == 1 and outputs["exit-code"] == "1"
    assert "::error file=app_definitions/beta/dashboards/main.yaml,line=21,col=12" in out
    assert "::error::appbuilder validate app_definitions/beta exited 1" in out


def test_validate_sarif_one_file_per_app(tmp_path: Path, apps: Path) -> None:
    edit(apps / "app_definitions/alpha/dashboards/main.yaml", "chart: pie", "chart: piee")
    code, _, outputs, _ = run_step(tmp_path, apps, format="sarif")
    assert code == 1
    reports = Path(outputs["report-dir"])
    alpha = json.loads((reports / "alpha.sarif").read_text(encoding="utf-8"))
    beta = json.loads((reports / "beta.sarif").read_text(encoding="utf-8"))
    assert alpha["runs"][0]["results"] and not beta["runs"][0]["results"]


def test_diff_markdown_goes_to_summary_and_is_not_a_failure(tmp_path: Path, apps: Path) -> None:
    code, out, outputs, _ = run_step(tmp_path, apps, command="diff")
    assert code == 1 and "needs the base input" in out
    code, _, outputs, summary = run_step(tmp_path, apps, command="diff", base="main")
    assert code == 0 and outputs["changed"] == "false" and summary.count("**no changes**") == 2
    edit(apps / "app_definitions/alpha/dashboards/main.yaml", "title: Events by Category", "title: Per Category")
    code, out, outputs, summary = run_step(tmp_path, apps, command="diff", base="main")
    assert code == 0, out
    assert outputs["changed"] == "true"
    assert "| changed | panel `main/by_category` (Per Category) | title |" in summary
    assert (Path(outputs["report-dir"]) / "alpha.md").read_text(encoding="utf-8") in summary


def test_single_app_path_test_command_and_bad_input(tmp_path: Path, apps: Path) -> None:
    code, out, _, _ = run_step(tmp_path, apps, path="app_definitions/alpha", command="test")
    assert code == 0 and "passed, 0 failed" in out
    code, out, _, _ = run_step(tmp_path, apps, command="deploy")
    assert code == 1 and "unknown command 'deploy'" in out
    code, out, _, _ = run_step(tmp_path, apps, path="nowhere")
    assert code == 1 and "no app.yaml in nowhere" in out


@pytest.mark.parametrize("workflow", ["pull-request.yml", "merge.yml"])
def test_example_workflows_use_only_the_action_inputs(workflow: str) -> None:
    doc = YAML(typ="safe").load((REPO / "docs" / "workflows" / workflow).read_text(encoding="utf-8"))
    uses = [step for job in doc["jobs"].values() for step in job["steps"]
            if str(step.get("uses", "")).startswith("OWNER/appbuilder")]
    assert uses
    commands = set()
    for step in uses:
        assert set(step.get("with", {})) <= set(ACTION["inputs"]), step
        commands.add(step["with"]["command"])
    expected = {"validate", "test", "diff", "plan"} if workflow == "pull-request.yml" else {"install"}
    assert commands == expected
    if workflow == "merge.yml":
        assert uses[0]["with"]["args"] == "--yes"
