"""Log monitors offline: schema, the rules monitors need, the Monitors API body, and whether they would fire."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from appbuilder.build import build_app
from appbuilder.commands.monitor_verdict import check_fires, monitor_verdicts
from appbuilder.commands.test import CaseResult, run_app_tests
from appbuilder.commands.test import TestRunResult as RunResult
from appbuilder.model import Monitor, MonitorTrigger, Position, TextOrigin
from appbuilder.query.evaluate import Table
from appbuilder.report import render
from appbuilder.validate import validate_app

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
MONITOR = """# yaml-language-server: $schema=../../../appbuilder/schemas/monitor.schema.json
name: Minimal - Failed sign-ins
description: Failed sign-ins.
evaluationDelay: 5m
query: |-
  _sourceCategory=${source_category}
  | json "category" as category
  | where category = "credentials_failed"
  | count by category
triggers:
  critical: {threshold: 0, timeRange: -15m}
  warning: {threshold: 5, comparison: GreaterThanOrEqual, timeRange: -1h, field: _count}
  missingData: {timeRange: -24h}
notifications:
  - levels: [Critical, Warning]
    email: {recipients: "${alert_recipients}", subject: "{{TriggerType}}", message: Look.}
  - levels: [MissingData]
    connection: {type: Slack, id: "${alert_connection}"}
