"""Would a monitor fire? Its triggers applied to the result of its query on the sample events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from appbuilder.model import Monitor, MonitorTrigger
from appbuilder.query.evaluate import Table
from appbuilder.query.evaluate.values import to_number

_COMPARE = {
    "GreaterThan": lambda v, t: v > t, "GreaterThanOrEqual": lambda v, t: v >= t,
    "LessThan": lambda v, t: v < t, "LessThanOrEqual": lambda v, t: v <= t,
}


@dataclass(frozen=True)
class TriggerVerdict:
    level: str
    fires: bool
    value: float  # the row count, or the deciding value of the trigger's field

    def describe(self, trigger: MonitorTrigger) -> str:
        if trigger.level == "MissingData":
            rows = f"{self.value:g} row{'' if self.value == 1 else 's'}"
            return f"{self.level}: {'fires' if self.fires else 'quiet'} ({rows})"
        what = trigger.field or "rows"
        return (f"{self.level}: {'fires' if self.fires else 'quiet'} ({what} {self.value:g}, "
                f"{trigger.comparison} {trigger.threshold:g})")


def _trigger_verdict(trigger: MonitorTrigger, table: Table) -> TriggerVerdict:
    rows = len(table.rows)
    if trigger.level == "MissingData":
        return TriggerVerdict(trigger.level, rows == 0, rows)
    compare = _COMPARE[trigger.comparison]
    if not trigger.field:
        return TriggerVerdict(trigger.level, compare(rows, trigger.threshold), rows)
    values = [to_number(_get(row, trigger.field)) for row in table.rows]
    numbers = [v for v in values if v is not None]
    firing = [v for v in numbers if compare(v, trigger.threshold)]
    if firing:
        return TriggerVerdict(trigger.level, True, firing[0])
    return TriggerVerdict(trigger.level, False, numbers[0] if numbers else 0)


def _get(row: Mapping[str, object], name: str) -> object:
    lower = {k.lower(): v for k, v in row.items()}
    return lower.get(name.lower())


def monitor_verdicts(monitor: Monitor, table: Table) -> list[TriggerVerdict]:
    """One verdict per trigger, in the monitor's order."""
    return [_trigger_verdict(trigger, table) for trigger in monitor.triggers]


def describe(monitor: Monitor, verdicts: list[TriggerVerdict]) -> str:
    return "; ".join(v.describe(t) for v, t in zip(verdicts, monitor.triggers, strict=True))


def check_fires(expected: object, verdicts: list[TriggerVerdict]) -> list[str]:
    """Failures of a ``fires:`` expectation (true / false / a level)."""
    firing = [v.level for v in verdicts if v.fires]
    if expected is True and not firing:
        return ["expected the monitor to fire on the samples; no trigger fires"]
    if expected is False and firing:
        return [f"expected the monitor to stay quiet on the samples; {', '.join(firing)} fires"]
    if isinstance(expected, str) and expected not in firing:
        return [f"expected {expected} to fire; firing: {', '.join(firing) or 'none'}"]
    return []
