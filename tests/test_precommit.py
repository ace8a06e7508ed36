"""The pre-commit hooks, run through `pre-commit try-repo` on a temporary git repository: `appbuilder-validate`
(language python: pre-commit installs appbuilder from this repository) and `appbuilder-validate-system` (the
appbuilder on PATH)."""

from __future__ import annotations

import os
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


def _try_repo(project: Path, env: dict[str, str], hook: str) -> subprocess.CompletedProcess[str]:
    subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--all-files"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)


def _hooks() -> dict[str, dict[str, object]]:
    from ruamel.yaml import YAML

    return {h["id"]: h for h in YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())}


def test_the_main_hook_installs_itself_and_the_system_one_has_its_own_id() -> None:
    hooks = _hooks()
    assert hooks["appbuilder-validate"]["language"] == "python"
    assert hooks["appbuilder-validate-system"]["language"] == "system"
    assert hooks["appbuilder-validate"]["entry"] == hooks["appbuilder-validate-system"]["entry"]


@pytest.mark.slow
def test_the_python_hook_needs_no_appbuilder_on_path(tmp_path: Path) -> None:
    """What failed with "Executable `appbuilder` not found": pre-commit installs appbuilder from the repository
    into the hook's own environment (the first run fetches the dependencies from the package index)."""
    pytest.importorskip("pre_commit")
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project / "apps" / "mini")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-cache"), PATH=os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not (Path(p) / "appbuilder").exists()),
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com")
    assert shutil.which("appbuilder", path=env["PATH"]) is None
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, env=env)
    edit(project / "apps/mini/dashboards/main.yaml", "chart: pie", "chart: piee")
    broken = _try_repo(project, env, "appbuilder-validate")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "not found" not in broken.stdout
    assert "apps/mini/dashboards/main.yaml:21:12: error:" in broken.stdout


@pytest.mark.slow
def test_pre_commit_try_repo_passes_good_and_fails_broken_app(tmp_path: Path, hook_env: dict[str, str]) -> None:
    pytest.importorskip("pre_commit")
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project / "apps" / "mini")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True, env=hook_env)
    good = _try_repo(project, hook_env, "appbuilder-validate-system")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "appbuilder validate" in good.stdout and "Passed" in good.stdout
    edit(project / "apps/mini/dashboards/main.yaml", "chart: pie", "chart: piee")
    broken = _try_repo(project, hook_env, "appbuilder-validate-system")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    assert "apps/mini/dashboards/main.yaml:21:12: error:" in broken.stdout
