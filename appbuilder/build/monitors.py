"""Model → monitor exports (``MonitorsLibraryMonitorExport``, monitorType Logs) and the folder export that holds them,
the bodies the Monitors API imports (the deploy sets the type each other operation takes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from appbuilder.model import App, Monitor, MonitorNotification, MonitorTrigger
from appbuilder.templating import substitute_parameters

OPPOSITE = {"GreaterThan": "LessThanOrEqual", "GreaterThanOrEqual": "LessThan",
            "LessThan": "GreaterThanOrEqual", "LessThanOrEqual": "GreaterThan"}
TIME_ZONE = "Etc/UTC"


def _triggers(trigger: MonitorTrigger) -> list[dict[str, Any]]:
    """The trigger and the condition that resolves it (the opposite comparison, same window)."""
    if trigger.level == "MissingData":
        return [{"detectionMethod": "LogsMissingDataCondition", "triggerType": kind, "timeRange": trigger.time_range}
                for kind in ("MissingData", "ResolvedMissingData")]
    out = []
    for kind, comparison in ((trigger.level, trigger.comparison),
                             (f"Resolved{trigger.level}", OPPOSITE[trigger.comparison])):
        body: dict[str, Any] = {"detectionMethod": "LogsStaticCondition", "triggerType": kind,
                                "timeRange": trigger.time_range, "threshold": trigger.threshold,
                                "thresholdType": comparison}
        if trigger.field:
            body["field"] = trigger.field
        out.append(body)
    return out


def _notification(note: MonitorNotification, values: Mapping[str, str]) -> dict[str, Any] | None:
    """One notification with its destination read from the install parameters; None when that is empty."""
    levels = [kind for level in note.levels for kind in (level, f"Resolved{level}")]
    if note.kind == "email":
        recipients = [r.strip() for r in substitute_parameters(note.recipients, values).split(",") if r.strip()]
        if not recipients:
            return None
        action: dict[str, Any] = {"connectionType": "Email", "recipients": recipients, "subject": note.subject,
                                  "messageBody": note.message, "timeZone": TIME_ZONE}
    else:
        connection_id = substitute_parameters(note.connection_id, values).strip()
        if not connection_id:
            return None
        action = {"connectionType": note.kind, "connectionId": connection_id}
    return {"notification": action, "runForTriggerTypes": levels}


def build_monitor(monitor: Monitor, values: Mapping[str, str]) -> dict[str, Any]:
    """The export body of one log monitor, install parameters substituted."""
    notifications = [n for n in (_notification(note, values) for note in monitor.notifications) if n]
    return {
        "type": "MonitorsLibraryMonitorExport",
        "name": substitute_parameters(monitor.name, values),
        "description": substitute_parameters(monitor.description, values),
        "monitorType": "Logs",
        "evaluationDelay": monitor.evaluation_delay,
        "queries": [{"rowId": "A", "query": substitute_parameters(monitor.query, values)}],
        "triggers": [t for trigger in monitor.triggers for t in _triggers(trigger)],
        "notifications": notifications,
        "isDisabled": not monitor.enabled,
        "groupNotifications": monitor.group_notifications,
    }


def build_monitors(app: App, values: Mapping[str, str]) -> dict[str, Any] | None:
    """The monitor folder (named like the app folder), its monitors in manifest order and their keys (file
    stems: what stays when a monitor is renamed); None without any."""
    if not app.monitors:
        return None
    folder = {"type": "MonitorsLibraryFolderExport", "name": substitute_parameters(app.folder, values),
              "description": substitute_parameters(app.description, values)}
    return {"folder": folder, "monitors": [build_monitor(m, values) for m in app.monitors],
            "keys": [m.slug for m in app.monitors]}
