"""Monitors as a resource kind against the fake Sumo: install into a monitor folder, no-op reinstall, in-place
update (same id), drift when changed in Sumo, --force overwrite with a backup, uninstall."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from appbuilder.commands.install import run_install
from appbuilder.commands.plan import run_plan
from appbuilder.commands.restore import run_restore
from appbuilder.commands.uninstall import run_uninstall
from appbuilder.deploy.plan import CREATE, DRIFTED, NOOP, UPDATE
from appbuilder.deploy.render import render_plan
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import FAST_CLIENT
from appbuilder.fakesumo.server import FakeSumo
from appbuilder.kinds.monitor import body_hash, split_marker, with_marker

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
ENV = {"MINIMAL_TOKEN": "ops_minimal_token_value"}
FOLDER = "/Monitors/Minimal mini"
MONITOR = """# yaml-language-server: $schema=../../../appbuilder/schemas/monitor.schema.json
name: Minimal - Failed sign-ins
description: Failed sign-ins.
query: |-
  _sourceCategory=${source_category}
  | json "category" as category
  | where category = "credentials_failed"
  | count
triggers:
  critical: {threshold: 0, comparison: GreaterThan, timeRange: -15m, field: _count}
notifications:
  - levels: [Critical]
    email: {recipients: "${alert_recipients}", subject: Failed sign-ins}
