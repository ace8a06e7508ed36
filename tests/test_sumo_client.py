"""The Sumo client against the fake Sumo: auth, rate budget, retries, timeouts, admin mode, redaction."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import logged

from appbuilder.fakesumo.virtual import VirtualSumo
from appbuilder.sumo.client import SumoClient
from appbuilder.sumo.endpoints import resolve_credentials
from appbuilder.sumo.errors import SumoApiError
from appbuilder.sumo.jobs import JobProgress

try:
    from appbuilder.fakesumo import FakeSumo
except ImportError:  # the package may not re-export it yet
    from appbuilder.fakesumo.server import FakeSumo

ACCESS_ID, ACCESS_KEY = "suAccessId", "accessKeySecret"
PERSONAL = "/v2/content/folders/personal"


def make_client(fake: FakeSumo, key: str = ACCESS_KEY, **options: object) -> SumoClient:
    settings: dict[str, object] = {
        "rate": 1000.0, "backoff_base": 0.01, "backoff_cap": 0.05, "job_poll_initial": 0.01,
        "job_poll_cap": 0.05, "timeout": 5.0,
    }
    settings.update(options)
    creds = resolve_credentials(ACCESS_ID, key, base_url=fake.base_url, env={})
    return SumoClient(creds, **settings)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server() -> Iterator[FakeSumo]:
    with FakeSumo(keys={ACCESS_ID: ACCESS_KEY}, rate_limit=1000.0, max_in_flight=10, job_polls=2) as fake:
        yield fake


@pytest.fixture
def fake(server: FakeSumo) -> FakeSumo:
    server.reset()
    server.slow_seconds = 2.0
    return server


@pytest.fixture
def client(fake: FakeSumo) -> Iterator[SumoClient]:
    with make_client(fake) as c:
        yield c


def test_a_call_works(client: SumoClient) -> None:
    folder = client.get(PERSONAL)
    assert folder["itemType"] == "Folder" and folder["id"]
    assert client.stats.calls == 1 and client.stats.reads == 1


def test_auth_failure_names_the_deployment_url_and_hides_the_key(fake: FakeSumo) -> None:
    with make_client(fake, key="wrongKeyValue") as bad, pytest.raises(SumoApiError) as info:
        bad.get(PERSONAL)
    err = info.value
    assert err.status == 401 and err.code == "unauthorized" and err.request_id
    text = str(err)
    assert fake.base_url in text and "deployment" in text
    assert f"GET {PERSONAL}" in text
    assert "wrongKeyValue" not in text


def test_unknown_route_is_a_clear_404(client: SumoClient) -> None:
    with pytest.raises(SumoApiError) as info:
        client.get("/v2/content/folders/0000000000000BAD")
    assert info.value.is_not_found and "not exist" in info.value.hint


def test_real_time_rate_budget_holds_at_four_per_second() -> None:
    """The one real-time rate test: six concurrent calls at Sumo's 4 requests/s, never throttled."""
    with FakeSumo(keys={ACCESS_ID: ACCESS_KEY}, rate_limit=4.0, max_in_flight=10) as fake, \
            make_client(fake, rate=4.0) as client, ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: client.get(PERSONAL), range(6)))
        records = logged(fake, 6 + client.stats.throttled)
    assert len(results) == 6 and sum(1 for r in records if r.status == 200) == 6
    # The client sends at most 4 per second; on a busy machine scheduling jitter can still bunch two arrivals
    # at the server into one window, which costs at most one retried 429, never a burst of them.
    assert client.stats.peak_per_second <= 4
    assert client.stats.throttled <= 1
    starts = sorted(r.started for r in records if r.status == 200)
    assert starts[-1] - starts[0] >= 5 / 4.0 - 0.05


