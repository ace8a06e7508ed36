"""The fake Sumo's HTTP Logs receiver and Search Job API: metadata, window, paging, cookies, errors, and bodies
held to the spec's component schemas by the fake's contract (with the documented overrides)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers import FAKE_AUTH

from appbuilder.fakesumo import FakeSumo
from appbuilder.fakesumo.ingest import Metadata
from appbuilder.query.evaluate import timestamp_ms

REPO = Path(__file__).resolve().parents[1]
T0 = 1_795_000_000_000  # 2026-11-18T...Z, epoch ms


def _event(n: int, **fields: Any) -> str:
    stamp = f"2026-11-18T{8 + n // 60:02d}:{n % 60:02d}:00Z"
    return json.dumps({"timestamp": stamp, "n": n, "client": {"ip_address": f"10.0.0.{n}"}, **fields})


@pytest.fixture
def session(fake: FakeSumo) -> requests.Session:
    with requests.Session() as s:
        s.auth = FAKE_AUTH
        yield s


def _create(session: requests.Session, fake: FakeSumo, query: str, start: int = 0, end: int = 2 * T0) -> str:
    reply = session.post(f"{fake.base_url}/v1/search/jobs", json={"query": query, "from": str(start),
                                                                  "to": str(end), "timeZone": "UTC"})
    assert reply.status_code == 202, reply.text
    return reply.json()["id"]


def test_receiver_ingests_one_message_per_line_with_the_metadata_headers(fake: FakeSumo) -> None:
    body = "\n".join(_event(n) for n in range(3)) + "\nplain text line\n\n"
    reply = requests.post(f"{fake.url}/receiver/v1/http/SOMETOKEN", data=body.encode(),
                          headers={"X-Sumo-Category": "prod/1pw", "X-Sumo-Name": "events", "X-Sumo-Host": "h1"})
    assert reply.status_code == 200
    assert len(fake.logs.messages) == 4
    first = fake.logs.messages[0]
    assert (first.meta.category, first.meta.name, first.meta.host) == ("prod/1pw", "events", "h1")
    assert first.message_time == timestamp_ms("2026-11-18T08:00:00Z")  # the event's own timestamp
    assert fake.logs.messages[3].event == {} and fake.logs.messages[3].message_time == \
        fake.logs.messages[3].receipt_time  # no timestamp: stamped on receipt
    too_big = requests.post(f"{fake.url}/receiver/v1/http/T", data=b"x" * ((1 << 20) + 1))
    assert too_big.status_code == 413
    assert requests.post(f"{fake.url}/receiver/v1/http/T", data=b"\xff\xfe").status_code == 400
    fake.reset()
    assert fake.logs.messages == [] and fake.search_jobs.created == 0


def test_search_job_lifecycle_and_spec_shapes(fake: FakeSumo, session: requests.Session) -> None:
    fake.job_polls = 2
    fake.logs.ingest([_event(n) for n in range(5)], Metadata("1pw", name="a"))
    fake.logs.ingest([_event(n) for n in range(3)], Metadata("other", name="b"))
    body = {"query": '_sourceCategory=1pw | json "n" | count by n', "from": "0", "to": str(2 * T0), "timeZone": "UTC"}
    reply = session.post(f"{fake.base_url}/v1/search/jobs", json=body)
    job = reply.json()["id"]
    states = []
    for _ in range(3):
        status = session.get(f"{fake.base_url}/v1/search/jobs/{job}").json()
        states.append(status["state"])
    assert states == ["GATHERING RESULTS", "DONE GATHERING RESULTS", "DONE GATHERING RESULTS"]
    assert status["recordCount"] == 5 and status["messageCount"] == 5
    page = session.get(f"{fake.base_url}/v1/search/jobs/{job}/records", params={"offset": 1, "limit": 2}).json()
    assert len(page["records"]) == 2 and all(isinstance(v, str) for r in page["records"] for v in r["map"].values())
    assert {f["name"] for f in page["fields"]} == {"n", "_count"}
    gone = session.delete(f"{fake.base_url}/v1/search/jobs/{job}")
    assert gone.status_code == 200 and gone.json()["id"] == gone.json()["jobId"] == job  # docs: id; spec: jobId
    assert fake.search_jobs.active() == []
    assert requests.get(f"{fake.url}/__fake/search_jobs").json() == {"active": [], "created": 1, "messages": 8}
    assert session.get(f"{fake.base_url}/v1/search/jobs/{job}").status_code == 404
    assert fake.violations == []  # every reply above held to the spec by the fake's contract


def test_messages_metadata_window_and_newest_first(fake: FakeSumo, session: requests.Session) -> None:
    fake.logs.ingest([_event(n) for n in range(5)], Metadata("1pw", name="a"))
    fake.logs.ingest([_event(n) for n in range(3)], Metadata("other", name="b"))
    start, end = 1_795_507_260_000 - 86_400_000 * 10, 1_795_507_260_000
    job = _create(session, fake, '_sourceCategory=1PW _sourceName=a | json "n" | where n >= 1', start, end)
    page = session.get(f"{fake.base_url}/v1/search/jobs/{job}/messages", params={"limit": 10}).json()
    maps = [m["map"] for m in page["messages"]]
    assert [m["n"] for m in maps] == ["4", "3", "2", "1"]
    assert {m["_sourcecategory"] for m in maps} == {"1pw"} and "_raw" in maps[0] and "_messagetime" in maps[0]
    assert session.get(f"{fake.base_url}/v1/search/jobs/{job}/records").json()["records"] == []
    either = _create(session, fake, "(_sourceCategory=other OR _sourceName=a) | count by _sourceCategory")
    rows = session.get(f"{fake.base_url}/v1/search/jobs/{either}/records").json()["records"]
    assert sorted((r["map"]["_sourcecategory"], r["map"]["_count"]) for r in rows) == [("1pw", "5"), ("other", "3")]
    outside = _create(session, fake, "_sourceCategory=1pw | count", 0, 1000)
    assert session.get(f"{fake.base_url}/v1/search/jobs/{outside}/records").json()["records"] == []  # no messages


def test_searches_run_on_the_local_query_engine_with_the_same_answers_on_duckdb(
        fake: FakeSumo, session: requests.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake searches with the engine `test` uses: Python for few messages, DuckDB (metadata as columns) for
    many; both give the same messages and records."""
    import appbuilder.query.engines.local as local_engine

    fake.logs.ingest([_event(n, user=f"u{n % 2}") for n in range(6)], Metadata("1pw", name="a", host="h1"))
    fake.logs.ingest([_event(n) for n in range(2)], Metadata("1pw", name="b"))
    queries = ['_sourceCategory=1pw | json "n" | where n >= 1',
               '_sourceCategory=1pw | json "user" nodrop | count by _sourceName, _sourceHost, user',
               '_sourceCategory=1pw | json "n" | timeslice 1h | count by _timeslice, _sourceName']
    answers = []
    for small in (local_engine.SMALL_INPUT, 0):  # 0: DuckDB even for these few messages
        monkeypatch.setattr(local_engine, "SMALL_INPUT", small)
        fake.logs._evaluators.clear()
        got = []
        for query in queries:
            job = _create(session, fake, query)
            got.append((session.get(f"{fake.base_url}/v1/search/jobs/{job}/messages", params={"limit": 100}
                                    ).json()["messages"],
                        session.get(f"{fake.base_url}/v1/search/jobs/{job}/records").json()["records"]))
        plans = {e.plan.split("\n")[0].split(" (")[0] for e in fake.logs._evaluators.values()}
        assert plans == ({"engine: python"} if small else {"engine: duckdb"})  # no fallback to Python
        answers.append(got)
    assert answers[0] == answers[1]
    assert [r["map"]["_sourcehost"] for r in answers[1][1][1]] == ["h1", "h1", Metadata("1pw").host]
    assert fake.violations == []


