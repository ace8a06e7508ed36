"""Monitors API bodies → monitors/*.yaml: the inverse of build.monitors, exact or left out with a reason."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from appbuilder.build import build_app
from appbuilder.export.monitors import NotModelled, export_monitors
from appbuilder.export.source import source_data
from appbuilder.kinds.monitor_body import normalise_monitor, with_marker
from appbuilder.load.app import load_app

APP = Path(__file__).resolve().parent.parent / "app_definitions" / "1password"
VALUES = {"alert_recipients": "a@example.com", "alert_connection_id": "00000000000000AB"}


@pytest.fixture(scope="module")
def built() -> Any:
    app = load_app(APP)[0]
    assert app is not None
    return build_app(app, VALUES)


def installed(built: Any) -> list[dict[str, Any]]:
    """The monitor bodies as install writes them (install markers with their file stems)."""
    keys = built.monitors["keys"]
    return [with_marker(copy.deepcopy(m), key=k) for m, k in zip(built.monitors["monitors"], keys, strict=True)]


def test_every_1password_monitor_comes_back_with_its_file_name(built: Any) -> None:
    found = export_monitors(installed(built))
    assert found.left_out == []
    assert [d.path for d in found.documents] == [f"monitors/{k}.yaml" for k in built.monitors["keys"]]
    assert [p["name"] for p in found.parameters] == ["alert_recipients", "alert_connection_id"]
    assert found.values == VALUES and all(p["default"] == "" for p in found.parameters)
    mfa = next(d.data for d in found.documents if d.path.endswith("mfa_changes.yaml"))
    assert mfa["triggers"] == {"critical": {"threshold": 5, "comparison": "GreaterThan", "timeRange": "-15m",
                                            "field": "changes"}}
    assert [n.get("email", n.get("connection")) for n in mfa["notifications"]][1] == {
        "type": "Webhook", "id": "${alert_connection_id}"}
    assert "installed by appbuilder" not in str([d.data for d in found.documents])


def test_without_markers_stems_come_from_the_names_and_distinct_destinations_get_their_own_parameter(
        built: Any) -> None:
    bodies = copy.deepcopy(built.monitors["monitors"][:2])
    bodies[1]["notifications"][0]["notification"]["recipients"] = ["b@example.com"]
    found = export_monitors(bodies)
    assert [d.path for d in found.documents] == ["monitors/privileged_vault_and_group_access_control_changes.yaml",
                                                 "monitors/login_exceeds_set_parameters.yaml"]
    assert found.values == {"alert_recipients": "a@example.com", "alert_connection_id": "00000000000000AB",
                            "alert_recipients_2": "b@example.com"}
    assert found.documents[1].data["notifications"][0]["email"]["recipients"] == "${alert_recipients_2}"


@pytest.mark.parametrize(("change", "reason"), [
    (lambda b: b["queries"].append({"rowId": "B", "query": "x"}), "not a log monitor with one query"),
    (lambda b: b.update(monitorType="Metrics"), "not a log monitor with one query"),
    (lambda b: b["triggers"][1].update(thresholdType="GreaterThan"), "resolution is not the opposite"),
    (lambda b: b["triggers"].pop(), "resolution is not the opposite"),
    (lambda b: b["notifications"][0]["notification"].update(timeZone="Europe/Paris"), "not in Etc/UTC"),
    (lambda b: b["notifications"][0].update(runForTriggerTypes=["Critical"]), "levels and their resolutions"),
])
def test_a_monitor_the_yaml_cannot_describe_is_left_out_and_named(built: Any, change: Any, reason: str) -> None:
    body = copy.deepcopy(built.monitors["monitors"][0])
    change(body)
    found = export_monitors([body])
    assert found.documents == [] and len(found.left_out) == 1
    assert found.left_out[0].startswith(f"monitor {body['name']!r}: ") and reason in found.left_out[0]


def test_a_recorded_key_that_is_not_a_file_name_is_not_used(built: Any) -> None:
    body = with_marker(copy.deepcopy(built.monitors["monitors"][0]), key="../../etc/x")
    assert export_monitors([body]).documents[0].path == \
        "monitors/monitor_1password_privileged_vault_and_group_access_control_changes.yaml"  # from the name


def test_the_exported_monitor_builds_the_body_it_came_from(built: Any, tmp_path: Path) -> None:
    from appbuilder.build.monitors import build_monitor
    from appbuilder.model import Monitor, MonitorNotification, MonitorTrigger

    body = built.monitors["monitors"][3]
    data = export_monitors([body]).documents[0].data
    trigger = data["triggers"]["critical"]
    notes = [MonitorNotification("email", n["levels"], recipients=n["email"]["recipients"],
                                 subject=n["email"]["subject"], message=n["email"]["message"])
             if "email" in n else MonitorNotification(n["connection"]["type"], n["levels"],
                                                      connection_id=n["connection"]["id"])
             for n in data["notifications"]]
    monitor = Monitor("m", data["name"], data["query"], None,  # type: ignore[arg-type]
                      [MonitorTrigger("Critical", trigger["timeRange"], trigger["threshold"], trigger["comparison"],
                                      trigger.get("field"))], data.get("description", ""), notes,
                      group_notifications=data.get("groupNotifications", True))
    assert normalise_monitor(build_monitor(monitor, VALUES)) == normalise_monitor(body)


def test_a_source_of_another_kind_is_not_modelled() -> None:
    with pytest.raises(NotModelled, match="Cloud-to-Cloud"):
        source_data({"name": "c"}, {"sourceType": "HTTP", "name": "s"}, None)
    data = source_data({"name": "C", "fields": {}}, {"sourceType": "Universal", "schemaRef": {"type": "1Password"},
                                                    "config": {"name": "S", "category": "x/1pw",
                                                               "base_url": "events.1password.eu",
                                                               "supported_apis": ["sign-in"]}}, "x/1pw")
    assert data == {"collector": {"name": "C"}, "source": {"name": "S", "type": "1Password",
                                                           "category": "${source_category}",
                                                           "baseUrl": "events.1password.eu", "apis": ["sign-in"],
                                                           "tokenEnv": "ONEPASSWORD_EVENTS_TOKEN"}}
