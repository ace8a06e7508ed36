"""The pre-commit hook `appbuilder-validate`, run through `pre-commit try-repo` on a temporary git repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import cli_run, edit, shim_env

from appbuilder.commands.validate_changed import owning_app

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "minimal"


def test_owning_app_walks_up_to_app_yaml(app_dir: Path) -> None:
    assert owning_app(app_dir / "dashboards" / "main.yaml") == app_dir
    assert owning_app(app_dir / "app.yaml") == app_dir
    assert owning_app(Path("elsewhere.yaml")) is None


def test_validate_changed_validates_each_owning_app_once(app_dir: Path) -> None:
    shutil.copytree(app_dir, Path("other"))
    edit(Path("other/dashboards/main.yaml"), "chart: pie", "chart: piee")
    code, out = cli_run("validate-changed", "app/app.yaml", "app/dashboards/main.yaml", "notes.yaml",
                        "other/queries.yaml")
    assert code == 1
    assert "app: valid (0 errors, 0 warnings)" in out and "other: invalid (1 error, 0 warnings)" in out  # plurals
    assert out.count("app: valid") == 1
    assert cli_run("validate-changed", "README.md") == (0, "")


@pytest.fixture
def hook_env(tmp_path: Path) -> dict[str, str]:
    """PATH with an `appbuilder` that runs this checkout, and a private pre-commit cache."""
    return {**shim_env(tmp_path), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache")}


def _try_repo(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "appbuilder-validate",
                           "--all-files"], cwd=project, env=env, capture_output=True, text=True, timeout=120)


def test_pre_commit_try_repo_passes_good_and_fails_broken_app(tmp_path: Path, hook_env: dict[str, str]) -> None:
    pytest.importorskip("pre_commit")
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project / "apps" / "mini")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, env=hook_env)
    good = _try_repo(project, hook_env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "appbuilder validate" in good.stdout and "Passed" in good.stdout
    edit(project / "apps/mini/dashboards/main.yaml", "chart: pie", "chart: piee")
    broken = _try_repo(project, hook_env)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    assert "apps/mini/dashboards/main.yaml:21:12: error:" in broken.stdout