"""


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURE, target)
    (target / "monitors").mkdir()
    write_monitor(target, MONITOR)
    manifest = target / "app.yaml"
    manifest.write_text(manifest.read_text().replace("samples:", "monitors:\n  - monitors/failed.yaml\nsamples:")
                        .replace("parameters:\n", "parameters:\n  - name: alert_recipients\n    default: \"\"\n"
                                 "  - name: alert_connection\n    default: \"\"\n"))
    return target


def write_monitor(app: Path, text: str) -> Path:
    path = app / "monitors" / "failed.yaml"
    path.write_text(text)
    return path


def errors(app: Path) -> list[str]:
    return [f"{d.position.line}:{d.code}:{d.message}" for d in validate_app(app).errors]


def test_a_valid_monitor_loads(app: Path) -> None:
    result = validate_app(app)
    assert result.ok, result.diagnostics
    assert result.app is not None
    (monitor,) = result.app.monitors
    assert monitor.slug == "failed" and monitor.evaluation_delay == "5m"
    assert [(t.level, t.comparison, t.threshold) for t in monitor.triggers] == [
        ("Critical", "GreaterThan", 0), ("Warning", "GreaterThanOrEqual", 5), ("MissingData", "GreaterThan", 0)]


@pytest.mark.parametrize(("change", "expected"), [
    (("timeRange: -15m}", "timeRange: -10m}"), "monitor-window"),
    (('| count by category', '| count by category\n  | compare with timeshift 1d'), "monitor-forbidden-operator"),
    (('| count by category', '| logreduce'), "monitor-forbidden-operator"),
    (('| count by category', '| count by category\n  | save /Library/Users/me/x'), "monitor-forbidden-operator"),
    (('| where category = "credentials_failed"', '| where _receiptTime > 0'), "monitor-receipt-time"),
    (('= "credentials_failed"', 'matches "{{category}}"'), "undeclared-variable"),
    (("${alert_recipients}", "${alert_email}"), "unknown-parameter"),
])
def test_rules_monitors_need(app: Path, change: tuple[str, str], expected: str) -> None:
    write_monitor(app, MONITOR.replace(*change))
    found = errors(app)
    assert any(f":{expected}:" in e for e in found), found
    assert all("failed.yaml" in d.position.file for d in validate_app(app).errors if d.code == expected)


def test_window_error_points_at_the_trigger(app: Path) -> None:
    write_monitor(app, MONITOR.replace("timeRange: -15m}", "timeRange: -5m}"))
    (window,) = [e for e in errors(app) if ":monitor-window:" in e]
    line = MONITOR.splitlines().index("  critical: {threshold: 0, timeRange: -15m}") + 1
    assert window.startswith(f"{line}:") and "at least 15 minutes" in window


@pytest.mark.parametrize("text", [
    MONITOR.replace('recipients: "${alert_recipients}"', 'recipients: "soc@example.com"'),
    MONITOR.replace('id: "${alert_connection}"', 'id: "0000000000ABCDEF"'),
    MONITOR + "byReceiptTime: true\n",
    MONITOR.split("triggers:")[0] + "triggers: {}\n",
], ids=["literal-address", "literal-connection-id", "receipt-time", "no-trigger"])
def test_schema_keeps_addresses_out_and_needs_a_trigger(app: Path, text: str) -> None:
    write_monitor(app, text)
    assert any(":schema:" in e for e in errors(app)), errors(app)


def test_duplicate_monitor_names(app: Path) -> None:
    shutil.copy(app / "monitors" / "failed.yaml", app / "monitors" / "again.yaml")
    manifest = app / "app.yaml"
    manifest.write_text(manifest.read_text().replace("  - monitors/failed.yaml\n",
                                                     "  - monitors/failed.yaml\n  - monitors/again.yaml\n"))
    (duplicate,) = [d for d in validate_app(app).errors if d.code == "duplicate-name"]
    assert duplicate.position.file.endswith("again.yaml") and "failed.yaml" in duplicate.message


def test_build_to_the_monitors_api(app: Path) -> None:
    result = validate_app(app)
    assert result.app is not None
    built = build_app(result.app, {"alert_recipients": "a@example.com,b@example.com", "alert_connection": "00AB"})
    assert built.monitors is not None
    assert built.monitors["folder"] == {"type": "MonitorsLibraryFolderExport", "name": "Minimal mini",
                                        "description": "A tiny app used by the tests."}
    (body,) = built.monitors["monitors"]
    assert body["type"] == "MonitorsLibraryMonitorExport"
    assert body["monitorType"] == "Logs" and body["evaluationDelay"] == "5m" and not body["isDisabled"]
    assert body["queries"] == [{"rowId": "A", "query": '_sourceCategory=mini\n| json "category" as category\n'
                                '| where category = "credentials_failed"\n| count by category'}]
    triggers = {t["triggerType"]: t for t in body["triggers"]}
    assert triggers["Critical"]["thresholdType"] == "GreaterThan"
    assert triggers["ResolvedCritical"]["thresholdType"] == "LessThanOrEqual"
    assert triggers["ResolvedWarning"] == {**triggers["Warning"], "triggerType": "ResolvedWarning",
                                           "thresholdType": "LessThan"}
    assert triggers["MissingData"]["detectionMethod"] == "LogsMissingDataCondition"
    email, slack = body["notifications"]
    assert email["notification"]["recipients"] == ["a@example.com", "b@example.com"]
    assert email["runForTriggerTypes"] == ["Critical", "ResolvedCritical", "Warning", "ResolvedWarning"]
    assert slack == {"notification": {"connectionType": "Slack", "connectionId": "00AB"},
                     "runForTriggerTypes": ["MissingData", "ResolvedMissingData"]}
    assert built.manifest["monitors"] == ["Minimal - Failed sign-ins"]
    assert build_app(result.app).monitors["monitors"][0]["notifications"] == []  # type: ignore[index]
    assert build_app(result.app).manifest == build_app(result.app).manifest  # deterministic


def _monitor(*triggers: MonitorTrigger) -> Monitor:
    return Monitor("m", "m", "x", TextOrigin(Position("m.yaml")), list(triggers))


def test_verdicts_on_rows_fields_and_missing_data() -> None:
    rows = Table(["user", "locations"], [{"user": "a", "locations": 1}, {"user": "b", "locations": 3}])
    by_rows = _monitor(MonitorTrigger("Critical", "-15m", 2))
    assert [v.fires for v in monitor_verdicts(by_rows, rows)] == [False]
    by_field = _monitor(MonitorTrigger("Critical", "-1h", 1, field="locations"),
                        MonitorTrigger("Warning", "-1h", 5, "GreaterThanOrEqual", field="locations"),
                        MonitorTrigger("MissingData", "-24h"))
    verdicts = monitor_verdicts(by_field, rows)
    assert [(v.level, v.fires, v.value) for v in verdicts] == [("Critical", True, 3), ("Warning", False, 1),
                                                              ("MissingData", False, 2)]
    assert check_fires("Critical", verdicts) == [] and check_fires(False, verdicts)
    assert check_fires("Warning", verdicts) == ["expected Warning to fire; firing: Critical"]
    empty = monitor_verdicts(by_field, Table(["user", "locations"], []))
    assert [v.level for v in empty if v.fires] == ["MissingData"]
    assert check_fires(True, monitor_verdicts(by_rows, rows)) == [
        "expected the monitor to fire on the samples; no trigger fires"]


def test_appbuilder_test_reports_each_monitor_verdict(app: Path) -> None:
    (app / "tests").mkdir()
    (app / "tests" / "monitors.yaml").write_text(
        "tests:\n  - name: fires\n    target: monitor:failed\n    fires: Critical\n"
        "  - name: not a warning\n    target: monitor:failed\n    fires: Warning\n")
    manifest = app / "app.yaml"
    manifest.write_text(manifest.read_text() + "tests:\n  - tests/*.yaml\n")
    result = validate_app(app)
    assert result.app is not None
    run = run_app_tests(result.app, variables={}, parameters={})
    cases = {c.name: c for c in run.cases}
    assert cases["monitor:failed"].ok and cases["monitor:failed"].detail.startswith("Critical: fires (rows 1")
    assert cases["fires"].ok
    # the window of the 24 hours before the failed sign-in, within the samples, holds none: missing data
    assert cases["not a warning"].failures == ["expected Warning to fire; firing: Critical, MissingData"]


def _events(app: Path, *stamps: tuple[str, str]) -> None:
    (app / "samples" / "events.jsonl").write_text("".join(
        f'{{"uuid": "E{i}", "timestamp": "2026-11-22T{hhmm}:00Z", "category": "{category}"}}\n'
        for i, (hhmm, category) in enumerate(stamps)))


def _monitor_case(app: Path, triggers: str, by_category: bool = False) -> CaseResult:
    query = MONITOR.split("triggers:")[0]
    write_monitor(app, (query if by_category else query.replace("| count by category", "| count")) +
                  f"triggers:\n{triggers}")
    result = validate_app(app)
    assert result.app is not None, [d.message for d in result.errors]
    return next(c for c in run_app_tests(result.app, variables={}, parameters={}).cases
                if c.target == "monitor:failed")


FAILED, OK = "credentials_failed", "success"


def test_a_count_over_the_whole_samples_is_not_a_window(app: Path) -> None:
    _events(app, ("10:00", FAILED), ("11:00", FAILED), ("12:00", FAILED), ("14:00", OK))
    case = _monitor_case(app, "  critical: {threshold: 2, timeRange: -15m, field: _count}\n")
    assert case.ok and case.rows == 1  # the query over all the samples counts 3 > 2, yet no 15 minutes hold 2
    assert case.detail == ("Critical: quiet in every -15m window over the samples (in the window ending at "
                           "the newest event: _count 0, GreaterThan 2)")
    assert case.triggers == [{"level": "Critical", "fires": False, "value": 0, "firesInLatestWindow": False,
                              "window": {"start": "2026-11-22T13:45:00Z", "end": "2026-11-22T14:00:00Z"}}]


def test_a_burst_fires_and_names_its_first_window(app: Path) -> None:
    _events(app, ("10:00", FAILED), ("12:50", FAILED), ("13:00", FAILED), ("13:04", FAILED), ("14:00", OK))
    case = _monitor_case(app, "  critical: {threshold: 2, timeRange: -15m, field: _count}\n")
    assert case.detail == ("Critical: fires (_count 3, GreaterThan 2) first in the -15m window "
                           "2026-11-22T12:49:00Z - 2026-11-22T13:04:00Z; quiet in the window ending at the newest "
                           "event")
    report = json.loads(render(RunResult("Minimal", [case]), "json"))
    assert report["cases"][0]["triggers"][0]["window"] == {"start": "2026-11-22T12:49:00Z",
                                                           "end": "2026-11-22T13:04:00Z"}
    assert report["cases"][0]["triggers"][0]["fires"] is True


def test_missing_data_in_a_gap_within_the_samples(app: Path) -> None:
    _events(app, ("10:00", FAILED), ("10:30", OK), ("12:00", OK), ("12:30", FAILED))
    case = _monitor_case(app, "  missingData: {timeRange: -1h}\n", by_category=True)
    assert case.rows == 1  # the whole sample set has data; the hour after 10:00 has none
    assert case.detail.startswith("MissingData: fires (0 rows) first in the -1h window "
                                  "2026-11-22T10:00:00Z - 2026-11-22T11:00:00Z; quiet in the window ending")
    _events(app, ("10:00", FAILED), ("10:30", OK), ("10:50", FAILED), ("11:30", FAILED))
    quiet = _monitor_case(app, "  missingData: {timeRange: -1h}\n", by_category=True)
    # the hour before the first event is not a gap: the samples say nothing about it
    assert quiet.detail.startswith("MissingData: quiet in every -1h window over the samples")
