"""The bundled 1Password app against events the samples' counts do not pin down: results that must not depend
on `json` dropping events that lack a key, audit events without their optional actor and object fields, and
the two monitors whose counting a review corrected (MFA changes per user; every success category)."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import pytest
from test_app_definition import audits, loaded, sample_events

from appbuilder.commands.sample_runner import SampleRunner
from appbuilder.load.samples import SampleData, evaluator_lookups
from appbuilder.parameters import resolve
from appbuilder.query.evaluate import Evaluator

AUDIT_PARSE = '"actor_uuid"'  # the key every query that reads audit events parses


@cache
def runner() -> SampleRunner:
    return SampleRunner(loaded(), {}, {})


def runner_over(events: list[dict[str, Any]]) -> SampleRunner:
    data = SampleData(events=events, raw=[json.dumps(e, separators=(",", ":")) for e in events],
                      lookups=runner().samples.lookups)
    return SampleRunner(loaded(), {}, {}, samples=data)


def rows(run: SampleRunner, target: str, variables: dict[str, str] | None = None) -> list[dict[str, Any]]:
    table, error, _ = run.run(target, run.targets()[target], variables or {})
    assert table is not None, f"{target}: {error}"
    return table.rows


def total(result: list[dict[str, Any]]) -> int:
    """Events a result stands for: the sum of its count column, else its number of rows."""
    counts = [c for c in ("_count", "frequency", "changes") if result and c in result[0]]
    return sum(int(r[counts[0]]) for r in result) if counts else len(result)


def targets() -> list[str]:
    return sorted(t for t, spec in runner().targets().items() if spec[0])


@pytest.mark.parametrize("target", targets())
def test_no_result_depends_on_json_dropping_events_that_lack_a_key(target: str) -> None:
    """Sumo does not document whether `json` without nodrop drops an event lacking a key; every panel, saved
    search and monitor gives the same rows either way (each event kind is selected on a key of its own)."""
    keeping = runner_over(list(sample_events()))
    samples = keeping.samples
    keeping.evaluator = Evaluator(samples.events, evaluator_lookups(samples.lookups), samples.raw,
                                  json_keeps_missing=True)
    assert rows(keeping, target) == rows(runner(), target)


def test_failed_sign_in_search_counts_no_audit_event_or_item_usage_when_json_keeps_them() -> None:
    keeping = runner_over(list(sample_events()))
    samples = keeping.samples
    keeping.evaluator = Evaluator(samples.events, evaluator_lookups(samples.lookups), samples.raw,
                                  json_keeps_missing=True)
    found = rows(keeping, "query:failed_signin")
    assert found and all(r["category"] and r["target_user_name"] for r in found)


def _stripped(event: dict[str, Any], index: int) -> dict[str, Any]:
    """An audit event without one of its optional actor/object fields (in turn), others unchanged."""
    if "actor_uuid" not in event:
        return event
    event = copy.deepcopy(event)
    which = index % 4
    if which == 0:
        event.pop("actor_details", None)
    elif which == 1:
        event.get("actor_details", {}).pop("name", None)
    elif which == 2:
        event.get("actor_details", {}).pop("email", None)
    else:
        event.pop("object_uuid", None)
    return event


@pytest.mark.parametrize("target", [t for t in targets() if AUDIT_PARSE in runner().targets()[t][0]])
def test_audit_queries_count_events_without_actor_name_email_or_object_uuid(target: str) -> None:
    stripped = runner_over([_stripped(e, i) for i, e in enumerate(sample_events())])
    assert total(rows(stripped, target)) == total(rows(runner(), target)) > 0


def test_every_audit_query_is_checked() -> None:
    audit_targets = [t for t in targets() if AUDIT_PARSE in runner().targets()[t][0]]
    # Audit Security (11 panels), Overview's audit panel, Recent Access Activities and the five audit monitors
    assert len(audit_targets) == 18
    assert any("actor_details" not in e for e in audits())


def _audit(minute: int, user: int, action: str = "enblmfa") -> dict[str, Any]:
    uuid = f"USER{user:022d}"
    person = {"uuid": uuid, "name": f"User {user}", "email": f"user{user}@example.com"}
    return {"uuid": f"EV{minute:03d}{user:021d}", "timestamp": f"2026-11-23T10:{minute:02d}:00Z",
            "actor_uuid": uuid, "actor_details": person, "action": action, "object_type": "user",
            "object_uuid": uuid, "object_details": person,
            "session": {"uuid": "S", "login_time": "2026-11-23T10:00:00Z", "device_uuid": "d", "ip": "192.0.2.10"}}


def _fires(events: list[dict[str, Any]], stem: str) -> bool:
    run = runner_over(events)
    monitor = run.monitors[f"monitor:{stem}"]
    table, error, _ = run.run(f"monitor:{stem}", run.targets()[f"monitor:{stem}"], {})
    assert table is not None, error
    return any(v.fires for v in run.verdicts(monitor, table, {}))


def test_mfa_monitor_counts_per_user() -> None:
    six_users_once = [_audit(minute, user) for user, minute in enumerate(range(1, 13, 2))]
    one_user_six_times = [_audit(minute, 3) for minute in range(1, 13, 2)]
    assert not _fires(six_users_once, "mfa_changes")  # an org-wide count (6 > 5) would fire
    assert _fires(one_user_six_times, "mfa_changes")
    assert not _fires(one_user_six_times[:5], "mfa_changes")


def _signin(minute: int, category: str, city: str) -> dict[str, Any]:
    return {"uuid": f"SI{minute:024d}", "session_uuid": "S", "timestamp": f"2026-11-23T10:{minute:02d}:00Z",
            "category": category, "type": "credentials_ok", "country": "GB", "details": None,
            "target_user": {"uuid": "U", "name": "Oliver Hughes", "email": "oliver.hughes@example.com"},
            "client": {"app_name": "a", "app_version": "1", "platform_name": "p", "platform_version": "1",
                       "os_name": "o", "os_version": "1", "ip_address": "192.0.2.40"},
            "location": {"country": "X", "region": "Y", "city": city, "latitude": 1.0, "longitude": 2.0}}


def test_login_monitor_counts_firewall_reported_successes() -> None:
    assert _fires([_signin(1, "success", "London"), _signin(20, "firewall_reported_success", "Paris")],
                  "login_from_multiple_locations")
    assert not _fires([_signin(1, "success", "London"), _signin(20, "credentials_failed", "Paris")],
                      "login_from_multiple_locations")


@pytest.mark.parametrize("host", ["events.1password.com", "events.ent.1password.com", "events.1password.ca",
                                  "events.1password.eu"])
def test_every_region_installs_with_the_events_region_parameter(host: str) -> None:
    from appbuilder.build import build_app

    app = loaded()
    assert resolve(app, {"events_region": host}).diagnostics == []
    assert build_app(app, {"events_region": host}).source["source"]["config"]["base_url"] == host


def test_a_host_of_no_region_is_refused() -> None:
    problems = resolve(loaded(), {"events_region": "events.1password.de"}).diagnostics
    assert [p.code for p in problems] == ["parameter-value"]
    assert loaded().source.base_url == "${events_region}"
    assert next(p for p in loaded().parameters if p.name == "events_region").default == "events.1password.com"
