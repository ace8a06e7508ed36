"""The fake Sumo's per-item APIs over the one content store: Dashboards, Log Searches, content permissions."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests
from fake_content import app_folder, dashboard, export, import_into, personal_id

from appbuilder.fakesumo import FakeSumo
from appbuilder.fakesumo.logsearches import range_object, range_text

ME = "/Library/Users/dev@example.com"


def dashboard_request(title: str = "Ops", **changes: Any) -> dict[str, Any]:
    """A DashboardRequest built from the import fixture's dashboard."""
    body = {k: v for k, v in dashboard(title).items() if k not in ("type", "name", "coloringRules")}
    body.update(changes)
    return body


def log_search_request(name: str = "Failed sign-ins", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name, "description": "Every failed sign-in", "queryString": "_sourceCategory=1pw | count",
        "timeRange": {"type": "BeginBoundedTimeRange",
                      "from": {"type": "RelativeTimeRangeBoundary", "relativeTime": "-1d"}, "to": None},
        "runByReceiptTime": False, "queryParameters": [], "parsingMode": "Manual",
    }
    body.update(changes)
    return body


def grant(content_id: str, source_id: str = "0000000000000ABC", permission: str = "View") -> dict[str, Any]:
    return {"contentPermissionAssignments": [{"permissionName": permission, "sourceType": "role",
                                              "sourceId": source_id, "contentId": content_id}],
            "notifyRecipients": False, "notificationMessage": ""}


def imported_app(api: requests.Session, fake: FakeSumo, overwrite: bool = False) -> tuple[str, str, str]:
    """Import the app folder; return the content ids of the folder, its dashboard and its saved search."""
    status = import_into(api, fake, personal_id(api, fake), app_folder(), overwrite=overwrite)
    folder_id = status["statusMessage"].split(":")[1].strip()
    children = api.get(f"{fake.base_url}/v2/content/folders/{folder_id}").json()["children"]
    kinds = {c["itemType"]: c["id"] for c in children}
    return folder_id, kinds["Dashboard"], kinds["Search"]


def dashboard_of(api: requests.Session, fake: FakeSumo, content_id: str) -> dict[str, Any]:
    listed = api.get(f"{fake.base_url}/v2/dashboards", params={"mode": "allViewableByUser"}).json()
    return next(d for d in listed["dashboards"] if d["contentId"] == content_id)


# -- dashboards --------------------------------------------------------------------------------------
def test_a_dashboard_created_through_its_api_is_library_content(api: requests.Session, fake: FakeSumo) -> None:
    made = api.post(f"{fake.base_url}/v2/dashboards", json=dashboard_request())
    assert made.status_code == 200, made.text
    board = made.json()
    assert len(board["id"]) == 60 and board["id"].isalnum() and board["id"] != board["contentId"]
    assert len(board["contentId"]) == 16 and board["folderId"] == personal_id(api, fake)
    assert board["panels"][1]["queries"][0]["queryString"] == "_sourceCategory={{cat}} | count"
    assert (board["isPublic"], board["domain"], board["scheduleCount"]) == (False, "", 0)
    item = api.get(f"{fake.base_url}/v2/content/path", params={"path": f"{ME}/Ops"}).json()
    assert item["id"] == board["contentId"] and item["itemType"] == "Dashboard"
    exported = export(api, fake, board["contentId"])
    assert exported["type"] == "DashboardV2SyncDefinition" and exported["name"] == exported["title"] == "Ops"
    assert api.get(f"{fake.base_url}/v2/dashboards/{board['id']}").json() == board


def test_an_imported_dashboard_is_visible_through_the_dashboards_api(api: requests.Session,
                                                                     fake: FakeSumo) -> None:
    folder_id, board_cid, _ = imported_app(api, fake)
    board = dashboard_of(api, fake, board_cid)
    assert board["folderId"] == folder_id and board["title"] == "1Password - Overview"
    assert board["layout"] == app_folder()["children"][0]["layout"]
    assert api.get(f"{fake.base_url}/v2/dashboards/{board['id']}").json()["contentId"] == board_cid