def test_rate_budget_on_a_virtual_clock(virtual_sumo: VirtualSumo) -> None:
    with virtual_sumo.client() as client:
        for _ in range(20):
            client.get(PERSONAL)
    records = logged(virtual_sumo.fake, 20)
    assert [r.status for r in records] == [200] * 20
    starts = [r.started for r in records]
    assert all(b - a >= 0.25 for a, b in zip(starts, starts[1:], strict=False))  # 1.05 / 4 apart
    assert 19 * 0.25 <= virtual_sumo.clock.slept < 19 * 0.27


def test_server_429s_from_an_overeager_client_are_absorbed(virtual_sumo: VirtualSumo) -> None:
    lines: list[str] = []
    with virtual_sumo.client(rate=50.0, progress=lines.append) as client:
        results = [client.get(PERSONAL) for _ in range(10)]
    records = logged(virtual_sumo.fake, 10 + client.stats.throttled)
    assert len(results) == 10 and client.stats.throttled >= 2
    assert sum(1 for r in records if r.status == 200) == 10
    accepted = sorted(r.started for r in records if r.status == 200)
    for i, first in enumerate(accepted):
        assert sum(1 for t in accepted[i:] if t < first + 1.0) <= 4
    assert len(lines) == client.stats.throttled and lines[0].startswith("429 from Sumo (GET ")


def test_in_flight_cap_is_respected_with_slow_responses() -> None:
    with FakeSumo(keys={ACCESS_ID: ACCESS_KEY}, rate_limit=None, max_in_flight=3, latency=0.05) as fake, \
            make_client(fake, max_in_flight=3) as client, ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: client.get(PERSONAL), range(9)))
        assert all(r.status == 200 for r in logged(fake, 9))
    assert client.budget.peak_in_flight <= 3


def test_429_burst_is_retried_honouring_retry_after(virtual_sumo: VirtualSumo) -> None:
    fake, lines = virtual_sumo.fake, []
    fake.inject("429", count=2)
    with virtual_sumo.client(progress=lines.append) as client:
        assert client.get(PERSONAL)["itemType"] == "Folder"
    records = logged(fake, 3)
    assert [r.status for r in records] == [429, 429, 200]
    gaps = [b.started - a.finished for a, b in zip(records, records[1:], strict=False)]
    assert min(gaps) >= 1.0  # Retry-After: 1, on the shared clock
    assert client.stats.throttled == 2 and client.stats.retries == 2
    assert lines == [f"429 from Sumo (GET {PERSONAL}), waiting 1.0 s as asked (throttled 1 s of at most 120 s)",
                     f"429 from Sumo (GET {PERSONAL}), waiting 1.0 s as asked (throttled 2 s of at most 120 s)"]


def test_a_429_streak_longer_than_the_attempts_is_waited_out(virtual_sumo: VirtualSumo) -> None:
    virtual_sumo.fake.inject("429", count=8)
    with virtual_sumo.client(max_attempts=2) as client:
        assert client.get(PERSONAL)["itemType"] == "Folder"
    assert client.stats.throttled == 8 and virtual_sumo.clock.slept >= 8.0


@pytest.mark.parametrize("fault", ["500", "502", "503", "drop"])
def test_server_errors_and_dropped_connections_are_retried(fault: str, fake: FakeSumo,
                                                           client: SumoClient) -> None:
    fake.inject(fault, count=2)
    assert client.get(PERSONAL)["itemType"] == "Folder"
    records = logged(fake, 3)
    assert [r.status for r in records][-1] == 200
    assert len(records) == 3 and client.stats.retries == 2


def test_writes_are_retried_too(fake: FakeSumo, client: SumoClient) -> None:
    parent = client.get(PERSONAL)["id"]
    fake.inject("503", method="POST")
    created = client.post("/v2/content/folders", {"name": "Retried", "description": "", "parentId": parent})
    assert created["name"] == "Retried"
    assert client.stats.writes == 2


