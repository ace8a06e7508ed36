"""Reading Sumo values the YAML writes in its own form: time ranges, chart types, places on the grid."""

from __future__ import annotations

import re
from typing import Any

from appbuilder.sumo.normalise import decode_json_string

CHARTS = ("table", "pie", "bar", "column", "line", "area", "map", "svp", "honeyComb", "text")
RELATIVE = re.compile(r"^-([0-9]+[wdhms])+$")
LITERAL_RANGES = ("yesterday", "previous_week", "previous_month")
REFRESH = (0, 30, 60, 120, 300, 900, 1800, 3600, 7200, 86400)
DATA_TYPES = ("STRING", "NUMBER", "QUERY_FRAGMENT", "SEARCH_KEYWORD")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def text_of(value: Any, low: int = 0, high: int = 1 << 30) -> str | None:
    """``value`` when it is a string of ``low`` to ``high`` characters, else None."""
    return value if isinstance(value, str) and low <= len(value) <= high else None


def time_range_text(value: Any) -> str | None:
    """``-1d`` / ``today`` / ``yesterday`` for the Sumo time ranges the YAML can write, else None."""
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if kind == "CompleteLiteralTimeRange" and value.get("rangeName") in LITERAL_RANGES and len(value) == 2:
        return str(value["rangeName"])
    if kind != "BeginBoundedTimeRange" or value.get("to") is not None or not isinstance(value.get("from"), dict):
        return None
    start = value["from"]
    if start.get("type") == "RelativeTimeRangeBoundary" and RELATIVE.match(str(start.get("relativeTime"))):
        return str(start["relativeTime"])
    if start.get("type") == "LiteralTimeRangeBoundary" and start.get("rangeName") == "today":
        return "today"
    return None


def decode(value: Any) -> Any:
    """The JSON a JSON-string field holds; None when it is not a string of JSON."""
    decoded = decode_json_string(value) if isinstance(value, str) else None
    return None if isinstance(decoded, str) and decoded is value else decoded


def chart_of(panel_type: Any, visuals: Any) -> str:
    """The YAML ``chart`` of a panel: its ``general.type`` when the schema knows it, else the closest default."""
    general = visuals.get("general") if isinstance(visuals, dict) else None
    kind = general.get("type") if isinstance(general, dict) else None
    if panel_type == "TextPanel":
        return "text"
    if kind in CHARTS and kind != "text":
        return str(kind)
    mode = general.get("mode") if isinstance(general, dict) else None
    return "line" if mode == "timeSeries" else "table"


def grid_place(layout: dict[str, Any], key: Any) -> dict[str, int] | None:
    """The grid place of a panel when the YAML can hold it (else the layout is carried verbatim)."""
    entry = layout.get(key) if isinstance(key, str) else None
    shape = decode(entry) if isinstance(entry, str) else None
    if not isinstance(shape, dict) or not all(isinstance(shape.get(k), int) and not isinstance(shape.get(k), bool)
                                              for k in ("x", "y", "width", "height")):
        return None
    x, y, width, height = shape["x"], shape["y"], shape["width"], shape["height"]
    if not (0 <= x <= 23 and y >= 0 and 1 <= width <= 24 and 1 <= height <= 40 and x + width <= 24):
        return None
    minimum = {k: v for k in ("minWidth", "minHeight") if isinstance(v := shape.get(k), int)
               and not isinstance(v, bool) and 1 <= v <= (24 if k == "minWidth" else 1 << 30)}
    return {"x": x, "y": y, "width": width, "height": height, **minimum}
