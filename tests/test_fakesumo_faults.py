"""The fake Sumo's injected faults, request log, ``/__fake/`` control endpoints and ``serve``."""

from __future__ import annotations

import logging
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest
import requests

from appbuilder.commands.fake_sumo import run_forever, serve
from appbuilder.fakesumo import FakeSumo

FOLDER = {"type": "FolderSyncDefinition", "name": "App", "description": "", "children": []}




@pytest.mark.parametrize("fault,status", [("429", 429), ("500", 500), ("502", 502), ("503", 503)])
def test_status_faults_hit_the_next_matching_requests(
    api: requests.Session, fake: FakeSumo, fault: str, status: int
) -> None:
    fake.inject(fault, count=2, path="/v1/collectors", method="GET")
    assert api.get(f"{fake.base_url}/v2/content/folders/personal").status_code == 200  # path does not match
    assert api.post(f"{fake.base_url}/v1/collectors",
                    json={"collector": {"collectorType": "Hosted", "name": "c"}}).status_code == 200
    first, second, third = (api.get(f"{fake.base_url}/v1/collectors") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (status, status, 200)
    assert first.json()["status"] == status  # v1 flat shape
    if fault == "429":
        assert first.headers["Retry-After"] == "1"
    fake.inject(fault)
    assert "errors" in api.get(f"{fake.base_url}/v2/content/folders/personal").json()  # v2 shape


def test_slow_and_drop(api: requests.Session, fake: FakeSumo) -> None:
    fake.slow_seconds = 0.1
    fake.inject("slow")
    started = time.monotonic()
    assert api.get(f"{fake.base_url}/v1/collectors").status_code == 200
    assert time.monotonic() - started >= 0.1
    fake.inject("drop", path="collectors")
    with pytest.raises(requests.ConnectionError):
        api.get(f"{fake.base_url}/v1/collectors")
    assert api.get(f"{fake.base_url}/v1/collectors").status_code == 200
    assert [r.status for r in fake.requests] == [200, 0, 200]


def test_job_failed_fault_fails_the_next_job(api: requests.Session, fake: FakeSumo) -> None:
    folder_id = api.get(f"{fake.base_url}/v2/content/folders/personal").json()["id"]
    url = f"{fake.base_url}/v2/content/folders/{folder_id}/import"
    fake.inject("job_failed", path="/import")
    job = api.post(url, json=FOLDER).json()["id"]
    status = api.get(f"{url}/{job}/status").json()
    assert status["status"] == "Failed" and status["error"]["code"] and status["error"]["message"]
    assert api.get(f"{url}/{job}/result").json()["summary"]["failureCount"] == 1
    assert fake.state.items[folder_id].children == []
    job = api.post(url, json=FOLDER).json()["id"]
    assert api.get(f"{url}/{job}/status").json()["status"] == "Success"


def test_request_log_records_and_redacts(api: requests.Session, fake: FakeSumo) -> None:
    api.get(f"{fake.base_url}/v1/collectors", params={"filter": "hosted"})
    (record,) = fake.requests
    assert (record.method, record.path, record.query, record.status) == (
        "GET", "/api/v1/collectors", {"filter": "hosted"}, 200)
    assert record.finished >= record.started
    assert record.headers_redacted["Authorization"] == "Basic <redacted>"
    fake.reset_log()
    assert fake.requests == []


def test_a_request_is_logged_before_its_reply_leaves(api: requests.Session, fake: FakeSumo,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A client holding its reply finds its request in ``fake.requests``: nothing to wait for, no race with the
    thread that answered (a test reading the log right after a call once could miss the last request)."""
    from appbuilder.fakesumo import server

    logged_when_sent: list[list[str]] = []
    send = server._FakeSumoHandler._send

    def sending(handler: server._FakeSumoHandler, response: object) -> None:
        logged_when_sent.append([r.path for r in fake.requests])
        send(handler, response)  # type: ignore[arg-type]

    monkeypatch.setattr(server._FakeSumoHandler, "_send", sending)
    api.get(f"{fake.base_url}/v1/collectors")
    assert logged_when_sent == [["/api/v1/collectors"]]


def test_control_endpoints(api: requests.Session, fake: FakeSumo) -> None:
    control = f"{fake.url}/__fake"
    assert requests.get(f"{control}/health").json()["ok"] is True
    r = requests.post(f"{control}/faults", json={"fault": "503", "count": 1, "path": "/v1/"})
    assert r.status_code == 200 and r.json()["faults"][0]["fault"] == "503"
    assert requests.post(f"{control}/faults", json={"fault": "teapot"}).status_code == 400
    assert api.get(f"{fake.base_url}/v1/collectors").status_code == 503
    logged = requests.get(f"{control}/requests").json()["requests"]
    assert [(r["path"], r["status"]) for r in logged] == [("/api/v1/collectors", 503)]
    assert requests.post(f"{control}/config", json={"job_polls": 3}).json()["job_polls"] == 3
    assert fake.job_polls == 3
    folder_id = api.get(f"{fake.base_url}/v2/content/folders/personal").json()["id"]
    fake.job_polls = 0
    job = api.post(f"{fake.base_url}/v2/content/folders/{folder_id}/import", json=FOLDER).json()["id"]
    api.get(f"{fake.base_url}/v2/content/folders/{folder_id}/import/{job}/status")
    edit = requests.post(f"{control}/ui_edit",
                         json={"path": "/Library/Users/dev@example.com/App", "set": {"description": "x"}})
    assert edit.status_code == 200
    assert requests.get(f"{control}/state").json()["personal"]["children"][0]["description"] == "x"
    assert requests.post(f"{control}/reset").json() == {"ok": True}
    assert requests.get(f"{control}/state").json()["personal"]["children"] == []
    assert requests.get(f"{control}/requests").json() == {"requests": []}
    assert requests.get(f"{control}/nothing").status_code == 404


def test_config_refuses_settings_that_would_break_every_request(api: requests.Session, fake: FakeSumo) -> None:
    control = f"{fake.url}/__fake/config"
    before = requests.get(control).json()
    for bad in ({"rate_limit": 0}, {"rate_limit": "x"}, {"max_in_flight": 0}, {"job_polls": -1},
                {"latency": -1}, {"job_polls": 1.5}, {"rate_limit": True}):
        reply = requests.post(control, json=bad)
        assert reply.status_code == 400, bad
        assert next(iter(bad)) in reply.json()["errors"][0]["message"]
    assert requests.get(control).json() == before  # nothing was changed
    assert requests.post(control, json={"rate_limit": 2.5}).json()["rate_limit"] == 2.5
    assert requests.post(control, json={"rate_limit": None}).json()["rate_limit"] is None  # no limit
    assert api.get(f"{fake.base_url}/v1/collectors").status_code == 200


@pytest.mark.parametrize("option,value", [("--rate-limit", "0"), ("--rate-limit", "-1"), ("--rate-limit", "nan"),
                                          ("--job-polls", "-1"), ("--latency", "-0.5")])
def test_fake_sumo_cli_refuses_settings_the_fake_cannot_serve(option: str, value: str) -> None:
    from click.testing import CliRunner

    from appbuilder.cli import cli

    result = CliRunner().invoke(cli, ["fake-sumo", option, value])
    assert result.exit_code == 1 and f"Invalid value for '{option}': must be" in result.output, result.output
    assert "Traceback" not in result.output


def test_serve_and_run_forever() -> None:
    fake = serve(0, {"id": "key"}, rate_limit=None, job_polls=0)
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(fake, stop))
    thread.start()
    try:
        assert fake.base_url.startswith("http://127.0.0.1:") and fake.port > 0
        assert requests.get(f"{fake.base_url}/v1/collectors", auth=("id", "key")).status_code == 200
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{fake.base_url}/v1/collectors", auth=("id", "key"), timeout=2)



def test_a_client_hanging_up_is_not_reported_as_a_server_error(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    from appbuilder.fakesumo.server import _QuietServer

    server = _QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    try:
        with caplog.at_level(logging.DEBUG, logger="appbuilder.fakesumo"):
            try:
                raise BrokenPipeError(32, "Broken pipe")
            except BrokenPipeError:
                server.handle_error(None, ("127.0.0.1", 1))
            try:
                raise ValueError("a real bug")
            except ValueError:
                server.handle_error(None, ("127.0.0.1", 2))
    finally:
        server.server_close()
    assert "Traceback" not in capfd.readouterr().err
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info and errors[0].exc_info[0] is ValueError
