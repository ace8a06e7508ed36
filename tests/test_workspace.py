"""Builds and backups go under .appbuilder/ at the repository root (kept out of git by its own .gitignore),
so `git status` never shows them, wherever the command runs; a --backup-dir appbuilder creates is kept out too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import FAKE_AUTH, cli_run, fast_cli_client, shim_env

from appbuilder.fakesumo import FakeSumo
from appbuilder.workspace import IGNORE_EVERYTHING, make_ignored_dir, state_root

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding the minimal app at apps/mini, committed; the current directory is apps/."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root / "apps" / "mini")
    env = shim_env(tmp_path)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "app"]):
        subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True)
    monkeypatch.chdir(root / "apps")
    return root


def git_status(root: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root, check=True,
                          capture_output=True, text=True).stdout


def test_a_build_goes_to_the_repository_root_and_stays_out_of_git(repo: Path) -> None:
    code, out = cli_run("build", "mini")
    assert code == 0, out
    assert (repo / ".appbuilder" / "dist" / "mini" / "content.json").is_file()
    assert (repo / ".appbuilder" / ".gitignore").read_text(encoding="utf-8") == IGNORE_EVERYTHING
    assert git_status(repo) == ""
    assert state_root() == repo / ".appbuilder"  # above the current directory: shown whole


def test_backups_go_there_too_and_stay_out_of_git(repo: Path, fake: FakeSumo, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("SUMOLOGIC_ACCESSID", FAKE_AUTH[0]), ("SUMOLOGIC_ACCESSKEY", FAKE_AUTH[1]),
                        ("SUMOLOGIC_BASE_URL", fake.base_url), ("MINIMAL_TOKEN", "t0ken-for-tests")):
        monkeypatch.setenv(name, value)
    fast_cli_client(monkeypatch)
    assert cli_run("install", "mini", "--yes")[0] == 0
    code, out = cli_run("uninstall", "mini", "--yes")
    assert code == 0, out
    backups = list((repo / ".appbuilder" / "backups").iterdir())
    assert len(backups) == 1 and (backups[0] / "content.json").is_file()
    assert f"backup saved in {backups[0]}" in out
    assert git_status(repo) == ""


def test_a_backup_dir_appbuilder_creates_is_kept_out_of_git_and_an_existing_one_left_alone(tmp_path: Path) -> None:
    make_ignored_dir(tmp_path / "new" / "backups")
    assert (tmp_path / "new" / ".gitignore").read_text(encoding="utf-8") == IGNORE_EVERYTHING
    assert not (tmp_path / "new" / "backups" / ".gitignore").exists()
    (tmp_path / "mine").mkdir()
    make_ignored_dir(tmp_path / "mine")
    assert list((tmp_path / "mine").iterdir()) == []


def test_outside_a_repository_the_current_directory_holds_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert state_root() == Path(".appbuilder")
