"""Each panel kind of the preview drawn from a known result table."""

from __future__ import annotations

import json
import re

import pytest
import vl_convert

from appbuilder.model import Layout, Panel
from appbuilder.preview.charts import LAND, NoChart, chart_spec, sized
from appbuilder.preview.page import land_topology, page_name, time_label
from appbuilder.preview.payload import NO_DATA, body_size, panel_payload, threshold_color
from appbuilder.preview.png import body_svg
from appbuilder.query.evaluate import Table

DAY = 86_400_000
T0 = 1_795_305_600_000  # 2026-11-22T00:00:00Z

CATEGORIES = Table(["category", "_count"], [{"category": "success", "_count": 30},
                                            {"category": "mfa_failed", "_count": 12},
                                            {"category": "sso_failed", "_count": 5}])
OVER_TIME = Table(["_timeslice", "success", "failed"], [{"_timeslice": T0 + DAY, "success": 7, "failed": None},
                                                       {"_timeslice": T0, "success": 4, "failed": 2}])
POINTS = Table(["latitude", "longitude", "city", "_count"],
               [{"latitude": 52.52, "longitude": 13.405, "city": "Berlin", "_count": 11},
                {"latitude": -33.87, "longitude": 151.21, "city": "Sydney", "_count": 3}])


def panel(chart: str, **fields: object) -> Panel:
    return Panel(id="p", title="P", chart=chart, layout=Layout(0, 0, 12, 8), **fields)  # type: ignore[arg-type]


def payload(chart: str, table: Table | None, error: str | None = None, **fields: object) -> dict:
    p = panel(chart, **fields)
    from appbuilder.build.visuals import visual_settings

    return panel_payload(p, visual_settings(p), table, error, p.layout)  # type: ignore[arg-type]


def render(spec: dict) -> str:
    return vl_convert.vegalite_to_svg(sized(spec, 400, 240, json.loads(land_topology())))


def marks(svg: str, role: str) -> str:
    """The content of every SVG group drawing marks of one kind (``arc``, ``rect``, ``line``...)."""
    return "".join(re.findall(rf'<g class="mark-{role} role-mark[^"]*"[^>]*>(.*?)</g>', svg, re.S))


def test_pie_draws_one_slice_per_row_and_folds_the_rest_into_others():
    spec = payload("pie", CATEGORIES)["spec"]
    assert [d["x"] for d in spec["data"]["values"]] == ["success", "mfa_failed", "sso_failed"]
    svg = render(spec)
    assert marks(svg, "arc").count("<path") == 3
    assert "mfa_failed" in svg  # legend
    small = payload("pie", CATEGORIES, settings={"general": {"maxNumOfSlices": 2}})["spec"]
    assert small["data"]["values"] == [{"x": "success", "value": 30}, {"x": "Others", "value": 17}]


def test_bar_is_horizontal_with_one_bar_per_category_in_result_order():
    spec = payload("bar", CATEGORIES)["spec"]
    assert spec["encoding"]["y"]["field"] == "x" and spec["encoding"]["x"]["field"] == "value"
    assert spec["encoding"]["y"]["sort"] is None
    assert marks(render(spec), "rect").count("<path") == 3


def test_column_series_from_transposed_time_slices_stacked_or_grouped():
    stacked = payload("column", OVER_TIME, stacked=True)["spec"]
    assert stacked["encoding"]["y"]["stack"] == "zero"
    assert "xOffset" not in stacked["encoding"]
    # rows come back in time order, labelled by day, and the null cell is left out
    assert [(r["x"], r["series"], r["value"]) for r in stacked["data"]["values"]] == [
        ("Nov 22", "success", 4), ("Nov 22", "failed", 2), ("Nov 23", "success", 7)]
    grouped = payload("column", OVER_TIME)["spec"]
    assert grouped["encoding"]["y"]["stack"] is None and grouped["encoding"]["xOffset"]["field"] == "series"
    assert marks(render(stacked), "rect").count("<path") == 3


def test_line_and_area_use_a_utc_time_axis():
    full = Table(OVER_TIME.columns, [{**row, "failed": row["failed"] or 1} for row in OVER_TIME.rows])
    line = payload("line", full)["spec"]
    assert line["mark"]["type"] == "line"
    assert line["encoding"]["x"]["type"] == "temporal" and line["encoding"]["x"]["scale"] == {"type": "utc"}
    assert line["encoding"]["x"]["axis"]["values"] == [T0, T0 + DAY]
    assert marks(render(line), "line").count("<path") == 2
    area = payload("area", full, stacked=True)["spec"]
    assert area["mark"]["type"] == "area" and area["encoding"]["y"]["stack"] == "zero"
    assert marks(render(area), "area").count("<path") == 2


def test_outlier_columns_are_not_drawn_as_series():
    table = Table(["_timeslice", "_count", "_count_upper", "_count_violation"],
                  [{"_timeslice": T0, "_count": 3, "_count_upper": 5, "_count_violation": 0}])
    assert {r["series"] for r in payload("line", table)["spec"]["data"]["values"]} == {"_count"}