def test_exhausted_retries_give_a_clear_error(fake: FakeSumo) -> None:
    fake.inject("503", count=10)
    with make_client(fake, max_attempts=3) as client, pytest.raises(SumoApiError) as info:
        client.get(PERSONAL)
    err = info.value
    assert err.status == 503 and err.attempts == 3
    assert "after 3 attempts" in str(err) and "server error" in err.hint
    assert len(logged(fake, 3)) == 3


def test_exhausted_429_mentions_the_rate_limit(virtual_sumo: VirtualSumo) -> None:
    virtual_sumo.fake.inject("429", count=10)
    with virtual_sumo.client(throttle_budget=2.5) as client, pytest.raises(SumoApiError) as info:
        client.get(PERSONAL)
    assert info.value.status == 429 and "rate limit" in info.value.hint
    assert client.stats.throttled == 3  # waited 1 s twice; a third wait would pass the budget


def test_exhausted_connection_errors(fake: FakeSumo) -> None:
    fake.inject("drop", count=10)
    with make_client(fake, max_attempts=2) as client, pytest.raises(SumoApiError) as info:
        client.get(PERSONAL)
    assert info.value.status is None and info.value.code == "connection.error"
    assert fake.base_url in info.value.hint


def test_every_request_has_a_timeout(fake: FakeSumo) -> None:
    fake.slow_seconds = 1.0  # far beyond the timeout, so a busy machine cannot read the reply in time anyway
    fake.inject("slow")
    with make_client(fake, timeout=0.1) as client:
        assert client.get(PERSONAL)["itemType"] == "Folder"
        assert client.stats.retries == 1


def test_admin_mode_header(fake: FakeSumo) -> None:
    with make_client(fake, admin_mode=True) as admin:
        admin.get(PERSONAL)
        admin.get(PERSONAL, admin=False)
    headers = [{k.lower(): v for k, v in r.headers_redacted.items()} for r in logged(fake, 2)]
    assert headers[0].get("isadminmode") == "true"
    assert "isadminmode" not in headers[1]


def test_debug_log_redacts_keys_and_tokens(fake: FakeSumo, client: SumoClient,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="appbuilder.sumo")
    collector = client.post("/v1/collectors", {"collector": {"collectorType": "Hosted", "name": "c"}})
    cid = collector["collector"]["id"]
    source = {"sourceType": "Universal", "schemaRef": {"type": "1Password"},
              "config": {"name": "1pw", "base_url": "events.1password.com", "supported_apis": ["sign-in"],
                         "api_token": "ops_supersecrettokenvalue"}}
    client.post(f"/v1/collectors/{cid}/sources", {"source": source})
    with pytest.raises(SumoApiError):
        client.post(f"/v1/collectors/{cid}/sources", {"source": source})  # duplicate name
    text = caplog.text
    assert f"POST {fake.base_url}/v1/collectors -> 200" in text
    assert "ops_supersecrettokenvalue" not in text and ACCESS_KEY not in text
    assert "********" in text


def test_error_messages_are_redacted(client: SumoClient) -> None:
    client.redactor.add("ops_echoedtokenvalue")
    err = client._error("POST", "/v1/collectors/1/sources", 400,
                        '{"status":400,"code":"bad","message":"token ops_echoedtokenvalue rejected"}', {}, 1)
    assert "ops_echoedtokenvalue" not in str(err) and "********" in str(err)


def test_redirect_hint_names_the_right_base_url(client: SumoClient) -> None:
    err = client._error("GET", "/v1/collectors", 301, '{"status":301,"code":"moved","message":"moved"}',
                        {"Location": "https://api.us2.sumologic.com/api/v1/collectors"}, 1)
    assert "https://api.us2.sumologic.com/api" in err.hint


def test_wait_for_job_reports_progress(fake: FakeSumo, client: SumoClient) -> None:
    job = client.get("/v2/content/folders/global", admin=True)
    seen = []
    status = client.wait_for_job(f"/v2/content/folders/global/{job['id']}/status", admin=True,
                                 progress=seen.append)
    assert status["status"] == "Success" and seen[-1].status == "Success" and seen[-1].polls >= 1


