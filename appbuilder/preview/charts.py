"""Vega-Lite specs for the chart panels (pie, bar, column, line, area, map), data inline.

The browser draws them with the Vega bundle that ``vl-convert-python`` ships; the PNG path renders the very same
specs with ``vl_convert``. Specs carry no size: the page sizes them to the panel, the PNG to the grid cell.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from appbuilder.preview.tables import Shape, is_number, row_label, shape_of
from appbuilder.query.evaluate import Table
from appbuilder.query.evaluate.values import to_number

PALETTE = ["#1a73b8", "#36b3c9", "#7bc67e", "#f5a623", "#e35d6a", "#8e6fd8", "#4a5a73", "#b5d35b", "#f28cb1",
           "#00a99d", "#c77c48", "#9aa9bb"]
LAND = "@land"  # placeholder for the world outline (TopoJSON), filled in where the spec is drawn
MAX_LEGEND = 12

CONFIG: dict[str, Any] = {
    "background": "white",
    "font": "Helvetica, Arial, sans-serif",
    "padding": 6,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": "#4a5568", "titleColor": "#4a5568",
             "gridColor": "#e6ebf0", "domainColor": "#c5ced8", "tickColor": "#c5ced8", "labelLimit": 140,
             "title": None},
    "legend": {"labelFontSize": 11, "symbolSize": 70, "labelLimit": 150, "labelColor": "#4a5568",
               "symbolType": "circle"},
    "range": {"category": PALETTE},
}


class NoChart(ValueError):
    """The result cannot be drawn as the panel's chart (Sumo shows a message instead)."""


def _general(settings: dict[str, Any]) -> dict[str, Any]:
    general = settings.get("general")
    return general if isinstance(general, dict) else {}


def _stack(settings: dict[str, Any]) -> str | None:
    display = _general(settings).get("displayType")
    return {"stacked": "zero", "stackedPercent": "normalize"}.get(str(display))


def _legend_enabled(settings: dict[str, Any]) -> bool:
    legend = settings.get("legend")
    return not (isinstance(legend, dict) and legend.get("enabled") is False)


def _time_label(values: list[int]) -> str:
    day = 86_400_000
    return "%b %d" if all(v % day == 0 for v in values) else "%b %d %H:%M"


def series_rows(table: Table, shape: Shape, *, time_as_label: bool, zero: bool = False) -> list[dict[str, Any]]:
    """Long-form rows ``{x, series, value}``: one per row and numeric series (nulls left out, or 0 with ``zero``,
    as stacked areas need every point)."""
    rows = table.rows
    if shape.temporal:
        rows = sorted((r for r in rows if is_number(r.get(shape.axis or ""))), key=lambda r: r[shape.axis])
    fmt = _time_label([r[shape.axis] for r in rows]) if shape.temporal else ""
    out: list[dict[str, Any]] = []
    for row in rows:
        if shape.temporal:
            x: Any = row[shape.axis]
            if time_as_label:
                x = datetime.fromtimestamp(x / 1000, tz=timezone.utc).strftime(fmt)
        else:
            x = row_label(row, shape.labels)
        for series in shape.series:
            value = row.get(series)
            if value is None and zero:
                value = 0
            if is_number(value):
                out.append({"x": x, "series": series, "value": value})
    return out


def _color(shape: Shape, settings: dict[str, Any]) -> dict[str, Any]:
    if len(shape.series) == 1:
        return {"value": PALETTE[0]}
    legend: dict[str, Any] | None = None
    if _legend_enabled(settings):
        many = len(shape.series) > 6
        legend = {"orient": "right" if many else "bottom", "title": None, "symbolLimit": MAX_LEGEND,
                  "columns": 1 if many else 4}
    return {"field": "series", "type": "nominal", "sort": shape.series, "scale": {"domain": shape.series},
            "legend": legend, "title": None}


def _needs_series(table: Table) -> Shape:
    shape = shape_of(table)
    if not shape.series:
        raise NoChart("no numeric column to plot; the chart needs an aggregate such as count")
    return shape


