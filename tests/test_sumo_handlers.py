"""Resource handlers (folders, content jobs, collectors, sources) against the fake Sumo."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import logged
from reference import load_export, needs_reference

from appbuilder import model
from appbuilder.sumo.client import SumoClient
from appbuilder.sumo.collectors import CollectorHandler, normalise_collector, render_collector
from appbuilder.sumo.content import ContentHandler, content_id_from_status
from appbuilder.sumo.endpoints import resolve_credentials
from appbuilder.sumo.errors import SumoApiError, SumoError, SumoJobFailed
from appbuilder.sumo.folders import FolderHandler, admin_recommended_path, personal_path
from appbuilder.sumo.normalise import content_hash, normalise_content
from appbuilder.sumo.sources import SourceHandler, normalise_source, render_source

try:
    from appbuilder.fakesumo import FakeSumo
except ImportError:  # the package may not re-export it yet
    from appbuilder.fakesumo.server import FakeSumo

ACCESS_ID, ACCESS_KEY, EMAIL = "suAccessId", "accessKeySecret", "dev@example.com"
TOKEN = "ops_eyJhbGciOiJFUzI1NiIsImtpZCI6InNlY3JldCJ9"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeSumo]:
    with FakeSumo(keys={ACCESS_ID: ACCESS_KEY}, user_email=EMAIL, rate_limit=None, job_polls=2) as fake:
        yield fake


@pytest.fixture
def fake(server: FakeSumo) -> FakeSumo:
    server.reset()
    return server


@pytest.fixture
def client(fake: FakeSumo) -> Iterator[SumoClient]:
    creds = resolve_credentials(ACCESS_ID, ACCESS_KEY, base_url=fake.base_url, env={})
    with SumoClient(creds, rate=1000.0, backoff_base=0.01, backoff_cap=0.05, job_poll_initial=0.01,
                    job_poll_cap=0.05) as c:
        yield c


def app_folder(name: str = "1Password") -> dict[str, Any]:
    panel_key = "panel-overview-events"
    return {"type": "FolderSyncDefinition", "name": name, "description": "1Password app", "children": [
        {"type": "DashboardV2SyncDefinition", "name": "1Password - Overview", "title": "1Password - Overview",
         "description": "", "theme": "Dark", "refreshInterval": 0, "topologyLabelMap": {"data": {}},
         "timeRange": {"type": "BeginBoundedTimeRange",
                       "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": "-1d"}, "to": None},
         "layout": {"layoutType": "Grid", "layoutStructures": [
             {"key": panel_key, "structure": '{"height":6,"width":24,"x":0,"y":0}'}]},
         "panels": [{"key": panel_key, "title": "Events", "panelType": "SumoSearchPanel",
                     "visualSettings": '{"general":{"mode":"timeSeries","type":"column"},"series":{}}',
                     "keepVisualSettingsConsistentWithParent": True, "description": "",
                     "queries": [{"queryString": "_sourceCategory=1pw | timeslice 1h | count by _timeslice",
                                  "queryType": "Logs", "queryKey": "A", "parseMode": "Auto",
                                  "timeSource": "Message"}],
                     "timeRange": None, "coloringRules": None, "linkedDashboards": []}],
         "variables": [], "coloringRules": []},
        {"type": "SavedSearchWithScheduleSyncDefinition", "name": "1Password - Raw events",
         "description": "Unscheduled saved search",
         "search": {"queryText": "_sourceCategory=1pw", "defaultTimeRange": "-15m", "byReceiptTime": False,
                    "viewName": "", "viewStartTime": None, "queryParameters": [], "parsingMode": "Manual"},
         "searchSchedule": None},
    ]}


# -- folders ----------------------------------------------------------------------------------------------
def test_folders(client: SumoClient) -> None:
    folders = FolderHandler(client)
    personal = folders.personal()
    created = folders.create(personal["id"], "Apps", "my apps")
    assert folders.find_child(personal["id"], "Apps", "Folder")["id"] == created["id"]
    assert folders.find_child(personal["id"], "Nope") is None
    again, was_created = folders.ensure(personal["id"], "Apps")
    assert again["id"] == created["id"] and not was_created
    assert folders.by_path(personal_path(EMAIL, "Apps"))["id"] == created["id"]
    assert folders.by_path(personal_path(EMAIL, "Missing")) is None
    assert folders.path_of(created["id"]) == personal_path(EMAIL, "Apps")
    updated = folders.update(created["id"], "Apps", "changed")
    assert updated["description"] == "changed"
    assert [c["name"] for c in folders.children(personal["id"])] == ["Apps"]
    with pytest.raises(SumoApiError) as info:
        folders.create(personal["id"], "Apps")
    assert info.value.status in (400, 409)


def test_admin_recommended_and_global_use_admin_mode(fake: FakeSumo, client: SumoClient) -> None:
    folders = FolderHandler(client)
    seen: list[str] = []
    admin = folders.admin_recommended(progress=lambda p: seen.append(p.status))
    assert admin["name"] == "Admin Recommended" and seen[-1] == "Success"
    assert any(item["name"] == "Personal" for item in folders.global_folder())
    for record in logged(fake, 6):
        assert {k.lower(): v for k, v in record.headers_redacted.items()}.get("isadminmode") == "true"


# -- content ----------------------------------------------------------------------------------------------
def test_import_export_delete_round_trip(client: SumoClient) -> None:
    folders, content = FolderHandler(client), ContentHandler(client)
    personal = folders.personal()["id"]
    built = app_folder()
    result = content.import_content(personal, built)
    assert folders.by_path(personal_path(EMAIL, "1Password"))["id"] == result.content_id
    exported = content.export_content(result.content_id)
    assert normalise_content(exported) == normalise_content(built)
    assert content_hash(exported) == content_hash(built)

    changed = app_folder()
    changed["children"][1]["search"]["queryText"] = "_sourceCategory=1pw | limit 10"
    second = content.import_content(personal, changed, overwrite=True)
    assert len(folders.children(personal)) == 1
    assert normalise_content(content.export_content(second.content_id)) == normalise_content(changed)

    content.delete_content(second.content_id)
    assert folders.by_path(personal_path(EMAIL, "1Password")) is None
    assert not content.exists(second.content_id)


def test_minimal_built_content_round_trips_with_server_defaults(client: SumoClient) -> None:
    minimal = {"type": "FolderSyncDefinition", "name": "Minimal", "children": [
        {"type": "DashboardV2SyncDefinition", "name": "Mini", "title": "Mini",
         "timeRange": {"type": "BeginBoundedTimeRange",
                       "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": "-1h"}},
         "layout": {"layoutType": "Grid",
                    "layoutStructures": [{"key": "p1", "structure": '{"x":0,"y":0,"width":24,"height":6}'}]},
         "panels": [{"key": "p1", "title": "Count", "panelType": "SumoSearchPanel",
                     "queries": [{"queryString": "_sourceCategory=1pw | count", "queryType": "Logs",
                                  "queryKey": "A"}]}],
         "variables": [{"name": "category", "defaultValue": "*",
                        "sourceDefinition": {"variableSourceType": "CsvVariableSourceDefinition",
                                             "values": "a,b"}}]},
    ]}
    content = ContentHandler(client)
    result = content.import_content(FolderHandler(client).personal()["id"], minimal)
    exported = content.export_content(result.content_id)
    assert exported != minimal
    assert normalise_content(exported) == normalise_content(minimal)


@pytest.mark.parametrize("case", [
    pytest.param(("real", "testapp.json"), id="real-testapp", marks=needs_reference("exports", "testapp.json")),
    pytest.param(("synthetic", "load_balancer_metrics"), id="synthetic-load_balancer_metrics"),
    pytest.param(("synthetic", "edge_firewall"), id="synthetic-edge_firewall")])
def test_an_export_round_trips_through_the_fake(client: SumoClient, case: tuple[str, str]) -> None:
    real = load_export(case)
    content = ContentHandler(client)
    personal = FolderHandler(client).personal()["id"]
    result = content.import_content(personal, real)
    assert normalise_content(content.export_content(result.content_id)) == normalise_content(real)


def test_ui_edit_shows_as_a_difference(fake: FakeSumo, client: SumoClient) -> None:
    content = ContentHandler(client)
    personal = FolderHandler(client).personal()["id"]
    result = content.import_content(personal, app_folder())

    def retitle(defn: dict[str, Any]) -> None:
        defn["panels"][0]["title"] = "Events (edited)"

    fake.ui_edit(personal_path(EMAIL, "1Password", "1Password - Overview"), retitle)
    assert normalise_content(content.export_content(result.content_id)) != normalise_content(app_folder())


def test_import_into_admin_recommended(client: SumoClient) -> None:
    folders, content = FolderHandler(client), ContentHandler(client)
    admin_folder = folders.admin_recommended()["id"]
    result = content.import_content(admin_folder, app_folder("Shared 1Password"), admin=True)
    assert folders.by_path(admin_recommended_path("Shared 1Password"), admin=True)["id"] == result.content_id


def test_failed_import_job_raises_with_the_message(fake: FakeSumo, client: SumoClient) -> None:
    content = ContentHandler(client)
    personal = FolderHandler(client).personal()["id"]
    fake.inject("job_failed", path="/import")
    with pytest.raises(SumoJobFailed) as info:
        content.import_content(personal, app_folder())
    assert info.value.reason and "/import/" in info.value.status_path


def test_import_without_overwrite_of_an_existing_name_fails(client: SumoClient) -> None:
    content = ContentHandler(client)
    personal = FolderHandler(client).personal()["id"]
    content.import_content(personal, app_folder())
    with pytest.raises((SumoJobFailed, SumoApiError)):
        content.import_content(personal, app_folder(), overwrite=False)


def test_import_id_falls_back_to_a_path_lookup(client: SumoClient) -> None:
    content = ContentHandler(client)
    personal = FolderHandler(client).personal()["id"]
    result = content.import_content(personal, app_folder())
    assert content._find_by_name(personal, "1Password", None) == result.content_id
    assert content._find_by_name(personal, "Other", None) is None


def test_content_id_from_status() -> None:
    assert content_id_from_status("id: 0000000006A2E86F") == "0000000006A2E86F"
    assert content_id_from_status("id:00AB  ") == "00AB"
    assert content_id_from_status(" id :  00ab\n") == "00ab"
    assert content_id_from_status(None) is None and content_id_from_status("Import done") is None


def test_render_refuses_oversized_content(client: SumoClient) -> None:
    big = {"type": "FolderSyncDefinition", "name": "big", "children": [
        {"type": "FolderSyncDefinition", "name": f"f{i}", "children": []} for i in range(1000)]}
    with pytest.raises(SumoError, match="at most 1000"):
        ContentHandler(client).render(big)


# -- collectors and sources -------------------------------------------------------------------------------
def one_password_source() -> model.Source:
    collector = model.Collector(name="1Password Collector", description="C2C", category="1pw")
    return model.Source(name="1Password Events", type="1Password", category="1pw",
                        base_url="events.1password.com", apis=["sign-in", "itemUsage"],
                        token_env="OP_EVENTS_TOKEN", collector=collector, fields={"_siemForward": False})


def test_collectors(client: SumoClient) -> None:
    collectors = CollectorHandler(client)
    spec = one_password_source().collector
    assert collectors.find_by_name(spec.name) is None
    created = collectors.create(render_collector(spec))
    assert collectors.find_by_name(spec.name)["id"] == created["id"]
    assert [c["name"] for c in collectors.list_hosted()] == [spec.name]
    assert normalise_collector(created) == normalise_collector(render_collector(spec))
    dotted = collectors.create({"collectorType": "Hosted", "name": "v1.2 collector"})
    assert collectors.find_by_name("v1.2 collector")["id"] == dotted["id"]
    with pytest.raises(SumoApiError) as info:
        collectors.create(render_collector(spec))
    assert info.value.is_duplicate and "already exists" in info.value.hint
    updated = collectors.update(created["id"], {"description": "changed"})
    assert updated["description"] == "changed"
    collectors.delete(dotted["id"])
    assert collectors.find_by_name("v1.2 collector") is None


def test_sources_create_find_update_delete(fake: FakeSumo, client: SumoClient,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="appbuilder.sumo")
    spec = one_password_source()
    collector = CollectorHandler(client).create(render_collector(spec.collector))
    sources = SourceHandler(client, sleep=lambda _: None)
    desired = render_source(spec, TOKEN)
    created = sources.create(collector["id"], desired)
    assert created["config"]["api_token"] != TOKEN
    found = sources.find_by_name(collector["id"], spec.name)
    assert found is not None and found["id"] == created["id"]
    assert sources.find_by_name(collector["id"], "other") is None
    assert normalise_source(found) == normalise_source(desired) == normalise_source(render_source(spec, None))

    source, etag = sources.get(collector["id"], created["id"])
    assert etag
    desired["config"]["category"] = "1pw/events"
    updated = sources.update(collector["id"], created["id"], desired)
    assert updated["config"]["category"] == "1pw/events"
    _, new_etag = sources.get(collector["id"], created["id"])
    assert new_etag != etag

    sources.delete(collector["id"], created["id"])
    assert sources.list(collector["id"]) == []
    assert TOKEN not in caplog.text and ACCESS_KEY not in caplog.text


def test_source_update_needs_the_token(client: SumoClient) -> None:
    spec = one_password_source()
    with pytest.raises(SumoError, match="api_token"):
        SourceHandler(client).update(1, 2, render_source(spec, None))


def test_stale_etag_is_refused_then_update_rereads(fake: FakeSumo, client: SumoClient) -> None:
    spec = one_password_source()
    collector = CollectorHandler(client).create(render_collector(spec.collector))
    sources = SourceHandler(client)
    created = sources.create(collector["id"], render_source(spec, TOKEN))
    path = f"/v1/collectors/{collector['id']}/sources/{created['id']}"
    _, stale = sources.get(collector["id"], created["id"])
    sources.update(collector["id"], created["id"], render_source(spec, TOKEN))  # someone else writes

    with pytest.raises(SumoApiError) as info:
        client.put(path, {"source": {**render_source(spec, TOKEN), "id": created["id"]}},
                   headers={"If-Match": stale})
    assert info.value.is_stale and "re-read" in info.value.hint and TOKEN not in str(info.value)

    class RacingHandler(SourceHandler):
        """Another writer changes the source between our GET and our PUT, once."""

        raced = False

        def get(self, cid: int | str, sid: int | str) -> tuple[dict[str, Any], str | None]:
            result = super().get(cid, sid)
            if not self.raced:
                self.raced = True
                other = render_source(spec, TOKEN)
                other["config"]["description"] = "edited in the UI"
                SourceHandler(self.client).update(cid, sid, other)
            return result

    fake.reset_log()
    desired = render_source(spec, TOKEN)
    desired["config"]["description"] = "ours"
    updated = RacingHandler(client).update(collector["id"], created["id"], desired)
    assert updated["config"]["description"] == "ours"
    puts = [r.status for r in logged(fake, 6) if r.method == "PUT"]
    assert puts == [200, 412, 200]


def test_delete_of_a_missing_source_is_quiet(client: SumoClient) -> None:
    collector = CollectorHandler(client).create({"collectorType": "Hosted", "name": "empty"})
    SourceHandler(client).delete(collector["id"], 424242)