def test_jobs_belong_to_the_session_and_errors_are_clear(fake: FakeSumo, session: requests.Session) -> None:
    job = _create(session, fake, "_sourceCategory=x")
    with requests.Session() as other:
        other.auth = FAKE_AUTH
        lost = other.get(f"{fake.base_url}/v1/search/jobs/{job}")
    assert lost.status_code == 404 and lost.json()["code"] == "searchjob.jobid.invalid"  # no session cookie
    bad = session.post(f"{fake.base_url}/v1/search/jobs", json={"query": "x | count by", "from": "0", "to": "9",
                                                                "timeZone": "UTC"})
    assert bad.status_code == 400 and bad.json()["code"] == "searchjob.query.invalid"
    backwards = session.post(f"{fake.base_url}/v1/search/jobs", json={"query": "x", "from": "9", "to": "1",
                                                                      "timeZone": "UTC"})
    assert backwards.status_code == 400
    iso = session.post(f"{fake.base_url}/v1/search/jobs", json={"query": "x", "from": "2026-11-18T00:00:00",
                                                                "to": "2026-11-18T01:00:00", "timeZone": "UTC"})
    assert iso.status_code == 202
    for body, problem in (({"query": "x", "from": "0", "to": "9"}, "timeZone: is required"),
                          ({"query": "x", "from": "0", "to": "9", "timezone": "UTC"}, "timeZone: is required"),
                          ({"query": "x", "from": "2026-11-18T00:00:00.000000", "to": "9", "timeZone": "UTC"},
                           "from: '2026-11-18T00:00:00.000000' is too long"),
                          ({"query": "x", "from": 0, "to": "9", "timeZone": "UTC"}, "from: 0 is not of type 'string'"),
                          ({"query": " ", "from": "0", "to": "9", "timeZone": "UTC"}, "must not be empty")):
        refused = session.post(f"{fake.base_url}/v1/search/jobs", json=body)
        assert refused.status_code == 400 and set(refused.json()) == {"status", "id", "code", "message"}
        assert problem in refused.json()["message"], refused.json()  # the documented flat error shape
    assert session.get(f"{fake.base_url}/v1/search/jobs/{job}/messages", params={"limit": 10001}).status_code == 400