def _tooltip() -> list[dict[str, Any]]:
    return [{"field": "x", "title": "", "type": "nominal"}, {"field": "series", "type": "nominal", "title": "series"},
            {"field": "value", "type": "quantitative", "title": "value"}]


def pie_spec(table: Table, settings: dict[str, Any]) -> dict[str, Any]:
    shape = _needs_series(table)
    general = _general(settings)
    try:
        limit = max(int(general.get("maxNumOfSlices") or 10), 2)
    except (TypeError, ValueError):
        limit = 10
    inner = str(general.get("innerRadius", "30%")).rstrip("%")
    try:
        ratio = min(max(float(inner) / 100, 0.0), 0.9)
    except ValueError:
        ratio = 0.3
    metric = shape.series[0]
    slices = [(row_label(r, shape.labels), r[metric]) for r in table.rows if is_number(r.get(metric))]
    slices = [s for s in slices if s[1] > 0]
    if len(slices) > limit:
        rest = sum(v for _, v in slices[limit - 1:])
        slices = slices[:limit - 1] + [("Others", rest)]
    names = [name for name, _ in slices]
    legend = {"orient": "right", "title": None, "symbolLimit": MAX_LEGEND} if _legend_enabled(settings) else None
    return {
        "data": {"values": [{"x": name, "value": value} for name, value in slices]},
        "mark": {"type": "arc", "stroke": "white", "strokeWidth": 1, "tooltip": True,
                 "innerRadius": {"expr": f"min(width, height) / 2 * {ratio:g}"},
                 "outerRadius": {"expr": "min(width, height) / 2 - 2"}},
        "encoding": {"theta": {"field": "value", "type": "quantitative", "stack": True},
                     "color": {"field": "x", "type": "nominal", "sort": names, "scale": {"domain": names},
                               "legend": legend, "title": None},
                     "order": {"field": "value", "type": "quantitative", "sort": "descending"}},
    }


def _bars(table: Table, settings: dict[str, Any], horizontal: bool) -> dict[str, Any]:
    shape = _needs_series(table)
    stack = _stack(settings)
    rows = series_rows(table, shape, time_as_label=True)
    axis = {"field": "x", "type": "ordinal", "sort": None, "title": None}
    value = {"field": "value", "type": "quantitative", "title": None, "stack": stack}
    encoding: dict[str, Any] = {"color": _color(shape, settings), "tooltip": _tooltip()}
    if horizontal:
        encoding.update(y={**axis, "axis": {"labelOverlap": "greedy"}}, x=value)
    else:
        ticks = len({r["x"] for r in rows})
        encoding.update(x={**axis, "axis": {"labelAngle": 0 if ticks <= 8 else -45}}, y=value)
    if stack is None and len(shape.series) > 1:
        encoding["yOffset" if horizontal else "xOffset"] = {"field": "series", "sort": shape.series}
    return {"data": {"values": rows}, "mark": {"type": "bar", "tooltip": True}, "encoding": encoding}


def bar_spec(table: Table, settings: dict[str, Any]) -> dict[str, Any]:
    return _bars(table, settings, horizontal=True)


def column_spec(table: Table, settings: dict[str, Any]) -> dict[str, Any]:
    return _bars(table, settings, horizontal=False)


def _lines(table: Table, settings: dict[str, Any], area: bool) -> dict[str, Any]:
    shape = _needs_series(table)
    general = _general(settings)
    rows = series_rows(table, shape, time_as_label=False, zero=area)
    x: dict[str, Any] = {"field": "x", "title": None}
    if shape.temporal:
        times = sorted({r["x"] for r in rows})
        axis: dict[str, Any] = {"format": _time_label(times), "labelOverlap": True}
        if len(times) <= 12:
            axis["values"] = times
        x.update(type="temporal", scale={"type": "utc"}, axis=axis)
    else:
        x.update(type="ordinal", sort=None)
    points = len({r["x"] for r in rows}) <= 3 or str(general.get("markerType", "none")) != "none"
    mark: dict[str, Any] = {"type": "area" if area else "line", "tooltip": True, "point": points,
                            "strokeWidth": float(general.get("lineThickness") or 1) + 1}
    if area:
        mark.update(line=True, opacity=float(general.get("fillOpacity") or 0.25) + 0.35)
    y = {"field": "value", "type": "quantitative", "title": None, "stack": _stack(settings) if area else None}
    return {"data": {"values": rows}, "mark": mark,
            "encoding": {"x": x, "y": y, "color": _color(shape, settings), "tooltip": _tooltip()}}


