"""Monitors API bodies (as the monitor kind reads them) → ``monitors/*.yaml`` data: the inverse of
``build.monitors``.

A monitor's file stem is the key its install marker records (``key <stem>``), else its name as a slug. E-mail
recipients and connection ids become install parameters (``alert_recipients``, ``alert_connection_id``, and
``_2``, ``_3``… for further distinct values) whose values are never written: export reports them so that
plan and install can be given them with ``--param``. A monitor the YAML cannot describe exactly (several
queries, a metrics monitor, a resolution that is not the opposite of its trigger…) is left out and named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from appbuilder.build.monitors import OPPOSITE, TIME_ZONE
from appbuilder.export.convert import Document
from appbuilder.export.names import Namer, common_prefix, file_stem
from appbuilder.kinds.monitor_body import MONITOR, content_type, read_marker

LEVELS = {"Critical": "critical", "Warning": "warning", "MissingData": "missingData"}
_STEM = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")  # a recorded file stem used as it is
RECIPIENTS, CONNECTION = "alert_recipients", "alert_connection_id"
_DESCRIPTIONS = {RECIPIENTS: "Comma-separated e-mail addresses the monitors alert; empty sends no e-mail.",
                 CONNECTION: "Id of a connection in the Sumo org the monitors alert; empty uses none."}


class NotModelled(Exception):
    """A monitor the YAML cannot describe exactly; the message says what."""


@dataclass
class MonitorExport:
    """The monitor files, the parameters they use with the values Sumo holds, and what was left out."""

    documents: list[Document] = field(default_factory=list)
    parameters: list[dict[str, str]] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)


class _Parameters:
    """One install parameter per distinct destination (a recipients list, a connection id)."""

    def __init__(self) -> None:
        self.by_value: dict[tuple[str, str], str] = {}
        self.declared: list[dict[str, str]] = []
        self.values: dict[str, str] = {}

    def take(self, base: str, value: str) -> str:
        if (base, value) not in self.by_value:
            count = sum(1 for b, _ in self.by_value if b == base)
            name = base if count == 0 else f"{base}_{count + 1}"
            self.by_value[(base, value)] = name
            self.declared.append({"name": name, "description": _DESCRIPTIONS[base], "default": ""})
            self.values[name] = value
        return f"${{{self.by_value[(base, value)]}}}"


def _trigger(found: dict[str, dict[str, Any]], level: str) -> dict[str, Any]:
    trigger, resolution = found.pop(level), found.pop(f"Resolved{level}", None)
    if level == "MissingData":
        if trigger.get("detectionMethod") != "LogsMissingDataCondition" or resolution is None \
                or resolution.get("timeRange") != trigger.get("timeRange"):
            raise NotModelled("its missing-data trigger has no matching resolution")
        return {"timeRange": trigger.get("timeRange")}
    comparison = trigger.get("thresholdType", "GreaterThan")
    if trigger.get("detectionMethod") != "LogsStaticCondition" or comparison not in OPPOSITE:
        raise NotModelled(f"its {level} trigger is not a static log condition")
    same = ("timeRange", "threshold", "field")
    if resolution is None or resolution.get("thresholdType") != OPPOSITE[comparison] \
            or any(resolution.get(k) != trigger.get(k) for k in same):
        raise NotModelled(f"its {level} resolution is not the opposite of the trigger")
    out: dict[str, Any] = {"threshold": trigger.get("threshold", 0), "comparison": comparison,
                           "timeRange": trigger.get("timeRange")}
    if trigger.get("field"):
        out["field"] = trigger["field"]
    return out


def _triggers(body: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, dict[str, Any]] = {}
    for trigger in body.get("triggers") or []:
        kind = trigger.get("triggerType") if isinstance(trigger, dict) else None
        if not isinstance(kind, str) or kind in found:
            raise NotModelled("its triggers are not one per level")
        found[kind] = trigger
    out = {LEVELS[level]: _trigger(found, level) for level in LEVELS if level in found}
    if found or not out:
        raise NotModelled(f"it has triggers appbuilder does not model ({', '.join(sorted(found)) or 'none'})")
    return out


def _notification(entry: Any, parameters: _Parameters) -> dict[str, Any]:
    action = entry.get("notification") if isinstance(entry, dict) else None
    kinds = list(entry.get("runForTriggerTypes") or []) if isinstance(entry, dict) else []
    levels = [k for k in kinds if k in LEVELS]
    if not isinstance(action, dict) or sorted(kinds) != sorted(x for k in levels for x in (k, f"Resolved{k}")):
        raise NotModelled("a notification is not sent for its levels and their resolutions")
    if action.get("connectionType") == "Email":
        if action.get("timeZone") != TIME_ZONE or not isinstance(action.get("recipients"), list):
            raise NotModelled(f"an e-mail notification is not in {TIME_ZONE}")
        email = {"recipients": parameters.take(RECIPIENTS, ",".join(action["recipients"])),
                 "subject": action.get("subject") or "", "message": action.get("messageBody") or ""}
        return {"levels": levels, "email": email}
    if not isinstance(action.get("connectionId"), str) or not isinstance(action.get("connectionType"), str):
        raise NotModelled("a notification is neither an e-mail nor a connection")
    return {"levels": levels, "connection": {"type": action["connectionType"],
                                              "id": parameters.take(CONNECTION, action["connectionId"])}}


def monitor_data(body: dict[str, Any], parameters: _Parameters) -> dict[str, Any]:
    """The YAML data of one monitor body; raises NotModelled."""
    queries = body.get("queries") or []
    if body.get("monitorType") != "Logs" or len(queries) != 1 or not isinstance(queries[0].get("query"), str):
        raise NotModelled("it is not a log monitor with one query")
    data: dict[str, Any] = {"name": body.get("name")}
    description = read_marker(str(body.get("description") or "")).text.rstrip()
    if description:
        data["description"] = description
    data["query"] = queries[0]["query"]
    data["triggers"] = _triggers(body)
    if body.get("evaluationDelay", "0m") != "0m":
        data["evaluationDelay"] = body["evaluationDelay"]
    if body.get("isDisabled"):
        data["enabled"] = False
    if body.get("groupNotifications") is False:
        data["groupNotifications"] = False
    notifications = [_notification(n, parameters) for n in body.get("notifications") or []]
    if notifications:
        data["notifications"] = notifications
    return data


def export_monitors(bodies: list[dict[str, Any]]) -> MonitorExport:
    """``monitors/<stem>.yaml`` for every monitor body the YAML describes exactly, in the order given."""
    out, parameters, files = MonitorExport(), _Parameters(), Namer()
    monitors = [b for b in bodies if content_type(b) in (MONITOR, "")]
    prefix = common_prefix([str(b.get("name") or "") for b in monitors])
    for body in monitors:
        name = str(body.get("name") or "monitor")
        try:
            data = monitor_data(body, parameters)
        except NotModelled as exc:
            out.left_out.append(f"monitor {name!r}: {exc}")
            continue
        key = read_marker(str(body.get("description") or "")).key or ""
        stem = files.take(key if _STEM.fullmatch(key) else file_stem(name, prefix, "monitor"))
        out.documents.append(Document(f"monitors/{stem}.yaml", "monitor", data))
    out.parameters, out.values = parameters.declared, parameters.values
    return out
