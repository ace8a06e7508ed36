"""Plan and install against the fake Sumo: create / unchanged / update / drifted, with few reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from appbuilder.commands.install import run_install
from appbuilder.commands.plan import run_plan
from appbuilder.deploy.plan import CREATE, DRIFTED, NOOP, RECORD, UNCHANGED, UPDATE
from appbuilder.deploy.render import render_plan
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import FAST_CLIENT, count_calls
from appbuilder.fakesumo.server import FakeSumo

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
ENV = {"MINIMAL_TOKEN": "ops_minimal_token_value"}
FOLDER = "Minimal mini"


@pytest.fixture()
def fake():
    with FakeSumo(keys={"id": "key"}, rate_limit=None, job_polls=1) as server:
        yield server


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURE, target)
    return target


def options(fake: FakeSumo, **extra: object) -> DeployOptions:
    return DeployOptions(access_id="id", access_key="key", base_url=fake.base_url,
                         client_options=dict(FAST_CLIENT), env=ENV, **extra)  # type: ignore[arg-type]


def install(app: Path, fake: FakeSumo, tmp_path: Path, **kwargs: object):
    outcome = run_install(app, {}, options(fake), backup_root=tmp_path / "backups", **kwargs)  # type: ignore[arg-type]
    assert outcome.ok, (outcome.error, outcome.hint)
    return outcome


def actions(plan) -> dict[tuple[str, str], str]:
    return {(r.kind, r.name): r.action for r in plan.resources}


def personal(fake: FakeSumo, *parts: str) -> str:
    return "/".join([f"/Library/Users/{fake.user_email}", *parts])


def test_fresh_plan_creates_everything(fake: FakeSumo, app: Path) -> None:
    outcome = run_plan(app, {}, options(fake))
    assert outcome.ok and outcome.plan is not None
    assert set(actions(outcome.plan).values()) == {CREATE}
    kinds = [r.kind for r in outcome.plan.resources]
    assert kinds == ["collector", "source", "folder", "dashboard", "saved search"]
    assert count_calls(fake.requests)["writes"] == 0


def test_fresh_install_call_budget_and_noop(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    first = install(app, fake, tmp_path)
    assert len(first.steps) == 3 and first.backup is None
    assert count_calls(fake.requests)["calls"] <= 18  # 12, and 6 for the lock: create, check, delete job
    fake.reset_log()
    again = install(app, fake, tmp_path)
    assert again.steps == [] and not again.plan.changed
    counted = count_calls(fake.requests)
    assert counted["writes"] == 0 and counted["reads"] <= 5
    assert len(fake.state.collectors) == 1 and len(fake.state.sources) == 1


def test_yaml_edit_shows_exactly_that_panel(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    dashboard = app / "dashboards" / "main.yaml"
    dashboard.write_text(dashboard.read_text().replace("title: Events by Category", "title: Events per Category"))
    plan = run_plan(app, {}, options(fake)).plan
    assert plan is not None and plan.changed and not plan.drifted
    changed = [r for r in plan.resources if r.action != UNCHANGED]
    assert [(r.kind, r.name, r.action) for r in changed] == [
        ("folder", FOLDER, RECORD), ("dashboard", "Minimal - Main", UPDATE)]
    assert [c.text() for c in changed[1].changes] == [
        'panels["Events per Category"].title: "Events by Category" → "Events per Category"']
    result = install(app, fake, tmp_path)
    assert result.backup is not None and (result.backup / "content.json").is_file()
    assert not run_plan(app, {}, options(fake)).plan.changed


def test_ui_edit_is_drift_and_refused_without_force(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)

    def edit(defn: dict) -> None:
        defn["panels"][1]["title"] = "Edited in the UI"

    fake.ui_edit(personal(fake, FOLDER, "Minimal - Main"), edit)
    plan = run_plan(app, {}, options(fake)).plan
    assert plan is not None and plan.drifted
    assert actions(plan)[("dashboard", "Minimal - Main")] == DRIFTED
    assert actions(plan)[("saved search", "Minimal - All Events")] == UNCHANGED
    fake.reset_log()
    refused = run_install(app, {}, options(fake), backup_root=tmp_path / "b")
    assert not refused.ok and "changed in Sumo" in (refused.error or "") and "--force" in refused.hint
    assert count_calls(fake.requests)["writes"] == 0
    forced = install(app, fake, tmp_path, force=True)
    assert forced.backup is not None
    assert "Edited in the UI" in (forced.backup / "content.json").read_text()
    assert not run_plan(app, {}, options(fake)).plan.changed


def test_drift_and_local_change_together(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    fake.ui_edit(personal(fake, FOLDER, "Minimal - All Events"), lambda d: d.update(description="ui"))
    dashboard = app / "dashboards" / "main.yaml"
    dashboard.write_text(dashboard.read_text().replace("title: About", "title: About this app"))
    plan = run_plan(app, {}, options(fake)).plan
    assert plan is not None and plan.drifted and plan.ours_changed
    assert actions(plan)[("saved search", "Minimal - All Events")] == DRIFTED
    assert actions(plan)[("dashboard", "Minimal - Main")] == UPDATE


def test_source_change_is_an_update_with_if_match(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    source = app / "source.yaml"
    source.write_text(source.read_text().replace("apis: [sign-in, itemUsage]", "apis: [sign-in]"))
    plan = run_plan(app, {}, options(fake)).plan
    res = plan.resource("source")
    assert res is not None and res.action == UPDATE
    assert [c.path for c in res.changes] == ["config.supported_apis"]
    assert "api_token" not in repr(plan.to_dict())
    result = install(app, fake, tmp_path)
    assert any("updated source" in s for s in result.steps)
    assert result.backup is not None and (result.backup / "source.json").is_file()
    assert ENV["MINIMAL_TOKEN"] not in (result.backup / "source.json").read_text()
    puts = [r for r in fake.requests if r.method == "PUT" and "/sources/" in r.path]
    assert puts and all(r.status == 200 for r in puts)
    assert not run_plan(app, {}, options(fake)).plan.changed


def test_missing_token_fails_before_any_write(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    opts = options(fake)
    opts.env = {}
    outcome = run_install(app, {}, opts, backup_root=tmp_path)
    assert not outcome.ok and "MINIMAL_TOKEN" in (outcome.error or "") and "export MINIMAL_TOKEN" in outcome.hint
    assert count_calls(fake.requests)["writes"] == 0


def test_a_blank_token_variable_is_named_as_empty_not_unset(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    opts = options(fake)
    opts.env = {"MINIMAL_TOKEN": "  "}
    outcome = run_install(app, {}, opts, backup_root=tmp_path)
    assert not outcome.ok and "MINIMAL_TOKEN is not set (or is empty)" in (outcome.error or ""), outcome.error
    assert count_calls(fake.requests)["writes"] == 0


def test_interrupted_install_converges(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    fake.inject("500", count=4, path="/import", method="POST")  # = max_attempts
    broken = run_install(app, {}, options(fake), backup_root=tmp_path)
    assert not broken.ok and "HTTP 500" in (broken.error or "")
    assert len(broken.steps) == 2  # collector and source made before the import failed
    assert "landed: collector 'Minimal Collector', source" in (broken.error or "")  # what landed, what did not
    assert "not written: nothing" in (broken.error or "") and "may or may not have landed: folder" in broken.error
    assert sum(r.path.endswith("/import") for r in fake.requests) == 2  # looked for first, then sent once more
    fake.faults.clear()
    install(app, fake, tmp_path)
    assert len(fake.state.collectors) == 1 and len(fake.state.sources) == 1
    assert not run_plan(app, {}, options(fake)).plan.changed


def test_marker_lost_state_is_recorded_again(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    folder = fake.state.find_by_path(personal(fake, FOLDER))
    assert folder is not None and "[appbuilder app=Minimal" in folder.description
    folder.description = folder.description.rsplit(" state=", 1)[0] + "]"
    plan = run_plan(app, {}, options(fake)).plan
    assert actions(plan)[("folder", FOLDER)] == RECORD and actions(plan)[("dashboard", "Minimal - Main")] == NOOP
    install(app, fake, tmp_path)
    fake.reset_log()
    assert not run_plan(app, {}, options(fake)).plan.changed
    assert count_calls(fake.requests)["reads"] <= 5


def test_a_new_version_of_the_same_content_is_recorded(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    manifest = app / "app.yaml"
    manifest.write_text(manifest.read_text().replace("version: 0.1.0", "version: 0.1.1"))
    plan = run_plan(app, {}, options(fake)).plan
    assert actions(plan)[("folder", FOLDER)] == RECORD and actions(plan)[("dashboard", "Minimal - Main")] == NOOP
    install(app, fake, tmp_path)
    folder = fake.state.find_by_path(personal(fake, FOLDER))
    assert folder is not None and "version=0.1.1 " in folder.description  # not "already installed" as 0.1.0
    assert not run_plan(app, {}, options(fake)).plan.changed


def test_folder_option_and_admin_mode(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    opts = options(fake, folder="/Library/Admin Recommended", admin_mode=True)
    outcome = run_install(app, {}, opts, backup_root=tmp_path)
    assert outcome.ok, outcome.error
    assert fake.state.find_by_path(f"/Library/Admin Recommended/{FOLDER}") is not None
    assert all(r.headers_redacted.get("isAdminMode") == "true" for r in fake.requests if "/v2/content" in r.path)
    again = run_plan(app, {}, options(fake, folder="/Library/Admin Recommended", admin_mode=True))
    assert again.plan is not None and not again.plan.changed
    item = fake.state.find_by_path(f"/Library/Admin Recommended/{FOLDER}/Minimal - Main")
    assert item is not None
    ids = (item.id, item.dashboard_id)
    dashboard = app / "dashboards" / "main.yaml"
    dashboard.write_text(dashboard.read_text().replace("title: Events by Category", "title: Events per Category"))
    assert run_install(app, {}, opts, backup_root=tmp_path).ok  # found among all viewable dashboards
    assert (item.id, item.dashboard_id) == ids and "Events per Category" in repr(item.definition)
    missing = run_plan(app, {}, options(fake, folder="/Library/Users/nobody@example.com/x"))
    assert not missing.ok and "does not exist" in (missing.error or "")


def test_verify_finds_a_ui_edit_that_left_modified_at_alone(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    path = personal(fake, FOLDER, "Minimal - Main")
    item = fake.state.find_by_path(path)
    stamp = (item.modified_at, item.modified_by)

    def edit(defn: dict) -> None:
        defn["panels"][1]["title"] = "Edited quietly"

    fake.ui_edit(path, edit)
    item.modified_at, item.modified_by = stamp  # a Sumo that does not bump modifiedAt on this edit
    quick = run_plan(app, {}, options(fake)).plan
    assert quick is not None and not quick.changed  # the fast check trusts modification times
    verified = run_plan(app, {}, options(fake, verify=True)).plan
    assert verified is not None and verified.drifted
    assert actions(verified)[("dashboard", "Minimal - Main")] == DRIFTED
    refused = run_install(app, {}, options(fake, verify=True), backup_root=tmp_path / "b")
    assert not refused.ok and "--force" in refused.hint


def test_a_folder_not_installed_by_appbuilder_is_not_emptied_without_force(fake: FakeSumo, app: Path,
                                                                          tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    folder = fake.state.find_by_path(personal(fake, FOLDER))
    assert folder is not None
    folder.description = "made by hand"
    other = fake.state.new_item("Notes of a colleague", "Search", folder.id)
    other.definition = {"type": "SavedSearchWithScheduleSyncDefinition", "name": "Notes of a colleague",
                        "description": "", "search": {"queryText": "_index=x", "defaultTimeRange": "-15m",
                                                      "byReceiptTime": False, "queryParameters": [],
                                                      "parsingMode": "Manual"}}
    plan = run_plan(app, {}, options(fake)).plan
    assert plan is not None and plan.drifted
    assert actions(plan)[("saved search", "Notes of a colleague")] == DRIFTED
    fake.reset_log()
    refused = run_install(app, {}, options(fake), backup_root=tmp_path / "b")
    assert not refused.ok and "--force" in refused.hint and count_calls(fake.requests)["writes"] == 0


def test_a_renamed_app_folder_names_the_earlier_copy_that_stays(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    import requests

    install(app, fake, tmp_path)
    api = requests.Session()
    api.auth = ("id", "key")
    personal_id = api.get(f"{fake.base_url}/v2/content/folders/personal").json()["id"]
    made = api.post(f"{fake.base_url}/v2/content/folders",  # a person's own folder with the app's name in it
                    json={"name": "Minimal notes", "description": "mine", "parentId": personal_id})
    assert made.status_code == 200, made.text
    fake.reset_log()
    renamed = run_plan(app, {"source_category": "other"}, options(fake))  # the folder is named after it
    assert renamed.plan is not None
    assert actions(renamed.plan)[("folder", "Minimal other")] == CREATE
    assert renamed.plan.notes == (
        "Minimal 0.1.0 is also installed in Personal folder / Minimal mini (its install marker says so): this "
        "install makes a new copy in Personal folder / Minimal other, and the old one stays. Once the new one "
        "works, delete Personal folder / Minimal mini in the Sumo UI.",)
    assert "Note: Minimal 0.1.0 is also installed in Personal folder / Minimal mini" in render_plan(renamed.plan)
    assert renamed.plan.to_dict()["notes"] == list(renamed.plan.notes)
    folder_reads = [r.path for r in fake.requests if r.path.startswith("/api/v2/content/folders/")]
    assert len(folder_reads) == 3  # the personal listing, then only the two folders that hold the app's name
    fake.reset_log()
    made = api.post(f"{fake.base_url}/v2/content/folders", json={"name": "Apps", "parentId": personal_id})
    moved = run_plan(app, {}, options(fake, folder=personal(fake, "Apps")))
    assert moved.plan is not None and len(moved.plan.notes) == 1 and "Minimal mini" in moved.plan.notes[0]
    fake.reset_log()
    same = run_plan(app, {}, options(fake))  # installed here: nothing more is read
    assert same.plan is not None and same.plan.notes == ()
    assert len([r for r in fake.requests if r.path.startswith("/api/v2/content/folders/")]) == 2
