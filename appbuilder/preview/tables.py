"""Reading a result table the way Sumo's charts do: which column is the axis, which are the series."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from appbuilder.query.evaluate import Table

TIME_COLUMN = "_timeslice"
# columns `outlier` adds next to the series it checks; Sumo draws them as a band, the preview leaves them out
_OUTLIER_PARTS = re.compile(r"^(?P<base>.+)_(error|lower|upper|indicator|violation)$")


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def numeric_columns(table: Table) -> list[str]:
    """Columns whose values (ignoring nulls) are all numbers; at least one must be present."""
    out = []
    for column in table.columns:
        values = [row.get(column) for row in table.rows if row.get(column) is not None]
        if values and all(is_number(v) for v in values):
            out.append(column)
    return out


@dataclass
class Shape:
    """How a chart reads a table: an axis column (time or category labels) and numeric series columns."""

    axis: str | None
    temporal: bool
    labels: list[str]
    series: list[str]


def _outlier_part(column: str, series: list[str]) -> bool:
    match = _OUTLIER_PARTS.match(column)
    return bool(match and match.group("base") in series)


def shape_of(table: Table) -> Shape:
    """Sumo's reading: ``_timeslice`` is the time axis, text columns label categories, numbers are series."""
    numbers = numeric_columns(table)
    if TIME_COLUMN in table.columns:
        series = [c for c in numbers if c != TIME_COLUMN]
        return Shape(TIME_COLUMN, True, [], [c for c in series if not _outlier_part(c, series)])
    labels = [c for c in table.columns if c not in numbers]
    series = [c for c in numbers if c.lower() not in ("latitude", "longitude")]
    if not labels and len(series) > 1:
        labels, series = [series[0]], series[1:]
    return Shape(labels[0] if labels else None, False, labels, series)


def row_label(row: dict, labels: list[str]) -> str:
    """One category label from the row's text columns (joined as Sumo joins group-by keys)."""
    parts = [format_value(row.get(c)) for c in labels]
    return ", ".join(p for p in parts if p) or "(empty)"


def format_time(ms: int | float) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def format_value(value: object, column: str = "", decimals: int = 2) -> str:
    """A cell as a table shows it: times in UTC, floats rounded, null empty."""
    if value is None:
        return ""
    if column == TIME_COLUMN and is_number(value):
        return format_time(value)  # type: ignore[arg-type]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)