def test_job_polls_and_retries_are_reported_as_progress_lines(virtual_sumo: VirtualSumo) -> None:
    fake, lines = virtual_sumo.fake, []
    fake.job_polls = 3
    with virtual_sumo.client(progress=lines.append, job_poll_initial=1.0, job_poll_cap=2.0) as client:
        folder = client.get(PERSONAL)["id"]
        fake.inject("503", path="/status")
        job = client.post(f"/v2/content/folders/{folder}/import",
                          {"type": "FolderSyncDefinition", "name": "App", "description": "", "children": []})
        status = client.wait_for_job(f"/v2/content/folders/{folder}/import/{job['id']}/status")
    assert status["status"] == "Success"
    retry, *polls = lines
    assert re.fullmatch(r"503 from Sumo \(GET /v2/content/folders/\w+/import/\w+/status\), "
                        r"retrying in \d\.\d s \(attempt 2/6\)", retry), retry
    assert len(polls) == 3 and all(re.fullmatch(r"import job running, \d+ s", p) for p in polls), polls
    seconds = [int(p.split(", ")[1][:-2]) for p in polls]
    assert seconds == sorted(seconds) and seconds[-1] >= 2  # polls 1 s, then 1.5 s apart on the shared clock


def test_dropped_connections_are_reported(fake: FakeSumo) -> None:
    lines: list[str] = []
    fake.inject("drop")
    with make_client(fake, progress=lines.append) as client:
        client.get(PERSONAL)
    assert len(lines) == 1
    assert lines[0].startswith(f"no reply from Sumo: ConnectionError (GET {PERSONAL}), retrying in ")


@pytest.mark.parametrize("fault", ["drop", "500", "503"])
def test_a_create_that_must_not_run_twice_is_not_replayed(fault: str, fake: FakeSumo) -> None:
    fake.inject(fault, method="POST")
    with make_client(fake) as client, pytest.raises(SumoApiError) as info:
        client.post("/v1/collectors", {"collector": {"collectorType": "Hosted", "name": "c"}}, replay=False)
    assert info.value.outcome_unknown and info.value.attempts == 1
    assert [r.method for r in logged(fake, 1)] == ["POST"]


def test_a_create_is_still_retried_after_a_429(virtual_sumo: VirtualSumo) -> None:
    virtual_sumo.fake.inject("429", method="POST")
    with virtual_sumo.client() as client:
        made = client.post("/v1/collectors", {"collector": {"collectorType": "Hosted", "name": "c"}}, replay=False)
    assert made["collector"]["name"] == "c" and client.stats.throttled == 1
    assert len(virtual_sumo.fake.state.collectors) == 1


def test_a_job_callback_of_the_caller_replaces_the_poll_lines(virtual_sumo: VirtualSumo) -> None:
    lines: list[str] = []
    polls: list[JobProgress] = []
    with virtual_sumo.client(progress=lines.append) as client:
        job = client.get("/v2/content/folders/global", admin=True)
        client.wait_for_job(f"/v2/content/folders/global/{job['id']}/status", admin=True, progress=polls.append)
    assert lines == [] and [p.status for p in polls] == ["InProgress", "InProgress", "Success"]


def test_polls_of_a_started_job_never_give_up_on_429(virtual_sumo: VirtualSumo) -> None:
    lines: list[str] = []
    with virtual_sumo.client(progress=lines.append, throttle_budget=1.5) as client:
        folder = client.get(PERSONAL)["id"]
        job = client.post(f"/v2/content/folders/{folder}/import",
                          {"type": "FolderSyncDefinition", "name": "App", "description": "", "children": []})
        virtual_sumo.fake.inject("429", count=6, path="/status")
        status = client.wait_for_job(f"/v2/content/folders/{folder}/import/{job['id']}/status")
    assert status["status"] == "Success" and client.stats.throttled == 6
    assert sum("import job started; its status is still rate limited, polling on" == line for line in lines) == 3
