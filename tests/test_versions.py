"""`appbuilder validate --base REF`: changed built content needs a new version, a new version its CHANGELOG entry."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import cli_run, edit

from appbuilder.versions import changelog_has

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding the minimal app (version 0.1.0, with its changelog) committed on ``main``."""
    shutil.copytree(FIXTURE, tmp_path / "apps" / "mini")
    (tmp_path / "apps/mini/CHANGELOG.md").write_text("# Changelog\n\n## [0.1.0] - 2026-01-01\n\n- first\n",
                                                     encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "base")
    monkeypatch.chdir(tmp_path)
    return Path("apps/mini")


def test_unchanged_passes(repo: Path) -> None:
    code, out = cli_run("validate", str(repo), "--base", "main")
    assert code == 0, out


def test_changed_content_needs_new_version_and_changelog(repo: Path) -> None:
    edit(repo / "dashboards/main.yaml", "title: Events by Category", "title: Events per Category")
    code, out = cli_run("validate", str(repo), "--base", "main")
    assert code == 1
    assert ("apps/mini/app.yaml:3:10: error: the built content changed since main but the version is still 0.1.0"
            in out)
    edit(repo / "app.yaml", "version: 0.1.0", "version: 0.2.0")
    code, out = cli_run("validate", str(repo), "--base", "main")
    assert code == 1 and "apps/mini/CHANGELOG.md: error: CHANGELOG.md has no entry for version 0.2.0" in out
    assert "version is still" not in out
    edit(repo / "CHANGELOG.md", "## [0.1.0]", "## 0.2.0\n\n- renamed a panel\n\n## [0.1.0]")
    code, out = cli_run("validate", str(repo), "--base", "main")
    assert code == 0, out


def test_comment_only_change_needs_nothing(repo: Path) -> None:
    edit(repo / "dashboards/main.yaml", "panels:\n", "# a comment\npanels:\n")
    assert cli_run("validate", str(repo), "--base", "main")[0] == 0


def test_new_app_needs_a_changelog(repo: Path) -> None:
    shutil.copytree(repo, Path("apps/other"))
    (Path("apps/other") / "CHANGELOG.md").unlink()
    code, out = cli_run("validate", "apps/other", "--base", "main", "--format", "json")
    assert code == 1 and '"code": "changelog-missing"' in out


def test_unknown_ref_is_reported(repo: Path) -> None:
    code, out = cli_run("validate", str(repo), "--base", "nope")
    assert code == 1 and "cannot compare with nope: unknown git ref 'nope'" in out


@pytest.mark.parametrize(("text", "found"), [
    ("## 1.2.0\n", True), ("# [1.2.0] - 2026-12-01\n", True), ("### v1.2.0\n", True),
    ("## 1.2.01\n", False), ("- 1.2.0 mentioned\n", False), ("## 1.2.0-rc1\n", False)])
def test_changelog_headings(text: str, found: bool) -> None:
    assert changelog_has("intro\n" + text, "1.2.0") is found


def test_1password_changelog_has_the_current_version() -> None:
    app_dir = Path(__file__).resolve().parents[1] / "app_definitions" / "1password"
    version = next(line.split(":", 1)[1].strip() for line in (app_dir / "app.yaml").read_text().splitlines()
                   if line.startswith("version:"))
    assert changelog_has((app_dir / "CHANGELOG.md").read_text(encoding="utf-8"), version)


def test_base_that_no_longer_builds_is_a_warning_not_a_false_alarm(repo: Path) -> None:
    edit(repo / "dashboards/main.yaml", "chart: pie", "chart: piee")  # the committed base becomes unbuildable
    git(Path("."), "commit", "-qam", "broken base")
    edit(repo / "dashboards/main.yaml", "chart: piee", "chart: pie")
    code, out = cli_run("validate", str(repo), "--base", "main")
    assert code == 0, out
    assert "warning: the app as it was at main does not build with this appbuilder" in out
    assert "version is still" not in out


def test_base_outside_a_git_work_tree_says_so(app_dir: Path) -> None:
    code, out = cli_run("validate", "app", "--base", "HEAD")
    assert code == 1 and "is not in a git work tree" in out and "--base compares with a git ref" in out
