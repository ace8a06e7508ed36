"""Validation of monitors library bodies (``MonitorsLibraryFolder`` / ``MonitorsLibraryMonitor``) as the spec
describes them; ``monitor_problems`` returns one message per problem, each naming the field.

Logs monitors are checked in depth (one query, Logs detection methods, thresholds, time ranges, paired
resolution triggers, notifications that run for the monitor's own trigger types); Metrics and Slo monitors
get the checks common to every monitor.
"""

from __future__ import annotations

import re
from typing import Any

from appbuilder.fakesumo.monitor_store import FOLDER, MONITOR

MONITOR_TYPES = ("Logs", "Metrics", "Slo")
TRIGGER_TYPES = ("Critical", "Warning", "MissingData", "ResolvedCritical", "ResolvedWarning", "ResolvedMissingData")
DETECTION_METHODS = (
    "StaticCondition", "LogsStaticCondition", "MetricsStaticCondition", "LogsOutlierCondition",
    "MetricsOutlierCondition", "LogsMissingDataCondition", "MetricsMissingDataCondition", "SloSliCondition",
    "SloBurnRateCondition", "LogsAnomalyCondition", "MetricsAnomalyCondition",
)
LOGS_METHODS = ("StaticCondition", "LogsStaticCondition", "LogsOutlierCondition", "LogsMissingDataCondition",
                "LogsAnomalyCondition")
THRESHOLD_TYPES = ("LessThan", "GreaterThan", "LessThanOrEqual", "GreaterThanOrEqual")
OCCURRENCE_TYPES = ("AtLeastOnce", "Always", "ResultCount", "MissingData")
TRIGGER_SOURCES = ("AllTimeSeries", "AnyTimeSeries", "AllResults")
CONNECTION_TYPES = ("Email", "AWSLambda", "AzureFunctions", "Datadog", "HipChat", "Jira", "NewRelic", "Opsgenie",
                    "PagerDuty", "Slack", "MicrosoftTeams", "ServiceNow", "SumoCloudSOAR", "Webhook")
DURATION = re.compile(r"^-?\d+[smhdw]$")
MISSING_DATA = ("MissingData", "ResolvedMissingData")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _one_of(problems: list[str], where: str, value: Any, allowed: tuple[str, ...], required: bool = True) -> None:
    if value is None and not required:
        return
    if value not in allowed:
        problems.append(f"{where}: should be one of the following: {', '.join(allowed)} (got {value!r})")


def monitor_problems(body: dict[str, Any], need_version: bool = False) -> list[str]:
    """Problems of a create (``need_version`` false) or update body."""
    problems: list[str] = []
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        problems.append("name: is required and must be a string of 1..255 characters")
    if body.get("description") is not None and not isinstance(body["description"], str):
        problems.append("description: must be a string")
    if need_version and (not isinstance(body.get("version"), int) or isinstance(body.get("version"), bool)):
        problems.append("version: is required and must be the item's current version number")
    _one_of(problems, "type", body.get("type"), (MONITOR, FOLDER))
    if body.get("type") == MONITOR:
        problems += _monitor(body)
    return problems