def test_put_keeps_both_ids_and_permissions(api: requests.Session, fake: FakeSumo) -> None:
    _, board_cid, _ = imported_app(api, fake)
    assert api.put(f"{fake.base_url}/v2/content/{board_cid}/permissions/add",
                   json=grant(board_cid)).status_code == 200
    board = dashboard_of(api, fake, board_cid)
    before = api.get(f"{fake.base_url}/v2/content/{board_cid}/path").json()
    body = {k: v for k, v in board.items() if k not in ("id", "contentId", "scheduleId", "scheduleCount")}
    body["panels"][1]["title"] = "Sign-ins per hour"
    updated = api.put(f"{fake.base_url}/v2/dashboards/{board['id']}", json=body)
    assert updated.status_code == 200, updated.text
    assert (updated.json()["id"], updated.json()["contentId"]) == (board["id"], board_cid)
    assert export(api, fake, board_cid)["panels"][1]["title"] == "Sign-ins per hour"
    assert export(api, fake, board_cid)["coloringRules"] == []  # not in the request, kept from the import
    assert api.get(f"{fake.base_url}/v2/content/{board_cid}/path").json() == before
    explicit = api.get(f"{fake.base_url}/v2/content/{board_cid}/permissions").json()["explicitPermissions"]
    assert explicit == grant(board_cid)["contentPermissionAssignments"]


def test_an_overwrite_import_gives_new_ids_and_drops_permissions(api: requests.Session, fake: FakeSumo) -> None:
    old_folder, board_cid, search_id = imported_app(api, fake)
    old_board = dashboard_of(api, fake, board_cid)["id"]
    for content_id in (old_folder, board_cid, search_id):
        added = api.put(f"{fake.base_url}/v2/content/{content_id}/permissions/add", json=grant(content_id))
        assert added.json()["explicitPermissions"] == grant(content_id)["contentPermissionAssignments"]
    new_folder, new_cid, new_search = imported_app(api, fake, overwrite=True)
    assert {new_folder, new_cid, new_search}.isdisjoint({old_folder, board_cid, search_id})
    assert dashboard_of(api, fake, new_cid)["id"] != old_board
    gone = api.get(f"{fake.base_url}/v2/dashboards/{old_board}")
    assert gone.status_code == 404 and gone.json()["errors"][0]["code"] == "dashboard:not_found"
    assert api.get(f"{fake.base_url}/v2/content/{board_cid}/permissions").status_code == 404
    for content_id in (new_folder, new_cid, new_search):
        view = api.get(f"{fake.base_url}/v2/content/{content_id}/permissions").json()
        assert view["explicitPermissions"] == [] and view.get("implicitPermissions", []) == []


@pytest.mark.parametrize("change,expected", [
    ({"timeRange": None}, "timeRange: is required"),  # null is absent
    ({"title": ""}, "title: '' should be non-empty"),
    ({"refreshInterval": "often"}, "refreshInterval: 'often' is not of type 'integer'"),
    ({"theme": "Blue"}, "theme: 'Blue' does not match"),
    ({"hierarchies": "x"}, "hierarchies: 'x' is not of type 'array'"),
    ({"panels": [{"key": "p1", "title": "no type"}]}, "panels[0].panelType: is required"),
])
def test_invalid_dashboard_requests_get_a_400(api: requests.Session, fake: FakeSumo, change: dict[str, Any],
                                              expected: str) -> None:
    r = api.post(f"{fake.base_url}/v2/dashboards", json=dashboard_request(**change))
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert error["code"] == "dashboard:invalid_request" and expected in error["message"], error


def test_invalid_panels_are_named_and_nothing_is_written(api: requests.Session, fake: FakeSumo) -> None:
    body = dashboard_request()
    body["panels"][0]["visualSettings"] = {"general": {}}
    r = api.post(f"{fake.base_url}/v2/dashboards", json=body)
    assert r.status_code == 400 and "panels[0].visualSettings" in r.json()["errors"][0]["message"]
    assert api.get(f"{fake.base_url}/v2/content/folders/personal").json()["children"] == []


def test_duplicate_titles_and_missing_folders_are_refused(api: requests.Session, fake: FakeSumo) -> None:
    assert api.post(f"{fake.base_url}/v2/dashboards", json=dashboard_request()).status_code == 200
    dup = api.post(f"{fake.base_url}/v2/dashboards", json=dashboard_request())
    assert dup.status_code == 400 and dup.json()["errors"][0]["code"] == "content:duplicate_content"
    lost = api.post(f"{fake.base_url}/v2/dashboards", json=dashboard_request("X", folderId="00000000DEADBEEF"))
    assert lost.status_code == 404