def test_map_puts_points_on_the_world_outline():
    spec = payload("map", POINTS)["spec"]
    assert spec["layer"][0]["data"]["values"] == LAND
    points = spec["layer"][1]["data"]["values"]
    assert points == [{"lat": 52.52, "lon": 13.405, "value": 11, "label": "Berlin"},
                      {"lat": -33.87, "lon": 151.21, "value": 3, "label": "Sydney"}]
    svg = render(spec)
    assert marks(svg, "shape").count("<path") == 1  # the land outline
    assert marks(svg, "symbol").count("<path") == 2
    with pytest.raises(NoChart, match="latitude and longitude"):
        chart_spec("map", CATEGORIES, {})


def test_single_value_with_threshold_colours():
    bands = [{"from": 0, "to": 10, "color": "#16943E"}, {"from": 10, "to": 50, "color": "#DFBE2E"},
             {"from": 50, "to": None, "color": "#BF2121"}]
    total = Table(["_count"], [{"_count": 51}])
    result = payload("svp", total, label="Threats", settings={"svp": {"thresholds": bands}})
    assert result["kind"] == "svg" and result["value"] == "51" and result["color"] == "#BF2121"
    assert 'fill="#BF2121">51</text>' in result["svg"] and "Threats" in result["svg"]
    background = payload("svp", Table(["_count"], [{"_count": 7}]),
                         settings={"svp": {"thresholds": bands, "useBackgroundColor": True}})
    assert '<rect width="708" height="198" fill="#16943E"/>' in background["svg"]
    summed = payload("svp", CATEGORIES, settings={"svp": {"option": "Sum", "unitify": True, "rounding": 1}})
    assert summed["value"] == "47"
    big = payload("svp", Table(["n"], [{"n": 123456.0}]), settings={"svp": {"unitify": True, "rounding": 1}})
    assert big["value"] == "123.5K"
    assert threshold_color(5, [{"from": None, "to": None, "color": "#98ECA9"}]) is None  # unset bands


def test_honeycomb_draws_one_hexagon_per_row_coloured_by_band():
    bands = [{"from": 0, "to": 10, "color": "#8ecc1b"}, {"from": 10, "to": None, "color": "#f36644"}]
    svg = payload("honeyComb", CATEGORIES, settings={"honeyComb": {"thresholds": bands}})["svg"]
    assert svg.count("<polygon") == 3
    assert svg.count('fill="#f36644"') == 2 and svg.count('fill="#8ecc1b"') == 1
    assert "mfa_failed" in svg


def test_table_keeps_columns_and_formats_values():
    table = Table(["_timeslice", "user", "ratio", "missing"],
                  [{"_timeslice": T0, "user": "ann", "ratio": 0.127, "missing": None}])
    result = payload("table", table)
    assert result == {"kind": "table", "columns": ["_timeslice", "user", "ratio", "missing"],
                      "rows": [["2026-11-22 00:00:00", "ann", "0.13", ""]], "total": 1}
    limited = payload("table", Table(["n"], [{"n": i} for i in range(5)]),
                      settings={"general": {"paginationPageSize": 2}})
    assert len(limited["rows"]) == 2 and limited["total"] == 5
    assert "<text" in body_svg(result, 400, 200, None)


def test_text_panel_is_markdown_with_raw_html_escaped():
    result = payload("text", None, text="# Sign-ins\n\nSee **failed** ones.\n\n<script>alert(1)</script>")
    assert "<h1>Sign-ins</h1>" in result["html"] and "<strong>failed</strong>" in result["html"]
    assert "<script>" not in result["html"] and "&lt;script&gt;" in result["html"]
    image = body_svg(result, 400, 200, None)
    assert 'font-weight="bold"' in image and "Sign-ins" in image


def test_empty_results_and_errors_show_a_message_in_the_panel():
    empty = payload("pie", Table(["category", "_count"], []))
    assert empty == {"kind": "empty", "message": NO_DATA}
    failed = payload("line", None, "compare must follow an aggregate")
    assert failed == {"kind": "error", "message": "compare must follow an aggregate"}
    no_numbers = payload("column", Table(["user"], [{"user": "ann"}]))
    assert no_numbers["kind"] == "error" and "no numeric column" in no_numbers["message"]
    assert "compare must follow" in body_svg(failed, 300, 100, None)
    nodata = payload("svp", Table(["_count"], []), settings={"svp": {"useNoData": True, "noDataString": "0"}})
    # an aggregate over no events gives one row of nulls: no data, not "cannot draw this chart"
    assert payload("svp", Table(["_avg"], [{"_avg": None}])) == {"kind": "empty", "message": NO_DATA}
    assert nodata["kind"] == "svg" and ">0</text>" in nodata["svg"]


def test_a_spec_vl_convert_rejects_becomes_a_message_in_the_image():
    bad = {"kind": "vega", "spec": {"mark": "bar", "encoding": {"x": {"field": "a", "type": "bogus"}}}}
    text = " ".join(re.findall(r">([^<]+)</text>", body_svg(bad, 300, 100, None)))
    assert text.startswith("Could not draw the chart: Error: Invalid field type") and " at " not in text


def test_body_size_follows_the_grid():
    assert body_size(Layout(0, 0, 24, 8)) == (24 * 60 - 12, 8 * 30 - 42)


def test_time_range_labels_and_page_names():
    assert time_label("-7d") == "Last 7 days"
    assert time_label("-1d2h") == "Last 1 day 2 hours"
    assert time_label("previous_week") == "Previous week"
    assert page_name("overview") == "overview.html" and page_name("index") == "index-dashboard.html"
