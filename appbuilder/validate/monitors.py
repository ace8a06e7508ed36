"""Rules log monitors need beyond their schema: evaluation window, message time, operators monitors reject."""

from __future__ import annotations

import re

from appbuilder.diagnostics import Diagnostic
from appbuilder.model import App, Monitor, Position, origin_note
from appbuilder.query import parse
from appbuilder.templating import find_variables

MIN_WINDOW_MINUTES = 15
# operators a scheduled monitor cannot run (they need a second time range, write data, or summarise patterns)
MONITOR_FORBIDDEN = {"timeshift": "time comparisons", "compare": "time comparisons",
                     "logreduce": "pattern summaries", "save": "writing lookup files"}
_RECEIPT_TIME = re.compile(r"_receipttime\b", re.IGNORECASE)
_UNITS = {"m": 1, "h": 60, "d": 1440}


def window_minutes(time_range: str) -> int:
    """Minutes of a ``-15m`` / ``-1h`` style window (0 when unreadable)."""
    match = re.fullmatch(r"-(\d+)([mhd])", time_range)
    return int(match.group(1)) * _UNITS[match.group(2)] if match else 0


def check_monitors(app: App) -> list[Diagnostic]:
    """Every monitor-specific problem of ``app``."""
    found: list[Diagnostic] = []
    first: dict[str, Position | None] = {}
    for monitor in app.monitors:
        where = monitor.position or Position(str(monitor.path))
        if monitor.name in first:
            found.append(Diagnostic(where, f"duplicate monitor name '{monitor.name}' (first at {first[monitor.name]})",
                                    code="duplicate-name", path="name",
                                    hint="monitor names share the app's monitor folder and must be unique"))
        first.setdefault(monitor.name, monitor.position)
        found += _check_monitor(monitor, where)
    return found


def _check_monitor(monitor: Monitor, where: Position) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    path = f"monitors[{monitor.slug}]"
    for trigger in monitor.triggers:
        minutes = window_minutes(trigger.time_range)
        if minutes and minutes < MIN_WINDOW_MINUTES:
            found.append(Diagnostic(trigger.position or where,
                                    f"{trigger.level} trigger evaluates {trigger.time_range}; monitors need a window "
                                    f"of at least {MIN_WINDOW_MINUTES} minutes",
                                    code="monitor-window", path=f"{path}.triggers",
                                    hint="use timeRange: -15m or longer, so late events are still counted"))
    text = monitor.query
    for match in _RECEIPT_TIME.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        found.append(Diagnostic(monitor.origin.locate(line, column), "monitors search by message time; "
                                f"'{match.group(0)}' (receipt time) cannot be used{origin_note(monitor.origin, line)}",
                                code="monitor-receipt-time", path=f"{path}.query",
                                hint="filter on _messageTime or on the event's own timestamp instead"))
    for op in parse(text).operators:
        reason = MONITOR_FORBIDDEN.get(op.name.lower())
        if reason:
            note = origin_note(monitor.origin, op.line)
            found.append(Diagnostic(monitor.origin.locate(op.line, op.column),
                                    f"'{op.name}' is not allowed in a monitor ({reason}){note}",
                                    code="monitor-forbidden-operator", path=f"{path}.query",
                                    hint="monitors run one query over one window; drop the operator"))
    for ref in find_variables(text):
        found.append(Diagnostic(monitor.origin.locate(ref.line, ref.column),
                                f"monitors have no dashboard variables; '{{{{{ref.name}}}}}' cannot be resolved"
                                f"{origin_note(monitor.origin, ref.line)}", code="undeclared-variable",
                                path=f"{path}.query", hint="write the value, or an install parameter ${name}"))
    return found
