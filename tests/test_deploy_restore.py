"""Restore brings back what a backup holds and leaves everything else alone: a backup of monitors alone never
removes the app folder or the monitors it does not name, and a monitor renamed since is renamed back in place."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from appbuilder.commands.install import run_install
from appbuilder.commands.plan import run_plan
from appbuilder.commands.restore import run_restore
from appbuilder.commands.uninstall import run_uninstall
from appbuilder.deploy.changes import DELETE
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import FAST_CLIENT
from appbuilder.fakesumo.server import FakeSumo

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
FOLDER = "/Monitors/Minimal mini"
MONITOR = """name: {name}
description: {name}.
query: |-
  _sourceCategory=${{source_category}}
  | json "category" as category
  | where category = "{category}"
  | count
triggers:
  critical: {{threshold: 0, comparison: GreaterThan, timeRange: -15m, field: _count}}
"""


@pytest.fixture()
def fake():
    with FakeSumo(keys={"id": "key"}, rate_limit=None, job_polls=0) as server:
        yield server


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURE, target)
    (target / "monitors").mkdir()
    for stem, category in (("failed", "credentials_failed"), ("ok", "success")):
        text = MONITOR.format(name=f"Minimal - {stem}", category=category)
        (target / "monitors" / f"{stem}.yaml").write_text(text, encoding="utf-8")
    manifest = target / "app.yaml"
    manifest.write_text(manifest.read_text().replace(
        "samples:", "monitors:\n  - monitors/failed.yaml\n  - monitors/ok.yaml\nsamples:"))
    return target


def options(fake: FakeSumo) -> DeployOptions:
    return DeployOptions(access_id="id", access_key="key", base_url=fake.base_url, client_options=dict(FAST_CLIENT),
                         env={"MINIMAL_TOKEN": "ops_minimal_token_value"})


def install(app: Path, fake: FakeSumo, tmp_path: Path, **kwargs: bool):  # type: ignore[no-untyped-def]
    outcome = run_install(app, {}, options(fake), backup_root=tmp_path / "backups", **kwargs)
    assert outcome.ok, (outcome.error, outcome.hint)
    return outcome


def monitor_ids(fake: FakeSumo) -> dict[str, str]:
    folder = fake.state.monitors.find_by_path(FOLDER)
    assert folder is not None
    return {fake.state.monitors.nodes[c].name: c for c in folder.children}


def app_folder_id(fake: FakeSumo) -> str | None:
    found = fake.state.find_by_path(f"/Library/Users/{fake.user_email}/Minimal mini")
    return found.id if found is not None else None


def test_restoring_a_backup_of_one_monitor_leaves_the_folder_and_the_other_monitors(
        fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    folder_id = app_folder_id(fake)
    assert folder_id is not None
    fake.ui_edit(f"{FOLDER}/Minimal - failed", lambda m: m.update(isDisabled=True))
    forced = install(app, fake, tmp_path, force=True)
    assert forced.backup is not None and not (Path(forced.backup) / "content.json").exists()
    saved = json.loads((Path(forced.backup) / "items.json").read_text())
    assert sorted(i["identity"] for i in saved) == ["Minimal - failed", "Minimal - ok"]  # the whole kind
    ids = monitor_ids(fake)
    restored = run_restore(Path(forced.backup), options(fake), backup_root=tmp_path / "backups")
    assert restored.ok, (restored.error, restored.hint)
    assert restored.plan is not None
    assert {c.kind for c in restored.plan.changes} == {"monitor"}
    assert not [c for c in restored.plan.changes if c.action == DELETE]
    assert app_folder_id(fake) == folder_id  # the app folder stays
    assert monitor_ids(fake) == ids
    assert fake.state.monitors.nodes[ids["Minimal - failed"]].body["isDisabled"] is True  # the UI edit is back


def test_a_monitor_renamed_since_the_backup_is_renamed_back_in_place(fake: FakeSumo, app: Path,
                                                                      tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    ids = monitor_ids(fake)
    failed = app / "monitors" / "failed.yaml"
    failed.write_text(failed.read_text().replace("name: Minimal - failed", "name: Minimal - failures")
                      .replace("threshold: 0", "threshold: 3"))
    changed = install(app, fake, tmp_path)
    assert changed.backup is not None
    assert monitor_ids(fake) == {"Minimal - failures": ids["Minimal - failed"], "Minimal - ok": ids["Minimal - ok"]}
    restored = run_restore(Path(changed.backup), options(fake), backup_root=tmp_path / "backups")
    assert restored.ok, (restored.error, restored.hint)
    assert [s for s in restored.steps if "renamed" in s] == [
        "renamed monitor 'Minimal - failures' to 'Minimal - failed' (same ids)"]
    assert monitor_ids(fake) == ids


def uninstalled(app: Path, fake: FakeSumo, tmp_path: Path) -> Path:
    outcome = run_uninstall(app, {}, options(fake), backup_root=tmp_path / "backups")
    assert outcome.ok and outcome.backup is not None, (outcome.error, outcome.hint)
    return Path(outcome.backup)


def test_a_restored_uninstall_backup_plans_as_no_change(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    backup = uninstalled(app, fake, tmp_path)
    restored = run_restore(backup, options(fake), backup_root=tmp_path / "backups")
    assert restored.ok, (restored.error, restored.hint)
    plan = run_plan(app, {}, options(fake)).plan
    assert plan is not None
    assert not plan.changed, [(c.kind, c.identity, c.action, c.note) for c in plan.changes if c.writes]


def test_a_restored_backup_of_a_ui_edit_still_plans_the_edit_away(fake: FakeSumo, app: Path,
                                                                   tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    fake.ui_edit(f"/Library/Users/{fake.user_email}/Minimal mini/Minimal - All Events",
                 lambda d: d.update(description="Edited by a person."))
    forced = install(app, fake, tmp_path, force=True)
    assert forced.backup is not None
    restored = run_restore(Path(forced.backup), options(fake), backup_root=tmp_path / "backups")
    assert restored.ok, (restored.error, restored.hint)
    plan = run_plan(app, {}, options(fake)).plan
    assert plan is not None and plan.changed  # the backup holds the person's edit, not what was installed