def _monitor(body: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    monitor_type = body.get("monitorType")
    _one_of(problems, "monitorType", monitor_type, MONITOR_TYPES)
    queries = body.get("queries")
    if not isinstance(queries, list) or not queries:
        problems.append("queries: is required and must be a non-empty array")
    else:
        rows: set[str] = set()
        for i, query in enumerate(queries):
            if not isinstance(query, dict) or not isinstance(query.get("rowId"), str) \
                    or not isinstance(query.get("query"), str) or not query["query"].strip():
                problems.append(f"queries[{i}]: requires a string 'rowId' and a non-empty string 'query'")
            elif query["rowId"] in rows:
                problems.append(f"queries[{i}].rowId: duplicate rowId {query['rowId']!r}")
            else:
                rows.add(query["rowId"])
        if monitor_type == "Logs" and len(queries) != 1:
            problems.append("queries: a Logs monitor has exactly one query")
    trigger_types = _triggers(body.get("triggers"), monitor_type, problems)
    _notifications(body.get("notifications"), trigger_types, problems)
    delay = body.get("evaluationDelay")
    if delay is not None and (not isinstance(delay, str) or not DURATION.match(delay)):
        problems.append(f"evaluationDelay: must be a duration such as 0m, 5m or 1h, not {delay!r}")
    for key in ("isDisabled", "groupNotifications"):
        if body.get(key) is not None and not isinstance(body[key], bool):
            problems.append(f"{key}: must be a boolean")
    for key in ("alertName", "playbook", "timeZone", "sloId"):
        if body.get(key) is not None and not isinstance(body[key], str):
            problems.append(f"{key}: must be a string")
    for key in ("notificationGroupFields", "automatedPlaybookIds"):
        value = body.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            problems.append(f"{key}: must be an array of strings")
    return problems


def _triggers(triggers: Any, monitor_type: Any, problems: list[str]) -> set[str]:
    if not isinstance(triggers, list) or not triggers:
        problems.append("triggers: is required and must be a non-empty array")
        return set()
    seen: set[str] = set()
    for i, trigger in enumerate(triggers):
        where = f"triggers[{i}]"
        if not isinstance(trigger, dict):
            problems.append(f"{where}: must be an object")
            continue
        trigger_type = trigger.get("triggerType")
        _one_of(problems, f"{where}.triggerType", trigger_type, TRIGGER_TYPES)
        if trigger_type in seen:
            problems.append(f"{where}.triggerType: {trigger_type} appears more than once")
        if isinstance(trigger_type, str):
            seen.add(trigger_type)
        method = trigger.get("detectionMethod", "StaticCondition")
        _one_of(problems, f"{where}.detectionMethod", method, DETECTION_METHODS)
        if monitor_type == "Logs" and method in DETECTION_METHODS and method not in LOGS_METHODS:
            problems.append(f"{where}.detectionMethod: {method} is not valid for a Logs monitor")
        problems += _condition(trigger, str(method), str(trigger_type), str(monitor_type), where)
    for alert in ("Critical", "Warning", "MissingData"):
        if alert in seen and f"Resolved{alert}" not in seen:
            problems.append(f"triggers: a {alert} trigger needs a Resolved{alert} trigger")
        if f"Resolved{alert}" in seen and alert not in seen:
            problems.append(f"triggers: Resolved{alert} has no {alert} trigger to resolve")
    return seen


def _condition(trigger: dict[str, Any], method: str, trigger_type: str, monitor_type: str,
               where: str) -> list[str]:
    problems: list[str] = []
    needs_range = method in ("StaticCondition", "LogsStaticCondition", "MetricsStaticCondition",
                             "LogsMissingDataCondition", "MetricsMissingDataCondition")
    time_range = trigger.get("timeRange")
    if needs_range and (not isinstance(time_range, str) or not DURATION.match(time_range)):
        problems.append(f"{where}.timeRange: is required, a duration such as 15m, -15m or 1h (got {time_range!r})")
    static = method in ("StaticCondition", "LogsStaticCondition", "MetricsStaticCondition")
    if static and trigger_type not in MISSING_DATA:
        if not _is_number(trigger.get("threshold")):
            problems.append(f"{where}.threshold: is required and must be a number")
        _one_of(problems, f"{where}.thresholdType", trigger.get("thresholdType"), THRESHOLD_TYPES)
    if method == "StaticCondition":
        occurrence = trigger.get("occurrenceType")
        _one_of(problems, f"{where}.occurrenceType", occurrence, OCCURRENCE_TYPES)
        source = trigger.get("triggerSource")
        _one_of(problems, f"{where}.triggerSource", source, TRIGGER_SOURCES)
        if monitor_type == "Logs" and occurrence in ("AtLeastOnce", "Always"):
            problems.append(f"{where}.occurrenceType: {occurrence} is only valid for Metrics monitors")
        if monitor_type == "Logs" and source in ("AllTimeSeries", "AnyTimeSeries"):
            problems.append(f"{where}.triggerSource: {source} is only valid for Metrics monitors")
    if trigger.get("field") is not None and not isinstance(trigger["field"], str):
        problems.append(f"{where}.field: must be a string")
    return problems


def _notifications(notifications: Any, trigger_types: set[str], problems: list[str]) -> None:
    if notifications is None:
        return
    if not isinstance(notifications, list):
        problems.append("notifications: must be an array")
        return
    for i, entry in enumerate(notifications):
        where = f"notifications[{i}]"
        action = entry.get("notification") if isinstance(entry, dict) else None
        if not isinstance(action, dict):
            problems.append(f"{where}.notification: is required and must be an object")
            continue
        kind = action.get("connectionType")
        _one_of(problems, f"{where}.notification.connectionType", kind, CONNECTION_TYPES)
        if kind == "Email":
            recipients = action.get("recipients")
            if not isinstance(recipients, list) or not recipients or \
                    not all(isinstance(r, str) and r for r in recipients):
                problems.append(f"{where}.notification.recipients: is required, a non-empty array of addresses")
            if not isinstance(action.get("subject"), str):
                problems.append(f"{where}.notification.subject: is required and must be a string")
        elif kind in CONNECTION_TYPES and not isinstance(action.get("connectionId"), str):
            problems.append(f"{where}.notification.connectionId: is required for {kind}")
        runs = entry.get("runForTriggerTypes")
        if not isinstance(runs, list) or not runs or len(set(map(str, runs))) != len(runs):
            problems.append(f"{where}.runForTriggerTypes: is required, a non-empty array without repeats")
            continue
        for run in runs:
            if run not in trigger_types:
                problems.append(f"{where}.runForTriggerTypes: {run!r} is not a trigger type of this monitor")