def line_spec(table: Table, settings: dict[str, Any]) -> dict[str, Any]:
    return _lines(table, settings, area=False)


def area_spec(table: Table, settings: dict[str, Any]) -> dict[str, Any]:
    return _lines(table, settings, area=True)


def _column(table: Table, name: str) -> str | None:
    return next((c for c in table.columns if c.lower() == name), None)


def map_spec(table: Table, settings: dict[str, Any]) -> dict[str, Any]:
    lat, lon = _column(table, "latitude"), _column(table, "longitude")
    if lat is None or lon is None:
        raise NoChart("a map needs latitude and longitude columns in the result")
    shape = shape_of(table)
    metric = next((c for c in shape.series if c not in (lat, lon)), None)
    labels = [c for c in ("city", "region", "country_name", "country") if _column(table, c)]
    points = []
    for row in table.rows:
        la, lo = to_number(row.get(lat)), to_number(row.get(lon))  # json extracts them as text
        if la is None or lo is None:
            continue
        value = row.get(metric) if metric else 1
        label = ", ".join(str(row[_column(table, c) or c]) for c in labels if row.get(_column(table, c) or c))
        points.append({"lat": la, "lon": lo, "value": value if is_number(value) else 1, "label": label})
    where = {"longitude": {"field": "lon", "type": "quantitative"},
             "latitude": {"field": "lat", "type": "quantitative"}}
    return {
        "projection": {"type": "equalEarth"},
        "layer": [
            {"data": {"values": LAND, "format": {"type": "topojson", "feature": "land"}},
             "mark": {"type": "geoshape", "fill": "#dfe5ec", "stroke": "#ffffff", "strokeWidth": 0.5}},
            {"data": {"values": points},
             "mark": {"type": "circle", "opacity": 0.85, "stroke": "white", "strokeWidth": 1},
             "encoding": {**where, "color": {"value": PALETTE[0]},
                          "size": {"field": "value", "type": "quantitative", "legend": None,
                                   "scale": {"range": [60, 900]}},
                          "tooltip": [{"field": "label", "title": "location"},
                                      {"field": "value", "title": metric or "value"}]}},
            {"data": {"values": points},
             "mark": {"type": "text", "color": "white", "fontSize": 9, "fontWeight": "bold"},
             "encoding": {**where, "text": {"field": "value", "type": "quantitative"}}},
        ],
    }


BUILDERS = {"pie": pie_spec, "bar": bar_spec, "column": column_spec, "line": line_spec, "area": area_spec,
            "map": map_spec}


def chart_spec(chart: str, table: Table, settings: dict[str, Any]) -> dict[str, Any]:
    """The Vega-Lite spec drawing ``table`` as ``chart``; raises NoChart when the result does not fit."""
    spec = BUILDERS[chart](table, settings)
    return {"autosize": {"type": "fit", "contains": "padding"}, **spec}


def sized(spec: dict[str, Any], width: int, height: int, land: object) -> dict[str, Any]:
    """A copy of ``spec`` with a size, the theme, and the world outline where the map asks for it."""
    out = {**spec, "width": width, "height": height, "config": CONFIG}
    if "layer" in out:
        out["layer"] = [{**layer, "data": {**layer["data"], "values": land}}
                        if layer.get("data", {}).get("values") == LAND else layer for layer in out["layer"]]
    return out