"""


@pytest.fixture()
def fake():
    with FakeSumo(keys={"id": "key"}, rate_limit=None, job_polls=1) as server:
        yield server


def app_with_monitors(tmp_path: Path, monitors: dict[str, str]) -> Path:
    """The minimal app with ``monitors`` (file stem → YAML) and the alert_recipients parameter."""
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURE, target)
    (target / "monitors").mkdir()
    for stem, text in monitors.items():
        (target / "monitors" / f"{stem}.yaml").write_text(text)
    listed = "".join(f"  - monitors/{stem}.yaml\n" for stem in monitors)
    manifest = target / "app.yaml"
    manifest.write_text(manifest.read_text().replace("samples:", f"monitors:\n{listed}samples:")
                        .replace("parameters:\n", "parameters:\n  - name: alert_recipients\n    default: \"\"\n"))
    return target


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    return app_with_monitors(tmp_path, {"failed": MONITOR})


def options(fake: FakeSumo) -> DeployOptions:
    return DeployOptions(access_id="id", access_key="key", base_url=fake.base_url,
                         client_options=dict(FAST_CLIENT), env=ENV)  # type: ignore[arg-type]


def install(app: Path, fake: FakeSumo, tmp_path: Path, params: dict[str, str] | None = None, **kwargs: Any):
    outcome = run_install(app, params or {}, options(fake), backup_root=tmp_path / "backups", **kwargs)
    assert outcome.ok, (outcome.error, outcome.hint, outcome.diagnostics)
    return outcome


def monitor_actions(plan: Any) -> dict[tuple[str, str], str]:
    return {(r.kind, r.name): r.action for r in plan.resources if r.kind.startswith("monitor")}


def stored(fake: FakeSumo, path: str = f"{FOLDER}/Minimal - Failed sign-ins") -> Any:
    node = fake.state.monitors.find_by_path(path)
    assert node is not None, path
    return node


def test_install_creates_folder_and_monitor_then_nothing(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    plan = run_plan(app, {}, options(fake)).plan
    assert plan is not None
    assert monitor_actions(plan) == {("monitor folder", "Minimal mini"): CREATE,
                                     ("monitor", "Minimal - Failed sign-ins"): CREATE}
    install(app, fake, tmp_path)
    node = stored(fake)
    assert node.body["monitorType"] == "Logs" and node.body["notifications"] == []  # no recipient given
    assert node.body["queries"][0]["query"].startswith("_sourceCategory=mini\n")
    assert {t["triggerType"] for t in node.body["triggers"]} == {"Critical", "ResolvedCritical"}
    assert split_marker(node.description)[1] is not None
    again = install(app, fake, tmp_path)
    assert again.steps == [] and monitor_actions(again.plan) == {("monitor folder", "Minimal mini"): NOOP,
                                                                  ("monitor", "Minimal - Failed sign-ins"): NOOP}


def test_change_in_git_updates_in_place(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    before = stored(fake)
    first_id, first_version = before.id, before.version
    path = app / "monitors" / "failed.yaml"
    path.write_text(path.read_text().replace("threshold: 0", "threshold: 3"))
    shown = render_plan(run_plan(app, {}, options(fake)).plan)  # type: ignore[arg-type]
    assert "~ monitor" in shown and "triggers[0].threshold: 0 → 3" in shown and "description" not in shown
    outcome = install(app, fake, tmp_path, {"alert_recipients": "soc@example.com"})
    assert monitor_actions(outcome.plan)[("monitor", "Minimal - Failed sign-ins")] == UPDATE
    after = stored(fake)
    assert after.id == first_id and after.version > first_version
    assert {t["threshold"] for t in after.body["triggers"]} == {3}
    (note,) = after.body["notifications"]
    assert note["notification"]["recipients"] == ["soc@example.com"]
    assert note["runForTriggerTypes"] == ["Critical", "ResolvedCritical"]


def test_change_in_sumo_is_drift_refused_without_force(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    fake.ui_edit(f"{FOLDER}/Minimal - Failed sign-ins", lambda m: m.update(isDisabled=True))
    plan = run_plan(app, {}, options(fake)).plan
    assert plan is not None and plan.drifted
    assert monitor_actions(plan)[("monitor", "Minimal - Failed sign-ins")] == DRIFTED
    refused = run_install(app, {}, options(fake), backup_root=tmp_path / "backups")
    assert not refused.ok and "--force" in (refused.hint or "")
    assert stored(fake).body["isDisabled"] is True
    forced = install(app, fake, tmp_path, force=True)
    assert stored(fake).body["isDisabled"] is False and any("monitor" in s for s in forced.steps)
    assert forced.backup is not None  # what Sumo had is saved before it is overwritten
    saved = json.loads((Path(forced.backup) / "items.json").read_text())
    assert [(i["kind"], i["body"]["isDisabled"]) for i in saved] == [("monitor", True)]


def test_uninstall_removes_monitors_and_restore_brings_them_back(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    outcome = run_uninstall(app, {}, options(fake), backup_root=tmp_path / "backups")
    assert outcome.ok, (outcome.error, outcome.hint)
    assert "monitor 'Minimal - Failed sign-ins'" in outcome.removals
    assert fake.state.monitors.find_by_path(FOLDER) is None
    assert outcome.backup is not None
    restored = run_restore(Path(outcome.backup), options(fake), backup_root=tmp_path / "backups")
    assert restored.ok, (restored.error, restored.hint)
    assert stored(fake).body["monitorType"] == "Logs"  # the backup brought the monitor back


def test_marker_hash_ignores_server_fields_and_the_marker_itself() -> None:
    body = {"type": "MonitorsLibraryMonitor", "name": "m", "description": "d", "monitorType": "Logs",
            "queries": [{"rowId": "A", "query": "x"}],
            "triggers": [{"detectionMethod": "LogsStaticCondition", "triggerType": "Critical", "timeRange": "-15m",
                          "threshold": 0, "thresholdType": "GreaterThan"}]}
    marked = with_marker(body)
    assert split_marker(marked["description"]) == ("d", body_hash(body))
    served = {**marked, "id": "0000000000000001", "version": 3, "playbook": "", "status": ["Normal"],
              "triggers": [{**marked["triggers"][0], "threshold": 0.0, "resolutionWindow": None}]}
    assert body_hash(served) == body_hash(body)
    assert body_hash({**served, "isDisabled": True}) != body_hash(body)


def test_a_monitor_create_whose_reply_was_lost_is_looked_up_not_repeated(app: Path, tmp_path: Path) -> None:
    from test_deploy_inplace import LosingSumo

    with LosingSumo(keys={"id": "key"}, rate_limit=None, job_polls=1) as fake:
        fake.lose = [("POST", "/import"), ("POST", "/import")]  # the app folder's import, then the monitor folder's
        install(app, fake, tmp_path)
        assert fake.lose == []  # both replies were lost
        posts = [r for r in fake.requests if r.method == "POST" and "/v1/monitors" in r.path]
        assert len(posts) == 1  # the folder with its monitor, in one import: not repeated
        folder = fake.state.monitors.find_by_path(FOLDER)
        assert folder is not None and len(folder.children) == 1
        assert not run_plan(app, {}, options(fake)).plan.changed  # type: ignore[union-attr]


def apps_folder(server: FakeSumo) -> DeployOptions:
    """Options targeting ``Apps`` in the personal folder (made here): for a second copy of the app."""
    import requests

    api = requests.Session()
    api.auth = ("id", "key")
    personal_id = api.get(f"{server.base_url}/v2/content/folders/personal").json()["id"]
    assert api.post(f"{server.base_url}/v2/content/folders", json={"name": "Apps", "parentId": personal_id}).ok
    chosen = options(server)
    chosen.folder = f"/Library/Users/{server.user_email}/Apps"
    return chosen


def test_a_copy_in_another_folder_of_the_same_name_is_told_to_keep_the_shared_monitors(
        fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    plan = run_plan(app, {}, apps_folder(fake)).plan
    assert plan is not None
    # the same monitor folder serves both: its marker records that this copy uses it too
    assert monitor_actions(plan)[("monitor folder", "Minimal mini")] == UPDATE
    assert monitor_actions(plan)[("monitor", "Minimal - Failed sign-ins")] == NOOP
    (note,) = plan.notes
    assert "but not /Monitors/Minimal mini" in note and "delete Personal folder / Minimal mini" in note
    assert "and its monitors in /Monitors/Minimal mini" not in note, note  # deleting them breaks the new copy