def test_put_can_move_and_rename_and_delete_removes(api: requests.Session, fake: FakeSumo) -> None:
    board = api.post(f"{fake.base_url}/v2/dashboards", json=dashboard_request()).json()
    folder = api.post(f"{fake.base_url}/v2/content/folders",
                      json={"name": "Apps", "parentId": personal_id(api, fake)}).json()
    moved = api.put(f"{fake.base_url}/v2/dashboards/{board['id']}",
                    json=dashboard_request("Ops v2", folderId=folder["id"])).json()
    assert (moved["contentId"], moved["folderId"]) == (board["contentId"], folder["id"])
    assert api.get(f"{fake.base_url}/v2/content/{board['contentId']}/path").json()["path"] == f"{ME}/Apps/Ops v2"
    r = api.delete(f"{fake.base_url}/v2/dashboards/{board['id']}")
    assert r.status_code == 204 and r.content == b""
    assert api.get(f"{fake.base_url}/v2/content/folders/{folder['id']}").json()["children"] == []
    assert api.delete(f"{fake.base_url}/v2/dashboards/{board['id']}").status_code == 404


def test_dashboards_list_pages_and_modes(api: requests.Session, fake: FakeSumo) -> None:
    for title in ("A", "B", "C"):
        api.post(f"{fake.base_url}/v2/dashboards", json=dashboard_request(title))
    first = api.get(f"{fake.base_url}/v2/dashboards", params={"limit": 2}).json()
    assert [d["title"] for d in first["dashboards"]] == ["A", "B"] and first["next"]
    rest = api.get(f"{fake.base_url}/v2/dashboards", params={"limit": 2, "token": first["next"]}).json()
    assert [d["title"] for d in rest["dashboards"]] == ["C"] and rest["next"] is None
    assert api.get(f"{fake.base_url}/v2/dashboards", params={"limit": 0}).status_code == 400
    assert api.get(f"{fake.base_url}/v2/dashboards", params={"mode": "everything"}).status_code == 400


# -- log searches ------------------------------------------------------------------------------------
def test_a_log_search_is_a_saved_search_in_the_library(api: requests.Session, fake: FakeSumo) -> None:
    parent = personal_id(api, fake)
    made = api.post(f"{fake.base_url}/v1/logSearches", json={**log_search_request(), "parentId": parent})
    assert made.status_code == 200, made.text
    search = made.json()
    assert search["parentId"] == parent and len(search["id"]) == 16 and search["createdAt"]
    assert search["timeRange"] == log_search_request()["timeRange"] and search["schedule"] is None
    exported = export(api, fake, search["id"])
    assert exported["type"] == "SavedSearchWithScheduleSyncDefinition"
    assert exported["search"]["queryText"] == "_sourceCategory=1pw | count"
    assert exported["search"]["defaultTimeRange"] == "-1d" and exported["description"] == "Every failed sign-in"
    listed = api.get(f"{fake.base_url}/v1/logSearches").json()
    assert [s["id"] for s in listed["logSearches"]] == [search["id"]] and listed["token"] is None


def test_an_imported_saved_search_updates_in_place(api: requests.Session, fake: FakeSumo) -> None:
    _, _, search_id = imported_app(api, fake)
    api.put(f"{fake.base_url}/v2/content/{search_id}/permissions/add", json=grant(search_id))
    search = api.get(f"{fake.base_url}/v1/logSearches/{search_id}").json()
    assert search["name"] == "1Password - Raw events" and search["timeRange"]["from"]["relativeTime"] == "-15m"
    body = {k: v for k, v in search.items()
            if k not in ("id", "parentId", "createdAt", "createdBy", "modifiedAt", "modifiedBy")}
    body["queryString"] = "_sourceCategory=1pw | count by action"
    updated = api.put(f"{fake.base_url}/v1/logSearches/{search_id}", json=body)
    assert updated.status_code == 200, updated.text
    assert updated.json()["id"] == search_id and updated.json()["modifiedAt"] > search["modifiedAt"]
    assert export(api, fake, search_id)["search"]["queryText"] == "_sourceCategory=1pw | count by action"
    assert api.get(f"{fake.base_url}/v2/content/{search_id}/permissions").json()["explicitPermissions"]


def test_log_search_errors_use_the_openapi_body(api: requests.Session, fake: FakeSumo) -> None:
    _, board_cid, _ = imported_app(api, fake)
    r = api.get(f"{fake.base_url}/v1/logSearches/{board_cid}")  # a dashboard is not a log search
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "logsearch:not_found"
    bad = api.post(f"{fake.base_url}/v1/logSearches", json=log_search_request(name="no/slash#", parsingMode="x"))
    messages = [e["message"] for e in bad.json()["errors"]]
    assert bad.status_code == 400 and [m.split(":")[0] for m in messages] == ["name", "parentId", "parsingMode"]
    r = api.delete(f"{fake.base_url}/v1/logSearches/00000000DEADBEEF")
    assert r.status_code == 404 and "id" in r.json()


