"""The rules for monitor bodies that Sumo's OpenAPI spec cannot state; the spec's schemas (``contract``) check
everything else (types, required fields, enumerations, discriminated trigger conditions and notifications).

``monitor_problems`` returns one message per problem, each naming the field. Each rule names its source; the
behaviour table in ``docs/fake-sumo.md`` lists them with the rest.
"""

from __future__ import annotations

import re
from typing import Any

# Sumo's monitor documentation writes durations as a number and a unit (``-15m``, ``1h``, ``1d``); the spec
# types them as bare strings.
DURATION = re.compile(r"^-?\d+[smhdw]$")
# Sumo's documentation: a logs monitor has logs detection methods, a metrics monitor metrics ones; the spec's
# TriggerCondition lists them all in one pattern. ``StaticCondition`` is the legacy method of both.
METHOD_PREFIX = {"Logs": ("Logs", "StaticCondition"), "Metrics": ("Metrics", "StaticCondition"), "Slo": ("Slo",)}
ALERTS = ("Critical", "Warning", "MissingData")


def monitor_problems(body: dict[str, Any]) -> list[str]:
    """Problems of a monitor body (a create, export or update type) beyond the spec; none for a folder."""
    if not str(body.get("type", "")).startswith("MonitorsLibraryMonitor"):
        return []
    problems: list[str] = []
    monitor_type = body.get("monitorType")
    queries = body.get("queries") or []
    rows = [q.get("rowId") for q in queries]
    if len(set(rows)) != len(rows):  # uniqueness: rows are referenced by id (Sumo docs, "#A" references)
        problems.append("queries: each rowId must be unique")
    if monitor_type == "Logs" and len(queries) != 1:  # Sumo docs: a logs monitor runs a single query
        problems.append("queries: a Logs monitor has exactly one query")
    delay = body.get("evaluationDelay")
    if delay is not None and not DURATION.match(delay):
        problems.append(f"evaluationDelay: must be a duration such as 0m, 5m or 1h, not {delay!r}")
    seen = _triggers(body.get("triggers") or [], str(monitor_type), problems)
    for i, entry in enumerate(body.get("notifications") or []):
        for run in entry.get("runForTriggerTypes") or []:  # a cross reference: guess (Sumo docs imply it)
            if run not in seen:
                problems.append(f"notifications[{i}].runForTriggerTypes: {run!r} is not a trigger type of "
                                "this monitor")
    return problems


def _triggers(triggers: list[dict[str, Any]], monitor_type: str, problems: list[str]) -> set[str]:
    seen: set[str] = set()
    for i, trigger in enumerate(triggers):
        where = f"triggers[{i}]"
        trigger_type = str(trigger.get("triggerType"))
        if trigger_type in seen:
            problems.append(f"{where}.triggerType: {trigger_type} appears more than once")
        seen.add(trigger_type)
        method = str(trigger.get("detectionMethod") or "StaticCondition")
        if monitor_type in METHOD_PREFIX and not method.startswith(METHOD_PREFIX[monitor_type]):
            problems.append(f"{where}.detectionMethod: {method} is not valid for a {monitor_type} monitor")
        time_range = trigger.get("timeRange")
        if time_range is not None and not DURATION.match(str(time_range)):
            problems.append(f"{where}.timeRange: must be a duration such as 15m, -15m or 1h, not {time_range!r}")
    for alert in ALERTS:  # Sumo docs: an alert resolves through its Resolved trigger, and only so
        if alert in seen and f"Resolved{alert}" not in seen:
            problems.append(f"triggers: a {alert} trigger needs a Resolved{alert} trigger")
        if f"Resolved{alert}" in seen and alert not in seen:
            problems.append(f"triggers: Resolved{alert} has no {alert} trigger to resolve")
    return seen
