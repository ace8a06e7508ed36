"""The 1Password app's monitors against a fake held to Sumo's OpenAPI spec: one import of a
``MonitorsLibraryFolderExport`` on a fresh install, nothing on a re-install, one ``MonitorsLibraryMonitorUpdate``
for a changed threshold (same id), uninstall removes the folder and restore brings it back. Every request body is
checked against the spec by ``client_bodies_follow_the_spec`` (conftest); the last test shows that check bites."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import FAKE_AUTH

from appbuilder.commands.install import run_install
from appbuilder.commands.restore import run_restore
from appbuilder.commands.uninstall import run_uninstall
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import FAST_CLIENT, is_write, without_lock
from appbuilder.fakesumo.contract import request_problems
from appbuilder.fakesumo.server import FakeSumo

APP = Path(__file__).parent.parent / "app_definitions" / "1password"
FOLDER = "/Monitors/1Password"
PARAMS = {"alert_recipients": "secops@example.com", "alert_connection_id": "0000000000ABCDEF"}


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    return Path(shutil.copytree(APP, tmp_path / "1password"))


def options(fake: FakeSumo) -> DeployOptions:
    return DeployOptions(access_id=FAKE_AUTH[0], access_key=FAKE_AUTH[1], base_url=fake.base_url,
                         client_options=dict(FAST_CLIENT),  # type: ignore[arg-type]
                         env={"ONEPASSWORD_EVENTS_TOKEN": "ops_contract_token"})


def install(app: Path, fake: FakeSumo, tmp_path: Path) -> Any:
    outcome = run_install(app, PARAMS, options(fake), backup_root=tmp_path / "backups")
    assert outcome.ok, (outcome.error, outcome.hint, outcome.diagnostics)
    return outcome


def writes(fake: FakeSumo) -> list[tuple[str, str]]:
    return [(r.method, r.path.removeprefix("/api")) for r in without_lock(fake.requests) if is_write(r)]


def monitor_ids(fake: FakeSumo) -> dict[str, str]:
    lib = fake.state.monitors
    folder = lib.find_by_path(FOLDER)
    assert folder is not None
    return {lib.nodes[c].name: c for c in folder.children}


def test_a_fresh_install_imports_the_six_monitors_in_one_folder_export(app: Path, fake: FakeSumo,
                                                                       tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    monitor_writes = [(r.method, r.path, r.body) for r in fake.requests
                      if is_write(r) and "/v1/monitors" in r.path]
    assert len(monitor_writes) == 1
    method, path, body = monitor_writes[0]
    assert method == "POST" and path == f"/api/v1/monitors/{fake.state.monitors.root_id}/import"
    assert body["type"] == "MonitorsLibraryFolderExport" and body["name"] == "1Password"
    assert [c["type"] for c in body["children"]] == ["MonitorsLibraryMonitorExport"] * 6
    assert len(monitor_ids(fake)) == 6
    fake.reset_log()
    install(app, fake, tmp_path)
    assert writes(fake) == []  # a re-install finds what it installed and writes nothing
    bulk = [r for r in fake.requests if r.method == "GET" and r.path == "/api/v1/monitors"]
    assert len(bulk) == 1 and len(bulk[0].query["ids"].split(",")) == 6  # the listing's stubs, read in bulk


def test_a_threshold_change_is_one_update_that_keeps_the_id(app: Path, fake: FakeSumo, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    before = monitor_ids(fake)
    monitor = app / "monitors" / "login_from_multiple_locations.yaml"
    monitor.write_text(monitor.read_text().replace("critical: {threshold: 1,", "critical: {threshold: 3,"))
    fake.reset_log()
    install(app, fake, tmp_path)
    name = "1Password - Login Exceeds Set Parameters"
    assert writes(fake) == [("PUT", f"/v1/monitors/{before[name]}")]
    (put,) = [r for r in fake.requests if r.method == "PUT"]
    assert put.body["type"] == "MonitorsLibraryMonitorUpdate" and put.body["version"] == 0
    assert monitor_ids(fake) == before
    node = fake.state.monitors.nodes[before[name]]
    assert node.version == 1 and {t["threshold"] for t in node.body["triggers"]} == {3}


def test_uninstall_removes_the_monitor_folder_and_restore_brings_it_back(app: Path, fake: FakeSumo,
                                                                         tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    removed = run_uninstall(app, PARAMS, options(fake), backup_root=tmp_path / "backups")
    assert removed.ok, (removed.error, removed.hint)
    assert fake.state.monitors.find_by_path(FOLDER) is None
    restored = run_restore(Path(removed.backup), options(fake), backup_root=tmp_path / "backups")
    assert restored.ok, (restored.error, restored.hint)
    assert len(monitor_ids(fake)) == 6


def test_the_contract_check_sees_every_kind_of_write_and_refuses_the_old_types(
        app: Path, fake: FakeSumo, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    install(app, fake, tmp_path)
    sent = request.node.sent_to_spec
    paths = {(r.method, r.path.split("/")[2], r.path.split("/")[3]) for r in sent}
    assert {("POST", "v2", "content"), ("POST", "v1", "monitors")} <= paths
    (imported,) = [r for r in sent if r.path.endswith("/import") and "/v1/monitors/" in r.path]
    as_before = {**imported.body, "type": "MonitorsLibraryFolder",
                 "children": [{**c, "type": "MonitorsLibraryMonitor"} for c in imported.body["children"]]}
    problems = request_problems("POST", "/v1/monitors/0000000000000001/import", as_before)
    assert problems == ["type: 'MonitorsLibraryFolder' is not one of ['MonitorsLibraryFolderExport', "
                        "'MonitorsLibraryMonitorExport']"]
