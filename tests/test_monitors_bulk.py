"""Monitors the cheapest way against the fake Sumo (Sumo's real limits on a virtual clock): a fresh install
imports the monitor folder with its monitors in one call, uninstall deletes the folder (backed up first) in one,
restore imports it back; a lost import reply is looked up, not repeated; a UI edit of the folder is drift; a
monitor renamed and changed at once is updated in place (paired by the key in its marker)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from test_monitors_deploy import ENV, FOLDER, MONITOR, app_with_monitors

from appbuilder.commands.install import run_install
from appbuilder.commands.plan import run_plan
from appbuilder.commands.restore import run_restore
from appbuilder.commands.uninstall import run_uninstall
from appbuilder.deploy.plan import DRIFTED, NOOP, UPDATE
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import FAST_CLIENT
from appbuilder.fakesumo.server import FakeSumo
from appbuilder.fakesumo.virtual import VirtualSumo
from appbuilder.kinds.monitor_body import body_hash, normalise_folder, read_marker

FIRST, SECOND = "Minimal - Failed sign-ins", "Minimal - Many failures"
SECOND_MONITOR = MONITOR.replace(f"name: {FIRST}", f"name: {SECOND}").replace("threshold: 0", "threshold: 10")


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    """The minimal app with two monitors (monitors/failed.yaml and monitors/many.yaml)."""
    return app_with_monitors(tmp_path, {"failed": MONITOR, "many": SECOND_MONITOR})


def options(sumo: VirtualSumo | FakeSumo) -> DeployOptions:
    if isinstance(sumo, VirtualSumo):
        return DeployOptions(access_id=sumo.access_id, access_key=sumo.access_key, base_url=sumo.base_url,
                             client_options=sumo.client_options(), env=ENV)
    return DeployOptions(access_id="id", access_key="key", base_url=sumo.base_url,
                         client_options=dict(FAST_CLIENT), env=ENV)


def install(app: Path, sumo: VirtualSumo | FakeSumo, tmp_path: Path, **kwargs: Any) -> Any:
    outcome = run_install(app, {}, options(sumo), backup_root=tmp_path / "backups", **kwargs)
    assert outcome.ok, (outcome.error, outcome.hint, outcome.diagnostics)
    return outcome


# Under the lock, the org is read again to check no other run wrote since the plan (docs/locking.md).
RECHECK = ("GET", "/v1/monitors/root")


def monitor_calls(fake: FakeSumo) -> list[tuple[str, str]]:
    return [(r.method, r.path.removeprefix("/api")) for r in fake.requests if "/v1/monitors" in r.path]


def children(fake: FakeSumo) -> dict[str, Any]:
    lib = fake.state.monitors
    folder = lib.find_by_path(FOLDER)
    assert folder is not None
    return {lib.nodes[c].name: lib.nodes[c] for c in folder.children}


def actions(plan: Any) -> dict[tuple[str, str], str]:
    return {(c.kind, c.identity): c.action for c in plan.changes if c.kind.startswith("monitor")}


def test_a_fresh_install_imports_the_folder_with_its_monitors_in_one_call(virtual_sumo: VirtualSumo, app: Path,
                                                                          tmp_path: Path) -> None:
    fake = virtual_sumo.fake
    outcome = install(app, virtual_sumo, tmp_path)
    root = fake.state.monitors.root_id
    assert monitor_calls(fake) == [("GET", "/v1/monitors/root"), RECHECK, ("POST", f"/v1/monitors/{root}/import")]
    made = children(fake)
    assert list(made) == [FIRST, SECOND]
    for name, key in ((FIRST, "failed"), (SECOND, "many")):  # the drift marker, with the monitor's file key
        marked = read_marker(made[name].description)
        assert marked.key == key and marked.hash is not None
        assert f"created monitor {name!r} (folderId {made[name].parent_id}, id {made[name].id}) " \
               "(with its monitor folder)" in outcome.steps
    folder = fake.state.monitors.find_by_path(FOLDER)
    assert folder is not None and read_marker(folder.description).hash == body_hash(
        {"name": folder.name, "description": folder.description}, normalise_folder)
    plan = run_plan(app, {}, options(virtual_sumo)).plan
    assert plan is not None and set(actions(plan).values()) == {NOOP}


def test_a_lost_import_reply_is_looked_up_not_repeated(app: Path, tmp_path: Path) -> None:
    from test_deploy_inplace import LosingSumo

    with LosingSumo(keys={"id": "key"}, rate_limit=None, job_polls=1) as fake:
        fake.lose = [("POST", f"/v1/monitors/{fake.state.monitors.root_id}/import")]
        outcome = install(app, fake, tmp_path)
        assert fake.lose == []  # the reply was lost, the import had happened
        imports = [r for r in fake.requests if r.method == "POST" and "/v1/monitors" in r.path]
        assert len(imports) == 1 and list(children(fake)) == [FIRST, SECOND]
        assert any(f"created monitor {SECOND!r}" in step for step in outcome.steps)
        plan = run_plan(app, {}, options(fake)).plan
        assert plan is not None and not plan.changed


def test_a_new_monitor_goes_into_the_folder_once_even_when_its_reply_is_lost(app: Path, tmp_path: Path) -> None:
    from test_deploy_inplace import LosingSumo

    with LosingSumo(keys={"id": "key"}, rate_limit=None, job_polls=1) as fake:
        fake.lose = []
        install(app, fake, tmp_path)
        (app / "monitors" / "third.yaml").write_text(MONITOR.replace(f"name: {FIRST}", "name: Minimal - Third"))
        manifest = app / "app.yaml"
        manifest.write_text(manifest.read_text().replace("  - monitors/many.yaml\n",
                                                         "  - monitors/many.yaml\n  - monitors/third.yaml\n"))
        fake.reset_log()
        fake.lose = [("POST", "/v1/monitors")]
        install(app, fake, tmp_path)
        assert fake.lose == []
        # the plan's reads (the folder by path, its monitors in bulk), the same again under the lock, the create,
        # the look-up
        assert [m for m, _ in monitor_calls(fake)] == ["GET", "GET", "GET", "GET", "POST", "GET"]
        assert list(children(fake)) == [FIRST, SECOND, "Minimal - Third"]


def test_uninstall_deletes_the_folder_in_one_call_after_a_backup_and_restore_imports_it(
        virtual_sumo: VirtualSumo, app: Path, tmp_path: Path) -> None:
    fake = virtual_sumo.fake
    install(app, virtual_sumo, tmp_path)
    folder = fake.state.monitors.find_by_path(FOLDER)
    assert folder is not None
    ids = {name: node.id for name, node in children(fake).items()}
    fake.reset_log()
    outcome = run_uninstall(app, {}, options(virtual_sumo), backup_root=tmp_path / "backups")
    assert outcome.ok, (outcome.error, outcome.hint)
    assert [(m, p) for m, p in monitor_calls(fake) if m != "GET"] == [("DELETE", f"/v1/monitors/{folder.id}")]
    assert set(fake.state.monitors.nodes) == {fake.state.monitors.root_id}
    assert f"removed monitor {SECOND!r} (with its monitor folder)" in outcome.steps
    assert outcome.backup is not None
    saved = json.loads((Path(outcome.backup) / "items.json").read_text())
    assert [(i["kind"], i["identity"]) for i in saved] == [("monitor folder", "Minimal mini"), ("monitor", FIRST),
                                                           ("monitor", SECOND)]
    fake.reset_log()
    restored = run_restore(Path(outcome.backup), options(virtual_sumo), backup_root=tmp_path / "backups")
    assert restored.ok, (restored.error, restored.hint)
    root = fake.state.monitors.root_id
    assert monitor_calls(fake) == [("GET", "/v1/monitors/root"), RECHECK, ("POST", f"/v1/monitors/{root}/import")]
    back = children(fake)
    assert list(back) == [FIRST, SECOND] and all(back[n].id != ids[n] for n in ids)  # new ids, as an import gives
    plan = run_plan(app, {}, options(virtual_sumo)).plan
    assert plan is not None and set(actions(plan).values()) == {NOOP}


def test_a_ui_edit_of_the_folder_description_is_drift(virtual_sumo: VirtualSumo, app: Path, tmp_path: Path) -> None:
    fake = virtual_sumo.fake
    install(app, virtual_sumo, tmp_path)
    fake.ui_edit(FOLDER, lambda f: f.update(description="Edited in the UI"))
    plan = run_plan(app, {}, options(virtual_sumo)).plan
    assert plan is not None and actions(plan)[("monitor folder", "Minimal mini")] == DRIFTED
    refused = run_install(app, {}, options(virtual_sumo), backup_root=tmp_path / "backups")
    assert not refused.ok and "--force" in refused.hint
    assert fake.state.monitors.find_by_path(FOLDER).description == "Edited in the UI"  # type: ignore[union-attr]
    forced = install(app, virtual_sumo, tmp_path, force=True)
    assert read_marker(fake.state.monitors.find_by_path(FOLDER).description).text.startswith(  # type: ignore[union-attr]
        "A tiny app")
    saved = json.loads((Path(forced.backup) / "items.json").read_text())
    assert [(i["kind"], i["body"]["description"]) for i in saved] == [("monitor folder", "Edited in the UI")]
    manifest = app / "app.yaml"  # a change made in git is a plain update
    manifest.write_text(manifest.read_text().replace("A tiny app used by the tests.", "A tiny app, changed."))
    plan = run_plan(app, {}, options(virtual_sumo)).plan
    assert plan is not None and actions(plan)[("monitor folder", "Minimal mini")] == UPDATE


def test_a_monitor_renamed_with_a_new_query_is_updated_in_place(virtual_sumo: VirtualSumo, app: Path,
                                                                tmp_path: Path) -> None:
    fake = virtual_sumo.fake
    install(app, virtual_sumo, tmp_path)
    first_id = children(fake)[FIRST].id
    path = app / "monitors" / "failed.yaml"
    path.write_text(path.read_text().replace(f"name: {FIRST}", "name: Minimal - Sign-in failures")
                    .replace('"credentials_failed"', '"credentials_failed" or category = "mfa_failed"'))
    outcome = install(app, virtual_sumo, tmp_path)
    change = next(c for c in outcome.plan.changes if c.kind == "monitor" and c.action != NOOP)
    assert (change.action, change.identity, change.renamed_from) == (UPDATE, "Minimal - Sign-in failures", FIRST)
    assert [c.action for c in outcome.plan.changes if c.kind == "monitor"].count(UPDATE) == 1
    renamed = children(fake)["Minimal - Sign-in failures"]
    assert renamed.id == first_id and "mfa_failed" in renamed.body["queries"][0]["query"]
    assert FIRST not in children(fake)


def test_a_saved_fresh_plan_imports_the_folder_too(virtual_sumo: VirtualSumo, app: Path, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    assert run_plan(app, {}, options(virtual_sumo), out=saved).ok
    fake = virtual_sumo.fake
    fake.reset_log()
    install(app, virtual_sumo, tmp_path, plan_file=saved)  # the plan's reads are not at hand: the root is read
    root = fake.state.monitors.root_id
    assert monitor_calls(fake) == [("GET", "/v1/monitors/root"), RECHECK, ("POST", f"/v1/monitors/{root}/import")]
    assert list(children(fake)) == [FIRST, SECOND]


def test_monitors_added_to_an_installed_app_come_in_one_import(virtual_sumo: VirtualSumo, app: Path,
                                                               tmp_path: Path) -> None:
    from test_monitors_deploy import FIXTURE

    plain = tmp_path / "plain"
    shutil.copytree(FIXTURE, plain)
    install(plain, virtual_sumo, tmp_path)
    fake = virtual_sumo.fake
    fake.reset_log()
    install(app, virtual_sumo, tmp_path)
    root = fake.state.monitors.root_id
    assert monitor_calls(fake) == [("GET", "/v1/monitors/path"), ("GET", "/v1/monitors/path"),  # again, locked
                                   ("GET", "/v1/monitors/root"), ("POST", f"/v1/monitors/{root}/import")]
    assert list(children(fake)) == [FIRST, SECOND]


def test_a_monitor_folder_holding_a_subfolder_is_not_removed_with_it(virtual_sumo: VirtualSumo, app: Path,
                                                                    tmp_path: Path) -> None:
    fake = virtual_sumo.fake
    install(app, virtual_sumo, tmp_path)
    lib = fake.state.monitors
    folder = lib.find_by_path(FOLDER)
    assert folder is not None
    lib.add("MonitorsLibraryFolder", "Team rules", folder.id, "made in the UI")
    outcome = run_uninstall(app, {}, options(virtual_sumo), backup_root=tmp_path / "backups")
    assert not outcome.ok and "'Team rules'" in (outcome.error or "") and "move them out" in outcome.hint
    assert list(children(fake)) == [FIRST, SECOND, "Team rules"]  # nothing of the folder was removed