def test_log_search_delete(api: requests.Session, fake: FakeSumo) -> None:
    _, _, search_id = imported_app(api, fake)
    assert api.delete(f"{fake.base_url}/v1/logSearches/{search_id}").status_code == 204
    assert api.get(f"{fake.base_url}/v2/content/{search_id}/path").status_code == 404


@pytest.mark.parametrize("text", ["-15m", "-1d -12h", "today", "-2w", "week",
                                  "2026-01-01T00:00:00Z to 2026-01-02T00:00:00Z"])
def test_time_range_strings_round_trip(text: str) -> None:
    assert range_text(range_object(text)) == text


# -- permissions ---------------------------------------------------------------------------------------
def test_permissions_add_remove_and_inherit(api: requests.Session, fake: FakeSumo) -> None:
    folder_id, board_cid, _ = imported_app(api, fake)
    url = f"{fake.base_url}/v2/content"
    added = api.put(f"{url}/{folder_id}/permissions/add", json=grant(folder_id, permission="Edit"))
    assert added.status_code == 200 and len(added.json()["explicitPermissions"]) == 1
    api.put(f"{url}/{folder_id}/permissions/add", json=grant(folder_id, permission="Edit"))  # idempotent
    assert len(api.get(f"{url}/{folder_id}/permissions").json()["explicitPermissions"]) == 1
    board = api.get(f"{url}/{board_cid}/permissions").json()
    assert board["explicitPermissions"] == []
    assert [p["permissionName"] for p in board["implicitPermissions"]] == ["Edit"]
    assert "implicitPermissions" not in api.get(f"{url}/{board_cid}/permissions",
                                                params={"explicitOnly": "true"}).json()
    renamed = api.put(f"{url}/folders/{folder_id}", json={"name": "Renamed", "description": "d"})
    assert renamed.status_code == 200
    assert len(api.get(f"{url}/{folder_id}/permissions").json()["explicitPermissions"]) == 1
    removed = api.put(f"{url}/{folder_id}/permissions/remove", json=grant(folder_id, permission="Edit"))
    assert removed.json()["explicitPermissions"] == []


def test_permission_requests_are_validated(api: requests.Session, fake: FakeSumo) -> None:
    _, board_cid, _ = imported_app(api, fake)
    url = f"{fake.base_url}/v2/content/{board_cid}/permissions/add"
    wrong = grant(board_cid, permission="Own")
    assert "permissionName" in api.put(url, json=wrong).json()["errors"][0]["message"]
    other = grant("0000000000000001")
    assert "not the content id" in api.put(url, json=other).json()["errors"][0]["message"]
    partial = copy.deepcopy(grant(board_cid))
    del partial["notifyRecipients"]
    r = api.put(url, json=partial)
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "content:invalid_permission_request"
    assert api.get(f"{fake.base_url}/v2/content/{board_cid}/permissions").json()["explicitPermissions"] == []


def test_admin_recommended_dashboards_are_listed_for_all_viewable_and_updatable(api: requests.Session,
                                                                               fake: FakeSumo) -> None:
    admin = fake.state.admin_recommended_id
    r = api.post(f"{fake.base_url}/v2/content/folders/{admin}/import", json=app_folder(),
                 headers={"isAdminMode": "true"})
    assert r.status_code == 200
    api.get(f"{fake.base_url}/v2/content/folders/{admin}/import/{r.json()['id']}/status")
    assert api.get(f"{fake.base_url}/v2/dashboards").json()["dashboards"] == []  # createdByUser: Personal only
    board = api.get(f"{fake.base_url}/v2/dashboards", params={"mode": "allViewableByUser"}).json()["dashboards"][0]
    body = dashboard_request("1Password - Overview", description="edited")
    updated = api.put(f"{fake.base_url}/v2/dashboards/{board['id']}", json=body)  # no isAdminMode in this API
    assert updated.status_code == 200 and updated.json()["folderId"] == board["folderId"]


def test_items_read_back_can_be_put_as_is(api: requests.Session, fake: FakeSumo) -> None:
    _, board_cid, search_id = imported_app(api, fake)
    before = (export(api, fake, board_cid), export(api, fake, search_id))
    board = dashboard_of(api, fake, board_cid)
    assert api.put(f"{fake.base_url}/v2/dashboards/{board['id']}", json=board).json() == board
    search = api.get(f"{fake.base_url}/v1/logSearches/{search_id}").json()
    again = api.put(f"{fake.base_url}/v1/logSearches/{search_id}", json=search).json()
    assert again == {**search, "modifiedAt": again["modifiedAt"]} and again["modifiedAt"] > search["modifiedAt"]
    assert (export(api, fake, board_cid), export(api, fake, search_id)) == before  # no-op writes change nothing
