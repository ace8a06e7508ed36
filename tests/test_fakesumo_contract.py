"""Sumo's OpenAPI spec as the fake executes it: the packaged trimmed copy, operation matching, discriminators,
null as absent, unknown properties, a 400 for a request and a 500 for a reply that breaks it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import requests
from reference import reference_path

from appbuilder.fakesumo import FakeSumo
from appbuilder.fakesumo.contract import check_response, contract, request_problems
from appbuilder.sumo.normalise import without_nulls

ROOT = Path(__file__).resolve().parents[1]
SPEC = reference_path("sumo-logic-openapi.yml")  # APPBUILDER_REFERENCE names another place
PACKAGED = ROOT / "appbuilder" / "fakesumo" / "spec" / "openapi.json"
IMPORT = "/v1/monitors/0000000000000001/import"


def monitor(**changes: Any) -> dict[str, Any]:
    body = {"type": "MonitorsLibraryMonitorExport", "name": "m", "monitorType": "Logs",
            "queries": [{"rowId": "A", "query": "_sourceCategory=x | count"}],
            "triggers": [{"detectionMethod": "LogsStaticCondition", "triggerType": "Critical", "timeRange": "-15m",
                          "threshold": 1, "thresholdType": "GreaterThan"}]}
    body.update(changes)
    return body


@pytest.mark.skipif(not SPEC.is_file(), reason="Sumo's OpenAPI spec (../shared/reference) is not available")
def test_the_packaged_copy_is_what_the_script_writes_from_the_spec() -> None:
    loader = importlib.util.spec_from_file_location("gen_spec_schemas", ROOT / "scripts" / "gen_spec_schemas.py")
    assert loader is not None and loader.loader is not None
    script = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(script)
    assert script.generate(SPEC) == PACKAGED.read_text(encoding="utf-8"), \
        "run: python3 scripts/gen_spec_schemas.py (a route of the fake or the spec changed)"


def test_requests_are_matched_to_spec_operations_by_method_and_template() -> None:
    spec = contract()
    found = spec.operation("GET", "/v1/monitors/root")
    assert found is not None and found.operation_id == "getMonitorsLibraryRoot"  # a literal beats {id}
    by_id = spec.operation("GET", "/v1/monitors/0000000000000ABC")
    assert by_id is not None and by_id.operation_id == "monitorsReadById"
    content = spec.operation("POST", "/v2/content/folders/ABC/import")
    assert content is not None and content.operation_id == "beginAsyncImport"
    assert spec.operation("GET", "/v1/collectors/12") is None  # the Collector API is not in the spec
    assert spec.operation("PATCH", "/v1/monitors/root") is None


def test_discriminators_pick_the_subtype_the_value_names_at_any_depth() -> None:
    folder = {"type": "MonitorsLibraryFolderExport", "name": "f", "children": [monitor()]}
    assert request_problems("POST", IMPORT, folder) == []
    folder["children"][0]["triggers"][0].pop("threshold")  # LogsStaticCondition requires it
    assert request_problems("POST", IMPORT, folder) == ["children[0].triggers[0].threshold: is required"]
    wrong = {**folder, "children": [{**monitor(), "type": "MonitorsLibraryMonitor"}]}
    assert request_problems("POST", IMPORT, wrong)[0].startswith(
        "children[0].type: 'MonitorsLibraryMonitor' is not one of")


def test_an_absent_discriminator_takes_the_spec_default() -> None:
    trigger = {"triggerType": "Critical", "timeRange": "-15m", "threshold": 1, "thresholdType": "GreaterThan"}
    problems = request_problems("POST", IMPORT, monitor(triggers=[trigger]))  # StaticCondition, the default
    assert problems == ["triggers[0].occurrenceType: is required", "triggers[0].triggerSource: is required"]


def test_null_is_absent_and_unknown_properties_are_ignored() -> None:
    assert without_nulls({"a": None, "b": [None, {"c": None}]}) == {"b": [None, {}]}
    assert request_problems("POST", IMPORT, monitor(description=None, alertName=None, surprise={"x": 1})) == []
    assert request_problems("POST", IMPORT, monitor(queries=None)) == ["queries: is required"]


def test_a_read_may_type_folder_children_as_the_base_response() -> None:
    spec = contract()
    op = spec.operation("GET", "/v1/monitors/root")
    assert op is not None
    schema = op.response_schema(200)
    assert schema is not None
    stamp = {"createdAt": "2026-01-01T00:00:00.000Z", "createdBy": "U", "modifiedAt": "2026-01-01T00:00:00.000Z",
             "modifiedBy": "U", "description": "", "version": 0, "isSystem": False, "isMutable": True}
    stub = {**stamp, "id": "2", "name": "m", "parentId": "1", "contentType": "Monitor",
            "type": "MonitorsLibraryBaseResponse"}
    root = {**stamp, "id": "1", "name": "Root", "parentId": "0", "contentType": "Folder",
            "type": "MonitorsLibraryFolderResponse", "permissions": [], "children": [stub]}
    assert spec.problems(schema, root) == []
    assert spec.problems(schema, {**root, "type": "MonitorsLibraryFolder"})[0].startswith("type: 'Monito")


def test_a_request_that_breaks_the_spec_gets_sumos_error_body(api: requests.Session, fake: FakeSumo) -> None:
    r = api.post(f"{fake.base_url}/v2/dashboards", json={"title": "no time range"})
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"id", "errors"}  # the spec's ErrorResponse
    assert body["errors"] == [{"code": "dashboard:invalid_request", "message": "timeRange: is required"}]
    personal = api.get(f"{fake.base_url}/v2/content/folders/personal").json()["id"]
    folder = api.post(f"{fake.base_url}/v2/content/folders", json={"name": "", "parentId": personal})
    assert folder.status_code == 400 and folder.json()["errors"] == [
        {"code": "content:invalid_folder", "message": "name: '' should be non-empty"}]


def test_a_reply_of_the_fake_that_breaks_the_spec_is_a_500(api: requests.Session, fake: FakeSumo) -> None:
    lib = fake.state.monitors
    node = lib.add("MonitorsLibraryMonitor", "broken", lib.root_id, "", {"monitorType": "Traces"})
    r = api.get(f"{fake.base_url}/v1/monitors/{node.id}")
    assert r.status_code == 500 and r.json()["errors"][0]["code"] == "fake.contract_violation"
    assert any("monitorType: 'Traces' does not match" in v for v in fake.violations), fake.violations


def test_the_search_job_api_is_held_to_the_spec_schemas_with_the_documented_overrides() -> None:
    spec = contract()
    ops = {key: spec.operation(*key.split(" ")) for key in (
        "POST /v1/search/jobs", "GET /v1/search/jobs/AB12", "DELETE /v1/search/jobs/AB12",
        "GET /v1/search/jobs/AB12/messages", "GET /v1/search/jobs/AB12/records")}
    assert {k: op.operation_id for k, op in ops.items() if op} == {
        "POST /v1/search/jobs": "createSearchJob", "GET /v1/search/jobs/AB12": "getSearchJobStatus",
        "DELETE /v1/search/jobs/AB12": "deleteSearchJob", "GET /v1/search/jobs/AB12/messages": "getSearchJobMessages",
        "GET /v1/search/jobs/AB12/records": "getSearchJobRecords"}
    create = {"query": "_sourceCategory=x", "from": "0", "to": "9"}
    assert request_problems("POST", "/v1/search/jobs", {**create, "timeZone": "UTC"}) == []
    assert request_problems("POST", "/v1/search/jobs", {**create, "timezone": "UTC"}) == ["timeZone: is required"]
    records = "/v1/search/jobs/AB12/records"
    page = {"warning": "", "fields": [{"name": "_count", "fieldType": "long", "keyField": False}],
            "records": [{"map": {"_count": "3"}}]}
    assert check_response("GET", records, 200, page) == []  # a documented records page has no "messages"
    assert check_response("GET", records, 200, {"warning": "", "fields": [], "messages": []}) == [
        "getSearchJobRecords 200: records: is required"]
    assert check_response("GET", "/v1/search/jobs/AB12", 200, {"state": "DONE GATHERING RESULTS",
                                                              "messageCount": "7"}) == [
        "getSearchJobStatus 200: messageCount: '7' is not of type 'integer'"]
    assert check_response("GET", "/v1/search/jobs/AB12", 404, {"status": 404, "code": "x", "message": "y"}) == []


def test_a_search_reply_that_breaks_the_spec_is_a_500_of_the_fake(fake: FakeSumo, api: requests.Session,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import appbuilder.fakesumo.search as search

    created = api.post(f"{fake.base_url}/v1/search/jobs", json={"query": "x", "from": "0", "to": "9",
                                                                 "timeZone": "UTC"})
    assert created.status_code == 202
    monkeypatch.setattr(search, "_fields", lambda columns: [{"name": c} for c in columns] or [{"name": "n"}])
    broken = api.get(f"{fake.base_url}/v1/search/jobs/{created.json()['id']}/records")
    assert broken.status_code == 500 and fake.violations == [
        "getSearchJobRecords 200: fields[0].fieldType: is required",
        "getSearchJobRecords 200: fields[0].keyField: is required"]
