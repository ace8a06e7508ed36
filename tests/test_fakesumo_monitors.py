"""The fake Sumo's monitors library: folders and monitors, update in place with versions, paths, search,
export/import, validation of monitor bodies."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests

from appbuilder.fakesumo import FakeSumo
from appbuilder.fakesumo.monitors import MONITOR_FIELDS


def log_monitor(name: str = "Risky sign-ins", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name, "description": "Sign-ins from risky countries", "type": "MonitorsLibraryMonitor",
        "monitorType": "Logs",
        "queries": [{"rowId": "A", "query": "_sourceCategory=1pw category=success | count"}],
        "triggers": [
            {"detectionMethod": "LogsStaticCondition", "triggerType": "Critical", "timeRange": "-15m",
             "threshold": 0, "thresholdType": "GreaterThan"},
            {"detectionMethod": "LogsStaticCondition", "triggerType": "ResolvedCritical", "timeRange": "-15m",
             "threshold": 0, "thresholdType": "LessThanOrEqual"},
        ],
        "notifications": [{"notification": {"connectionType": "Email", "recipients": ["sec@example.com"],
                                            "subject": "{{TriggerType}}: {{Name}}"},
                           "runForTriggerTypes": ["Critical", "ResolvedCritical"]}],
        "evaluationDelay": "5m", "isDisabled": False,
    }
    body.update(changes)
    return body


def folder(name: str = "1Password") -> dict[str, Any]:
    return {"name": name, "description": "app monitors", "type": "MonitorsLibraryFolder"}


def update(body: dict[str, Any], version: int) -> dict[str, Any]:
    """``body`` as the update type of its kind (``MonitorsLibraryMonitorUpdate`` / ``…FolderUpdate``)."""
    kind = "Folder" if body["type"].startswith("MonitorsLibraryFolder") else "Monitor"
    return {**body, "type": f"MonitorsLibrary{kind}Update", "version": version}


@pytest.fixture
def monitors(fake: FakeSumo) -> str:
    return f"{fake.base_url}/v1/monitors"


def create(api: requests.Session, url: str, parent: str, body: dict[str, Any]) -> dict[str, Any]:
    r = api.post(url, params={"parentId": parent}, json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def tree(api: requests.Session, url: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    root = api.get(f"{url}/root").json()["id"]
    made_folder = create(api, url, root, folder())
    return root, made_folder, create(api, url, made_folder["id"], log_monitor())


def test_create_a_folder_and_a_monitor_and_find_them(api: requests.Session, monitors: str) -> None:
    root, made_folder, monitor = tree(api, monitors)
    assert made_folder["contentType"] == "Folder" and made_folder["parentId"] == root
    assert monitor["contentType"] == "Monitor" and monitor["version"] == 0 and len(monitor["id"]) == 16
    assert monitor["status"] == ["Normal"] and monitor["groupNotifications"] is True  # a server default
    assert monitor["queries"] == log_monitor()["queries"] and monitor["evaluationDelay"] == "5m"
    assert (made_folder["type"], monitor["type"]) == ("MonitorsLibraryFolderResponse", "MonitorsLibraryMonitorResponse")
    listed = api.get(f"{monitors}/root").json()["children"]
    stub = ("1Password", [], "MonitorsLibraryBaseResponse")
    assert [(c["name"], c["permissions"], c["type"]) for c in listed] == [stub]
    children = api.get(f"{monitors}/{made_folder['id']}").json()["children"]
    assert [c["id"] for c in children] == [monitor["id"]]
    assert "queries" not in children[0] and "triggers" not in children[0]  # a listing holds stubs
    found = api.get(f"{monitors}/path", params={"path": "/Monitors/1Password/Risky sign-ins"})
    assert found.status_code == 200 and found.json()["id"] == monitor["id"]
    path = api.get(f"{monitors}/{monitor['id']}/path").json()
    assert path["path"] == "/Monitors/1Password/Risky sign-ins"
    assert [p["name"] for p in path["pathItems"]] == ["1Password", "Risky sign-ins"]
    missing = api.get(f"{monitors}/path", params={"path": "/Monitors/1Password/Nope"})
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "monitor:not_found"
    many = api.get(monitors, params={"ids": f"{made_folder['id']},{monitor['id']}"}).json()
    assert set(many) == {made_folder["id"], monitor["id"]}
    assert many[monitor["id"]]["queries"] == monitor["queries"]  # the bulk read gives whole bodies


def test_update_in_place_keeps_the_id_and_checks_the_version(api: requests.Session, monitors: str) -> None:
    _, _, monitor = tree(api, monitors)
    body = update(log_monitor(), 0)
    body["triggers"][0]["threshold"] = 5
    as_created = api.put(f"{monitors}/{monitor['id']}", json={**body, "type": "MonitorsLibraryMonitor"})
    assert as_created.status_code == 400 and "MonitorsLibraryMonitorUpdate" in as_created.json()["errors"][0]["message"]
    updated = api.put(f"{monitors}/{monitor['id']}", json=body)
    assert updated.status_code == 200, updated.text
    assert updated.json()["id"] == monitor["id"] and updated.json()["version"] == 1
    assert updated.json()["triggers"][0]["threshold"] == 5
    stale = api.put(f"{monitors}/{monitor['id']}", json=body)  # version 0 again
    assert stale.status_code == 409 and "version" in stale.json()["errors"][0]["message"]
    retyped = api.put(f"{monitors}/{monitor['id']}", json=update(folder(), 1))
    assert retyped.status_code == 400 and "cannot become" in retyped.json()["errors"][0]["message"]


def test_a_monitor_fully_replaced_by_put(api: requests.Session, monitors: str) -> None:
    _, _, monitor = tree(api, monitors)
    body = update(log_monitor(), 0)
    del body["notifications"]
    updated = api.put(f"{monitors}/{monitor['id']}", json=body).json()
    assert updated["notifications"] == []  # all configuration is overwritten, as the spec warns


def test_delete_move_and_duplicate_names(api: requests.Session, monitors: str) -> None:
    root, made_folder, monitor = tree(api, monitors)
    dup = api.post(monitors, params={"parentId": made_folder["id"]}, json=log_monitor())
    assert dup.status_code == 400 and dup.json()["errors"][0]["code"] == "monitor:duplicate_name"
    other = create(api, monitors, root, folder("Other"))
    moved = api.post(f"{monitors}/{monitor['id']}/move", params={"parentId": other["id"]})
    assert moved.status_code == 200 and moved.json()["parentId"] == other["id"]
    assert api.post(f"{monitors}/{other['id']}/move", params={"parentId": other["id"]}).status_code == 400
    assert api.delete(f"{monitors}/{made_folder['id']}").status_code == 204
    assert api.delete(f"{monitors}/{other['id']}").status_code == 204  # with the monitor inside
    assert api.get(f"{monitors}/{monitor['id']}").status_code == 404
    assert api.delete(f"{monitors}/{root}").status_code == 400
    assert api.get(f"{monitors}/root").json()["children"] == []


def test_search_by_words_and_filters(api: requests.Session, monitors: str) -> None:
    root, made_folder, monitor = tree(api, monitors)
    create(api, monitors, made_folder["id"], log_monitor("Vault access", isDisabled=True))
    def names(query: str) -> list[str]:
        r = api.get(f"{monitors}/search", params={"query": query})
        assert r.status_code == 200, r.text
        return [hit["item"]["name"] for hit in r.json()]
    assert names("risky") == ["Risky sign-ins"]
    assert names("type:monitor") == ["Risky sign-ins", "Vault access"]
    assert names("type:folder") == ["1Password"]
    assert names("monitorStatus:Disabled") == ["Vault access"]
    hit = api.get(f"{monitors}/search", params={"query": "sign-ins"}).json()[0]
    assert hit["path"] == "/Monitors/1Password/Risky sign-ins" and hit["item"]["id"] == monitor["id"]
    assert api.get(f"{monitors}/search", params={"query": "owner:me"}).status_code == 400


def test_export_then_import_copies_the_subtree_with_new_ids(api: requests.Session, monitors: str) -> None:
    root, made_folder, monitor = tree(api, monitors)
    exported = api.get(f"{monitors}/{made_folder['id']}/export").json()
    assert exported["type"] == "MonitorsLibraryFolderExport" and exported["children"][0]["name"] == "Risky sign-ins"
    assert exported["children"][0]["type"] == "MonitorsLibraryMonitorExport" and "id" not in exported["children"][0]
    as_created = {**exported, "type": "MonitorsLibraryFolder"}
    refused = api.post(f"{monitors}/{root}/import", json=as_created)  # an import takes the export types
    assert refused.status_code == 400 and "MonitorsLibraryFolderExport" in refused.json()["errors"][0]["message"]
    target = create(api, monitors, root, folder("Backup"))
    imported = api.post(f"{monitors}/{target['id']}/import", json=exported)
    assert imported.status_code == 200, imported.text
    copy_of = api.get(f"{monitors}/path", params={"path": "/Monitors/Backup/1Password/Risky sign-ins"}).json()
    assert copy_of["id"] != monitor["id"] and copy_of["triggers"] == monitor["triggers"]
    assert [(c["name"], c["id"]) for c in imported.json()["children"]] == [("Risky sign-ins", copy_of["id"])]
    bulk = api.delete(monitors, params={"ids": imported.json()["id"]})  # a folder goes with what it holds
    assert bulk.status_code == 200 and api.get(f"{monitors}/{copy_of['id']}").status_code == 404


def test_the_abstract_base_types_are_refused(api: requests.Session, monitors: str) -> None:
    """Create, import and update each take a concrete subtype: the abstract base of each is a 400."""
    root, made_folder, monitor = tree(api, monitors)
    made = api.post(monitors, params={"parentId": root}, json={**folder("Other"), "type": "MonitorsLibraryBase"})
    imported = api.post(f"{monitors}/{root}/import", json={
        **folder("Imported"), "type": "MonitorsLibraryFolderExport",
        "children": [{**log_monitor(), "type": "MonitorsLibraryBaseExport"}]})
    updated = api.put(f"{monitors}/{monitor['id']}", json={**update(log_monitor(), monitor["version"]),
                                                           "type": "MonitorsLibraryBaseUpdate"})
    for reply, wanted in ((made, "MonitorsLibraryFolder"), (imported, "MonitorsLibraryMonitorExport"),
                          (updated, "MonitorsLibraryMonitorUpdate")):
        assert reply.status_code == 400 and wanted in reply.json()["errors"][0]["message"], reply.text
    assert [c["name"] for c in api.get(f"{monitors}/root").json()["children"]] == [made_folder["name"]]


def test_ui_edit_of_a_monitor_bumps_its_version(api: requests.Session, fake: FakeSumo, monitors: str) -> None:
    _, _, monitor = tree(api, monitors)
    fake.ui_edit("/Monitors/1Password/Risky sign-ins", lambda m: m.update(isDisabled=True))
    edited = api.get(f"{monitors}/{monitor['id']}").json()
    assert edited["isDisabled"] is True and edited["version"] == 1 and edited["status"] == ["Disabled"]
    state = requests.get(f"{fake.url}/__fake/state").json()["monitors"]
    assert state["children"][0]["children"][0]["isDisabled"] is True


def _broken(change: Any) -> dict[str, Any]:
    body = log_monitor()
    change(body)
    return body


INVALID = {
    "no queries": (lambda b: b.pop("queries"), "queries: is required"),
    "two log queries": (lambda b: b["queries"].append({"rowId": "B", "query": "x"}), "exactly one query"),
    "bad monitorType": (lambda b: b.update(monitorType="Traces"), "monitorType: 'Traces' does not match"),
    "logs method in a metrics monitor": (lambda b: b.update(monitorType="Metrics"),
                                         "LogsStaticCondition is not valid for a Metrics monitor"),
    "duplicate rows": (lambda b: b.update(monitorType="Metrics", queries=[{"rowId": "A", "query": q} for q in "xy"]),
                       "each rowId must be unique"),
    "no threshold": (lambda b: b["triggers"][0].pop("threshold"), "triggers[0].threshold: is required"),
    "bad time range": (lambda b: b["triggers"][0].update(timeRange="fifteen"), "triggers[0].timeRange"),
    "no resolution": (lambda b: b["triggers"].pop(), "needs a ResolvedCritical trigger"),
    "email without recipients": (lambda b: b["notifications"][0]["notification"].pop("recipients"),
                                 "notification.recipients: is required"),
    "webhook without id": (lambda b: b["notifications"][0].update(notification={"connectionType": "Webhook"}),
                           "notifications[0].notification.connectionId: is required"),
    "notify a missing trigger": (lambda b: b["notifications"][0].update(runForTriggerTypes=["Warning"]),
                                 "'Warning' is not a trigger type"),
    "legacy condition": (lambda b: b["triggers"][0].update(detectionMethod="StaticCondition"),
                         "triggers[0].occurrenceType: is required"),
    "export type in a create": (lambda b: b.update(type="MonitorsLibraryMonitorExport"),
                                "type: 'MonitorsLibraryMonitorExport' is not one of"),
    "bad delay": (lambda b: b.update(evaluationDelay="soon"), "evaluationDelay"),
    "no type": (lambda b: b.pop("type"), "type: is required"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_monitors_are_refused(api: requests.Session, monitors: str, case: str) -> None:
    change, expected = INVALID[case]
    root = api.get(f"{monitors}/root").json()["id"]
    r = api.post(monitors, params={"parentId": root}, json=_broken(change))
    assert r.status_code == 400
    messages = [e["message"] for e in r.json()["errors"]]
    assert any(expected in m for m in messages), messages
    assert api.get(f"{monitors}/root").json()["children"] == []


def test_a_missing_data_trigger_needs_no_threshold(api: requests.Session, monitors: str) -> None:
    body = log_monitor()
    body["triggers"] += [
        {"detectionMethod": "LogsMissingDataCondition", "triggerType": "MissingData", "timeRange": "30m"},
        {"detectionMethod": "LogsMissingDataCondition", "triggerType": "ResolvedMissingData", "timeRange": "30m"}]
    root = api.get(f"{monitors}/root").json()["id"]
    assert create(api, monitors, root, copy.deepcopy(body))["triggers"][2]["triggerType"] == "MissingData"


def test_a_monitor_read_back_can_be_put_as_is(api: requests.Session, fake: FakeSumo, monitors: str) -> None:
    _, _, monitor = tree(api, monitors)
    read = api.get(f"{monitors}/{monitor['id']}").json()
    read["description"] = "edited"
    assert api.put(f"{monitors}/{monitor['id']}", json=read).status_code == 400  # a read type is no update
    updated = api.put(f"{monitors}/{monitor['id']}", json=update(read, read["version"]))  # the rest is ignored
    assert updated.status_code == 200, updated.text
    again = api.get(f"{monitors}/{monitor['id']}").json()
    assert again["description"] == "edited" and again["version"] == 1
    assert again["modifiedAt"] > read["modifiedAt"] and again["status"] == ["Normal"]
    assert set(again) == set(read) and again["queries"] == read["queries"]
    assert set(fake.state.monitors.nodes[monitor["id"]].body) <= set(MONITOR_FIELDS)
