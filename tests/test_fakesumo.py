"""The fake Sumo: auth, rate limits, folders, import/export/delete jobs and content validation."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from fake_content import app_folder, contains, export, import_into, personal_id, wait_job
from helpers import FAKE_AUTH as AUTH
from reference import export_cases, load_export

from appbuilder.clock import VirtualClock
from appbuilder.fakesumo import FakeSumo

KEYS = {"suAccessId": "accessKeySecret"}


@pytest.fixture
def fake() -> Iterator[FakeSumo]:
    with FakeSumo(keys=KEYS, rate_limit=None, max_in_flight=None, job_polls=1) as server:
        yield server



# -- auth --------------------------------------------------------------------------------------
@pytest.mark.parametrize("auth", [None, ("suAccessId", "wrong"), ("nobody", "accessKeySecret")])
def test_bad_credentials_get_the_legacy_401_body(fake: FakeSumo, auth: Any) -> None:
    for path in ("/v2/content/folders/personal", "/v1/collectors"):
        r = requests.get(fake.base_url + path, auth=auth)
        assert r.status_code == 401
        body = r.json()
        assert body["status"] == 401 and body["code"] == "unauthorized"
        assert body["message"] == "Credential could not be verified."
        assert len(body["id"]) == 17 and body["id"].count("-") == 2


def test_unknown_path_is_404_with_v2_body_and_wrong_method_405(api: requests.Session, fake: FakeSumo) -> None:
    r = api.get(f"{fake.base_url}/v2/nothing/here")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "notfound"
    r = api.delete(f"{fake.base_url}/v2/content/folders/personal")
    assert r.status_code == 405 and "errors" in r.json()
    r = api.post(f"{fake.base_url}/v1/collectors/123/sources/5", json={})
    assert r.status_code == 405 and r.json()["status"] == 405


# -- rate limits -------------------------------------------------------------------------------
def test_burst_beyond_four_per_second_gets_429_with_retry_after() -> None:
    clock = VirtualClock()
    with FakeSumo(keys=KEYS, rate_limit=4.0, clock=clock) as fake, requests.Session() as api:
        api.auth = AUTH
        statuses = [api.get(f"{fake.base_url}/v2/content/folders/personal") for _ in range(8)]
        codes = [r.status_code for r in statuses]
        assert codes[:4] == [200] * 4 and set(codes[4:]) == {429}
        refused = statuses[4]
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["errors"][0]["code"] == "rate.limit.exceeded"
        v1 = api.get(f"{fake.base_url}/v1/collectors")
        assert v1.status_code == 429 and v1.json()["code"] == "rate.limit.exceeded"
        clock.advance(0.99)
        assert api.get(f"{fake.base_url}/v1/collectors").status_code == 429
        clock.advance(0.02)
        assert api.get(f"{fake.base_url}/v1/collectors").status_code == 200


def test_more_than_max_in_flight_concurrent_requests_get_429() -> None:
    with FakeSumo(keys=KEYS, rate_limit=None, max_in_flight=2, latency=0.2) as fake:
        def get(_: int) -> int:
            return requests.get(f"{fake.base_url}/v1/collectors", auth=AUTH).status_code

        with ThreadPoolExecutor(6) as pool:
            codes = list(pool.map(get, range(6)))
        assert codes.count(200) == 2 and codes.count(429) == 4


# -- folders and paths -------------------------------------------------------------------------
def test_folders_create_get_update_and_paths(api: requests.Session, fake: FakeSumo) -> None:
    base = fake.base_url + "/v2/content"
    personal = api.get(f"{base}/folders/personal").json()
    assert personal["itemType"] == "Folder" and personal["children"] == []
    made = api.post(f"{base}/folders", json={"name": "Apps", "description": "d", "parentId": personal["id"]})
    assert made.status_code == 200
    folder = made.json()
    assert folder["parentId"] == personal["id"] and folder["children"] == []
    dup = api.post(f"{base}/folders", json={"name": "Apps", "parentId": personal["id"]})
    assert dup.status_code == 400 and dup.json()["errors"][0]["code"] == "content:duplicate_content"
    assert api.post(f"{base}/folders", json={"name": "", "parentId": personal["id"]}).status_code == 400
    updated = api.put(f"{base}/folders/{folder['id']}", json={"name": "Apps2", "description": "x"}).json()
    assert updated["name"] == "Apps2" and updated["modifiedAt"] >= folder["modifiedAt"]
    assert [c["name"] for c in api.get(f"{base}/folders/personal").json()["children"]] == ["Apps2"]
    found = api.get(f"{base}/path", params={"path": "/Library/Users/dev@example.com/Apps2"})
    assert found.status_code == 200 and found.json()["id"] == folder["id"]
    missing = api.get(f"{base}/path", params={"path": "/Library/Users/dev@example.com/Nope"})
    assert missing.status_code == 404 and "errors" in missing.json()
    assert api.get(f"{base}/{folder['id']}/path").json()["path"] == "/Library/Users/dev@example.com/Apps2"
    assert api.get(f"{base}/folders/00000000DEADBEEF").status_code == 404


def test_admin_recommended_needs_admin_mode_for_writes(api: requests.Session, fake: FakeSumo) -> None:
    base = fake.base_url + "/v2/content/folders"
    job = api.get(f"{base}/adminRecommended").json()["id"]
    assert wait_job(api, f"{base}/adminRecommended/{job}/status")["status"] == "Success"
    admin = api.get(f"{base}/adminRecommended/{job}/result").json()
    assert admin["name"] == "Admin Recommended" and admin["children"] == []
    r = api.post(f"{base}/{admin['id']}/import", json=app_folder())
    assert r.status_code == 403
    r = api.post(f"{base}/{admin['id']}/import", json=app_folder(), headers={"isAdminMode": "true"})
    assert r.status_code == 200
    job = api.get(f"{base}/global").json()["id"]
    wait_job(api, f"{base}/global/{job}/status")
    names = [c["name"] for c in api.get(f"{base}/global/{job}/result").json()["data"]]
    assert names == ["Personal", "Admin Recommended"]


# -- import / export / delete ------------------------------------------------------------------
def test_import_polls_then_succeeds_and_export_round_trips(api: requests.Session, fake: FakeSumo) -> None:
    fake.job_polls = 2
    folder_id = personal_id(api, fake)
    url = f"{fake.base_url}/v2/content/folders/{folder_id}/import"
    job = api.post(url, json=app_folder()).json()["id"]
    statuses = [api.get(f"{url}/{job}/status").json() for _ in range(3)]
    assert [s["status"] for s in statuses] == ["InProgress", "InProgress", "Success"]
    new_id = statuses[-1]["statusMessage"].split(":", 1)[1].strip()
    result = api.get(f"{url}/{job}/result").json()
    assert result["status"] == "Success" and result["summary"]["totalItems"] == 3
    exported = export(api, fake, new_id)
    assert contains(exported, app_folder())
    query = exported["children"][0]["panels"][1]["queries"][0]
    assert query["transient"] is False and query["outputCardinalityLimit"] == 1000  # server defaults
    fake.fill_defaults = False
    plain = import_into(api, fake, folder_id, app_folder("Plain"))["statusMessage"].split(":")[1].strip()
    assert export(api, fake, plain) == app_folder("Plain")
    item = api.get(f"{fake.base_url}/v2/content/path",
                   params={"path": "/Library/Users/dev@example.com/1Password/1Password - Overview"}).json()
    assert item["itemType"] == "Dashboard" and item["createdBy"] and item["modifiedAt"]


@pytest.mark.parametrize("case", export_cases())
def test_app_exports_import_and_round_trip(api: requests.Session, fake: FakeSumo, case: tuple[str, str]) -> None:
    folder_id = personal_id(api, fake)
    for definition in [load_export(case)]:
        status = import_into(api, fake, folder_id, definition)
        assert status["status"] == "Success", (case, status)
        assert contains(export(api, fake, status["statusMessage"].split(":")[1].strip()), definition)


def test_duplicate_name_without_overwrite_fails_the_job(api: requests.Session, fake: FakeSumo) -> None:
    folder_id = personal_id(api, fake)
    assert import_into(api, fake, folder_id, app_folder())["status"] == "Success"
    status = import_into(api, fake, folder_id, app_folder())
    assert status["status"] == "Failed"
    assert status["error"]["code"] == "content:duplicate_content"


def test_overwrite_replaces_with_a_new_id(api: requests.Session, fake: FakeSumo) -> None:
    folder_id = personal_id(api, fake)
    first = import_into(api, fake, folder_id, app_folder())["statusMessage"].split(":")[1].strip()
    changed = app_folder()
    changed["children"][0]["title"] = "Renamed"
    second = import_into(api, fake, folder_id, changed, overwrite=True)["statusMessage"].split(":")[1].strip()
    assert first != second
    assert export(api, fake, second)["children"][0]["title"] == "Renamed"
    gone = api.post(f"{fake.base_url}/v2/content/{first}/export")
    assert gone.status_code == 404
    assert gone.json()["errors"][0]["message"] == "Content with the given ID does not exist."


def _broken(change: Any) -> dict[str, Any]:
    definition = app_folder()
    change(definition["children"][0])
    return definition


INVALID_CASES = {
    # the spec's schemas
    "visualSettings object": (lambda d: d["panels"][0].update(visualSettings={"general": {}}),
                              "panels[0].visualSettings: {'general': {}} is not of type 'string'"),
    "missing queries": (lambda d: d["panels"][1].pop("queries"), "panels[1].queries: is required"),
    "unknown type": (lambda d: d.update(type="DashboardV3SyncDefinition"),
                     "type: 'DashboardV3SyncDefinition' is not one of"),
    "structure object": (lambda d: d["layout"]["layoutStructures"][0].update(structure={"x": 0}),
                         "structure: {'x': 0} is not of type 'string'"),
    "missing title": (lambda d: d.pop("title"), "children[0].title: is required"),
    "bad queryType": (lambda d: d["panels"][1]["queries"][0].update(queryType="SQL"),
                      "queryType: 'SQL' does not match"),
    # what the spec cannot state (fakesumo.validation)
    "visualSettings not JSON": (lambda d: d["panels"][1].update(visualSettings="{oops"),
                                "visualSettings: is not valid JSON"),
    "layout key mismatch": (lambda d: d["layout"]["layoutStructures"][0].update(key="panelZ"),
                            "key: 'panelZ' does not match the key of any panel"),
    "duplicate query keys": (lambda d: d["panels"][1]["queries"].append(dict(d["panels"][1]["queries"][0])),
                             "each queryKey must be unique"),
}


@pytest.mark.parametrize("case", sorted(INVALID_CASES))
def test_invalid_content_is_rejected_with_a_clear_400(api: requests.Session, fake: FakeSumo, case: str) -> None:
    change, expected = INVALID_CASES[case]
    r = api.post(f"{fake.base_url}/v2/content/folders/{personal_id(api, fake)}/import", json=_broken(change))
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert error["code"] == "content:invalid_sync_definition"
    assert expected in error["message"], error["message"]
    assert "children[0]" in error["message"]


def test_saved_search_duplicates_and_size_limits_are_validated(api: requests.Session, fake: FakeSumo) -> None:
    url = f"{fake.base_url}/v2/content/folders/{personal_id(api, fake)}/import"
    definition = app_folder()
    del definition["children"][1]["search"]["byReceiptTime"]
    definition["children"][1]["description"] = None
    errors = api.post(url, json=definition).json()["errors"]
    assert any("byReceiptTime" in e["message"] for e in errors)
    assert any("description" in e["message"] for e in errors)
    twins = app_folder()
    twins["children"].append(copy.deepcopy(twins["children"][0]))
    assert "duplicate name" in api.post(url, json=twins).json()["errors"][0]["message"]
    huge = {"type": "FolderSyncDefinition", "name": "Huge", "children": [
        {"type": "FolderSyncDefinition", "name": f"f{i}", "children": []} for i in range(1000)]}
    error = api.post(url, json=huge).json()["errors"][0]
    assert error["code"] == "content:too_many_items" and "1001" in error["message"]
    assert api.post(url, data="not json", headers={"Content-Type": "application/json"}).status_code == 400
    assert api.post(url, data=json.dumps(app_folder())).status_code == 415


def test_delete_job_removes_the_folder(api: requests.Session, fake: FakeSumo) -> None:
    new_id = import_into(api, fake, personal_id(api, fake), app_folder())["statusMessage"].split(":")[1].strip()
    url = f"{fake.base_url}/v2/content/{new_id}/delete"
    job = api.delete(url).json()["id"]
    assert wait_job(api, f"{url}/{job}/status")["status"] == "Success"
    assert api.get(f"{fake.base_url}/v2/content/folders/personal").json()["children"] == []
    assert not any(i.item_type == "Dashboard" for i in fake.state.items.values())
    assert api.delete(url).status_code == 404


def test_ui_edit_changes_what_export_returns(api: requests.Session, fake: FakeSumo) -> None:
    new_id = import_into(api, fake, personal_id(api, fake), app_folder())["statusMessage"].split(":")[1].strip()
    path = "/Library/Users/dev@example.com/1Password/1Password - Overview"
    before = api.get(f"{fake.base_url}/v2/content/path", params={"path": path}).json()

    def retitle(definition: dict[str, Any]) -> None:
        definition["panels"][1]["title"] = "Edited in the UI"

    fake.ui_edit(path, retitle)
    after = api.get(f"{fake.base_url}/v2/content/path", params={"path": path}).json()
    assert after["id"] == before["id"] and after["modifiedAt"] > before["modifiedAt"]
    assert export(api, fake, new_id)["children"][0]["panels"][1]["title"] == "Edited in the UI"
    fake.ui_edit("/Library/Users/dev@example.com/1Password", lambda d: d["children"].pop())
    assert [c["name"] for c in export(api, fake, new_id)["children"]] == ["1Password - Overview"]
    with pytest.raises(KeyError):
        fake.ui_edit("/Library/Users/dev@example.com/Nope", retitle)
