"""The fake Sumo's Collector API v1: hosted collectors, the 1Password C2C source, ETag/If-Match."""

from __future__ import annotations

from typing import Any

import requests

from appbuilder.fakesumo import FakeSumo

TOKEN = "ops_eyJhbGciOiJFUzI1NiIsImtpZCI6InNlY3JldCJ9"




def source_body(name: str = "1Password", **config: Any) -> dict[str, Any]:
    cfg = {"name": name, "category": "1pw", "base_url": "events.1password.com", "api_token": TOKEN,
           "supported_apis": ["itemUsage", "sign-in"], "fields": {"_siemForward": False}}
    cfg.update(config)
    return {"source": {"sourceType": "Universal", "schemaRef": {"type": "1Password"}, "config": cfg}}


def make_collector(api: requests.Session, fake: FakeSumo, name: str = "1Password") -> dict[str, Any]:
    r = api.post(f"{fake.base_url}/v1/collectors",
                 json={"collector": {"collectorType": "Hosted", "name": name, "category": "1pw"}})
    assert r.status_code == 200, r.text
    return dict(r.json()["collector"])


def test_collector_create_list_get_and_duplicates(api: requests.Session, fake: FakeSumo) -> None:
    base = f"{fake.base_url}/v1/collectors"
    collector = make_collector(api, fake)
    assert collector["collectorType"] == "Hosted" and isinstance(collector["id"], int)
    assert collector["links"] == [{"rel": "sources", "href": f"/v1/collectors/{collector['id']}/sources"}]
    listed = api.get(base, params={"filter": "hosted", "limit": 10, "offset": 0}).json()["collectors"]
    assert [c["name"] for c in listed] == ["1Password"]
    assert api.get(base, params={"filter": "installed"}).json() == {"collectors": []}
    one = api.get(f"{base}/{collector['id']}")
    assert one.json()["collector"] == collector
    assert one.headers["ETag"].startswith('"') and one.headers["ETag"].endswith('"')
    by_name = api.get(f"{base}/name/1Password")
    assert by_name.status_code == 200 and by_name.json()["collector"]["id"] == collector["id"]
    assert api.get(f"{base}/name/Other").status_code == 404
    dup = api.post(base, json={"collector": {"collectorType": "Hosted", "name": "1Password"}})
    assert dup.status_code == 400
    assert dup.json()["code"] == "DuplicateResourceName" and dup.json()["status"] == 400
    installable = api.post(base, json={"collector": {"collectorType": "Installable", "name": "x"}})
    assert installable.status_code == 400 and installable.json()["code"] == "InvalidCollectorType"
    assert api.get(f"{base}/999").json()["status"] == 404
    assert api.delete(f"{base}/{collector['id']}").status_code == 200
    assert api.get(f"{base}/{collector['id']}").status_code == 404


def test_collector_put_needs_if_match(api: requests.Session, fake: FakeSumo) -> None:
    collector = make_collector(api, fake)
    url = f"{fake.base_url}/v1/collectors/{collector['id']}"
    etag = api.get(url).headers["ETag"]
    changed = {**collector, "description": "now described"}
    missing = api.put(url, json={"collector": changed})
    assert missing.status_code == 403 and missing.json()["status"] == 403
    ok = api.put(url, json={"collector": changed}, headers={"If-Match": etag})
    assert ok.status_code == 200 and ok.json()["collector"]["description"] == "now described"
    assert ok.headers["ETag"] != etag
    stale = api.put(url, json={"collector": changed}, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["status"] == 412


def test_source_create_masks_token_and_validates(api: requests.Session, fake: FakeSumo) -> None:
    collector = make_collector(api, fake)
    url = f"{fake.base_url}/v1/collectors/{collector['id']}/sources"
    created = api.post(url, json=source_body())
    assert created.status_code == 200, created.text
    assert TOKEN not in created.text
    source = created.json()["source"]
    assert source["config"]["api_token"] == "********" and source["sourceType"] == "Universal"
    got = api.get(f"{url}/{source['id']}")
    assert TOKEN not in got.text and got.headers["ETag"]
    assert got.json()["source"]["config"]["name"] == "1Password"
    assert TOKEN not in api.get(url).text and len(api.get(url).json()["sources"]) == 1
    assert fake.state.sources[source["id"]].data["config"]["api_token"] == TOKEN
    assert all(TOKEN not in str(r.headers_redacted) for r in fake.requests)

    dup = api.post(url, json=source_body())
    assert dup.status_code == 400 and dup.json()["code"] == "DuplicateResourceName"
    bad_api = api.post(url, json=source_body("x", supported_apis=["auditEvents"]))
    assert bad_api.status_code == 400 and "supported_apis" in bad_api.json()["message"]
    no_token = api.post(url, json=source_body("y", api_token=""))
    assert no_token.status_code == 400 and "api_token" in no_token.json()["message"]
    no_type = source_body("z")
    del no_type["source"]["sourceType"]
    assert api.post(url, json=no_type).json()["code"] == "EmptySourceType"


def test_source_put_if_match_and_token_handling(api: requests.Session, fake: FakeSumo) -> None:
    collector = make_collector(api, fake)
    url = f"{fake.base_url}/v1/collectors/{collector['id']}/sources"
    source = api.post(url, json=source_body()).json()["source"]
    got = api.get(f"{url}/{source['id']}")
    etag = got.headers["ETag"]
    body = {"source": {**got.json()["source"], "config": {**got.json()["source"]["config"], "category": "new"}}}
    assert api.put(f"{url}/{source['id']}", json=body).status_code == 403
    no_id = {"source": {k: v for k, v in body["source"].items() if k != "id"}}
    assert api.put(f"{url}/{source['id']}", json=no_id, headers={"If-Match": etag}).status_code == 400
    ok = api.put(f"{url}/{source['id']}", json=body, headers={"If-Match": etag})
    assert ok.status_code == 200 and ok.json()["source"]["config"]["category"] == "new"
    assert fake.state.sources[source["id"]].data["config"]["api_token"] == TOKEN  # "********" kept it
    assert api.put(f"{url}/{source['id']}", json=body, headers={"If-Match": etag}).status_code == 412


def test_c2c_source_delete_shows_stopping_once_then_gone(api: requests.Session, fake: FakeSumo) -> None:
    collector = make_collector(api, fake)
    url = f"{fake.base_url}/v1/collectors/{collector['id']}/sources"
    source = api.post(url, json=source_body()).json()["source"]
    assert source["state"]["state"] == "Collecting"
    deleted = api.delete(f"{url}/{source['id']}")
    assert deleted.status_code == 200 and deleted.content == b""
    assert api.get(f"{url}/{source['id']}").json()["source"]["state"]["state"] == "Stopping"
    assert api.get(f"{url}/{source['id']}").status_code == 404
    assert api.get(url).json() == {"sources": []}
