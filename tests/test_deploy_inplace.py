"""In-place updates against the fake Sumo: a one-panel change keeps the dashboard's ids and permissions and writes
at most twice; a no-op install writes nothing; renames and deletions are explicit; saved plans are contracts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import FAKE_AUTH, edit

from appbuilder.commands.install import run_install
from appbuilder.commands.plan import run_plan
from appbuilder.commands.restore import run_restore
from appbuilder.deploy.changes import DELETE, NOOP, RECORD, UPDATE, load_plan
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import FAST_CLIENT, count_calls, without_lock
from appbuilder.fakesumo import FakeSumo

ONEPASSWORD = Path(__file__).resolve().parent.parent / "app_definitions" / "1password"
ENV = {"ONEPASSWORD_EVENTS_TOKEN": "ops_inplace_token_1234"}
OVERVIEW = "1Password - Overview"


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    target = tmp_path / "1password"
    shutil.copytree(ONEPASSWORD, target, ignore=shutil.ignore_patterns("samples", "tests"))
    return target


def options(fake: FakeSumo, **extra: object) -> DeployOptions:
    return DeployOptions(access_id=FAKE_AUTH[0], access_key=FAKE_AUTH[1], base_url=fake.base_url,
                         client_options=dict(FAST_CLIENT), env=ENV, **extra)  # type: ignore[arg-type]


def install(app: Path, fake: FakeSumo, tmp_path: Path, **kwargs: object):
    outcome = run_install(app, {}, options(fake), backup_root=tmp_path / "backups", **kwargs)  # type: ignore[arg-type]
    assert outcome.ok, (outcome.error, outcome.hint)
    return outcome


def item(fake: FakeSumo, name: str = ""):
    found = fake.state.find_by_path("/".join(p for p in (f"/Library/Users/{fake.user_email}/1Password", name) if p))
    assert found is not None, name
    return found


def grant(fake: FakeSumo, api, content_id: str) -> dict[str, str]:
    assignment = {"permissionName": "View", "sourceType": "user", "sourceId": "0000000000000ABC",
                  "contentId": content_id}
    reply = api.put(f"{fake.base_url}/v2/content/{content_id}/permissions/add",
                    json={"contentPermissionAssignments": [assignment], "notifyRecipients": False,
                          "notificationMessage": ""})
    assert reply.status_code == 200, reply.text
    return assignment


def explicit(fake: FakeSumo, api, content_id: str) -> list[dict[str, str]]:
    reply = api.get(f"{fake.base_url}/v2/content/{content_id}/permissions", params={"explicitOnly": "true"})
    assert reply.status_code == 200, reply.text
    return list(reply.json()["explicitPermissions"])


def snapshot(fake: FakeSumo) -> dict[str, tuple[str, int]]:
    folder = item(fake)
    return {fake.state.items[c].name: (c, fake.state.items[c].modified_at) for c in folder.children}


def test_one_panel_title_keeps_ids_and_permissions_and_writes_twice(fake: FakeSumo, api, app: Path,
                                                                   tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    fake.reset_log()
    assert install(app, fake, tmp_path).steps == []
    assert count_calls(fake.requests)["writes"] == 0  # a no-op install writes nothing

    overview = item(fake, OVERVIEW)
    content_id, dashboard_id = overview.id, overview.dashboard_id
    assert dashboard_id and dashboard_id != content_id
    granted = grant(fake, api, content_id)
    before = snapshot(fake)
    edit(app / "dashboards" / "overview.yaml", "title: Sign In Events by Category\n",
         "title: Sign-in events per category\n")
    plan = run_plan(app, {}, options(fake)).plan
    assert plan is not None
    assert {(c.kind, c.identity): c.action for c in plan.changes if c.action != NOOP} == {
        ("folder", "1Password"): RECORD, ("dashboard", OVERVIEW): UPDATE}
    shown = next(r for r in plan.to_dict()["resources"] if r["name"] == OVERVIEW)  # --format json: everything
    assert shown["changes"] == [{"path": 'panels["Sign-in events per category"].title',
                                 "old": "Sign In Events by Category", "new": "Sign-in events per category"}]
    assert len(shown["before"]["panels"]) == len(shown["after"]["panels"]) == len(overview.definition["panels"])
    assert shown["ref"]["contentId"] == content_id

    fake.reset_log()
    result = install(app, fake, tmp_path)
    writes = [(r.method, r.path) for r in without_lock(fake.requests)
              if r.method != "GET" and not r.path.endswith("/export")]
    assert len(writes) <= 2, writes
    assert count_calls(fake.requests)["writes"] == len(writes) + 2  # and the lock's create and delete
    assert ("PUT", f"/api/v2/dashboards/{dashboard_id}") in writes
    after = item(fake, OVERVIEW)
    assert (after.id, after.dashboard_id) == (content_id, dashboard_id)
    assert granted in explicit(fake, api, content_id)
    assert "Sign-in events per category" in [p["title"] for p in after.definition["panels"]]
    now = snapshot(fake)
    assert {n: v for n, v in now.items() if n != OVERVIEW} == {n: v for n, v in before.items() if n != OVERVIEW}
    assert result.backup is not None and OVERVIEW in (result.backup / "content.json").read_text()
    assert not run_plan(app, {}, options(fake)).plan.changed

    fake.reset_log()
    restored = run_restore(result.backup, options(fake), backup_root=tmp_path / "backups")
    assert restored.ok, (restored.error, restored.hint)
    assert [c.identity for c in restored.plan.changes if c.action == UPDATE] == [OVERVIEW]
    back = item(fake, OVERVIEW)
    assert (back.id, back.dashboard_id) == (content_id, dashboard_id) and granted in explicit(fake, api, content_id)
    assert "Sign In Events by Category" in [p["title"] for p in back.definition["panels"]]
    assert snapshot(fake).keys() == before.keys() and count_calls(without_lock(fake.requests))["writes"] <= 2


def test_rename_and_removal_are_explicit_changes(fake: FakeSumo, api, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    overview = item(fake, OVERVIEW)
    ids = (overview.id, overview.dashboard_id)
    grant(fake, api, overview.id)
    edit(app / "dashboards" / "overview.yaml", f"title: {OVERVIEW}\n", "title: 1Password - Summary\n")
    edit(app / "queries.yaml", "name: 1Password - Item Usage Events\n    description: Every usage of an item in a "
         "shared vault, with user, client, location and action.\n    savedSearch: true",
         "name: 1Password - Item Usage Events\n    description: Every usage of an item in a "
         "shared vault, with user, client, location and action.\n    savedSearch: false")
    plan = run_plan(app, {}, options(fake)).plan
    assert plan is not None
    changed = {(c.kind, c.identity): c for c in plan.changes if c.action != NOOP}
    renamed = changed[("dashboard", "1Password - Summary")]
    assert renamed.action == UPDATE and renamed.renamed_from == OVERVIEW and "renamed from" in renamed.note
    removed = changed[("saved search", "1Password - Item Usage Events")]
    assert removed.action == DELETE and removed.before is not None
    result = install(app, fake, tmp_path)
    summary = item(fake, "1Password - Summary")
    assert (summary.id, summary.dashboard_id) == ids and explicit(fake, api, summary.id)
    assert fake.state.find_by_path(f"/Library/Users/{fake.user_email}/1Password/1Password - Item Usage Events") is None
    assert result.backup is not None
    saved = json.loads((result.backup / "content.json").read_text())
    assert "1Password - Item Usage Events" in [c["name"] for c in saved["children"]]
    assert not run_plan(app, {}, options(fake)).plan.changed


def test_saved_plan_is_applied_exactly_and_refused_when_stale(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    install(app, fake, tmp_path)
    edit(app / "dashboards" / "overview.yaml", "title: Sign In Events by Category\n", "title: Per category\n")
    saved = tmp_path / "plan.json"
    outcome = run_plan(app, {}, options(fake), out=saved)
    assert outcome.ok and outcome.saved == saved
    text = saved.read_text()
    assert ENV["ONEPASSWORD_EVENTS_TOKEN"] not in text and "api_token" not in text
    plan = load_plan(saved)
    assert plan == outcome.plan
    fake.reset_log()
    applied = install(app, fake, tmp_path, plan_file=saved)
    assert applied.plan == plan and any("updated dashboard" in s for s in applied.steps)

    edit(app / "dashboards" / "overview.yaml", "title: Per category\n", "title: Per category again\n")
    assert run_plan(app, {}, options(fake), out=saved).ok
    fake.ui_edit(f"/Library/Users/{fake.user_email}/1Password/1Password - Threat Intel",
                 lambda d: d.update(description="edited in the UI"))
    fake.reset_log()
    stale = run_install(app, {}, options(fake), backup_root=tmp_path / "b", plan_file=saved)
    assert not stale.ok and "changed since the plan was made" in (stale.error or "") and "plan --out" in stale.hint
    assert count_calls(fake.requests)["writes"] == 0
    edit(app / "dashboards" / "overview.yaml", "title: Per category again\n", "title: Yet another\n")
    other = run_install(app, {}, options(fake), backup_root=tmp_path / "b", plan_file=saved)
    assert not other.ok and "app definition changed" in (other.error or "")


class LosingSumo(FakeSumo):
    """A fake Sumo that carries out the next matching request and then drops the connection: the reply is lost
    although the create happened (what a blind retry would turn into a second item)."""

    lose: list[tuple[str, str]]

    def handle(self, req):  # type: ignore[no-untyped-def]
        response = super().handle(req)
        if self.lose and req.method == self.lose[0][0] and req.path.endswith(self.lose[0][1]) \
                and response is not None and response.status < 300:
            self.lose.pop(0)
            return None
        return response


def test_a_create_whose_reply_was_lost_is_looked_up_not_repeated(app: Path, tmp_path: Path) -> None:
    with LosingSumo(keys={FAKE_AUTH[0]: FAKE_AUTH[1]}, rate_limit=None, job_polls=0) as fake:
        fake.lose = [("POST", "/v1/collectors"), ("POST", "/sources")]
        install(app, fake, tmp_path)
        assert len(fake.state.collectors) == 1 and len(fake.state.sources) == 1
        text = (app / "dashboards" / "threat_intel.yaml").read_text()
        (app / "dashboards" / "threat_intel_copy.yaml").write_text(
            text.replace("title: 1Password - Threat Intel", "title: 1Password - Threat Intel copy", 1))
        edit(app / "app.yaml", "  - dashboards/item_usage.yaml\n",
             "  - dashboards/item_usage.yaml\n  - dashboards/threat_intel_copy.yaml\n")
        fake.lose = [("POST", "/v2/dashboards")]
        fake.reset_log()
        outcome = install(app, fake, tmp_path)
        assert any("created dashboard '1Password - Threat Intel copy'" in s for s in outcome.steps)
        posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/v2/dashboards")]
        assert len(posts) == 1  # not repeated: the lookup found what the lost attempt made
        folder = item(fake)
        names = [fake.state.items[c].name for c in folder.children]
        assert names.count("1Password - Threat Intel copy") == 1
        assert not run_plan(app, {}, options(fake)).plan.changed


def test_dashboard_ids_are_listed_once_per_run_and_the_listing_is_bounded(
        fake: FakeSumo, app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from appbuilder.kinds import dashboard

    install(app, fake, tmp_path)
    edit(app / "dashboards" / "overview.yaml", "title: Sign In Events by Category\n", "title: By category\n")
    edit(app / "dashboards" / "item_usage.yaml", "title: Item Usage Summary\n", "title: Usage summary\n")
    edit(app / "dashboards" / "threat_intel.yaml", "title: Threat Count\n", "title: Threats\n")
    fake.reset_log()
    monkeypatch.setattr(dashboard, "PAGE", 4)  # six dashboards: two pages of the caller's own
    result = install(app, fake, tmp_path)
    assert len([s for s in result.steps if s.startswith("updated dashboard")]) == 3
    listings = [r for r in fake.requests if r.method == "GET" and r.path == "/api/v2/dashboards"]
    assert len(listings) == 2, listings  # the two pages once for the three updates, not once per dashboard

    edit(app / "dashboards" / "overview.yaml", "title: By category\n", "title: Per category\n")
    monkeypatch.setattr(dashboard, "MAX_PAGES", 1)
    outcome = run_install(app, {}, options(fake), backup_root=tmp_path / "backups")
    assert not outcome.ok and "looked through 4 dashboards" in str(outcome.error), outcome.error
    assert outcome.hint
