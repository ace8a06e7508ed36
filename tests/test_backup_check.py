"""Backups are checked locally before a restore sends anything: what is not a backup, or a damaged one, is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from appbuilder.commands.restore import run_restore
from appbuilder.deploy.backup import write_backup
from appbuilder.deploy.backup_check import check_backup_dir
from appbuilder.deploy.session import DeployOptions

CONTENT = {"type": "FolderSyncDefinition", "name": "1Password", "description": "", "children": []}
TARGET = {"parentId": "0000000000000001", "parentPath": "/Library/Users/dev@example.com"}


@pytest.fixture
def backup(tmp_path: Path) -> Path:
    return write_backup(tmp_path / "backups", "1Password", "uninstall", TARGET, content=CONTENT,
                        source={"source": {"name": "s"}}, collector={"collector": {"name": "c"}}).path


def test_a_backup_written_by_appbuilder_passes(backup: Path) -> None:
    assert check_backup_dir(backup) == []


def _messages(path: Path) -> list[str]:
    return [f"{Path(p.position.file).name}: {p.message}" for p in check_backup_dir(path)]


def test_not_a_backup(tmp_path: Path) -> None:
    assert _messages(tmp_path / "nope") == ["nope: backup directory not found"]
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert _messages(tmp_path / "file") == ["file: is a file, expected a backup directory"]
    (tmp_path / "empty").mkdir()
    assert _messages(tmp_path / "empty") == ["empty: not an appbuilder backup (no backup.json)"]


@pytest.mark.parametrize(("manifest", "message"), [
    ("{", "invalid JSON: Expecting property name enclosed in double quotes"),
    ("[]", "the backup manifest is not a JSON object"),
    ('{"files": ["content.json"]}', "the backup manifest has no 'target' object"),
    ('{"target": {}, "files": ["content.json"]}', "target names no folder"),
    ('{"target": {"parentId": "1"}, "files": "content.json"}', "'files' is not a list of file names"),
    ('{"target": {"parentId": "1"}, "files": ["../../etc/passwd"]}', "lists unknown files: ../../etc/passwd"),
    ("[" * 100_000, "JSON nested more than"),
    (b"\xff", "not valid UTF-8"),
])
def test_malformed_manifest(backup: Path, manifest: str | bytes, message: str) -> None:
    manifest_file = backup / "backup.json"
    if isinstance(manifest, bytes):
        manifest_file.write_bytes(manifest)
    else:
        manifest_file.write_text(manifest, encoding="utf-8")
    problems = check_backup_dir(backup)
    assert any(message in p.message for p in problems), problems
    assert all(p.hint for p in problems)


@pytest.mark.parametrize(("name", "text", "message"), [
    ("content.json", '{"name": "x"', "invalid JSON"),
    ("content.json", '{"name": "x"}', "content.json is not exported Sumo content"),
    ("source.json", "[1]", "source.json is not a JSON object"),
    ("collector.json", "", "file is empty"),
    ("content.json", '{"type": "FolderSyncDefinition", "name": "x", "children": [1]}', "'children' is not a list"),
    ("items.json", '[{"kind": "monitor"}]', "items.json is not a list of saved items"),
    ("items.json", '{"kind": "monitor", "body": {}}', "items.json is not a list of saved items"),
])
def test_damaged_items(backup: Path, name: str, text: str, message: str) -> None:
    (backup / name).write_text(text, encoding="utf-8")
    problems = check_backup_dir(backup)
    assert [p.position.file for p in problems] == [str(backup / name)]
    assert message in problems[0].message


def test_a_listed_file_that_is_missing(backup: Path) -> None:
    (backup / "content.json").unlink()
    assert _messages(backup) == ["content.json: file not found"]


def test_restore_refuses_a_damaged_backup_before_connecting(backup: Path) -> None:
    (backup / "content.json").write_text("{", encoding="utf-8")
    options = DeployOptions(base_url="http://127.0.0.1:9/api", access_id="id", access_key="key")
    outcome = run_restore(backup, options)
    assert not outcome.ok and outcome.calls == {}
    assert outcome.error is not None and "content.json" in outcome.error and "invalid JSON" in outcome.error



def test_the_hint_names_where_backups_are_written(tmp_path: Path) -> None:
    from appbuilder.workspace import STATE_DIR

    (hint,) = [p.hint for p in check_backup_dir(tmp_path / "nope")]
    assert f"{STATE_DIR}/backups/<app>-" in hint, hint  # where install and uninstall put them by default
