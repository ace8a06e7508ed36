"""Load ``monitors/*.yaml`` (one log monitor per file) into the typed model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appbuilder.diagnostics import Diagnostic
from appbuilder.load.fragments import Reader
from appbuilder.load.reader import as_dict, as_list
from appbuilder.load.reader import as_str as _str
from appbuilder.model import Monitor, MonitorNotification, MonitorTrigger

LEVELS = {"critical": "Critical", "warning": "Warning", "missingData": "MissingData"}


def load_monitor(path: Path, read: Reader, diagnostics: list[Diagnostic]) -> Monitor | None:
    """The monitor defined in ``path`` (schema-checked by ``read``), or None when it has no usable query."""
    doc, _ = read(path, "monitor", diagnostics)
    if doc is None or not isinstance(doc.data.get("query"), str):
        return None
    data = doc.data
    triggers = []
    raw_triggers = as_dict(data.get("triggers"))
    for key, level in LEVELS.items():
        item = raw_triggers.get(key)
        if not isinstance(item, dict):
            continue
        threshold = item.get("threshold", 0)
        triggers.append(MonitorTrigger(
            level=level, time_range=str(item.get("timeRange", "-15m")),
            threshold=threshold if isinstance(threshold, (int, float)) and not isinstance(threshold, bool) else 0,
            comparison=str(item.get("comparison", "GreaterThan")),
            field=item["field"] if isinstance(item.get("field"), str) else None,
            position=doc.position(["triggers", key])))
    notifications = []
    for index, item in enumerate(as_list(data.get("notifications"))):
        if isinstance(item, dict):
            notifications.append(_notification(item, doc.position(["notifications", index])))
    return Monitor(
        slug=path.stem, name=_str(data.get("name")), query=data["query"], origin=doc.text_origin(["query"]),
        triggers=triggers, description=_str(data.get("description")), notifications=notifications,
        evaluation_delay=_str(data.get("evaluationDelay"), "0m"), enabled=data.get("enabled") is not False,
        group_notifications=data.get("groupNotifications") is not False, live_optional=data.get("live") == "optional",
        path=path, position=doc.position([]))


def _notification(item: dict[str, Any], position: Any) -> MonitorNotification:
    levels = [str(v) for v in as_list(item.get("levels"))]
    email = item.get("email")
    if isinstance(email, dict):
        return MonitorNotification("email", levels, recipients=_str(email.get("recipients")),
                                   subject=_str(email.get("subject")), message=_str(email.get("message")),
                                   position=position)
    connection = as_dict(item.get("connection"))
    return MonitorNotification(_str(connection.get("type"), "Webhook"), levels,
                               connection_id=_str(connection.get("id")), position=position)
