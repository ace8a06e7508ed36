"""Default Sumo ``visualSettings`` per chart type, shaped like those of real exported apps."""

from __future__ import annotations

import copy
from typing import Any

from appbuilder.model import Panel

_AXES = {"axisX": {"titleFontSize": 12, "labelFontSize": 12},
         "axisY": {"titleFontSize": 12, "labelFontSize": 12, "logarithmic": False}}
_LEGEND = {"enabled": True, "verticalAlign": "bottom", "fontSize": 12, "maxHeight": 50, "showAsTable": False,
           "wrap": True}
_COLOR = {"family": "Categorical Default"}

_DEFAULTS: dict[str, dict[str, Any]] = {
    "table": {"general": {"mode": "distribution", "type": "table", "paginationPageSize": 100, "fontSize": 12}},
    "pie": {"general": {"mode": "distribution", "type": "pie", "displayType": "default", "fillOpacity": 1,
                        "startAngle": 270, "innerRadius": "30%", "maxNumOfSlices": 10},
            "legend": {**_LEGEND, "enabled": True}, "color": _COLOR},
    "bar": {"general": {"mode": "distribution", "type": "bar", "displayType": "default", "fillOpacity": 1},
            "axes": _AXES, "legend": {**_LEGEND, "enabled": False}, "color": _COLOR, "overrides": []},
    "column": {"general": {"mode": "timeSeries", "type": "column", "displayType": "default", "fillOpacity": 1},
               "axes": _AXES, "legend": _LEGEND, "color": _COLOR, "overrides": []},
    "line": {"general": {"mode": "timeSeries", "type": "line", "displayType": "default", "markerSize": 5,
                         "lineDashType": "solid", "markerType": "none", "lineThickness": 1},
             "axes": _AXES, "legend": _LEGEND, "color": _COLOR, "overrides": []},
    "area": {"general": {"mode": "timeSeries", "type": "area", "displayType": "default", "lineDashType": "solid",
                         "markerType": "none", "lineThickness": 1, "fillOpacity": 0.25},
             "axes": _AXES, "legend": _LEGEND, "color": _COLOR, "overrides": []},
    "map": {"general": {"mode": "map", "type": "map", "displayType": "default"},
            "map": {"mainMetric": {"layerType": "Cluster"}}},
    "svp": {"general": {"mode": "singleValueMetrics", "type": "svp"},
            "svp": {"option": "Latest", "unitify": False, "label": "", "useBackgroundColor": False,
                    "useNoData": False, "noDataString": "", "rounding": 2, "valueFontSize": 24,
                    "labelFontSize": 14, "sparkline": {"show": False, "color": ""}, "gauge": {"show": False}}},
    "honeyComb": {"general": {"mode": "honeyComb", "type": "honeyComb", "displayType": "default"},
                  "honeyComb": {"thresholds": [{"from": None, "to": None, "color": "#98ECA9"}],
                                "shape": "hexagon", "groupBy": [], "aggregationType": "count"}},
    "text": {"general": {"mode": "TextPanel", "type": "text", "displayType": "default"},
             "text": {"format": "markdownV2", "showTitle": False, "alignment": "left"}},
}


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``base`` with ``extra`` merged in; nested mappings merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def visual_settings(panel: Panel) -> dict[str, Any]:
    """The panel's visual settings as an object (encoded to a JSON string later)."""
    settings = copy.deepcopy(_DEFAULTS.get(panel.chart, _DEFAULTS["table"]))
    settings["title"] = {"fontSize": 14}
    if panel.chart != "text":
        settings["series"] = {}
    if panel.stacked and panel.chart in ("bar", "column", "area"):
        settings["general"]["displayType"] = "stacked"
    if panel.chart == "svp" and panel.label is not None:
        settings["svp"]["label"] = panel.label
    return deep_merge(settings, panel.settings)
