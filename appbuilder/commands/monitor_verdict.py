"""Would a monitor fire? Its triggers applied to the result of its query on the sample events.

Each trigger is evaluated over windows of its own time range ``(end - range, end]``: the window ending at the
newest sample event ("latest"), and every other window position over the samples. The events a window holds
change only when its end reaches an event or the event leaves the window (``end = event + range``), so those
ends, between the first and the newest sample event, stand for every position a monitor evaluated at any
moment (and at any step) would see. A trigger ``fires`` when it fires in at least one of these windows; the
first such window is reported. A trigger that fires on missing data or a low value (``LessThan...``) only
counts windows that start at or after the first sample event: before it, the samples say nothing (when the
samples span less than one window, the latest window alone).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from appbuilder.model import Monitor, MonitorTrigger
from appbuilder.query.evaluate import Table
from appbuilder.query.evaluate.values import to_number

_COMPARE = {
    "GreaterThan": lambda v, t: v > t, "GreaterThanOrEqual": lambda v, t: v >= t,
    "LessThan": lambda v, t: v < t, "LessThanOrEqual": lambda v, t: v <= t,
}


@dataclass(frozen=True)
class Window:
    """A time window ``(start, end]`` in epoch milliseconds."""

    start: int
    end: int

    def label(self) -> str:
        return f"{_iso(self.start)} - {_iso(self.end)}"

    def to_json(self) -> dict[str, str]:
        return {"start": _iso(self.start), "end": _iso(self.end)}


def _iso(ms: int) -> str:
    stamp = datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds")
    return stamp.replace(".000+00:00", "Z").replace("+00:00", "Z")


@dataclass(frozen=True)
class TriggerVerdict:
    """``fires``/``value``/``window``: the first window where the trigger fires (else the latest window);
    ``latest``: the verdict in the window ending at the newest sample event (None when not windowed)."""

    level: str
    fires: bool
    value: float  # the row count, or the deciding value of the trigger's field
    window: Window | None = None
    latest: bool | None = None

    def describe(self, trigger: MonitorTrigger) -> str:
        if trigger.level == "MissingData":
            what = f"{self.value:g} row{'' if self.value == 1 else 's'}"
        else:
            what = f"{trigger.field or 'rows'} {self.value:g}, {trigger.comparison} {trigger.threshold:g}"
        text = f"{self.level}: {'fires' if self.fires else 'quiet'} ({what})"
        if self.window is None:
            return text
        if not self.fires:
            return (f"{self.level}: quiet in every {trigger.time_range} window over the samples (in the window "
                    f"ending at the newest event: {what})")
        return (f"{text} first in the {trigger.time_range} window {self.window.label()}; "
                f"{'fires' if self.latest else 'quiet'} in the window ending at the newest event")

    def to_json(self) -> dict[str, object]:
        return {"level": self.level, "fires": self.fires, "value": self.value,
                "window": self.window.to_json() if self.window else None, "firesInLatestWindow": self.latest}


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


RunWindow = Callable[[str, int], Table]  # (time range, window end in ms) -> the query's result in that window


def window_verdicts(monitor: Monitor, run: RunWindow, times: list[int], first: int, last: int) -> list[TriggerVerdict]:
    """One verdict per trigger over its windows (see the module docstring); ``times`` are the times of the
    events the query's row-local part keeps, ``first``/``last`` the first and newest sample event."""
    from appbuilder.query.evaluate.engine import window_start

    cache: dict[tuple[str, int], Table] = {}

    def table(time_range: str, end: int) -> Table:
        if (time_range, end) not in cache:
            cache[time_range, end] = run(time_range, end)
        return cache[time_range, end]

    verdicts = []
    for trigger in monitor.triggers:
        span = last - (window_start(trigger.time_range, last) or first)
        low = min(last, first + span - 1) if _fires_on_few(trigger) else first
        ends = sorted({e for t in times for e in (t, t + span) if low <= e <= last} | {low, last})
        latest = _trigger_verdict(trigger, table(trigger.time_range, last))
        found = None
        for end in ends:
            verdict = latest if end == last else _trigger_verdict(trigger, table(trigger.time_range, end))
            if verdict.fires:
                found = TriggerVerdict(trigger.level, True, verdict.value, Window(end - span, end), latest.fires)
                break
        verdicts.append(found or TriggerVerdict(trigger.level, False, latest.value, Window(last - span, last),
                                                False))
    return verdicts


def _fires_on_few(trigger: MonitorTrigger) -> bool:
    """A trigger that fires on few rows or a low value: before the first sample event the samples say nothing,
    so only its windows lying within the samples count."""
    return trigger.level == "MissingData" or trigger.comparison.startswith("LessThan")


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