def test_a_query_the_evaluator_cannot_run_ends_cancelled_with_the_reason(fake: FakeSumo,
                                                                         session: requests.Session) -> None:
    fake.logs.ingest([_event(1)], Metadata("1pw"))
    job = _create(session, fake, "_sourceCategory=1pw | timeslice 1h | unknownop x")
    status = session.get(f"{fake.base_url}/v1/search/jobs/{job}").json()
    assert status["state"] == "CANCELLED" and status["pendingErrors"]


def test_fake_sumo_cli_preloads_events_and_lookups(tmp_path: Path) -> None:
    from appbuilder.commands.fake_sumo import preload

    events = tmp_path / "e.jsonl"
    events.write_text(_event(1) + "\n" + _event(2) + "\n")
    broken = tmp_path / "lookups"
    broken.mkdir()
    (broken / "geo.jsonl").write_text("{not json\n")
    with FakeSumo(keys={"a": "b"}) as fake:
        assert preload(fake, [events], "1pw", None) is None
        assert [m.meta.category for m in fake.logs.messages] == ["1pw", "1pw"]
        problem = preload(fake, [], "1pw", broken)
        assert problem is not None and "geo.jsonl:1" in problem
        assert "cannot read" in (preload(fake, [tmp_path / "missing.jsonl"], "1pw", None) or "")


def test_fake_sumo_command_preloads_what_its_options_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import cli_run

    import appbuilder.commands.fake_sumo as command

    held: list[tuple[int, str]] = []

    def run_once(fake: FakeSumo) -> None:  # instead of serving until Ctrl-C
        held.append((len(fake.logs.messages), fake.logs.messages[0].meta.category))
        fake.stop()

    monkeypatch.setattr(command, "run_forever", run_once)
    events = tmp_path / "e.jsonl"
    events.write_text(_event(1) + "\n" + _event(2) + "\n")
    lookups = REPO / "app_definitions" / "1password" / "tests" / "lookups"
    code, out = cli_run("fake-sumo", "--events", str(events), "--category", "1pw", "--lookups", str(lookups))
    assert code == 0 and held == [(2, "1pw")]
    assert "holding 2 messages in _sourceCategory=1pw" in out and "/receiver/v1/http/TOKEN" in out
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "geo.jsonl").write_text("[1]\n")
    code, out = cli_run("fake-sumo", "--lookups", str(tmp_path / "bad"))
    assert code == 1 and "geo.jsonl:1" in out
